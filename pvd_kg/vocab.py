"""Namespaces and the one prefix map used everywhere (Turtle output, SPARQL, JSON-LD context)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

BASE = "https://w3id.org/pvd-kg/"

PVD = Namespace(BASE + "def#")  # the ontology's own terms
SHAPES = Namespace(BASE + "def/shapes#")  # SHACL shapes (ontology/shapes.ttl)
ID = Namespace(BASE + "id/")  # instance data
GRAPH = Namespace(BASE + "graph/")  # named graphs
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

ONTOLOGY_IRI = BASE + "def"

PREFIXES: dict[str, str] = {
    "pvd": str(PVD),
    "pvdsh": str(SHAPES),
    "id": str(ID),
    "pvdg": str(GRAPH),
    "igeo": str(IGEO),
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "wdt": str(WDT),
}


def sparql_prologue() -> str:
    """PREFIX lines for every namespace in :data:`PREFIXES`.

    >>> "PREFIX pvd: <https://w3id.org/pvd-kg/def#>" in sparql_prologue()
    True
    """
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    """Bind every prefix of :data:`PREFIXES` on an rdflib graph or dataset."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


__all__ = [
    "BASE", "PVD", "SHAPES", "ID", "GRAPH", "IGEO", "ORG", "SCHEMA", "WDT", "ONTOLOGY_IRI", "PREFIXES",
    "DCAT", "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "TIME", "VOID", "XSD",
    "sparql_prologue", "bind_prefixes",
]
