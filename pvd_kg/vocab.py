"""Namespaces and the one prefix map used everywhere (Turtle output, SPARQL, JSON-LD context)."""

from __future__ import annotations

BASE = "https://w3id.org/pvd-kg/"
ONTOLOGY_IRI = BASE + "def"

# The namespaces as text; their rdflib ``Namespace`` objects (``PVD``, ``RDF``...) are made on
# first use (:func:`__getattr__`), so that what only needs the text (``pvd-kg query``) does not
# import rdflib.
PREFIXES: dict[str, str] = {
    "pvd": BASE + "def#",  # the ontology's own terms
    "pvdsh": BASE + "def/shapes#",  # SHACL shapes (ontology/shapes.ttl)
    "id": BASE + "id/",  # instance data
    "pvdg": BASE + "graph/",  # named graphs
    "igeo": "http://rdf.insee.fr/def/geo#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wdt": "http://www.wikidata.org/prop/direct/",
}

_OURS = {"PVD": "pvd", "SHAPES": "pvdsh", "ID": "id", "GRAPH": "pvdg", "IGEO": "igeo", "ORG": "org",
         "SCHEMA": "schema", "WDT": "wdt"}
_RDFLIB = ("DCAT", "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "TIME", "VOID", "XSD")


def __getattr__(name: str):
    """The namespace objects, made once on first use."""
    if name in _OURS:
        from rdflib import Namespace

        value = Namespace(PREFIXES[_OURS[name]])
    elif name in _RDFLIB:
        import rdflib.namespace

        value = getattr(rdflib.namespace, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


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
