"""The HTML documentation of the ontology (``/def``), made by pyLODE from a graph cut to what
pyLODE can show: one ontology and one name per term.

pyLODE takes every ``skos:ConceptScheme`` for one more ontology (their titles join the page
heading, the last one's IRI becomes the ontology's) and joins every name of a term into its
heading (``départementdépartement``). So the schemes are left out, and of each term's names only
the French one is kept (another language when it has no French name). Definitions keep both
languages, French first: pyLODE lists them one per line."""

from __future__ import annotations

import pickle

from rdflib import DC, DCTERMS, RDF, RDFS, SDO, SKOS, Graph, Literal, URIRef

PAGE_LANGUAGE = "fr"
NAME_PROPERTIES = frozenset({RDFS.label, SKOS.prefLabel, DCTERMS.title, DC.title, SDO.name})


def page_graph(graph: Graph) -> Graph:
    """``graph`` without its concept schemes and with one name per term."""
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    page = Graph()
    for prefix, namespace in graph.namespaces():
        page.bind(prefix, namespace)
    for s, p, o in sorted(graph, key=_page_order):  # pyLODE lays terms and values out in this order
        if s in schemes or (p in NAME_PROPERTIES and o != _page_name(graph, s, p)):
            continue
        page.add((s, p, o))
    return page


def _page_order(triple):
    """Terms by IRI; of a term's values, those in French first."""
    s, p, o = triple
    return s, p, not (isinstance(o, Literal) and o.language == PAGE_LANGUAGE), o


def _page_name(graph: Graph, subject, prop):
    """The name shown for ``subject``: its ``prop`` value in French, else the first in sort order."""
    names = sorted(graph.objects(subject, prop))
    french = [n for n in names if isinstance(n, Literal) and n.language == PAGE_LANGUAGE]
    return (french or names)[0]


def ontology_html(turtle: bytes) -> str:
    """The pyLODE page of the ontology given as Turtle."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub  # its import runs logging.basicConfig(level=DEBUG): undone at once

    root.handlers[:] = handlers
    root.setLevel(level)

    graph = page_graph(Graph().parse(data=turtle, format="turtle"))
    try:
        pub = OntPub(ontology=graph)
    except (EOFError, pickle.UnpicklingError):
        # pyLODE caches its background ontologies in a pickle in its own package folder, written in
        # place on first use: a process stopped mid-write (a server stopped while it warms this page)
        # leaves it truncated, and every later page fails. Without it pyLODE reads the RDF again.
        from pylode.utils import RDF_FOLDER

        (RDF_FOLDER / "refs.pickle").unlink(missing_ok=True)
        pub = OntPub(ontology=graph)
    pub.fids.update(_term_anchors(graph))
    return pub.make_html()


def _term_anchors(graph: Graph) -> dict[str, str]:
    """Each hash term's fragment as its anchor (pyLODE would make ``dpartement`` of the label), so
    that a term IRI dereferenced to ``/def#Departement`` lands on the term."""
    terms = {str(s) for s in graph.subjects() if isinstance(s, URIRef) and s.fragment}
    return {term: URIRef(term).fragment for term in terms}
