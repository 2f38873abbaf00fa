"""Work that must not run in the main process, run as a plain script (stdlib + pyoxigraph only,
so it starts in a few milliseconds and imports nothing of the package).

``python _child.py parse IN OUT FORMAT_MEDIA_TYPE BASE GRAPH MEM_MB``
    Parse an untrusted RDF file into a canonical N-Quads file. pyoxigraph aborts the whole
    process on some hostile inputs (entity-expanding RDF/XML, deeply nested JSON-LD), so the
    parser runs here, under an address-space limit, where the parent can kill it. Remote JSON-LD
    contexts are never fetched (no document loader is set) and RDF/XML external entities are not
    supported by the parser. Prints one JSON line: ``{"ok": true, "counts": {graph: quads}}``
    (``""`` for the default graph) or the error with its line and column.

Queries run in the query worker, :mod:`.query_worker_child`.
"""

import json
import sys


def _limit_memory(mem_mb: int) -> None:
    if mem_mb > 0:
        import resource

        limit = mem_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def parse(src: str, dst: str, media_type: str, base: str, graph: str, mem_mb: str) -> int:
    _limit_memory(int(mem_mb))
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media_type)
    target = ox.NamedNode(graph) if graph else None
    counts = {}

    def quads():
        parser = ox.parse(path=src, format=fmt, base_iri=base or None, rename_blank_nodes=True)
        for quad in parser:
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
        print(json.dumps({"ok": False, "message": message, "line": exc.lineno, "column": exc.offset}))
        return 0
    except (OSError, ValueError) as exc:
        print(json.dumps({"ok": False, "message": str(exc)}))
        return 0
    print(json.dumps({"ok": True, "counts": counts}))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "parse":
        sys.exit(parse(*sys.argv[2:8]))
    sys.exit(f"unknown command {sys.argv[1]!r}")
