"""The embedded on-disk store (pyoxigraph/RocksDB), at :func:`pvd_kg.paths.default_store_path`
unless told otherwise; created on first use.

Writes go through the atomic pyoxigraph calls only (``Store.load``, ``Store.update``), never
``bulk_load`` on the store itself, so a killed process leaves the store as it was. A build, which
replaces most of the store, writes a whole new store in a sibling folder (``bulk_load`` is safe
there: nobody sees that folder until it is complete) and swaps the folders with two renames;
:meth:`EmbeddedStore._recover` finishes or undoes a swap that a crash interrupted. Queries given a ``timeout`` run
in a child process on a read-only view (:class:`~.isolate.QueryWorker`), which is killed when the
deadline passes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

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
            if not self.read_only:
                self._recover()
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

    def _sibling(self, kind: str) -> Path:
        return self.path.with_name(f".{self.path.name}.{kind}")

    def _recover(self) -> None:
        """Finish or undo a folder swap that a crash interrupted (see :meth:`replace_graphs`)."""
        new, old = self._sibling("new"), self._sibling("old")
        if not self.path.exists() and old.exists():
            os.rename(old, self.path)  # crashed between the two renames: the previous store comes back
        for leftover in (new, old):
            if leftover.exists():
                shutil.rmtree(leftover)

    def replace_graphs(self, drop: Iterable[str], path: Path) -> None:
        """Replace the graphs ``drop`` by the quads of the N-Quads file ``path``, keeping every
        other graph, as one atomic change: the new store is written beside this one, then the
        folders are swapped. Much faster than one SPARQL update for a whole build.

        Another process that has the store open (``pvd-kg serve``) keeps reading the previous
        content until it reopens the store."""
        drop = set(drop)
        new, old = self._sibling("new"), self._sibling("old")
        current = self.ox  # opened (and any interrupted swap recovered) before the new folder exists
        try:
            fresh = ox.Store(str(new))
            fresh.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            for graph in current.named_graphs():
                if isinstance(graph, ox.NamedNode) and graph.value not in drop:
                    fresh.bulk_extend(current.quads_for_pattern(None, None, None, graph))
            fresh.bulk_extend(current.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            fresh.flush()
            fresh.optimize()
            del fresh
        except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise StoreError(f"the store refused the write, nothing was changed: {exc}") from exc
        del current
        self.close()
        os.rename(self.path, old)
        os.rename(new, self.path)
        shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        # Dropping the object closes the database; no flush: committed writes are in the
        # write-ahead log already, and flushing costs about as much as a quarter of a load.
        self._ox = None
