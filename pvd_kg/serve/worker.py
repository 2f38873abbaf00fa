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
import json
import re
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

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


# -- SELECT results -------------------------------------------------------------------------


def _json_term(t) -> dict:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


class NotXml(Exception):
    """A literal of the answer holds a character (``args[0]``, ``U+XXXX``) XML 1.0 cannot carry."""


def _xml_term(t) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        from pvd_kg.formats import not_xml

        if char := not_xml(t.value):
            raise NotXml(char)
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{_xml_escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{_xml_escape(t.value)}</literal>"
        return f"<literal>{_xml_escape(t.value)}</literal>"
    return f"<literal>{_xml_escape(str(t))}</literal>"


def _csv_field(t) -> str:
    import pyoxigraph as ox

    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        text = "_:" + t.value
    elif isinstance(t, (ox.NamedNode, ox.Literal)):
        text = t.value
    else:
        text = str(t)
    text = _spreadsheet_safe(text)
    if re.search(r'[",\r\n]', text):
        return '"' + text.replace('"', '""') + '"'
    return text


_TSV_PLAIN = {"http://www.w3.org/2001/XMLSchema#integer": r"[+-]?[0-9]+",
              "http://www.w3.org/2001/XMLSchema#decimal": r"[+-]?[0-9]*\.[0-9]+",
              "http://www.w3.org/2001/XMLSchema#double": r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+"}


def _tsv_field(t) -> str:
    import pyoxigraph as ox

    if t is None:
        return ""
    if isinstance(t, ox.Literal) and not t.language and t.datatype.value in _TSV_PLAIN \
            and re.fullmatch(_TSV_PLAIN[t.datatype.value], t.value):
        return t.value  # the Turtle short form reads back with the same datatype
    safe = _spreadsheet_safe(t.value) if isinstance(t, ox.Literal) else None
    if safe is not None and safe != t.value:
        t = ox.Literal(safe, language=t.language) if t.language else ox.Literal(safe, datatype=t.datatype)
    return str(t)  # N-Triples form, escapes included


def _spreadsheet_safe(text: str) -> str:
    from ..results import spreadsheet_safe  # imported on the first CSV/TSV cell, not at worker start

    return spreadsheet_safe(text)


def serialize_solutions(variables: list[str], rows: list[list], fmt: str, out) -> None:
    """Write SELECT rows (pyoxigraph terms or None) as SPARQL results ``fmt`` into ``out``."""
    if fmt == "json":
        out.write(b'{"head":{"vars":' + json.dumps(variables).encode() + b'},"results":{"bindings":[')
        for i, row in enumerate(rows):
            binding = {v: _json_term(t) for v, t in zip(variables, row) if t is not None}
            out.write((b"," if i else b"") + json.dumps(binding, ensure_ascii=False).encode())
        out.write(b"]}}")
    elif fmt == "xml":
        out.write(b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        out.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables).encode())
        out.write(b"</head><results>")
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                            for v, t in zip(variables, row) if t is not None)
            out.write(f"<result>{cells}</result>".encode())
        out.write(b"</results></sparql>\n")
    elif fmt == "csv":
        out.write((",".join(variables) + "\r\n").encode())
        for row in rows:
            out.write((",".join(_csv_field(t) for t in row) + "\r\n").encode())
    elif fmt == "tsv":
        out.write(("\t".join("?" + v for v in variables) + "\n").encode())
        for row in rows:
            out.write(("\t".join(_tsv_field(t) for t in row) + "\n").encode())
    else:
        raise ValueError(fmt)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in results format ``fmt``.

    >>> serialize_boolean(True, "json")
    b'{"head":{},"boolean":true}'
    """
    word = "true" if value else "false"
    if fmt == "json":
        return b'{"head":{},"boolean":' + word.encode() + b"}"
    if fmt == "xml":
        return (b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                b"<boolean>" + word.encode() + b"</boolean></sparql>\n")
    return (b"_askResult\r\n" if fmt == "csv" else b"?_askResult\n") + word.encode() + (b"\r\n" if fmt == "csv" else b"\n")


# -- running jobs ---------------------------------------------------------------------------


def _graphs(names):
    import pyoxigraph as ox

    if names is None:
        return None
    return [ox.NamedNode(n) for n in names]


_SELECT_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.I)


def _ordered(variables: list[str], query: str) -> list[str]:
    """For ``SELECT *``, the variables in the order they first appear in the query text.

    >>> _ordered(["o", "p", "s"], "SELECT * WHERE { ?s ?p ?o }")
    ['s', 'p', 'o']
    """
    if not _SELECT_STAR.search(query):
        return variables
    def first(v):
        m = re.search(r"[?$]" + re.escape(v) + r"\b", query)
        return m.start() if m else len(query)
    return sorted(variables, key=first)


def run_query(store, job: dict) -> dict:
    """Run one query job on an open pyoxigraph store and serialise the answer."""
    import pyoxigraph as ox

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
            out.write(serialize_boolean(bool(answer), fmt))
            return {"ok": True, "kind": "ask", "body": out.getvalue(), "media_type": RESULT_MEDIA_TYPES[fmt]}
        if isinstance(answer, ox.QuerySolutions):
            fmt = job.get("result_format")
            if fmt is None:
                return {"ok": False, "error": "not_acceptable", "message": "SELECT answers come as SPARQL results"}
            variables = _ordered([v.value for v in answer.variables], job["query"])
            rows = []
            for solution in answer:
                if len(rows) >= row_cap:
                    truncated = True
                    break
                rows.append([solution[v] for v in variables])
            serialize_solutions(variables, rows, fmt, out)
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
        ox.serialize(triples, out, ox.RdfFormat.from_media_type(media), prefixes=job.get("prefixes") or None)
        return {"ok": True, "kind": "graph", "body": out.getvalue(), "media_type": media, "truncated": truncated,
                "rows": len(triples)}
    except NotXml as exc:
        from pvd_kg.results import not_xml_answer

        return {"ok": False, "error": "not_acceptable", "message": not_xml_answer(exc.args[0]) + "; ask for JSON"}
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

    try:
        store.dump(job["path"], format=ox.RdfFormat.from_media_type(job["media_type"]),
                   prefixes=job.get("prefixes") or None)
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
