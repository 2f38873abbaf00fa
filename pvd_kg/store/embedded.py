"""The embedded on-disk store (pyoxigraph/RocksDB), at :func:`pvd_kg.paths.default_store_path`
unless told otherwise; created on first use.

Writes go through the atomic pyoxigraph calls only (``Store.load``, ``Store.update``), never
``bulk_load`` on the store itself, so a killed process leaves the store as it was. A build, which
replaces most of the store, and a large load (see :func:`commits_by_swap`), which one transaction
would hold in memory, write a whole new store in a sibling folder (``bulk_load`` is safe there:
nobody sees that folder until it is complete) and swap the folders with two renames
(:mod:`.swap`); every open, read-only too, first repairs a swap that a crash interrupted
(:func:`.swap.recover`). Queries given a ``timeout`` run in a child process on a read-only view
(:class:`~.query_worker.QueryWorker`), under a memory cap, killed when the deadline passes."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from .. import paths
from ..errors import StoreError
from .base import QueryResult
from .memory import OxigraphStore
from .query_worker import QueryWorker, default_memory_mb, query_job, result_from_reply
from .sparql import CheckedQuery, check
from .swap import min_quads, repaired, sibling, step, swap_folders, swap_lock

# When a load commits by folder swap instead of one transaction (:func:`commits_by_swap`).
# ``Store.load`` holds the whole load in memory, about 1.6 GB per million quads; the swap's
# memory stays flat, but it copies the whole store: per quad, a transaction costs about 22 us,
# ``bulk_load`` 8-9 us and copying a stored quad 13-15 us, so the swap is faster when the
# store has fewer quads than the load (docs/store.md, "Atomicity"). $PVD_KG_SWAP_MIN_QUADS
# replaces SWAP_MIN_QUADS (:func:`.swap.min_quads`).
SWAP_MIN_QUADS = 1_000_000
SWAP_STORE_RATIO = 1.0
TRANSACTION_MAX_QUADS = 4_000_000  # ~6.5 GB in one transaction: swap whatever the store's size


def count_lines(path: Path) -> int:
    """Lines of a file (quads of a canonical N-Quads file), read in 1 MB chunks."""
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def commits_by_swap(load_quads: int, store_quads: int) -> bool:
    """Whether a load of ``load_quads`` into a store of ``store_quads`` commits by folder swap
    (memory flat, time grows with load + store) rather than one ``Store.load`` transaction
    (memory and time grow with the load): from :data:`SWAP_MIN_QUADS` quads (or
    ``$PVD_KG_SWAP_MIN_QUADS``, :func:`.swap.min_quads`) when the store is
    no bigger than :data:`SWAP_STORE_RATIO` times the load, from :data:`TRANSACTION_MAX_QUADS`
    whatever the store's size.

    >>> commits_by_swap(300_000, 0), commits_by_swap(1_500_000, 1_000_000), commits_by_swap(1_500_000, 16_000_000)
    (False, True, False)
    >>> commits_by_swap(5_000_000, 16_000_000)
    True
    """
    if load_quads >= TRANSACTION_MAX_QUADS:
        return True
    return load_quads >= min_quads(SWAP_MIN_QUADS) and store_quads <= SWAP_STORE_RATIO * load_quads


# ``bulk_load`` holds all the quads of one call in memory, about 0.9 kB a quad (150 MB for the
# 168k quads of a build), but 0.3 kB a quad in calls of 40k quads, for 10-15 % more CPU.
BULK_PART_QUADS = 40_000


def bulk_load_in_parts(store: ox.Store, path: Path, part_quads: int = BULK_PART_QUADS) -> None:
    """``store.bulk_load`` of the N-Quads file ``path`` in calls of at most ``part_quads`` lines,
    so that its memory does not grow with the file. Each call gives blank nodes new ids, so the
    lines that name one (``_:`` anywhere on the line) all go in one call.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.nq"
    >>> _ = f.write_text('_:a <http://p> "1" .\\n<http://s> <http://p> "2" .\\n_:a <http://p> "3" .\\n')
    >>> s = ox.Store(); bulk_load_in_parts(s, f, part_quads=1)
    >>> len(s), len({q.subject for q in s if isinstance(q.subject, ox.BlankNode)})
    (3, 1)
    """
    blank: list[bytes] = []
    part: list[bytes] = []
    with open(path, "rb") as lines:
        for line in lines:
            (blank if b"_:" in line else part).append(line)
            if len(part) >= part_quads:
                store.bulk_load(b"".join(part), format=ox.RdfFormat.N_QUADS)  # native: the GIL is free
                part = []
    for rest in (part, blank):
        if rest:
            store.bulk_load(b"".join(rest), format=ox.RdfFormat.N_QUADS)


class EmbeddedStore(OxigraphStore):
    """A pyoxigraph store in a folder.

    :param path: the folder (default :func:`pvd_kg.paths.default_store_path`).
    :param read_only: open without taking the write lock (several readers may share a folder).
    :param query_memory_mb: memory cap of the query worker, MB (default
        :func:`~.query_worker.default_memory_mb`: ``$PVD_KG_QUERY_MEMORY_MB`` else 2048).
    :raises StoreError: the folder holds something else, or another process holds the write lock.

    >>> import tempfile, pathlib
    >>> with EmbeddedStore(pathlib.Path(tempfile.mkdtemp()) / "s") as s:
    ...     s.query("ASK { ?s ?p ?o }", timeout=10).boolean, len(s)
    (False, 0)
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False, query_memory_mb: int | None = None):
        self.path = Path(path) if path is not None else paths.default_store_path()
        self.read_only = read_only
        self.query_memory_mb = query_memory_mb
        self._ox: ox.Store | None = None
        self._worker: QueryWorker | None = None
        self._folder: Path | None = None  # what to open, once an interrupted swap is repaired

    @property
    def ox(self) -> ox.Store:
        if self._ox is None:
            folder = self._repaired()
            try:
                if self.read_only:
                    if not folder.exists():
                        raise StoreError(f"no store at {self.path}", hint="run `pvd-kg build` or `pvd-kg load` first")
                    self._ox = ox.Store.read_only(str(folder))
                else:
                    self._check_writable()
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._ox = ox.Store(str(self.path))
            except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB "Corruption", e.g. mid-compaction
                hint = "another pvd-kg process holds it; stop it or use --endpoint" if "lock" in str(exc).lower() else None
                raise StoreError(f"cannot open the store at {self.path}: {exc}", hint=hint) from exc
        return self._ox

    def _repaired(self) -> Path:
        """Repair an interrupted swap (once per object, saying so on stderr) and return the
        folder to open."""
        if self._folder is None:
            self._folder = repaired(self.path)
        return self._folder

    def _check_writable(self) -> None:
        """Refuse a write to a read-only store folder in one line, before RocksDB tries."""
        where = self.path if self.path.exists() else self.path.parent
        while not where.exists() and where != where.parent:
            where = where.parent
        if not os.access(where, os.W_OK):
            raise StoreError(f"the store at {self.path} is read-only ({where} is not writable): it can be "
                             "read, not written")

    def query(self, sparql: str | CheckedQuery, *, timeout: float | None = None,
              limit: int | None = None) -> QueryResult:
        """Run a query; with a ``timeout`` it runs in a child process under a memory cap, killed
        at the deadline.

        :raises QueryStopped: over the time or the memory limit (the child was stopped).
        """
        sparql = check(sparql)
        if timeout is None:
            return super().query(sparql, limit=limit)
        if not self._repaired().exists():
            self.ox  # create it (or say why not), so the read-only worker has something to open
        # no flush needed: the read-only view replays the write-ahead log
        if self._worker is None:
            self._worker = QueryWorker(self._repaired(), **self.query_worker_settings())
        return result_from_reply(self._worker.call(query_job(sparql, limit), timeout), sparql)

    def query_worker_settings(self) -> dict:
        """How this store's query worker is started (see :func:`.query_worker.prestart`)."""
        memory_mb = self.query_memory_mb if self.query_memory_mb is not None else default_memory_mb()
        return {"memory_mb": memory_mb, "follow": True}

    def add_nquads(self, path: Path) -> None:
        """Add the quads of an N-Quads file atomically: one ``Store.load`` transaction, or for a
        large file (:func:`commits_by_swap`) a new store written beside this one with the current
        quads copied in, swapped in by two renames; its memory does not grow with the file.

        :raises StoreError: the store refused the write; nothing was written.
        """
        n = count_lines(path)
        if n >= min_quads(SWAP_MIN_QUADS) and commits_by_swap(n, len(self.ox)):  # len() only when it can matter
            self._swap_in(path, keep=lambda graph: True)
        else:
            super().add_nquads(path)

    def replace_graphs(self, drop: Iterable[str], path: Path) -> None:
        """Replace the graphs ``drop`` by the quads of the N-Quads file ``path``, keeping every
        other graph, as one atomic change: the new store is written beside this one, then the
        folders are swapped. Much faster than one SPARQL update for a whole build.

        Another process that has the store open (``pvd-kg serve``) keeps reading the previous
        content until it reopens the store."""
        self.replace_graphs_checked(drop, path, None)

    def replace_graphs_checked(self, drop: Iterable[str], path: Path, check) -> None:
        """:meth:`replace_graphs`, with ``check()`` (the build's validation) running while the
        new store is written in its folder, which nobody sees before the swap: the swap happens
        only if ``check()`` returns; if it raises, the new folder is removed and the store is as
        it was."""
        drop = set(drop)
        self._swap_in(path, keep=lambda graph: not isinstance(graph, ox.NamedNode) or graph.value not in drop,
                      check=check)

    def _swap_in(self, path: Path, keep, check=None) -> None:
        """Write a new store in ``.NAME.new`` (``bulk_load`` of ``path`` + the current quads of
        the graphs ``keep(graph)`` accepts), meanwhile run ``check()`` if given, then swap it in
        with two renames."""
        new = sibling(self.path, "new")
        self.ox  # opened (and any interrupted swap recovered) before the new folder exists
        with swap_lock(self.path, wait=True):
            self._swap_locked(path, keep, new, check)

    def _swap_locked(self, path: Path, keep, new: Path, check=None) -> None:
        failed: list[BaseException] = []

        def write() -> None:
            fresh = None
            try:
                fresh = ox.Store(str(new))
                bulk_load_in_parts(fresh, path)
                step("new-partial")
                graphs = [g for g in self.ox.named_graphs() if keep(g)] + [ox.DefaultGraph()]
                for graph in graphs:  # streamed, graph by graph: memory stays flat
                    fresh.bulk_extend(self.ox.quads_for_pattern(None, None, None, graph))
                fresh.flush()
                fresh.optimize()
            except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
                failed.append(StoreError(f"the store refused the write, nothing was changed: {exc}"))
                failed[-1].__cause__ = exc.with_traceback(None)  # its frames would keep the new store open
            finally:
                fresh = None  # closed before the folder is swapped or removed

        writer = threading.Thread(target=write, name="pvd-kg-store-write") if check is not None else None
        try:
            if writer is None:
                write()
            else:
                writer.start()
                try:
                    check()
                finally:
                    writer.join()
        except BaseException:
            import shutil

            shutil.rmtree(new, ignore_errors=True)
            raise
        if failed:
            import shutil

            shutil.rmtree(new, ignore_errors=True)
            raise failed[0]
        self.close()
        swap_folders(self.path)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        # Dropping the object closes the database; no flush: committed writes are in the
        # write-ahead log already, and flushing costs about as much as a quarter of a load.
        self._ox = None
