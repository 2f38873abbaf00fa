"""Assemble the knowledge graph: ontology + curated graphs (``graph/*.ttl``) + ingested sources,
each in its own named graph.

The ingest readers (``pvd_kg.ingest``) add one named graph per source; this module only
puts the pieces together.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Dataset, Graph

from . import iris, paths
from .errors import RdfSyntaxError
from .report import Report
from .vocab import bind_prefixes

ONTOLOGY_GRAPH = iris.graph("ontology")


def curated_files(press: bool = True) -> list[Path]:
    """The curated Turtle files shipped in ``graph/`` and ``graph/press/`` (the hand-read press
    reports of signings), one named graph each (see :func:`curated_graph_name`).

    >>> names = [p.name for p in curated_files()]
    >>> "libercourt.ttl" in names and any(p.parent.name == "press" for p in curated_files())
    True
    """
    return sorted(paths.GRAPH_DIR.glob("*.ttl")) + (sorted(paths.PRESS_DIR.glob("*.ttl")) if press else [])


def curated_graph_name(path: Path):
    """The named graph of a curated file: ``pvdg:libercourt`` for ``graph/libercourt.ttl``,
    ``pvdg:press-{stem}`` for ``graph/press/{stem}.ttl``.

    >>> str(curated_graph_name(paths.PRESS_DIR / "x.ttl"))
    'https://w3id.org/pvd-kg/graph/press-x'
    """
    return iris.graph(f"press-{path.stem}" if path.parent == paths.PRESS_DIR else path.stem)


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse a Turtle file into ``graph`` (a new one if None).

    :raises RdfSyntaxError: the file does not parse; the message names file and line.
    """
    graph = graph if graph is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for syntax errors
        raise RdfSyntaxError(f"{path}: {exc}") from exc
    return graph


def load_ontology() -> Graph:
    """The OWL ontology (``ontology/pvd.ttl``) as an rdflib graph."""
    return parse_turtle(paths.ONTOLOGY_FILE)


def load_shapes() -> Graph:
    """The SHACL shapes (``ontology/shapes.ttl``) as an rdflib graph."""
    return parse_turtle(paths.SHAPES_FILE)


def curated_dataset(with_ontology: bool = True, press: bool = True) -> Dataset:
    """Ontology and curated graphs, each in its own named graph (``pvdg:ontology``,
    ``pvdg:libercourt``, ``pvdg:press-...``); ``press=False`` leaves out ``graph/press/``."""
    ds = Dataset()
    bind_prefixes(ds)
    if with_ontology:
        parse_turtle(paths.ONTOLOGY_FILE, ds.graph(ONTOLOGY_GRAPH))
    for path in curated_files(press):
        parse_turtle(path, ds.graph(curated_graph_name(path)))
    return ds


def union_graph(ds: Dataset) -> Graph:
    """All triples of every named graph of ``ds`` in one plain graph (for validation)."""
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


# --- the whole graph: ontology + curated graphs + every source + catalog -----------------

CATALOG_GRAPH = iris.graph("catalog")


def build_quads(*, strict: bool = False, sources_dir: Path | None = None):
    """Everything :func:`build_dataset` holds, as a list of ``(s, p, o, graph IRI)`` tuples of
    rdflib terms, and the ingest :class:`~pvd_kg.report.Report`. This is the fast path: putting
    150k triples into an rdflib ``Dataset`` costs seconds, a list costs nothing, and the
    validator and :func:`to_nquads` take the list as it is.

    :param strict: warnings in the sources are failures.
    :param sources_dir: where the source files are; ``graph/sources/`` by default.
    :raises SourceDataError: a source file is missing or unreadable.
    :raises RdfSyntaxError: the ontology or a curated file does not parse.
    :raises ValidationFailed: with ``strict``, the sources have errors or warnings
        (``exc.report`` lists them).
    """
    from .errors import ValidationFailed
    from .ingest.build import ingest, to_report
    from .ingest.catalog import describe_graph
    from .ingest.reconcile import reconcile_all

    quads: list[tuple] = []
    curated: dict = {}
    parts = [(ONTOLOGY_GRAPH, paths.ONTOLOGY_FILE)] + [(curated_graph_name(p), p) for p in curated_files()]
    for name, path in parts:
        curated[name] = parse_turtle(path)
        quads.extend((s, p, o, name) for s, p, o in curated[name])
    result = ingest(sources_dir)
    for name, path in parts:
        describe_graph(result.catalog, name, f"{path.name} ({'ontology' if name == ONTOLOGY_GRAPH else 'curated'})",
                       len(curated[name]), None)
    result.extra_issues.extend(reconcile_all([(curated[name], str(path.relative_to(paths.ROOT)))
                                              for name, path in parts if name != ONTOLOGY_GRAPH], result))
    quads.extend(result.quads())
    quads.extend(_derived_quads(quads))
    report = to_report(result, strict=strict)
    counts: dict[str, int] = {}
    for q in quads:
        counts[str(q[3])] = counts.get(str(q[3]), 0) + 1
    report.summary["graphs"] = counts
    report.summary["triples"] = len(quads)
    if strict and (report.errors or report.warnings):
        raise ValidationFailed(f"strict: {len(report.errors)} problems in the sources", report=report,
                               hint="see the report, or build without --strict")
    return quads, report


def _derived_quads(quads: list) -> list:
    """The derived named graphs of ``quads`` (:mod:`pvd_kg.derived`), each described in the catalog."""
    from .derived import STAGES, derive
    from .ingest.build import CATALOG_KEY
    from .ingest.catalog import describe_graph
    from .ingest.emit import GraphOut

    catalog = GraphOut(CATALOG_KEY)
    found = []
    for out in derive(quads):
        describe_graph(catalog, out.iri, STAGES[out.key], len(out.triples), None)
        found += out.quads()
    return found + catalog.quads()


def build_dataset(*, strict: bool = False, sources_dir: Path | None = None) -> tuple[Dataset, "Report"]:
    """The whole knowledge graph: ontology (``pvdg:ontology``), curated graphs
    (``pvdg:libercourt``...), one named graph per source (``pvdg:anct-pvd-2026``...) and the
    catalog (``pvdg:catalog``), with the ingest report (rows read, loaded, rejected and warned
    per source in ``report.summary["sources"]``, triples per graph in ``report.summary["graphs"]``).

    :param strict: warnings in the sources are failures.
    :param sources_dir: where the source files are; ``graph/sources/`` by default.
    :raises SourceDataError: a source file is missing or unreadable.
    :raises ValidationFailed: with ``strict``, the sources have errors or warnings.
    """
    quads, report = build_quads(strict=strict, sources_dir=sources_dir)
    ds = Dataset()
    bind_prefixes(ds)
    graphs: dict = {}
    for q in quads:
        if q[3] not in graphs:
            graphs[q[3]] = ds.graph(q[3])
    ds.addN((s, p, o, graphs[g]) for s, p, o, g in quads)
    return ds, report


_BLANK_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _nt_literal(lit) -> str:
    text = (str(lit).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    if lit.language:
        return f'"{text}"@{lit.language}'
    if lit.datatype and str(lit.datatype) != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{text}"^^<{lit.datatype}>'
    return f'"{text}"'


def _term_writer(blank_prefix: str = "b"):
    """A memoised rdflib term -> N-Triples text function (IRIs repeat a lot).

    :param blank_prefix: put before a blank node's id (its characters outside ``[A-Za-z0-9_]``
        become ``_``) to make its label.
    """
    from rdflib import BNode, Literal as _Literal

    memo: dict = {}

    def term(t) -> str:
        found = memo.get(t)
        if found is None:
            if isinstance(t, _Literal):
                found = _nt_literal(t)
            elif isinstance(t, BNode):
                found = f"_:{blank_prefix}{_BLANK_UNSAFE.sub('_', str(t))}"
            else:
                found = f"<{t}>"
            memo[t] = found
        return found

    return term


def ntriples_text(triples, *, blank_prefix: str = "b") -> str:
    """``(s, p, o)`` rdflib tuples as N-Triples text (see :func:`to_nquads`), for parsers that take text.

    >>> from rdflib import URIRef, Literal
    >>> ntriples_text([(URIRef("http://a"), URIRef("http://b"), Literal(1))])
    '<http://a> <http://b> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
    """
    term = _term_writer(blank_prefix)
    return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples)


def to_nquads(quads) -> bytes:
    """Serialise ``(s, p, o, graph)`` tuples (IRIs and literals, no blank nodes from the ingest;
    blank nodes of curated files keep their rdflib ids) as N-Quads, for a fast
    ``pyoxigraph.Store.bulk_load``.

    >>> from rdflib import URIRef, Literal
    >>> to_nquads([(URIRef("http://a"), URIRef("http://b"), Literal("x\\ny", lang="fr"), URIRef("http://g"))])
    b'<http://a> <http://b> "x\\\\ny"@fr <http://g> .\\n'
    """
    import io

    out = io.BytesIO()
    write_nquads(quads, out)
    return out.getvalue()


def write_nquads(quads, sink, chunk: int = 20_000, *, ntriples: list | None = None) -> None:
    """:func:`to_nquads` into the binary file ``sink``, ``chunk`` quads at a time: the whole
    text never sits in memory (as one string it would take up to 4 bytes a character).

    :param ntriples: also append to this list the same triples as N-Triples text, chunk by chunk,
        each term written once for both (the build's store and its validator read the same
        text); blank nodes are then labelled as the validator labels them (no prefix).

    >>> import io
    >>> from rdflib import URIRef
    >>> out, nt = io.BytesIO(), []
    >>> write_nquads([(URIRef("http://a"), URIRef("http://b"), URIRef("http://c"), URIRef("http://g"))], out, ntriples=nt)
    >>> out.getvalue(), nt
    (b'<http://a> <http://b> <http://c> <http://g> .\\n', ['<http://a> <http://b> <http://c> .\\n'])
    """
    from itertools import islice

    term, quads = _term_writer("b" if ntriples is None else ""), iter(quads)
    while part := list(islice(quads, chunk)):
        triples = [f"{term(s)} {term(p)} {term(o)}" for s, p, o, _ in part]
        sink.write("".join(f"{t} {term(q[3])} .\n" for t, q in zip(triples, part)).encode("utf-8"))
        if ntriples is not None:
            ntriples.append("".join(f"{t} .\n" for t in triples))
