"""The embedded on-disk store (pyoxigraph/RocksDB), at :func:`pvd_kg.paths.default_store_path`
unless told otherwise; created on first use.

Writes go through the atomic pyoxigraph calls only (``Store.load``, ``Store.update``), never
``bulk_load``, so a killed process leaves the store as it was. Queries given a ``timeout`` run
in a child process on a read-only view (:class:`~.isolate.QueryWorker`), which is killed when the
deadline passes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..errors import StoreError
from .base import QueryResult
from .isolate import QueryWorker
from .memory import OxigraphStore


class EmbeddedStore(OxigraphStore):
    """A pyoxigraph store in a folder.

    :param path: the folder (default :func:`pvd_kg.paths.default_store_path`).
    :param read_only: open without taking the write lock (several readers may share a folder).
    :raises StoreError: the folder holds something else, or another process holds the write lock.

    >>> import tempfile, pathlib
    >>> with EmbeddedStore(pathlib.Path(tempfile.mkdtemp()) / "s") as s:
    ...     s.query("ASK { ?s ?p ?o }", timeout=10).boolean, len(s)
    (False, 0)
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else paths.default_store_path()
        self.read_only = read_only
        self._ox: ox.Store | None = None
        self._worker: QueryWorker | None = None

    @property
    def ox(self) -> ox.Store:
        if self._ox is None:
            try:
                if self.read_only:
                    if not self.path.exists():
                        raise StoreError(f"no store at {self.path}", hint="run `pvd-kg build` or `pvd-kg load` first")
                    self._ox = ox.Store.read_only(str(self.path))
                else:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._ox = ox.Store(str(self.path))
            except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB "Corruption", e.g. mid-compaction
                hint = "another pvd-kg process (serve?) holds it; stop it or use --endpoint" if "lock" in str(exc).lower() else None
                raise StoreError(f"cannot open the store at {self.path}: {exc}", hint=hint) from exc
        return self._ox

    def query(self, sparql: str, *, timeout: float | None = None, limit: int | None = None) -> QueryResult:
        """Run a query; with a ``timeout`` it runs in a child process that is killed at the deadline."""
        if timeout is None:
            return super().query(sparql, limit=limit)
        if not self.path.exists():
            self.ox  # create it (or say why not), so the read-only worker has something to open
        # no flush needed: the read-only view replays the write-ahead log
        if self._worker is None:
            self._worker = QueryWorker(self.path)
        return self._worker.run(sparql, timeout=timeout, limit=limit)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        # Dropping the object closes the database; no flush: committed writes are in the
        # write-ahead log already, and flushing costs about as much as a quarter of a load.
        self._ox = None
