"""Read one input of ``pvd-kg extract``: UTF-8 plain text or a saved HTML page.

Untrusted input is refused in one line (:class:`~pvd_kg.errors.InputError`): an empty file, a
binary file (NUL bytes or not UTF-8), or a file over the size cap (:data:`DEFAULT_MAX_BYTES`,
``--max-bytes`` or ``$PVD_KG_EXTRACT_MAX_BYTES``). An HTML page is reduced to its text
(:mod:`pvd_kg.extract.html`): evidence offsets then point into that text, which the output carries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

DEFAULT_MAX_BYTES = 2_000_000
MAX_BYTES_ENV = "PVD_KG_EXTRACT_MAX_BYTES"
TEXT_SUFFIXES = (".txt", ".text", ".md", "")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass
class Document:
    """The text the extractor reads and what the page itself says about it.

    :param text: plain text (for HTML, the text of the page's main content, blocks on their lines).
    :param kind: ``text`` or ``html``.
    :param file: the path as given.
    :param title: the page's ``<title>``/``og:title`` (HTML only) unless the user gave one.
    :param published: the page's ``article:published_time`` date (HTML only), ISO day.
    """

    text: str
    kind: str
    file: str | None = None
    title: str | None = None
    published: str | None = None
    notes: list[str] = field(default_factory=list)


def max_bytes(value: int | None = None) -> int:
    """The size cap: ``value`` if given, else ``$PVD_KG_EXTRACT_MAX_BYTES``, else 2,000,000."""
    if value is not None:
        return int(value)
    raw = os.environ.get(MAX_BYTES_ENV)
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise InputError(f"${MAX_BYTES_ENV}={raw!r} is not a number of bytes") from None
    return DEFAULT_MAX_BYTES


def decode(data: bytes, where: str, cap: int) -> str:
    """The UTF-8 text of ``data``, or a one-line :class:`InputError` naming ``where``."""
    if len(data) > cap:
        raise InputError(f"{where}: {len(data)} bytes, over the size cap of {cap} bytes",
                         hint=f"--max-bytes or ${MAX_BYTES_ENV} raises it")
    if not data.strip():
        raise InputError(f"{where}: empty input")
    if b"\x00" in data:
        raise InputError(f"{where}: binary file (NUL bytes), not UTF-8 text or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_html(text: str, suffix: str = "") -> bool:
    head = text.lstrip()[:512].lower()
    return suffix.lower() in HTML_SUFFIXES or head.startswith(("<!doctype html", "<html", "<?xml")) or (
        "<body" in head or "<head" in head)


def read_document(path: str | Path, cap: int | None = None) -> Document:
    """Read one file as a :class:`Document` (HTML stripped to its main text).

    :raises InputError: missing, empty, binary, not UTF-8, or over the cap.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    limit = max_bytes(cap)
    if p.stat().st_size > limit:
        raise InputError(f"{p}: {p.stat().st_size} bytes, over the size cap of {limit} bytes",
                         hint=f"--max-bytes or ${MAX_BYTES_ENV} raises it")
    text = decode(p.read_bytes(), str(p), limit)
    return document_from_text(text, str(p), p.suffix)


def document_from_text(text: str, file: str | None = None, suffix: str = "") -> Document:
    """A :class:`Document` from text already decoded (HTML detected by suffix or content)."""
    if looks_like_html(text, suffix):
        from .html import page_text

        page = page_text(text)
        if not page.text.strip():
            raise InputError(f"{file or 'input'}: HTML page with no text")
        return Document(page.text, "html", file, page.title, page.published)
    return Document(text, "text", file)


def collect_paths(args) -> list[Path]:
    """Files named on the command line, folders expanded to their ``.txt``/``.html`` files (sorted)."""
    out: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in
                          (".txt", ".text", ".md") + HTML_SUFFIXES)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out
