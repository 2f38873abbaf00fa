"""One store test suite, run on every backend: the embedded pyoxigraph store and a real Oxigraph
server reached through :class:`pvd_kg.store.endpoint.EndpointStore`."""

from __future__ import annotations

import io

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from oxigraph_server import oxigraph_server
from pvd_kg.errors import QueryError, QueryTimeout, StoreError
from pvd_kg.formats import rdf_format
from pvd_kg.load import load_files
from pvd_kg.store.embedded import EmbeddedStore
from pvd_kg.store.endpoint import EndpointStore

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
DATA = f"""
<{EX}a> <{EX}name> "Libercourt"@fr <{G1}> .
<{EX}a> <{EX}pop> "8325"^^<http://www.w3.org/2001/XMLSchema#integer> <{G1}> .
<{EX}a> <{EX}code> "62907" <{G1}> .
<{EX}a> <{EX}link> _:b1 <{G1}> .
_:b1 <{EX}name> "node" <{G1}> .
<{EX}b> <{EX}name> "Oignies"@fr <{G2}> .
<{EX}b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Commune> <{G2}> .
"""
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . "
           "?p ?q ?r . ?s ?t ?u . ?v ?w ?x . ?y ?z ?aa . ?bb ?cc ?dd . ?ee ?ff ?gg . ?hh ?ii ?jj }")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(params=["embedded", "endpoint"])
def store(request, tmp_path):
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "store")
    else:
        base = request.getfixturevalue("server")
        s = EndpointStore(f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store")
        s.update("CLEAR ALL")
    yield s
    s.close()


@pytest.fixture
def loaded(store, tmp_path):
    path = tmp_path / "data.nq"
    path.write_text(DATA, encoding="utf-8")
    load_files(store, [path], validate=False)
    return store


def _snapshot(store) -> set:
    return set(store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def test_empty_store(store):
    assert len(store) == 0
    assert store.graphs() == []
    assert store.query("ASK { ?s ?p ?o }").boolean is False


def test_load_then_read(loaded):
    assert len(loaded) == 7
    assert loaded.graphs() == [G1, G2]
    answer = loaded.query(f"SELECT ?n WHERE {{ <{EX}a> <{EX}name> ?n }}")
    assert answer.rows == [(Literal("Libercourt", lang="fr"),)]


def test_select_gives_rdflib_terms(loaded):
    answer = loaded.query(f"SELECT ?p ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?p")
    values = dict(answer.rows)
    assert values[URIRef(EX + "pop")] == Literal("8325", datatype=XSD.integer)
    assert values[URIRef(EX + "code")] == Literal("62907", datatype=XSD.string)
    assert isinstance(values[URIRef(EX + "link")], BNode)
    assert answer.variables == ["p", "o"]


def test_default_graph_is_the_union(loaded):
    assert loaded.query(f"ASK {{ <{EX}a> <{EX}name> ?x . <{EX}b> <{EX}name> ?y }}").boolean is True


def test_unbound_is_none(loaded):
    answer = loaded.query(f"SELECT ?s ?pop WHERE {{ ?s <{EX}name> ?n OPTIONAL {{ ?s <{EX}pop> ?pop }} }} ORDER BY ?s")
    assert (URIRef(EX + "b"), None) in answer.rows


def test_construct(loaded):
    answer = loaded.query(f"CONSTRUCT {{ ?s <{EX}label> ?n }} WHERE {{ ?s <{EX}name> ?n FILTER(isIRI(?s)) }}")
    assert answer.kind == "graph"
    assert set(answer.triples) == {(URIRef(EX + "a"), URIRef(EX + "label"), Literal("Libercourt", lang="fr")),
                                   (URIRef(EX + "b"), URIRef(EX + "label"), Literal("Oignies", lang="fr"))}


def test_limit_truncates_and_says_so(loaded):
    answer = loaded.query("SELECT * WHERE { ?s ?p ?o }", limit=3)
    assert len(answer.rows) == 3 and answer.truncated
    assert not loaded.query("SELECT * WHERE { ?s ?p ?o }", limit=100).truncated


def test_malformed_query(loaded):
    with pytest.raises(QueryError):
        loaded.query("SELECT ?s WHERE { ?s ?p ", timeout=10)


def test_timeout_stops_a_runaway_query(loaded):
    with pytest.raises(QueryTimeout):
        loaded.query(RUNAWAY, timeout=1)
    assert loaded.query("ASK { ?s ?p ?o }", timeout=10).boolean is True  # still usable afterwards


def test_drop_graph(loaded):
    assert loaded.drop_graph(G2) is True
    assert loaded.graphs() == [G1]
    assert loaded.drop_graph(G2) is False
    assert len(loaded) == 5


def test_replace_graphs(loaded, tmp_path):
    path = tmp_path / "new.nq"
    path.write_text(f'<{EX}c> <{EX}name> "new" <{G2}> .\n', encoding="utf-8")
    loaded.replace_graphs([G1, G2], path)
    assert loaded.graphs() == [G2]
    assert len(loaded) == 1


def test_refused_write_leaves_store_unchanged(loaded, tmp_path):
    before = _snapshot(loaded)
    bad = tmp_path / "bad.nq"
    bad.write_text(f'<{EX}c> <{EX}name> "x" <{G1}> .\n<{EX}d> <{EX}name> "unterminated <{G1}> .\n', encoding="utf-8")
    with pytest.raises(StoreError):
        loaded.add_nquads(bad)
    with pytest.raises(StoreError):
        loaded.replace_graphs([G1], bad)
    assert _snapshot(loaded) == before


def test_dump_one_graph_parses_back(loaded):
    out = io.BytesIO()
    loaded.dump(out, rdf_format("turtle"), graph=G2)
    got = Graph().parse(data=out.getvalue(), format="turtle")
    expected = Graph()
    expected.add((URIRef(EX + "b"), URIRef(EX + "name"), Literal("Oignies", lang="fr")))
    expected.add((URIRef(EX + "b"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(EX + "Commune")))
    assert isomorphic(got, expected)


def test_dump_whole_store_as_nquads(loaded):
    out = io.BytesIO()
    loaded.dump(out, rdf_format("nquads"))
    lines = [line for line in out.getvalue().decode().splitlines() if line.strip()]
    assert len(lines) == 7
    assert all(line.rstrip(" .").endswith((f"<{G1}>", f"<{G2}>")) for line in lines)


def test_stats(loaded):
    stats = loaded.stats()
    assert stats["graphs"] == {G1: 5, G2: 2}
    assert stats["classes"] == {EX + "Commune": 1}
    assert stats["properties"][EX + "name"] == 3
    assert stats["quads"] == 7


def test_describe(loaded):
    triples = loaded.describe([URIRef(EX + "b"), URIRef(EX + "nothing")])
    assert {(s, p) for s, p, _ in triples} == {(URIRef(EX + "b"), URIRef(EX + "name")),
                                               (URIRef(EX + "b"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))}
    # a graph about to be replaced is left out (pvd_kg.load validates a table without its old graph)
    kept = loaded.describe([URIRef(EX + "a"), URIRef(EX + "b")], without=[G2])
    assert {s for s, _, _ in kept} == {URIRef(EX + "a")} and len(kept) == 4
