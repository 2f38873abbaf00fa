"""The query worker process and its pipe protocol: the one killable worker that the CLI
(:class:`~pvd_kg.store.embedded.EmbeddedStore`) and ``pvd-kg serve`` (:mod:`pvd_kg.serve.pool`)
run queries in. The parent side is :mod:`.query_worker`.

pyoxigraph can neither cancel a query nor survive running out of memory, so every query that
untrusted text can make slow or huge runs here, in a process the parent kills at its deadline,
under an address-space limit (``RLIMIT_AS``) set before anything else is loaded.

Run as a plain script, ``python -I query_worker_child.py CONFIG_JSON``: it imports the standard
library and pyoxigraph only (the serve job handlers of :mod:`pvd_kg.serve.worker` on their first
job), so it starts in a few tens of milliseconds.

Protocol, both ways on stdin/stdout: frames of a 4-byte big-endian length and a pickled value.
The worker first opens the store and sends ``{"ready": True, "in_memory": bool}`` (or
``{"ready": False, "message": ...}``), then answers each job dict with one reply dict until it
reads ``None`` or end of file. A job's ``op`` is ``rows`` (plain terms, for the library and the
CLI), or ``query``, ``update``, ``dump``, ``analysis`` (serialised answers, for the server). A reply
has ``ok``; a failed one has ``error`` (``syntax``, ``failed``, ``memory``, ``not_acceptable``,
``too_large``) and ``message``. Whatever the worker prints on stderr (a Rust allocation failure,
a crash) goes to a file the parent reads when the process dies.
"""

import json
import os
import pickle
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the folder holding the pvd_kg package
_HEAD = struct.Struct(">I")
MIRROR_QUADS_PER_MB = 256  # at most this many quads per MB of the memory cap go into an in-memory copy


# -- the protocol (used by both sides) --------------------------------------------------------


def encode_frame(value) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(len(data)) + data


def read_frame(stream):
    """The next value from a blocking binary ``stream``, or None at end of file."""
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        return None
    return pickle.loads(stream.read(_HEAD.unpack(head)[0]))


def frame_length(head: bytes) -> int:
    return _HEAD.unpack(head)[0]


# -- the worker -------------------------------------------------------------------------------


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space; past it, allocations fail (MemoryError in Python, an
    abort in pyoxigraph's Rust code, which the parent reports from the exit status and stderr)."""
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _signature(path: str):
    """Changes whenever the store's files change (a write by any process)."""
    try:
        return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(path)))
    except OSError:
        return None


def _open(path: str, read_only: bool):
    """The store, or the reason it cannot be opened. A writer in another process may be
    compacting: a file listed in the manifest can vanish before it is opened, so a read-only
    open tries again on a fresh listing."""
    import time

    import pyoxigraph as ox

    if not read_only:
        try:
            return ox.Store(path), None
        except (OSError, RuntimeError) as exc:
            return None, str(exc)
    error = ""
    for attempt in range(20):
        try:
            return ox.Store.read_only(path), None
        except (OSError, RuntimeError) as exc:  # RuntimeError("Corruption: ...") during compaction
            error = str(exc)
            time.sleep(0.02 * (attempt + 1))
    return None, error


def _term(t):
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return ("u", t.value)
    if isinstance(t, ox.BlankNode):
        return ("b", t.value)
    if isinstance(t, ox.Literal):
        return ("l", t.value, t.datatype.value, t.language)
    return ("x", str(t))


def run_rows(store, job: dict) -> dict:
    """A query's answer as plain terms (see :func:`_term`), at most ``job['limit']`` rows."""
    import pyoxigraph as ox

    limit = job.get("limit")
    try:
        graphs = job.get("graphs")
        if graphs is None:
            dataset = {"use_default_graph_as_union": True}
        else:  # the query's FROM / FROM NAMED, as pvd_kg.store.sparql.check read them
            dataset = {"default_graph": [ox.NamedNode(g) for g in graphs[0]],
                       "named_graphs": [ox.NamedNode(g) for g in graphs[1]]}
        answer = store.query(job["query"], prefixes=job.get("prefixes") or None, **dataset)
        if isinstance(answer, ox.QueryBoolean):
            return {"ok": True, "kind": "ask", "boolean": bool(answer)}
        rows, truncated = [], False
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            for solution in answer:
                if limit is not None and len(rows) >= limit:
                    truncated = True
                    break
                rows.append(tuple(_term(solution[v]) for v in variables))
            return {"ok": True, "kind": "select", "variables": variables, "rows": rows, "truncated": truncated}
        for t in answer:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append((_term(t.subject), _term(t.predicate), _term(t.object)))
        return {"ok": True, "kind": "graph", "triples": rows, "truncated": truncated}
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}
    except MemoryError:
        raise
    except Exception as exc:  # pyoxigraph's evaluation errors (OSError, RuntimeError...)
        return {"ok": False, "error": "failed", "message": str(exc)}


def _handlers():
    """The job handlers by ``op``; the server's come from :mod:`pvd_kg.serve.worker`, imported
    on the first such job so that the CLI's worker never loads them."""
    sys.path.insert(0, str(ROOT))
    from pvd_kg.serve import worker

    return {"rows": run_rows, "query": worker.run_query, "update": worker.run_update, "dump": worker.run_dump,
            "analysis": worker.run_analysis}


class _View:
    """The open store; with ``follow``, opened again when another process has written it
    (a read-only view sees only what was written before it was opened)."""

    def __init__(self, config: dict):
        self.path, self.read_only = config["store"], config.get("read_only", True)
        self.follow = config.get("follow", False) and self.read_only
        self.signature = _signature(self.path) if self.follow else None
        self.store, self.error = _open(self.path, self.read_only)
        self.in_memory = False
        mirror_max = config.get("mirror_max_quads", 0)
        if config.get("memory_mb", 0) > 0:  # a copy takes about 1.2 kB a quad: leave room to query it
            mirror_max = min(mirror_max, config["memory_mb"] * MIRROR_QUADS_PER_MB)
        if self.store is not None and self.read_only and mirror_max > 0:
            sys.path.insert(0, str(ROOT))
            from pvd_kg.serve.worker import mirror

            try:
                copy = mirror(self.store, mirror_max)
            except MemoryError:
                copy = None
            if copy is not None:
                self.store, self.in_memory = copy, True  # the view's files are no longer held open

    def current(self):
        if self.follow:
            now = _signature(self.path)
            if now != self.signature:
                self.store = None  # drop the old view before opening a new one
                self.store, self.error = _open(self.path, True)
                self.signature = now
        return self.store

    def stale(self, reply: dict) -> bool:
        """The view went stale under a compaction by a writer: worth opening once more."""
        return self.follow and not reply["ok"] and reply["error"] == "failed" \
            and ("Corruption" in reply["message"] or "IO error" in reply["message"])


def _few_arenas() -> None:
    """What ``MALLOC_ARENA_MAX=2`` does for a new interpreter, in a forked one (glibc read the
    environment before the fork): each thread's own malloc arena would reserve address space
    that counts against ``RLIMIT_AS``."""
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def main(argv: list[str], stdin=None, stdout=None, arenas: bool = False) -> int:
    """Serve jobs on ``stdin``/``stdout`` (this process's by default); ``arenas``: cap glibc's
    malloc arenas first (a forked worker, see :func:`_few_arenas`)."""
    config = json.loads(argv[1])
    if arenas:
        _few_arenas()
    limit_memory(int(config.get("memory_mb", 0)))
    if config.get("nice"):
        os.nice(int(config["nice"]))
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    view = _View(config)
    if view.store is None:
        stdout.write(encode_frame({"ready": False, "message": view.error}))
        stdout.flush()
        return 0
    stdout.write(encode_frame({"ready": True, "in_memory": view.in_memory}))
    stdout.flush()
    handlers = None
    while True:
        job = read_frame(stdin)
        if job is None:
            break
        if job["op"] == "rows":
            handle = run_rows
        else:
            handlers = handlers or _handlers()
            handle = handlers[job["op"]]
        try:
            store = view.current()
            if store is None:
                reply = {"ok": False, "error": "failed", "message": f"cannot open the store: {view.error}"}
            else:
                reply = handle(store, job)
                if view.stale(reply):
                    store, view.signature = None, None  # opened again on a fresh listing, once
                    store = view.current()
                    if store is not None:
                        reply = handle(store, job)
            store = None  # a later reopen closes the old view first
        except MemoryError:
            reply = {"ok": False, "error": "memory", "message": "out of memory"}
        try:
            frame = encode_frame(reply)
        except MemoryError:
            frame = encode_frame({"ok": False, "error": "memory", "message": "out of memory"})
        stdout.write(frame)
        stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
