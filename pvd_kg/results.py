"""The one writer of query answers, for ``pvd-kg query``, the Python API and ``pvd-kg serve``
(:mod:`pvd_kg.serve.worker`) alike: SELECT/ASK in the W3C SPARQL 1.1 result formats (JSON, XML,
CSV, TSV) or as a text table; CONSTRUCT/DESCRIBE in any RDF format of :mod:`pvd_kg.formats`.

It writes pyoxigraph terms. RDF documents are pyoxigraph's own serialisers' output. Solutions
are written here, row by row: pyoxigraph's ``QuerySolutions.serialize`` writes a live answer
only, whole, in its own column order (alphabetical for ``SELECT *``), and cannot be made from
rows, while an answer here is cut at a row limit, keeps the query's column order, refuses an
XML answer that XML 1.0 cannot carry, and makes CSV/TSV cells safe to open in a spreadsheet.
The JSON and TSV are byte for byte what pyoxigraph writes for the same rows (but for those
cells), the XML too but for TAB, LF and CR, written as character references so that no XML
reader normalises them away (tests/test_results.py compares them).

Only the standard library and pyoxigraph are imported at module level: the server's query
worker imports this module on its first job, and must start fast."""

from __future__ import annotations

import json
import re
from itertools import islice

from .errors import InputError, UnknownFormat
from .formats import not_xml, rdf_format, result_format, writer_prefixes

TABLE = "table"
SOLUTION_FORMATS = (TABLE, "csv", "tsv", "json", "xml")
SELECT, ASK, GRAPH = "select", "ask", "graph"  # QueryResult kinds (pvd_kg.store.base)
XSD = "http://www.w3.org/2001/XMLSchema#"


class NotXml(InputError):
    """A literal of the answer holds a character (``char``, ``U+XXXX``) XML 1.0 cannot carry."""

    def __init__(self, char: str):
        super().__init__(not_xml_answer(char), hint="ask for --format json or csv")
        self.char = char


def not_xml_answer(char: str) -> str:
    """The refusal of an XML answer holding a character XML 1.0 cannot carry (``U+XXXX``)."""
    return f"a literal of the answer holds {char}, which XML 1.0 cannot carry: no XML answer can be written"


# -- reading an answer ------------------------------------------------------------------------

_SELECT_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.I)


def projection_order(variables: list[str], query: str) -> list[str]:
    """The columns of an answer to ``query``: for ``SELECT *``, its variables in the order they
    first appear in the text (pyoxigraph gives them sorted), else ``variables`` as they are.

    >>> projection_order(["o", "p", "s"], "SELECT * WHERE { ?s ?p ?o }")
    ['s', 'p', 'o']
    """
    if not _SELECT_STAR.search(query):
        return variables

    def first(v):
        m = re.search(r"[?$]" + re.escape(v) + r"\b", query)
        return m.start() if m else len(query)
    return sorted(variables, key=first)


def solution_rows(answer, query: str = "", limit: int | None = None) -> tuple[list[str], list[tuple], bool]:
    """The columns (:func:`projection_order`), rows (tuples of pyoxigraph terms, None when
    unbound) and whether ``limit`` cut them, of a live ``pyoxigraph.QuerySolutions``."""
    names = [v.value for v in answer.variables]
    variables = projection_order(names, query) if query else names
    solutions = answer if limit is None else islice(answer, limit + 1)
    if variables == names:
        rows = [tuple(s) for s in solutions]
    else:
        at = [names.index(v) for v in variables]
        rows = [tuple(s[i] for i in at) for s in solutions]
    truncated = limit is not None and len(rows) > limit
    return variables, rows[:limit] if truncated else rows, truncated


# -- SPARQL results ---------------------------------------------------------------------------


def _kind(t) -> str:
    return type(t).__name__  # NamedNode, BlankNode, Literal, Triple: cheaper than isinstance chains


def _json_term(t) -> dict:
    kind = _kind(t)
    if kind == "NamedNode":
        return {"type": "uri", "value": t.value}
    if kind == "BlankNode":
        return {"type": "bnode", "value": t.value}
    if kind == "Literal":
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD + "string":
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


_XML_ESCAPES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;", '"': "&quot;", "'": "&apos;"}


def _xml_term(t) -> str:
    from xml.sax.saxutils import escape, quoteattr  # imported for XML only: a CLI call pays for what it writes

    kind = _kind(t)
    if kind == "NamedNode":
        return f"<uri>{escape(t.value)}</uri>"
    if kind == "BlankNode":
        return f"<bnode>{escape(t.value)}</bnode>"
    if kind == "Literal":
        if char := not_xml(t.value):
            raise NotXml(char)
        text = escape(t.value, _XML_ESCAPES)
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{text}</literal>"
        if t.datatype.value != XSD + "string":
            return f"<literal datatype={quoteattr(t.datatype.value)}>{text}</literal>"
        return f"<literal>{text}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


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


_CSV_QUOTED = re.compile(r'[",\r\n]')


def csv_cell(t) -> str:
    """A term as a SPARQL 1.1 CSV cell: its lexical value (a blank node as ``_:label``), made
    :func:`spreadsheet_safe`, quoted when it must be.

    >>> import pyoxigraph as ox
    >>> csv_cell(ox.Literal("x, y")), csv_cell(ox.Literal("=1+1")), csv_cell(None)
    ('"x, y"', "'=1+1", '')
    """
    if t is None:
        return ""
    text = spreadsheet_safe("_:" + t.value if _kind(t) == "BlankNode" else t.value if _kind(t) != "Triple" else str(t))
    return '"' + text.replace('"', '""') + '"' if _CSV_QUOTED.search(text) else text


# Literals TSV writes in Turtle's short form, which reads back with the same datatype
_TSV_SHORT = {XSD + "integer": re.compile(r"[+-]?[0-9]+"),
              XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
              XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
              XSD + "boolean": re.compile(r"true|false")}


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def tsv_cell(t) -> str:
    r"""A term as a SPARQL 1.1 TSV cell, in Turtle syntax (a literal escaped as pyoxigraph does:
    backslash, quote, TAB, LF, CR), its text made :func:`spreadsheet_safe` (inside the quotes,
    which a spreadsheet strips).

    >>> import pyoxigraph as ox
    >>> print(tsv_cell(ox.Literal("a\tb", language="fr")), tsv_cell(ox.Literal(3)), tsv_cell(ox.Literal("=1")))
    "a\tb"@fr 3 "'=1"
    """
    if t is None:
        return ""
    if _kind(t) != "Literal":
        return str(t)  # <IRI>, _:label
    datatype = t.datatype.value
    if not t.language and (short := _TSV_SHORT.get(datatype)) and short.fullmatch(t.value):
        return t.value
    quoted = '"' + spreadsheet_safe(t.value).translate(_TSV_ESCAPES) + '"'
    if t.language:
        return f"{quoted}@{t.language}"
    return quoted if datatype == XSD + "string" else f"{quoted}^^<{datatype}>"


def write_solutions(variables: list[str], rows, fmt: str, out) -> None:
    """Write SELECT rows (sequences of pyoxigraph terms, None when unbound) as SPARQL results
    ``fmt`` (``json``, ``xml``, ``csv``, ``tsv``) into the binary stream ``out``.

    :raises NotXml: XML asked for, and a literal holds a character XML 1.0 cannot carry.
    """
    if fmt == "json":
        out.write(b'{"head":{"vars":' + _json(variables) + b'},"results":{"bindings":[')
        for i, row in enumerate(rows):
            binding = {v: _json_term(t) for v, t in zip(variables, row) if t is not None}
            out.write((b"," if i else b"") + _json(binding))
        out.write(b"]}}")
    elif fmt == "xml":
        from xml.sax.saxutils import quoteattr

        out.write(b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        out.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables).encode())
        out.write(b"</head><results>")
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                            for v, t in zip(variables, row) if t is not None)
            out.write(f"<result>{cells}</result>".encode())
        out.write(b"</results></sparql>")
    elif fmt == "csv":
        out.write((",".join(variables) + "\r\n").encode())
        for row in rows:
            out.write((",".join(csv_cell(t) for t in row) + "\r\n").encode())
    elif fmt == "tsv":
        out.write(("\t".join("?" + v for v in variables) + "\n").encode())
        for row in rows:
            out.write(("\t".join(tsv_cell(t) for t in row) + "\n").encode())
    else:
        raise UnknownFormat(f"unknown result format {fmt!r}", hint="one of: " + ", ".join(SOLUTION_FORMATS))


def _json(value) -> bytes:
    # pyoxigraph's JSON: no spaces, non-ASCII as it is, \b \f and other controls escaped
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def boolean_bytes(value: bool, fmt: str) -> bytes:
    """An ASK answer in results format ``fmt`` (JSON and XML as pyoxigraph writes them; CSV and
    TSV, which the W3C formats leave out, with the ``_askResult`` column other servers use).

    >>> boolean_bytes(True, "json"), boolean_bytes(False, "csv")
    (b'{"head":{},"boolean":true}', b'_askResult\\r\\nfalse\\r\\n')
    """
    word = b"true" if value else b"false"
    if fmt == "json":
        return b'{"head":{},"boolean":' + word + b"}"
    if fmt == "xml":
        return (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head></head>'
                b"<boolean>" + word + b"</boolean></sparql>")
    if fmt == "csv":
        return b"_askResult\r\n" + word + b"\r\n"
    if fmt == "tsv":
        return b"?_askResult\n" + word + b"\n"
    raise UnknownFormat(f"unknown result format {fmt!r}", hint="one of: " + ", ".join(SOLUTION_FORMATS))


# -- the text table ---------------------------------------------------------------------------

# A prefixed name's local part that needs no escape (SPARQL and Turtle PN_LOCAL, kept simple):
# such a name pastes back into a query; any other IRI is shown whole, as <IRI>.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


def table_cell(t, prefixes: dict[str, str] | None = None) -> str:
    """A term for people, in a form that pastes back into a query: an IRI as a prefixed name of
    ``prefixes`` (default :data:`pvd_kg.vocab.PREFIXES`) when its local part needs no escape,
    else as ``<IRI>``; a literal as its plain value (no language tag, no datatype); a blank
    node as ``_:label``. rdflib terms are taken too.

    >>> import pyoxigraph as ox
    >>> table_cell(ox.NamedNode("https://w3id.org/pvd-kg/id/commune/62907"))
    '<https://w3id.org/pvd-kg/id/commune/62907>'
    >>> table_cell(ox.NamedNode("https://w3id.org/pvd-kg/def#Commune"))
    'pvd:Commune'
    >>> table_cell(ox.Literal("Occitanie", language="fr")), table_cell(ox.Literal(229))
    ('Occitanie', '229')
    """
    if t is None:
        return ""
    kind = _kind(t)
    if kind not in ("NamedNode", "BlankNode", "Literal", "Triple"):
        from .oxterms import to_oxigraph

        t, kind = to_oxigraph(t), _kind(to_oxigraph(t))
    if kind == "NamedNode":
        if prefixes is None:
            from .vocab import PREFIXES as prefixes
        iri = t.value
        best = max(((p, ns) for p, ns in prefixes.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
        if best is not None and _PLAIN_LOCAL.fullmatch(iri[len(best[1]):]):
            return f"{best[0]}:{iri[len(best[1]):]}"
        return f"<{iri}>"
    if kind == "BlankNode":
        return f"_:{t.value}"
    if kind == "Literal":
        return t.value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return str(t)


def to_table(result, max_width: int = 60) -> str:
    """An aligned text table for the terminal: columns in the query's order, cells as
    :func:`table_cell` writes them; a literal longer than ``max_width`` is cut with ``…`` (an
    IRI never is, so that it pastes back).

    >>> import pyoxigraph as ox
    >>> from pvd_kg.store import QueryResult
    >>> print(to_table(QueryResult("select", ["n"], [(ox.Literal(1),), (ox.Literal(22),)])))
    n
    --
    1
    22
    """
    if result.kind == ASK:
        return "true" if result.boolean else "false"
    from .vocab import PREFIXES

    def cell(t) -> str:
        text = table_cell(t, PREFIXES)
        cut = len(text) > max_width and _kind(t) == "Literal"
        return text[: max_width - 1] + "…" if cut else text
    cells = [[cell(t) for t in row] for row in result.terms]
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


# -- a QueryResult in any format --------------------------------------------------------------


def media_type(fmt: str) -> str:
    """The media type of a solution format name (``table`` is plain text)."""
    return "text/plain; charset=utf-8" if fmt == TABLE else result_format(fmt).media_type


class _Bytes(list):
    write = list.append


def serialize_solutions(result, fmt: str = TABLE) -> str:
    """SELECT/ASK results (a :class:`pvd_kg.store.QueryResult`) in ``fmt`` (one of
    :data:`SOLUTION_FORMATS`).

    :raises UnknownFormat: not a solution format.
    :raises NotXml: XML of a literal XML 1.0 cannot carry.
    """
    if fmt not in SOLUTION_FORMATS:
        raise UnknownFormat(f"unknown result format {fmt!r}", hint="one of: " + ", ".join(SOLUTION_FORMATS))
    if fmt == TABLE:
        return to_table(result)
    if result.kind == ASK:
        return boolean_bytes(bool(result.boolean), fmt).decode()
    out = _Bytes()
    write_solutions(result.variables, result.terms, fmt, out)
    return b"".join(out).decode()


def serialize_graph(result, fmt: str = "turtle") -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF format of the registry (``table`` means Turtle).

    :raises UnknownFormat: not an RDF format.
    :raises InputError: RDF/XML of a literal that XML 1.0 cannot carry (the error names it).
    """
    import pyoxigraph as ox

    rdf = rdf_format("turtle" if fmt == TABLE else fmt)
    triples = [ox.Triple(*t) for t in result.triple_terms]
    if rdf.name == "rdfxml":
        from .export import not_xml_error
        from .oxterms import from_oxigraph

        for t in triples:
            if _kind(t.object) == "Literal" and (char := not_xml(t.object.value)):
                raise not_xml_error(from_oxigraph(t.subject), from_oxigraph(t.predicate), char)
    return ox.serialize(triples, format=rdf.pyoxigraph_format(), prefixes=writer_prefixes(rdf))


def serialize(result, fmt: str = TABLE) -> bytes:
    """Any query answer in ``fmt``: solutions for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE."""
    if result.kind == GRAPH:
        return serialize_graph(result, fmt)
    return serialize_solutions(result, fmt).encode("utf-8")
