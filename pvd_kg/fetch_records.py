"""The files ``pvd-kg fetch`` leaves behind: the download and its record ``<file>.fetch.json``.

Everything is written through a temporary file in the same folder and renamed into place, so
a reader sees either the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .errors import FetchError

RECORD_SUFFIX = ".fetch.json"


def record_path_for(path: Path | str) -> Path:
    """The record that describes a downloaded file.

    >>> record_path_for("downloads/anct-pvd-2026.csv").name
    'anct-pvd-2026.csv.fetch.json'
    """
    path = Path(path)
    return path.with_name(path.name + RECORD_SUFFIX)


def read_record(path: Path | str) -> dict | None:
    """The record of a downloaded file (URL, retrieval time, sha256 ...), or ``None`` if it has none.

    :param path: the downloaded file (not the record).
    :raises FetchError: the record exists but is not a JSON object.
    """
    record_path = record_path_for(path)
    if not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(f"cannot read the fetch record {record_path}: {exc}") from None
    if not isinstance(record, dict):
        raise FetchError(f"the fetch record {record_path} is not a JSON object")
    return record


def write_record(record_path: Path, record: dict) -> None:
    """Write a record atomically, as indented UTF-8 JSON."""
    atomic_write(record_path, json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def previous_record(path: Path, record_path: Path, url: str) -> tuple[dict | None, str | None]:
    """The last record (only if it is for this URL and the file on disk is still the one it
    describes) and the sha256 of the file on disk (``None`` if there is none)."""
    old_sha = sha256_file(path) if path.is_file() else None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, old_sha
    if not isinstance(record, dict) or record.get("url") != url or record.get("sha256") != old_sha:
        return None, old_sha
    return record, old_sha


def atomic_write(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``.

    :raises FetchError: the folder is not writable or the disk is full (``path`` is then untouched).
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise FetchError(f"cannot write in {path.parent}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FetchError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
