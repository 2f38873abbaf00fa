"""Run unbounded queries in a child process (``_child.py``) that can be killed: pyoxigraph
cannot cancel a query. (Untrusted files are parsed by :mod:`pvd_kg.parsing`.)"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from ..errors import QueryError, QueryTimeout, StoreError
from .base import ASK, GRAPH, SELECT, QueryResult

CHILD = Path(__file__).with_name("_child.py")


def _python() -> list[str]:
    # -I: isolated mode, so the child imports nothing from the working directory
    return [sys.executable, "-I", str(CHILD)]


def _rdflib(term):
    if term is None:
        return None
    kind = term[0]
    if kind == "u":
        return URIRef(term[1])
    if kind == "b":
        return BNode(term[1])
    if kind == "l":
        _, value, datatype, lang = term
        return Literal(value, lang=lang) if lang else Literal(value, datatype=URIRef(datatype))
    raise QueryError(f"unsupported term in the answer: {term[1]}")


def result_from_child(reply) -> QueryResult:
    """Build a :class:`QueryResult` from the child's plain-tuple reply."""
    kind = reply[0]
    if kind == "error":
        raise QueryError(f"SPARQL syntax error: {reply[2]}" if reply[1] == "syntax" else f"query failed: {reply[2]}")
    if kind == "ask":
        return QueryResult(ASK, boolean=reply[1])
    if kind == "select":
        _, variables, rows, truncated = reply
        return QueryResult(SELECT, variables, [tuple(_rdflib(t) for t in row) for row in rows], truncated=truncated)
    _, triples, truncated = reply
    return QueryResult(GRAPH, triples=[tuple(_rdflib(t) for t in tr) for tr in triples], truncated=truncated)


class QueryWorker:
    """A child process answering queries on a read-only view of the store at ``path``; killed and
    restarted when a query runs past its deadline."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(_python() + ["query", str(self.path)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return self.proc

    def run(self, sparql: str, *, timeout: float, limit: int | None = None) -> QueryResult:
        """Answer ``sparql``; the deadline covers the whole exchange.

        :raises QueryTimeout: no answer within ``timeout`` seconds (the worker is killed).
        :raises QueryError: malformed query or failure.
        """
        deadline = time.monotonic() + timeout
        proc = self._start()
        data = pickle.dumps((sparql, limit))
        try:
            proc.stdin.write(struct.pack(">I", len(data)) + data)
            proc.stdin.flush()
            head = self._read(4, deadline, timeout)
            reply = pickle.loads(self._read(struct.unpack(">I", head)[0], deadline, timeout))
        except BrokenPipeError as exc:
            self.close()
            raise StoreError(f"the query process died; is {self.path} a pvd-kg store?") from exc
        return result_from_child(reply)

    def _read(self, n: int, deadline: float, timeout: float) -> bytes:
        fd, chunks, got = self.proc.stdout.fileno(), [], 0
        while got < n:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self.close()
                raise QueryTimeout(f"the query ran past {timeout:g} s and was stopped",
                                   hint="narrow it, or raise --timeout")
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                code = self.proc.poll()
                self.close()
                raise QueryError(f"the query process died (status {code}) - out of memory?")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.proc = None
