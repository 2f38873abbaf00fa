"""The server's jobs, run inside the query worker process (:mod:`pvd_kg.store.query_worker_child`,
driven by :mod:`.pool`).

pyoxigraph cannot cancel a query, so every query runs in a process the server can kill. The
worker opens the store once (read-only for queries, read-write for one update), then answers
jobs received on a pipe with these handlers. They also serialise the answer, so the row and byte
caps are enforced where the work happens. This module imports only the standard library (and
pyoxigraph when a job runs), so the worker starts fast.

A job is a dict with ``op``: ``query``, ``update``, ``dump`` or ``analysis``. A reply is a dict with ``ok``
and either ``body`` (bytes), ``kind`` (``select``, ``ask``, ``graph``) and ``media_type``, or
``error`` (``syntax``, ``not_acceptable``, ``too_large``, ``failed``) and ``message``.
"""

from __future__ import annotations

import io

RESULT_MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}


class ResultTooLarge(Exception):
    """The serialised answer passed the byte cap."""


class _CappedBuffer(io.BytesIO):
    def __init__(self, cap: int):
        super().__init__()
        self.cap = cap

    def write(self, data) -> int:
        if self.tell() + len(data) > self.cap:
            raise ResultTooLarge()
        return super().write(data)


# -- running jobs ---------------------------------------------------------------------------


def _graphs(names):
    import pyoxigraph as ox

    if names is None:
        return None
    return [ox.NamedNode(n) for n in names]


def run_query(store, job: dict) -> dict:
    """Run one query job on an open pyoxigraph store and serialise the answer (:mod:`pvd_kg.results`)."""
    import pyoxigraph as ox

    from pvd_kg.formats import format_for_media_type, writer_prefixes
    from pvd_kg.results import NotXml, boolean_bytes, solution_rows, write_solutions

    kwargs = {"base_iri": job.get("base_iri") or None, "prefixes": job.get("query_prefixes") or None}
    if job.get("default_graphs") is not None:
        kwargs["default_graph"] = _graphs(job["default_graphs"])
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.get("named_graphs") is not None:
        kwargs["named_graphs"] = _graphs(job["named_graphs"])
    try:
        answer = store.query(job["query"], **kwargs)
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}
    row_cap, out = job["row_cap"], _CappedBuffer(job["byte_cap"])
    truncated = False
    try:
        if isinstance(answer, ox.QueryBoolean):
            fmt = job.get("result_format")
            if fmt is None:
                return {"ok": False, "error": "not_acceptable", "message": "ASK answers come as SPARQL results"}
            out.write(boolean_bytes(bool(answer), fmt))
            return {"ok": True, "kind": "ask", "body": out.getvalue(), "media_type": RESULT_MEDIA_TYPES[fmt]}
        if isinstance(answer, ox.QuerySolutions):
            fmt = job.get("result_format")
            if fmt is None:
                return {"ok": False, "error": "not_acceptable", "message": "SELECT answers come as SPARQL results"}
            variables, rows, truncated = solution_rows(answer, job["query"], row_cap)
            write_solutions(variables, rows, fmt, out)
            return {"ok": True, "kind": "select", "body": out.getvalue(), "media_type": RESULT_MEDIA_TYPES[fmt],
                    "truncated": truncated, "rows": len(rows)}
        media = job.get("rdf_media_type")
        if media is None:
            return {"ok": False, "error": "not_acceptable", "message": "CONSTRUCT and DESCRIBE answers come as RDF"}
        triples = []
        for triple in answer:
            if len(triples) >= row_cap:
                truncated = True
                break
            triples.append(triple)
        if job.get("with_graphs") and ox.RdfFormat.from_media_type(media).supports_datasets:
            # a quad document names the graph each statement is in (one line per graph holding it)
            triples = [ox.Quad(t.subject, t.predicate, t.object, q.graph_name) for t in triples
                       for q in store.quads_for_pattern(t.subject, t.predicate, t.object)]
        if media == "application/rdf+xml":
            from pvd_kg.formats import not_xml

            for triple in triples:
                if isinstance(triple.object, ox.Literal) and (char := not_xml(triple.object.value)):
                    raise NotXml(char)
        prefixes = job.get("prefixes")
        if prefixes and (rdf := format_for_media_type(media)) is not None:
            prefixes = writer_prefixes(rdf, prefixes)
        ox.serialize(triples, out, ox.RdfFormat.from_media_type(media), prefixes=prefixes or None)
        return {"ok": True, "kind": "graph", "body": out.getvalue(), "media_type": media, "truncated": truncated,
                "rows": len(triples)}
    except NotXml as exc:
        return {"ok": False, "error": "not_acceptable", "message": exc.message + "; ask for JSON"}
    except ResultTooLarge:
        return {"ok": False, "error": "too_large",
                "message": f"the answer is larger than {job['byte_cap']} bytes; add a LIMIT or narrow the query"}
    except OSError as exc:
        return {"ok": False, "error": "failed", "message": str(exc)}


def run_update(store, job: dict) -> dict:
    try:
        store.update(job["update"], base_iri=job.get("base_iri") or None)
        store.flush()
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}
    except OSError as exc:
        return {"ok": False, "error": "failed", "message": str(exc)}
    return {"ok": True, "kind": "update", "body": b"", "media_type": "text/plain"}


def run_dump(store, job: dict) -> dict:
    """Write the whole store as ``job['media_type']`` (a quad format) to ``job['path']``."""
    import pyoxigraph as ox

    from pvd_kg.formats import format_for_media_type, writer_prefixes

    prefixes, rdf = job.get("prefixes"), format_for_media_type(job["media_type"])
    if prefixes and rdf is not None:
        prefixes = writer_prefixes(rdf, prefixes)
    try:
        store.dump(job["path"], format=ox.RdfFormat.from_media_type(job["media_type"]),
                   prefixes=prefixes or None)
    except (OSError, ValueError) as exc:
        return {"ok": False, "error": "failed", "message": str(exc)}
    return {"ok": True, "kind": "dump", "body": b"", "media_type": job["media_type"]}


def run_analysis(store, job: dict) -> dict:
    """A network, metric or chart (:mod:`.analysis_jobs`); its imports wait for the first such job."""
    from .analysis_jobs import run_analysis as run

    return run(store, job)


MIRROR_MAX_QUADS = 1_000_000
"""A read-only worker copies a store of at most this many quads into memory (about 1.4 s and
180 MB per 160 k quads here): pyoxigraph answered 5 of 6 measured questions 1.05-5x faster
from memory than from RocksDB, one 1.7x slower (docs/benchmarks.md, "In-memory mirror"). The pool starts its readers again after every
update through the endpoint, and after a write by another process once the store watch sees it
(:mod:`.store_watch`), so a copy is stale only until then."""


def mirror(store, max_quads: int):
    """An in-memory copy of ``store``, or None when it holds more than ``max_quads`` quads.

    Costs at most ``max_quads`` quads read when the store is too big.

    >>> import pyoxigraph as ox
    >>> s = ox.Store(); s.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    >>> len(mirror(s, 10)), mirror(s, 0)
    (1, None)
    """
    from itertools import islice

    import pyoxigraph as ox

    quads = list(islice(store.quads_for_pattern(None, None, None, None), max_quads + 1))
    if len(quads) > max_quads:
        return None
    copy = ox.Store()
    copy.bulk_extend(quads)
    return copy
