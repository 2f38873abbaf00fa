"""The parent side of the killable query worker (:mod:`.query_worker_child`), for the CLI and
the server alike: start it, send it a job, wait for the reply until a deadline, and kill it when
the deadline passes or it dies; either way the caller gets one clear line.

Limits, each configurable by its caller (docs/security.md):

- time: the deadline of one job (``pvd-kg query --timeout``, ``pvd-kg serve --timeout``);
- memory: the worker's address-space cap, ``RLIMIT_AS`` (``--memory-mb``).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..errors import QueryError, QueryOverMemory, QueryTimeout, StoreError
from . import query_worker_child as child

CHILD = Path(child.__file__)
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 2048
START_TIMEOUT = 120.0  # opening the store, and copying a small one into memory
ENV_TIMEOUT, ENV_MEMORY_MB = "PVD_KG_QUERY_TIMEOUT", "PVD_KG_QUERY_MEMORY_MB"


def default_memory_mb() -> int:
    """The memory cap of a query worker: ``$PVD_KG_QUERY_MEMORY_MB`` else 2048 MB."""
    value = os.environ.get(ENV_MEMORY_MB, "")
    try:
        return int(value) if value else DEFAULT_MEMORY_MB
    except ValueError:
        raise QueryError(f"${ENV_MEMORY_MB}={value!r}: expected a whole number of MB") from None


def over_time(timeout: float) -> QueryTimeout:
    return QueryTimeout(f"query stopped: over the {timeout:g} s time limit", hint="narrow it, add a LIMIT, or raise --timeout")


def over_memory(memory_mb: int) -> QueryOverMemory:
    return QueryOverMemory(f"query stopped: over the {memory_mb} MB memory limit",
                           hint="narrow it, add a LIMIT, or raise --memory-mb")


# what a process under RLIMIT_AS says when an allocation fails: Rust, Python, C++, a thread
# that cannot get its stack (RocksDB's background threads, at start)
_OUT_OF_MEMORY = ("memory allocation", "MemoryError", "bad_alloc", "Cannot allocate memory",
                  "Resource temporarily unavailable")


class QueryWorker:
    """One worker process over the store at ``store_path``.

    :param read_only: open a read-only view (queries) or the store itself (one update).
    :param memory_mb: address-space cap of the process, MB; 0: none.
    :param mirror_max_quads: answer from an in-memory copy of a store up to this size (the
        server's readers, :func:`pvd_kg.serve.worker.mirror`); 0: from disk.
    :param follow: open the view again when another process wrote the store (the CLI's worker;
        the server reopens its readers itself, :mod:`pvd_kg.serve.store_watch`).
    :param nice: lower the process's CPU priority by this much (the server's general lane).
    """

    def __init__(self, store_path: Path | str, *, read_only: bool = True, memory_mb: int = DEFAULT_MEMORY_MB,
                 mirror_max_quads: int = 0, follow: bool = False, nice: int = 0):
        self.store_path = Path(store_path)
        self.memory_mb = memory_mb
        self.config = {"store": str(self.store_path), "read_only": read_only, "memory_mb": memory_mb,
                       "mirror_max_quads": mirror_max_quads, "follow": follow, "nice": nice}
        self.proc: subprocess.Popen | None = None
        self.in_memory = False
        self._stderr = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self, fork: bool = False) -> "QueryWorker":
        """Start the process without waiting for it (:meth:`start` waits).

        :param fork: make it a fork of this process instead of a new interpreter (no start-up
            to wait for), when this process has one thread, such as the CLI before it opens a
            store; otherwise (a test runner, a server) a new interpreter all the same.
        """
        self._stderr = _scratch_file()
        if fork and _one_thread():
            self.proc = _Forked(self.config, self._stderr)
            return self
        # -I: nothing imported from the working directory or $PYTHONPATH; one malloc arena per
        # thread would reserve address space that counts against RLIMIT_AS
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        self.proc = subprocess.Popen([sys.executable, "-I", str(CHILD), json.dumps(self.config)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        return self

    def start(self, timeout: float = START_TIMEOUT) -> "QueryWorker":
        """Start the process (or take the one :func:`prestart` started with the same settings)
        and wait until it has opened the store.

        :raises StoreError: the store cannot be opened (the process is stopped).
        """
        early = _prestarted.pop(json.dumps(self.config, sort_keys=True), None)
        if early is not None and early.alive():
            self.proc, self._stderr = early.proc, early._stderr
        else:
            self.spawn()
        try:
            hello = self._receive(time.monotonic() + timeout, timeout)
        except QueryOverMemory:
            self.kill()
            raise QueryOverMemory(f"query stopped: the store cannot even be opened within the {self.memory_mb} MB "
                                  "memory limit", hint="raise --memory-mb") from None
        except QueryError as exc:
            self.kill()
            raise StoreError(f"cannot open the store at {self.store_path}: {exc.message}") from None
        if not hello.get("ready"):
            self.kill()
            raise StoreError(f"cannot open the store at {self.store_path}: {hello.get('message')}",
                             hint="build it with `pvd-kg build`, or name it with --store")
        self.in_memory = bool(hello.get("in_memory"))
        return self

    def call(self, job: dict, timeout: float) -> dict:
        """Send ``job``, return the reply; the deadline covers the whole exchange.

        :raises QueryTimeout: no reply within ``timeout`` seconds (the process is killed).
        :raises QueryOverMemory: the job ran past the memory cap (a process that died of it is
            killed; one where only Python ran out goes on).
        :raises StoreError: the process died for another reason.
        """
        deadline = time.monotonic() + timeout
        if not self.alive():
            self.start()
        try:
            self.proc.stdin.write(child.encode_frame(job))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._death() from None
        reply = self._receive(deadline, timeout)
        if not reply["ok"] and reply.get("error") == "memory":
            raise over_memory(self.memory_mb)
        return reply

    def _receive(self, deadline: float, timeout: float):
        head = self._read(4, deadline, timeout)
        return child.pickle.loads(self._read(child.frame_length(head), deadline, timeout))

    def _read(self, n: int, deadline: float, timeout: float) -> bytes:
        fd, chunks, got = self.proc.stdout.fileno(), [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.kill()
                raise over_time(timeout)
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise self._death()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _death(self) -> QueryError:
        """The error for a process that closed its pipe: out of memory, or why it died."""
        try:
            code = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        said = self._said()
        self.kill()
        if self.memory_mb > 0 and (any(sign in said for sign in _OUT_OF_MEMORY)
                                   or code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV) and not said):
            return over_memory(self.memory_mb)
        why = f"signal {-code}" if code is not None and code < 0 else f"status {code}"
        last = said.strip().splitlines()[-1] if said.strip() else "no message"
        return StoreError(f"query stopped: the query worker died ({why}): {last}")

    def _said(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-4000:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def stop(self) -> None:
        """Ask the process to finish, then make sure it has."""
        if self.alive():
            try:
                self.proc.stdin.write(child.encode_frame(None))
                self.proc.stdin.flush()
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self) -> None:
        """SIGKILL (pyoxigraph cannot cancel a query) and release the pipes."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _scratch_file():
    """An anonymous file for the worker's stderr: in memory where the system has ``memfd_create``
    (importing :mod:`tempfile` costs a CLI call more than its query)."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("pvd-kg-query-worker-stderr"), "w+b")
    import tempfile

    return tempfile.TemporaryFile()


class _Forked:
    """The worker as a fork of this process, with what :class:`QueryWorker` uses of a ``Popen``.
    The child runs :func:`.query_worker_child.main` on its own pipes and ends with ``os._exit``:
    nothing of the parent (buffers, exit handlers) runs in it."""

    def __init__(self, config: dict, stderr):
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                os.dup2(job_r, 0)
                os.dup2(reply_w, 1)
                os.dup2(stderr.fileno(), 2)
                os.closerange(3, _max_fd())  # the parent's ends too: its exit closes our stdin
                code = child.main(["", json.dumps(config)], stdin=open(0, "rb", closefd=False),
                                  stdout=open(1, "wb", closefd=False), arenas=True)
            finally:
                os._exit(code)
        os.close(job_r)
        os.close(reply_w)
        self.pid, self.returncode = pid, None
        self.stdin, self.stdout = open(job_w, "wb"), open(reply_r, "rb")

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"query worker {self.pid}", timeout)
            time.sleep(0.002)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)


def _one_thread() -> bool:
    """Whether this process has a single OS thread (Python's and native ones, such as RocksDB's):
    a fork of a process with others can inherit a lock one of them held and abort."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 1024


_prestarted: dict[str, QueryWorker] = {}


def prestart(store_path: Path | str, *, fork: bool = False, **settings) -> None:
    """Start a worker now, for the first :class:`QueryWorker` with the same settings to take:
    the CLI calls this first thing, so that the worker's start (pyoxigraph, opening the store)
    overlaps the command's own imports; with ``fork`` (see :meth:`QueryWorker.spawn`) it is a
    fork of this process, which starts faster than a new interpreter. A worker never taken ends
    with this process (its stdin closes)."""
    worker = QueryWorker(store_path, **settings)
    key = json.dumps(worker.config, sort_keys=True)
    if key not in _prestarted:
        _prestarted[key] = worker.spawn(fork=fork)


def query_job(sparql, limit: int | None) -> dict:
    """The worker's job for a query that passed :func:`.sparql.check` (its text, the default
    prefixes it uses, its ``FROM`` / ``FROM NAMED`` graphs), at most ``limit`` rows."""
    graphs = (list(sparql.default_graphs), list(sparql.named_graphs)) if sparql.has_dataset else None
    return {"op": "rows", "query": sparql.text, "prefixes": sparql.prefixes, "graphs": graphs, "limit": limit}


def result_from_reply(reply: dict, sparql=None):
    """A :class:`~.base.QueryResult` (pyoxigraph terms) from a ``rows`` job's reply to ``sparql``
    (a ``SELECT *`` gets its columns in the query's order, :func:`pvd_kg.results.projection_order`).

    :raises QueryError: the query is malformed or failed.
    """
    from ..results import projection_order
    from .base import ASK, GRAPH, SELECT, QueryResult
    from .sparql import syntax_message

    if not reply["ok"]:
        message = reply["message"]
        if reply["error"] == "syntax":
            raise QueryError(syntax_message(sparql, message) if sparql else f"SPARQL syntax error: {message}")
        raise QueryError(f"query failed: {message}")
    if reply["kind"] == "ask":
        return QueryResult(ASK, boolean=reply["boolean"])
    if reply["kind"] == "select":
        names = reply["variables"]
        variables = projection_order(names, sparql.text) if sparql is not None else names
        at = [names.index(v) for v in variables]
        return QueryResult(SELECT, variables, [tuple(_oxigraph(row[i]) for i in at) for row in reply["rows"]],
                           truncated=reply["truncated"])
    return QueryResult(GRAPH, triples=[tuple(_oxigraph(t) for t in tr) for tr in reply["triples"]],
                       truncated=reply["truncated"])


def _oxigraph(term):
    import pyoxigraph as ox

    if term is None:
        return None
    kind = term[0]
    if kind == "u":
        return ox.NamedNode(term[1])
    if kind == "b":
        return ox.BlankNode(term[1])
    if kind == "l":
        _, value, datatype, lang = term
        return ox.Literal(value, language=lang) if lang else ox.Literal(value, datatype=ox.NamedNode(datatype))
    raise QueryError(f"unsupported term in the answer: {term[1]}")
