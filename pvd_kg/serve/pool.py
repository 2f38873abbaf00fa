"""The server's query workers (:class:`~pvd_kg.store.query_worker.QueryWorker`, the same killable
process as the CLI's), driven from asyncio, in two lanes.

Each worker opens the store read-only under a memory cap. A query that runs past its deadline
gets its worker killed (SIGKILL: pyoxigraph cannot cancel) and a fresh one started in the
background, so the work really stops and the other workers keep answering. The *fast lane*
(``fast_size`` workers) takes only query texts that finished fast before (:mod:`.admission`), so
a light query never waits behind slow ones; every other job goes to the *general lane*. Each lane
bounds the jobs one client and all clients may have waiting or running (:class:`.admission.Overloaded`
past it: 503 with Retry-After). Updates are exclusive: the pool waits for running queries, stops
its readers (neither their read-only views nor their in-memory copies would see the write), runs
the update in a one-off read-write process, then starts the readers again. A reader of a small
store answers from an in-memory copy (:func:`.worker.mirror`); starting the readers again after
an update is what refreshes those copies. A write by another process (a ``pvd-kg build`` or
``load``) is picked up the same way, by :meth:`WorkerPool.reopen` (see :mod:`.store_watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import PvdKgError, QueryOverMemory, QueryTimeout, StoreError
from ..store.query_worker import QueryWorker
from . import worker
from .admission import FAST_LANE_LIMIT, Admission, Timings
from .store_watch import fingerprint

SERVE_MEMORY_MB = 1024  # per worker; docs/security.md
QUEUE_PER_CLIENT = 8
QUEUE_TOTAL = 64
FAST, GENERAL = "fast", "general"
GENERAL_NICE = 10  # the general lane's slow queries leave the CPU to the fast lane and the server


@dataclass
class PoolStats:
    queries: int = 0
    timeouts: int = 0
    over_memory: int = 0
    restarts: int = 0
    reopens: int = 0
    moved: int = 0  # fast-lane queries that ran past FAST_LANE_LIMIT and went to the general lane


class WorkerPool:
    """``size`` general-lane and ``fast_size`` fast-lane read-only workers over the store at ``store_path``.

    :param timeout: default wall-clock limit of one job, in seconds.
    :param memory_mb: address-space cap of each worker, MB (0: none).
    :param mirror_max_quads: readers answer from an in-memory copy of a store up to this size
        (:func:`.worker.mirror`), and up to what ``memory_mb`` leaves room for; 0 keeps them on disk.
    :param queue_per_client: jobs one client may have waiting or running in a lane.
    :param queue_total: jobs all clients may have waiting or running in a lane.
    """

    def __init__(self, store_path: Path | str, size: int = 2, timeout: float = 30.0,
                 mirror_max_quads: int = worker.MIRROR_MAX_QUADS, *, memory_mb: int = SERVE_MEMORY_MB,
                 fast_size: int = 1, queue_per_client: int = QUEUE_PER_CLIENT, queue_total: int = QUEUE_TOTAL):
        self.store_path = Path(store_path)
        self.memory_mb = memory_mb
        self.mirror_max_quads = mirror_max_quads
        self.lanes = {FAST: max(0, fast_size), GENERAL: max(1, size)}
        self.size = sum(self.lanes.values())
        self.timeout = timeout
        self.stats = PoolStats()
        self.admission = {lane: Admission(lane, queue_per_client, queue_total, n) for lane, n in self.lanes.items()}
        self.timings = Timings()
        self._threads = ThreadPoolExecutor(max_workers=self.size * 2 + 2, thread_name_prefix="pvd-kg-pool")
        self._idle: dict[str, asyncio.Queue[QueryWorker]] = {}
        self._readers = 0
        self._writing = False
        self._cond: asyncio.Condition | None = None
        self._pending: set[asyncio.Task] = set()
        self._live: set[QueryWorker] = set()
        self.seen = None  # the store folder's fingerprint when the readers were started
        self._opened = 0  # how many times the whole set of readers was started

    async def start(self) -> None:
        """Start the workers.

        :raises StoreError: the store cannot be opened.
        """
        if not self.store_path.exists():
            raise StoreError(f"no store at {self.store_path}", hint="build it with `pvd-kg build`, or name it with --store")
        self._idle = {lane: asyncio.Queue() for lane in self.lanes}
        self._cond = asyncio.Condition()
        await self._spawn_all()

    async def _spawn_all(self) -> None:
        self.seen = fingerprint(self.store_path)  # before opening: a write meanwhile is seen later
        self._opened += 1
        self._install(await self._start_readers())

    def _reader(self, lane: str) -> QueryWorker:
        """A started reader for ``lane`` (blocking: run in the thread pool)."""
        w = QueryWorker(self.store_path, memory_mb=self.memory_mb, mirror_max_quads=self.mirror_max_quads,
                        nice=GENERAL_NICE if lane == GENERAL else 0)
        w.lane = lane
        return w.start()

    def _install(self, workers: list[QueryWorker]) -> None:
        for w in workers:
            self._live.add(w)
            self._idle[w.lane].put_nowait(w)

    def _drain_idle(self) -> list[QueryWorker]:
        return [q.get_nowait() for q in self._idle.values() for _ in range(q.qsize())]

    async def _stop(self, workers: list[QueryWorker]) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.stop) for w in workers))

    @contextlib.asynccontextmanager
    async def _exclusive(self):
        """The pool alone for the block: it waits for running queries, and queries wait for it."""
        async with self._cond:
            await self._cond.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            async with self._cond:
                self._writing = False
                self._cond.notify_all()

    async def _start_readers(self) -> list[QueryWorker]:
        """``size`` new readers, or none.

        :raises StoreError: one of them could not open the store (the others are stopped).
        """
        loop = asyncio.get_running_loop()
        lanes = [lane for lane, n in self.lanes.items() for _ in range(n)]
        started = await asyncio.gather(*(loop.run_in_executor(self._threads, self._reader, lane) for lane in lanes),
                                       return_exceptions=True)
        workers = [w for w in started if isinstance(w, QueryWorker)]
        failures = [e for e in started if not isinstance(e, QueryWorker)]
        if failures:
            await self._stop(workers)
            raise failures[0]
        return workers

    async def reopen(self, on_swap=None) -> bool:
        """Replace every reader by one that opens the store as it is now, after another process
        changed it. The new readers are started first, so queries wait only for the exchange;
        ``on_swap()`` is called during the exchange, while no query runs. (So, unlike an update's
        readers, they may open the store while another process writes it: if that was an update
        of this pool, :attr:`_opened` tells, and they are dropped.)

        :returns: False when the store cannot be opened now (a swap in progress), or when an
            update started the readers again meanwhile: the readers in place stay.
        """
        seen, opened = fingerprint(self.store_path), self._opened
        try:
            fresh = await self._start_readers()
        except PvdKgError:
            return False
        retired = fresh
        try:
            async with self._exclusive():
                if opened != self._opened:  # ours may have opened the store during that update
                    return False
                retired = self._drain_idle()
                self._live.difference_update(retired)
                self._install(fresh)
                self.seen = seen
                self._opened += 1
                self.stats.reopens += 1
                if on_swap is not None:
                    on_swap()
        finally:
            await self._stop(retired)
        return True

    async def _replace(self, lane: str) -> None:
        loop = asyncio.get_running_loop()
        opened = self._opened
        try:
            w = await loop.run_in_executor(self._threads, self._reader, lane)
        except PvdKgError:  # the store cannot be opened now: the next reopen or update starts a full set
            return
        if opened != self._opened:  # the readers were all started again meanwhile: one too many
            await self._stop([w])
            return
        self.stats.restarts += 1
        self._live.add(w)
        self._idle[lane].put_nowait(w)

    async def _shared(self):
        async with self._cond:
            await self._cond.wait_for(lambda: not self._writing)
            self._readers += 1

    async def _release_shared(self):
        async with self._cond:
            self._readers -= 1
            self._cond.notify_all()

    async def run(self, job: dict, timeout: float | None = None, client: str | None = None) -> dict:
        """Run a ``query``, ``dump`` or ``analysis`` job on a free worker: a query whose text
        finished fast before in the fast lane (moved to the general lane if it now runs past
        :data:`.admission.FAST_LANE_LIMIT`), everything else in the general lane.

        :param client: who asked (an address), for the per-client bound; None: the server itself.
        :raises Overloaded: the lane's queue is full for ``client`` or for everyone.
        :raises QueryTimeout: no answer within ``timeout`` seconds; the worker was killed.
        :raises QueryOverMemory: the job ran past the memory cap.
        """
        timeout = self.timeout if timeout is None else timeout
        text = job["query"] if job["op"] == "query" else None
        if text is not None and self.lanes[FAST] and self.timings.known_fast(text):
            started = time.monotonic()
            try:
                return await self._run_in(FAST, job, min(timeout, FAST_LANE_LIMIT), client, text)
            except QueryTimeout:
                if timeout <= FAST_LANE_LIMIT:
                    raise
                self.stats.moved += 1
                timeout -= time.monotonic() - started
        return await self._run_in(GENERAL, job, timeout, client, text)

    async def _run_in(self, lane: str, job: dict, timeout: float, client: str | None, text: str | None) -> dict:
        loop = asyncio.get_running_loop()
        admission = self.admission[lane]
        admission.enter(client)
        seconds = None
        try:
            await self._shared()
            try:
                w = await self._idle[lane].get()
                self.stats.queries += 1
                started = time.monotonic()
                try:
                    reply = await loop.run_in_executor(self._threads, w.call, job, timeout)
                except (QueryTimeout, QueryOverMemory) as exc:
                    if isinstance(exc, QueryTimeout):
                        self.stats.timeouts += 1
                    else:
                        self.stats.over_memory += 1
                    if text is not None:
                        self.timings.record(text, math.inf)
                    await self._retire_or_keep(w, lane)
                    raise
                except StoreError:
                    await self._retire_or_keep(w, lane)
                    raise
                seconds = time.monotonic() - started
                if text is not None:
                    self.timings.record(text, seconds)
                self._idle[lane].put_nowait(w)
                return reply
            finally:
                await self._release_shared()
        finally:
            admission.leave(client, seconds)

    async def _retire_or_keep(self, w: QueryWorker, lane: str) -> None:
        """After a failed job: a worker still alive (only Python ran out of memory) goes back to
        its lane; a dead or killed one is replaced in the background."""
        if w.alive():
            self._idle[lane].put_nowait(w)
            return
        self._live.discard(w)
        await asyncio.get_running_loop().run_in_executor(self._threads, w.kill)
        task = asyncio.create_task(self._replace(lane))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def update(self, job: dict, timeout: float | None = None) -> dict:
        """Run an ``update`` job alone, in a read-write process; readers are stopped meanwhile.

        :raises QueryTimeout: past ``timeout``: the writer was killed; the store keeps its
            previous state (pyoxigraph updates are transactions).
        """
        timeout = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        async with self._exclusive():
            try:
                stopped = []
                for lane, n in self.lanes.items():  # replacements of killed readers come back here
                    for _ in range(n):
                        stopped.append(await self._idle[lane].get())
                self._live.difference_update(stopped)
                await self._stop(stopped)
                writer = QueryWorker(self.store_path, read_only=False, memory_mb=self.memory_mb)
                await loop.run_in_executor(self._threads, writer.start)
                try:
                    return await loop.run_in_executor(self._threads, writer.call, job, timeout)
                except QueryTimeout:
                    raise QueryTimeout(f"update stopped: over the {timeout:g} s time limit",
                                       hint="the store was left unchanged") from None
                finally:
                    await loop.run_in_executor(self._threads, writer.stop)
            finally:
                await self._spawn_all()

    def status(self) -> dict:
        """Worker process ids, counters and the lanes' queues (for ``/status``)."""
        lanes = {lane: {"workers": n, **self.admission[lane].status()} for lane, n in self.lanes.items()}
        return {"workers": sorted(w.pid for w in self._live if w.pid is not None),
                "in_memory": sum(w.in_memory for w in self._live), "queries": self.stats.queries,
                "timeouts": self.stats.timeouts, "over_memory": self.stats.over_memory,
                "restarts": self.stats.restarts, "reopens": self.stats.reopens, "moved_to_general": self.stats.moved,
                "memory_mb": self.memory_mb, "lanes": lanes}

    async def close(self) -> None:
        """Stop every worker."""
        for task in list(self._pending):
            await task
        if self._idle:
            await self._stop(self._drain_idle())
        self._threads.shutdown(wait=False)
