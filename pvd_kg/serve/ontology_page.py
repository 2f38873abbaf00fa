"""The HTML documentation of the ontology (``/def``), made by pyLODE from a graph cut to what
pyLODE can show: one ontology and one name per term.

pyLODE takes every ``skos:ConceptScheme`` for one more ontology (their titles join the page
heading, the last one's IRI becomes the ontology's) and joins every name of a term into its
heading (``départementdépartement``). So the schemes are left out, and of each term's names only
the French one is kept (another language when it has no French name). Definitions keep both
languages, French first: pyLODE lists them one per line."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

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
    with _pylode_cache_lock():
        pub = OntPub(ontology=graph)
    pub.fids.update(_term_anchors(graph))
    return pub.make_html()


@contextmanager
def _pylode_cache_lock():
    """pyLODE caches its background ontologies as pickles beside its own files, written in place
    on first use: a second process reading meanwhile (a server's workers, two commands) or after a
    killed write gets "Ran out of input". Every pyLODE start here holds one lock, and a cache that
    does not load is removed so that pyLODE writes it again."""
    import fcntl
    import pickle
    import tempfile

    from pylode import utils as pylode_utils

    with open(Path(tempfile.gettempdir()) / "pvd-kg-pylode.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for name in ("refs.pickle", "refs_titles.pickle"):
                cache = Path(pylode_utils.RDF_FOLDER) / name
                try:
                    with cache.open("rb") as f:
                        pickle.load(f)
                except FileNotFoundError:
                    pass
                except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt by pyLODE
                    cache.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _term_anchors(graph: Graph) -> dict[str, str]:
    """Each hash term's fragment as its anchor (pyLODE would make ``dpartement`` of the label), so
    that a term IRI dereferenced to ``/def#Departement`` lands on the term."""
    terms = {str(s) for s in graph.subjects() if isinstance(s, URIRef) and s.fragment}
    return {term: URIRef(term).fragment for term in terms}
