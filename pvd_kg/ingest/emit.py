"""Collect one source's triples, with the ``pvd:SourceRow`` nodes they derive from.

Triples are kept as plain tuples of rdflib terms; the orchestrator adds them to the dataset
in one ``addN`` call (much faster than one ``add`` per triple).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from functools import lru_cache

from rdflib import Literal, URIRef

from .. import iris
from .. import vocab


class Terms:
    """A namespace whose terms are built once: ``rdflib.Namespace`` builds (and validates) a new
    ``URIRef`` on every attribute access, which dominated the ingest time.

    >>> PVD.Commune is PVD.Commune
    True
    """

    def __init__(self, namespace):
        self._ns = namespace

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        term = self._ns[name]
        setattr(self, name, term)
        return term


PVD, PROV, DCTERMS, RDF, RDFS, XSD = (Terms(vocab.PVD), Terms(vocab.PROV), Terms(vocab.DCTERMS), Terms(vocab.RDF),
                                      Terms(vocab.RDFS), Terms(vocab.XSD))
FOAF, ORG, SCHEMA, SKOS, IGEO = (Terms(vocab.FOAF), Terms(vocab.ORG), Terms(vocab.SCHEMA), Terms(vocab.SKOS),
                                 Terms(vocab.IGEO))
DCAT, VOID = Terms(vocab.DCAT), Terms(vocab.VOID)
A = RDF.type


@lru_cache(maxsize=65536)
def integer(value: int) -> Literal:
    """An ``xsd:integer`` literal (cached: row numbers and counts repeat)."""
    return Literal(str(int(value)), datatype=XSD.integer)


@lru_cache(maxsize=65536)
def fr(text: str) -> Literal:
    """A French language-tagged literal (cached: several sources name the same places)."""
    return Literal(text, lang="fr")


@lru_cache(maxsize=65536)
def string(text: str) -> Literal:
    return Literal(text)


@lru_cache(maxsize=4096)
def date(day: _dt.date) -> Literal:
    """An ``xsd:date`` literal (cached: many conventions share a signing day)."""
    return Literal(day.isoformat(), datatype=XSD.date)


def decimal(value: Decimal) -> Literal:
    return Literal(str(value), datatype=XSD.decimal)


class GraphOut:
    """The triples of one source's named graph.

    :param key: the source key (``anct-pvd-2026``); the graph is ``pvdg:{key}``.

    >>> out = GraphOut("anct-pvd-2026")
    >>> row = out.row(3)
    >>> out.derived(iris.commune("01033"), 3)
    >>> len(out.triples)
    4
    """

    def __init__(self, key: str):
        self.key = key
        self.iri = iris.graph(key)
        self.source = iris.source(key)
        self.triples: list[tuple] = []
        self._rows: dict[int, URIRef] = {}

    def add(self, s, p, o) -> None:
        self.triples.append((s, p, o))

    def row(self, line: int) -> URIRef:
        """The ``pvd:SourceRow`` of a physical line, described on first use."""
        node = self._rows.get(line)
        if node is None:
            node = self._rows[line] = iris.source_row(self.key, line)
            self.triples += [(node, A, PVD.SourceRow), (node, DCTERMS.isPartOf, self.source),
                             (node, PVD.line, integer(line))]
        return node

    def derived(self, node, line: int) -> None:
        """``node prov:wasDerivedFrom`` the row at ``line``."""
        self.triples.append((node, PROV.wasDerivedFrom, self.row(line)))

    def quads(self) -> list[tuple]:
        g = self.iri
        return [(s, p, o, g) for s, p, o in self.triples]
