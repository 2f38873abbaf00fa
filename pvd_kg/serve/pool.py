"""A small pool of query worker processes (:mod:`.worker`) driven from asyncio.

Each worker opens the store read-only. A query that runs past its deadline gets its worker
killed (SIGKILL: pyoxigraph cannot cancel) and a fresh one started in the background, so the
work really stops and the other workers keep answering. Updates are exclusive: the pool waits
for running queries, stops its readers (neither their read-only views nor their in-memory copies
would see the write), runs the update in a one-off read-write process, then starts the readers again.
A reader of a small store answers from an in-memory copy (:func:`.worker.mirror`); starting the
readers again after an update is what refreshes those copies. A write by another process (a
``pvd-kg build`` or ``load``) is picked up the same way, by :meth:`WorkerPool.reopen`
(see :mod:`.store_watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import QueryTimeout, StoreError
from . import worker
from .store_watch import fingerprint

_CTX = multiprocessing.get_context("spawn")  # never fork a process that runs an event loop and threads


class _Worker:
    def __init__(self, store_path: Path, read_only: bool = True, mirror_max_quads: int = worker.MIRROR_MAX_QUADS):
        self.conn, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=worker.main, args=(child, str(store_path), read_only, mirror_max_quads),
                                 daemon=True)
        self.proc.start()
        child.close()
        hello = self.conn.recv() if self.conn.poll(60) else {"ready": False, "message": "no answer in 60 s"}
        if not hello.get("ready"):
            self.kill()
            raise StoreError(f"cannot open the store at {store_path}: {hello.get('message')}",
                             hint="build it with `pvd-kg build`, or name it with --store")
        self.in_memory = bool(hello.get("in_memory"))

    def call(self, job: dict) -> dict:
        self.conn.send(job)
        return self.conn.recv()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        self.kill()


@dataclass
class PoolStats:
    queries: int = 0
    timeouts: int = 0
    restarts: int = 0
    reopens: int = 0


class WorkerPool:
    """``size`` read-only workers over the store at ``store_path``.

    :param timeout: default wall-clock limit of one job, in seconds.
    :param mirror_max_quads: readers answer from an in-memory copy of a store up to this size
        (:func:`.worker.mirror`); 0 keeps them on disk.
    """

    def __init__(self, store_path: Path | str, size: int = 2, timeout: float = 30.0,
                 mirror_max_quads: int = worker.MIRROR_MAX_QUADS):
        self.store_path = Path(store_path)
        self.mirror_max_quads = mirror_max_quads
        self.size = max(1, size)
        self.timeout = timeout
        self.stats = PoolStats()
        self._threads = ThreadPoolExecutor(max_workers=self.size * 2 + 2, thread_name_prefix="pvd-kg-pool")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._readers = 0
        self._writing = False
        self._cond: asyncio.Condition | None = None
        self._pending: set[asyncio.Task] = set()
        self._live: set[_Worker] = set()
        self.seen = None  # the store folder's fingerprint when the readers were started
        self._opened = 0  # how many times the whole set of readers was started

    async def start(self) -> None:
        """Start the workers.

        :raises StoreError: the store cannot be opened.
        """
        if not self.store_path.exists():
            raise StoreError(f"no store at {self.store_path}", hint="build it with `pvd-kg build`, or name it with --store")
        self._idle = asyncio.Queue()
        self._cond = asyncio.Condition()
        await self._spawn_all()

    async def _spawn_all(self) -> None:
        self.seen = fingerprint(self.store_path)  # before opening: a write meanwhile is seen later
        self._opened += 1
        self._install(await self._start_readers())

    def _install(self, workers: list[_Worker]) -> None:
        for w in workers:
            self._live.add(w)
            self._idle.put_nowait(w)

    async def _stop(self, workers: list[_Worker]) -> None:
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

    async def _start_readers(self) -> list[_Worker]:
        """``size`` new readers, or none.

        :raises StoreError: one of them could not open the store (the others are stopped).
        """
        loop = asyncio.get_running_loop()
        started = await asyncio.gather(*(loop.run_in_executor(self._threads, _Worker, self.store_path, True,
                                                              self.mirror_max_quads)
                                         for _ in range(self.size)), return_exceptions=True)
        workers = [w for w in started if isinstance(w, _Worker)]
        failures = [e for e in started if not isinstance(e, _Worker)]
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
        except StoreError:
            return False
        retired = fresh
        try:
            async with self._exclusive():
                if opened != self._opened:  # ours may have opened the store during that update
                    return False
                retired = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
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

    async def _replace(self) -> None:
        loop = asyncio.get_running_loop()
        opened = self._opened
        try:
            w = await loop.run_in_executor(self._threads, _Worker, self.store_path, True, self.mirror_max_quads)
        except StoreError:
            return
        if opened != self._opened:  # the readers were all started again meanwhile: one too many
            await self._stop([w])
            return
        self.stats.restarts += 1
        self._live.add(w)
        self._idle.put_nowait(w)

    async def _shared(self):
        async with self._cond:
            await self._cond.wait_for(lambda: not self._writing)
            self._readers += 1

    async def _release_shared(self):
        async with self._cond:
            self._readers -= 1
            self._cond.notify_all()

    async def run(self, job: dict, timeout: float | None = None) -> dict:
        """Run a ``query`` or ``dump`` job on a free worker.

        :raises QueryTimeout: no answer within ``timeout`` seconds; the worker was killed.
        """
        timeout = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        await self._shared()
        try:
            w = await self._idle.get()
            self.stats.queries += 1
            try:
                reply = await asyncio.wait_for(loop.run_in_executor(self._threads, w.call, job), timeout)
            except asyncio.TimeoutError:
                self.stats.timeouts += 1
                self._live.discard(w)
                await loop.run_in_executor(self._threads, w.kill)
                self._schedule_replacement()
                raise QueryTimeout(f"the query ran past the {timeout:g} s time limit and was stopped",
                                   hint="narrow it or add a LIMIT") from None
            except (EOFError, OSError) as exc:
                self._live.discard(w)
                await loop.run_in_executor(self._threads, w.kill)
                self._schedule_replacement()
                raise StoreError(f"the query worker died ({exc.__class__.__name__}); out of memory?") from exc
            self._idle.put_nowait(w)
            return reply
        finally:
            await self._release_shared()

    def _schedule_replacement(self) -> None:
        task = asyncio.create_task(self._replace())
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
                while len(stopped) < self.size:
                    stopped.append(await self._idle.get())
                self._live.difference_update(stopped)
                await self._stop(stopped)
                writer = await loop.run_in_executor(self._threads, _Worker, self.store_path, False, 0)
                try:
                    return await asyncio.wait_for(loop.run_in_executor(self._threads, writer.call, job), timeout)
                except asyncio.TimeoutError:
                    raise QueryTimeout(f"the update ran past the {timeout:g} s time limit and was stopped",
                                       hint="the store was left unchanged") from None
                finally:
                    await loop.run_in_executor(self._threads, writer.stop)
            finally:
                await self._spawn_all()

    def status(self) -> dict:
        """Worker process ids and counters (for ``/status``)."""
        return {"workers": sorted(w.proc.pid for w in self._live),
                "in_memory": sum(w.in_memory for w in self._live), "queries": self.stats.queries,
                "timeouts": self.stats.timeouts, "restarts": self.stats.restarts, "reopens": self.stats.reopens}

    async def close(self) -> None:
        """Stop every worker."""
        for task in list(self._pending):
            await task
        if self._idle is not None:
            loop = asyncio.get_running_loop()
            while not self._idle.empty():
                w = self._idle.get_nowait()
                await loop.run_in_executor(self._threads, w.stop)
        self._threads.shutdown(wait=False)
