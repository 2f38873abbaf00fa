"""The source snapshots shipped in ``graph/sources/``: file name, how to read it, where it came from.

Titles, publishers and live URLs come from :mod:`pvd_kg.sources_registry`; ``Shipped`` adds what
the ingest needs about the shipped copy. Each source's plug-in module declares its own (see
:mod:`pvd_kg.ingest.plugin`); ``SHIPPED`` gathers them, by key. A folder may hold either the shipped name or the
download name ``{key}.csv`` written by ``pvd-kg fetch``; :func:`source_path` takes the download
when present.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import SourceDataError


@dataclass(frozen=True)
class Shipped:
    """One shipped snapshot.

    :param key: the source key (also the named graph ``pvdg:{key}``).
    :param file: the shipped file name under ``graph/sources/``.
    :param snapshot: the vintage as an ISO prefix (``2024-01-01``, ``2021-01``, ``2023``).
    :param origin: where the copy was taken from (repository and commit, or data.gouv resource).
    :param derived: how the file differs from its upstream, empty if copied unchanged.
    """

    key: str
    file: str
    publisher: str
    title: str
    snapshot: str
    origin: str
    delimiter: str = ","
    derived: str = ""


def __getattr__(name: str):
    # SHIPPED is gathered from the source plug-ins on first use: they import Shipped from here
    if name == "SHIPPED":
        from .plugin import ingested

        return {key: p.shipped for key, p in ingested().items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def source_path(key: str, folder: str | Path | None = None) -> Path:
    """The file to read for ``key``: ``{folder}/{key}.csv`` (a fresh download) if it exists,
    else the shipped snapshot name.

    :param key: a key of :data:`SHIPPED`.
    :param folder: where to look; ``graph/sources/`` by default.
    :raises SourceDataError: neither file exists.

    >>> source_path("anct-pvd-2026").name
    'pvd_communes_2026_derived.csv'
    """
    folder = Path(folder) if folder is not None else paths.SOURCES_DIR
    spec = __getattr__("SHIPPED")[key]
    for name in (f"{key}.csv", spec.file):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise SourceDataError(f"source {key!r} not found in {folder} (looked for {key}.csv and {spec.file})",
                          hint="run from a clone that has graph/sources/, or pvd-kg fetch")
