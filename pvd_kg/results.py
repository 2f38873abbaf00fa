"""Write a :class:`pvd_kg.store.QueryResult` out: SELECT/ASK as a text table or in the W3C
SPARQL 1.1 result formats (JSON, XML, CSV, TSV); CONSTRUCT/DESCRIBE in any RDF format of
:mod:`pvd_kg.formats`. The web server reuses these for the SPARQL protocol."""

from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .errors import InputError, UnknownFormat
from .formats import not_xml, rdf_format, result_format
from .store.base import ASK, GRAPH, QueryResult
from .vocab import PREFIXES

TABLE = "table"
SOLUTION_FORMATS = (TABLE, "csv", "tsv", "json", "xml")


def _plain(lit: Literal) -> bool:
    return lit.language is None and lit.datatype in (None, XSD.string)


def _json_term(t) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    out = {"type": "literal", "value": str(t)}
    if t.language:
        out["xml:lang"] = t.language
    elif not _plain(t) and t.datatype != RDF.langString:
        out["datatype"] = str(t.datatype)
    return out


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON.

    >>> to_json(QueryResult("select", ["x"], [(Literal("a", lang="fr"),), (None,)]))
    '{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "a", "xml:lang": "fr"}}, {}]}}'
    """
    if result.kind == ASK:
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


_XML_WS = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # kept exactly, whatever the reader does with whitespace


def _xml_term(t) -> str:
    if isinstance(t, URIRef):
        return f"<uri>{escape(str(t))}</uri>"
    if isinstance(t, BNode):
        return f"<bnode>{escape(str(t))}</bnode>"
    if char := not_xml(str(t)):
        raise InputError(not_xml_answer(char), hint="ask for --format json or csv")
    if t.language:
        return f"<literal xml:lang={quoteattr(t.language)}>{escape(str(t), _XML_WS)}</literal>"
    if _plain(t):
        return f"<literal>{escape(str(t), _XML_WS)}</literal>"
    return f"<literal datatype={quoteattr(str(t.datatype))}>{escape(str(t), _XML_WS)}</literal>"


def not_xml_answer(char: str) -> str:
    """The refusal of an XML answer holding a character XML 1.0 cannot carry (``U+XXXX``)."""
    return f"a literal of the answer holds {char}, which XML 1.0 cannot carry: no XML answer can be written"


def to_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format.

    >>> print(to_xml(QueryResult("ask", boolean=True)))
    <?xml version="1.0" encoding="UTF-8"?>
    <sparql xmlns="http://www.w3.org/2005/sparql-results#">
    <head/>
    <boolean>true</boolean>
    </sparql>
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == ASK:
        lines += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
        lines.append("<results>")
        for row in result.rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                            for v, t in zip(result.variables, row) if t is not None)
            lines.append(f"<result>{cells}</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return "\n".join(lines)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV/TSV cell a spreadsheet shows as text and never runs as a formula: a cell
    that begins with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'``. A number such as
    ``-1.5`` is left alone (a spreadsheet reads it as the number it is). Every CSV/TSV writer
    calls this on each value; JSON and XML results keep the raw value.

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-2+3"), spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("-2.5")
    ("'=1+1", "'-2+3", "'@SUM(A1)", '-2.5')
    >>> spreadsheet_safe("Libercourt"), spreadsheet_safe("")
    ('Libercourt', '')
    """
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_value(t) -> str:
    if t is None:
        return ""
    if isinstance(t, BNode):
        return f"_:{t}"
    return spreadsheet_safe(str(t))


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: lexical values only, CRLF line ends (RFC 4180), each made
    :func:`spreadsheet_safe`.

    >>> to_csv(QueryResult("select", ["a", "b"], [(URIRef("http://e/x"), Literal("x, y"))]))
    'a,b\\r\\nhttp://e/x,"x, y"\\r\\n'
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if result.kind == ASK:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
    return buf.getvalue()


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def tsv_term(t) -> str:
    """A term in the Turtle/N-Triples syntax the TSV results format uses, a literal's text made
    :func:`spreadsheet_safe` (inside the quotes, which a spreadsheet strips).

    >>> tsv_term(Literal("a\\tb", lang="fr")), tsv_term(Literal(3))
    ('"a\\\\tb"@fr', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if t is None:
        return ""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    quoted = '"' + spreadsheet_safe(str(t)).translate(_TSV_ESCAPES) + '"'
    if t.language:
        return f"{quoted}@{t.language}"
    return quoted if _plain(t) else f"{quoted}^^<{t.datatype}>"


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: ``?var`` header, terms in RDF syntax, LF line ends."""
    if result.kind == ASK:
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def short(t) -> str:
    """A term for people: IRIs shortened with the project's prefixes, literals as their text.

    >>> short(URIRef("https://w3id.org/pvd-kg/id/commune/62907"))
    'id:commune/62907'
    """
    if t is None:
        return ""
    if isinstance(t, URIRef):
        best = max((ns for ns in PREFIXES.values() if str(t).startswith(ns)), key=len, default=None)
        if best is not None:
            prefix = next(p for p, ns in PREFIXES.items() if ns == best)
            return f"{prefix}:{str(t)[len(best):]}"
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    text = str(t).replace("\n", " ")
    return f"{text}@{t.language}" if t.language else text


def to_table(result: QueryResult, max_width: int = 60) -> str:
    """An aligned text table for the terminal.

    >>> print(to_table(QueryResult("select", ["n"], [(Literal(1),), (Literal(22),)])))
    n
    --
    1
    22
    """
    if result.kind == ASK:
        return "true" if result.boolean else "false"
    cells = [[short(t) for t in row] for row in result.rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


_WRITERS = {TABLE: to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}


def media_type(fmt: str) -> str:
    """The media type of a solution format name (``table`` is plain text)."""
    return "text/plain; charset=utf-8" if fmt == TABLE else result_format(fmt).media_type


def serialize_solutions(result: QueryResult, fmt: str = TABLE) -> str:
    """SELECT/ASK results in ``fmt`` (one of :data:`SOLUTION_FORMATS`).

    :raises UnknownFormat: not a solution format.
    """
    if fmt not in _WRITERS:
        raise UnknownFormat(f"unknown result format {fmt!r}", hint="one of: " + ", ".join(SOLUTION_FORMATS))
    return _WRITERS[fmt](result)


def serialize_graph(result: QueryResult, fmt: str = "turtle") -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF format of the registry (``table`` means Turtle).

    :raises UnknownFormat: not an RDF format.
    :raises InputError: RDF/XML of a literal that XML 1.0 cannot carry (the error names it).
    """
    import pyoxigraph as ox

    from .store.memory import to_oxigraph

    rdf = rdf_format("turtle" if fmt == TABLE else fmt)

    def ox_term(t):
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD.string)))
        return to_oxigraph(t)

    if rdf.name == "rdfxml":
        from .export import not_xml_error

        for s, p, o in result.triples:
            if isinstance(o, Literal) and (char := not_xml(str(o))):
                raise not_xml_error(s, p, char)
    triples = [ox.Triple(*(ox_term(t) for t in tr)) for tr in result.triples]
    prefixes = PREFIXES if rdf.name in ("turtle", "trig", "rdfxml") else None
    return ox.serialize(triples, format=rdf.pyoxigraph_format(), prefixes=prefixes) if prefixes else \
        ox.serialize(triples, format=rdf.pyoxigraph_format())


def serialize(result: QueryResult, fmt: str = TABLE) -> bytes:
    """Any query answer in ``fmt``: solutions for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE."""
    if result.kind == GRAPH:
        return serialize_graph(result, fmt)
    return serialize_solutions(result, fmt).encode("utf-8")
