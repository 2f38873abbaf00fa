"""Assemble the knowledge graph: ontology + curated graphs (``graph/*.ttl``) + ingested sources,
each in its own named graph.

The ingest readers (``pvd_kg.ingest``) add one named graph per source; this module only
puts the pieces together.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from . import iris, paths
from .errors import RdfSyntaxError
from .vocab import bind_prefixes

ONTOLOGY_GRAPH = iris.graph("ontology")


def curated_files() -> list[Path]:
    """The curated Turtle files shipped in ``graph/`` (one named graph each, named after the file).

    >>> any(p.name == "libercourt.ttl" for p in curated_files())
    True
    """
    return sorted(paths.GRAPH_DIR.glob("*.ttl"))


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


def curated_dataset(with_ontology: bool = True) -> Dataset:
    """Ontology and curated graphs, each in its own named graph (``pvdg:ontology``,
    ``pvdg:libercourt``...)."""
    ds = Dataset()
    bind_prefixes(ds)
    if with_ontology:
        parse_turtle(paths.ONTOLOGY_FILE, ds.graph(ONTOLOGY_GRAPH))
    for path in curated_files():
        parse_turtle(path, ds.graph(iris.graph(path.stem)))
    return ds


def union_graph(ds: Dataset) -> Graph:
    """All triples of every named graph of ``ds`` in one plain graph (for validation)."""
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g
