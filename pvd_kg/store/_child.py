"""Work that must not run in the main process, run as a plain script (stdlib + pyoxigraph only,
so it starts in a few milliseconds and imports nothing of the package).

``python _child.py query STORE_PATH``
    Serve queries on a read-only view of an on-disk store: length-prefixed pickled requests
    ``(sparql, limit)`` on stdin, answers on stdout. pyoxigraph cannot cancel a query, so the
    parent kills this process when a query runs past its deadline.
"""

import os
import pickle
import struct
import sys


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


def _signature(path: str):
    """Changes whenever the store's files change (a write by any process)."""
    try:
        return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(path)))
    except OSError:
        return None


def _answer(store, sparql: str, limit):
    import pyoxigraph as ox

    try:
        answer = store.query(sparql, use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryBoolean):
            return ("ask", bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows, truncated = [], False
            for solution in answer:
                if limit is not None and len(rows) >= limit:
                    truncated = True
                    break
                rows.append(tuple(_term(solution[v]) for v in variables))
            return ("select", variables, rows, truncated)
        triples, truncated = [], False
        for t in answer:
            if limit is not None and len(triples) >= limit:
                truncated = True
                break
            triples.append((_term(t.subject), _term(t.predicate), _term(t.object)))
        return ("graph", triples, truncated)
    except SyntaxError as exc:
        return ("error", "syntax", str(exc))
    except Exception as exc:  # reported to the parent, which raises QueryError
        return ("error", "failed", str(exc))


def _open(path: str):
    """A read-only view of the store. A writer in another process may be compacting: a file
    listed in the manifest can vanish before it is opened, so try again on a fresh listing."""
    import time

    import pyoxigraph as ox

    for attempt in range(20):
        try:
            return ox.Store.read_only(path), None
        except Exception as exc:  # OSError or RuntimeError("Corruption: ...") during compaction
            error = str(exc)
            time.sleep(0.02 * (attempt + 1))
    return None, ("error", "open", error)


def serve_queries(path: str) -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    store, signature = None, None
    while True:
        head = stdin.read(4)
        if len(head) < 4:
            return 0
        sparql, limit = pickle.loads(stdin.read(struct.unpack(">I", head)[0]))
        current = _signature(path)
        if store is None or current != signature:
            store = None  # drop the old view before opening a new one
            store, reply = _open(path)
            signature = current
        if store is not None:
            reply = _answer(store, sparql, limit)
            if reply[0] == "error" and reply[1] == "failed" and ("Corruption" in reply[2] or "IO error" in reply[2]):
                store = None
                store, reply = _open(path)  # the view went stale under a compaction: once more
                signature = _signature(path)
                if store is not None:
                    reply = _answer(store, sparql, limit)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(struct.pack(">I", len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "query":
        sys.exit(serve_queries(sys.argv[2]))
    sys.exit(f"unknown command {sys.argv[1]!r}")
