"""The parse child, run as a plain script (stdlib + pyoxigraph + ``scan.py`` beside it, nothing
else of the package): ``python -I _child.py IN OUT MEDIA_TYPE SYNTAX BASE GRAPH MEM_MB MAX_DEPTH MAX_TOKEN``.

Sets its address-space limit, scans the document (:mod:`scan`), then parses it with pyoxigraph
(no network, no file but IN) into the canonical N-Quads file OUT, refusing any literal longer
than MAX_TOKEN characters or ill-typed (:mod:`lexical`). Prints one JSON line: ``{"ok": true, "counts": {graph: quads}}``
(``""``: the default graph), or ``{"ok": false, "message": ..., "line": ..., "column": ...}``.
A parser that exhausts its memory aborts the process: the parent reads that from the status.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out


def _limit_memory(mem_mb: int) -> None:
    if mem_mb > 0:
        import resource

        limit = mem_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _fail(message: str, line=None, column=None) -> int:
    print(json.dumps({"ok": False, "message": message, "line": line, "column": column}))
    return 0


class Refused(Exception):
    pass


def parse(src, dst, media_type, syntax, base, graph, mem_mb, max_depth, max_token) -> int:
    _limit_memory(int(mem_mb))
    max_token = int(max_token)
    import lexical
    import scan

    try:
        scan.scan(src, syntax, max_depth=int(max_depth), max_token=max_token)
    except scan.Refused as exc:
        line, column = scan.position(src, exc.offset)
        return _fail(exc.message, line, column)

    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media_type)
    target = ox.NamedNode(graph) if graph else None
    counts = {}

    def quads():
        for quad in ox.parse(path=src, format=fmt, base_iri=base or None, rename_blank_nodes=True):
            if isinstance(quad.object, ox.Literal):
                value = quad.object.value
                if len(value) > max_token:
                    raise Refused(f"the literal of {quad.subject} {quad.predicate} is longer than {max_token} characters")
                wrong = lexical.ill_typed(value, quad.object.datatype.value)
                if wrong:
                    raise Refused(f"the literal {value[:40]!r} of {quad.subject} {quad.predicate} is not a valid {wrong}")
            if target is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            key = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            counts[key] = counts.get(key, 0) + 1
            yield quad

    try:
        with open(dst, "wb") as out:
            ox.serialize(quads(), out, ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        message = exc.args[0] if exc.args else str(exc)
        if "LoadDocumentCallback" in message:
            message = "a JSON-LD context given by IRI is refused: contexts are never fetched nor read from files"
        return _fail(message, exc.lineno, exc.offset)
    except Refused as exc:
        return _fail(str(exc))
    except MemoryError:
        return _fail(f"the parser reached its memory cap of {mem_mb} MB")
    except (OSError, ValueError) as exc:
        return _fail(str(exc))
    print(json.dumps({"ok": True, "counts": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(parse(*sys.argv[1:10]))
