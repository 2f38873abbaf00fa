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


@pytest.fixture(params=["embedded", "endpoint", "virtuoso"])
def store(request, tmp_path):
    s = _open_store(request.param, request, tmp_path)
    yield s
    s.close()


@pytest.fixture(params=["endpoint", "virtuoso"])
def endpoint_store(request, tmp_path):
    """The backends whose large writes go in parts (an embedded write is one transaction)."""
    s = _open_store(request.param, request, tmp_path)
    yield s
    s.close()


def _open_store(kind: str, request, tmp_path):
    if kind == "embedded":
        s = EmbeddedStore(tmp_path / "store")
    elif kind == "endpoint":
        base = request.getfixturevalue("server")
        s = EndpointStore(f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store")
        s.update("CLEAR ALL")
    else:
        virtuoso = request.getfixturevalue("virtuoso")
        s = EndpointStore(f"{virtuoso.base}/sparql")
        for g in set(s.graphs()) - virtuoso.graphs:
            s.drop_graph(g)
        s.system_graphs, s.system_quads = virtuoso.graphs, virtuoso.quads
    return s


@pytest.fixture
def loaded(store, tmp_path):
    path = tmp_path / "data.nq"
    path.write_text(DATA, encoding="utf-8")
    load_files(store, [path], validate=False)
    return store


def graphs(store) -> list[str]:
    """The store's graphs but those the server keeps for itself (Virtuoso's virtrdf#, ...)."""
    return [g for g in store.graphs() if g not in getattr(store, "system_graphs", ())]


def quads(store) -> int:
    return len(store) - getattr(store, "system_quads", 0)


def _snapshot(store) -> set:
    return set(store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def test_empty_store(store):
    assert quads(store) == 0
    assert graphs(store) == []
    assert store.query(f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}')) }}").boolean is False


def test_load_then_read(loaded):
    assert quads(loaded) == 7
    assert graphs(loaded) == [G1, G2]
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
    own = f"SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN (<{G1}>, <{G2}>)) }}"
    answer = loaded.query(own, limit=3)
    assert len(answer.rows) == 3 and answer.truncated
    assert not loaded.query(own, limit=100).truncated


def test_malformed_query(loaded):
    with pytest.raises(QueryError):
        loaded.query("SELECT ?s WHERE { ?s ?p ", timeout=10)


def test_timeout_stops_a_runaway_query(loaded):
    with pytest.raises(QueryTimeout):
        loaded.query(RUNAWAY, timeout=1)
    assert loaded.query("ASK { ?s ?p ?o }", timeout=10).boolean is True  # still usable afterwards


def test_drop_graph(loaded):
    assert loaded.drop_graph(G2) is True
    assert graphs(loaded) == [G1]
    assert loaded.drop_graph(G2) is False
    assert quads(loaded) == 5


def test_replace_graphs(loaded, tmp_path):
    path = tmp_path / "new.nq"
    path.write_text(f'<{EX}c> <{EX}name> "new" <{G2}> .\n', encoding="utf-8")
    loaded.replace_graphs([G1, G2], path)
    assert graphs(loaded) == [G2]
    assert quads(loaded) == 1


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
    if isinstance(loaded, EndpointStore) and not loaded.gsp_url:
        # Virtuoso's Graph Store Protocol serves one graph at a time: the whole dataset is refused
        # with the way out, and each graph dumps (docs/conformance.md)
        with pytest.raises(StoreError, match="Graph Store Protocol"):
            loaded.dump(out, rdf_format("nquads"))
        for g in (G1, G2):
            loaded.dump(out, rdf_format("nquads"), graph=g)
    else:
        loaded.dump(out, rdf_format("nquads"))
    lines = [line for line in out.getvalue().decode().splitlines() if line.strip()]
    assert len(lines) == 7
    assert all(line.rstrip(" .").endswith((f"<{G1}>", f"<{G2}>")) for line in lines)


def test_stats(loaded):
    stats = loaded.stats()
    system = getattr(loaded, "system_graphs", set())
    assert {g: n for g, n in stats["graphs"].items() if g not in system} == {G1: 5, G2: 2}
    assert {c: n for c, n in stats["classes"].items() if c.startswith(EX)} == {EX + "Commune": 1}
    assert stats["properties"][EX + "name"] == 3
    assert stats["quads"] - getattr(loaded, "system_quads", 0) == 7


def test_describe(loaded):
    triples = loaded.describe([URIRef(EX + "b"), URIRef(EX + "nothing")])
    assert {(s, p) for s, p, _ in triples} == {(URIRef(EX + "b"), URIRef(EX + "name")),
                                               (URIRef(EX + "b"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))}
    # a graph about to be replaced is left out (pvd_kg.load validates a table without its old graph)
    kept = loaded.describe([URIRef(EX + "a"), URIRef(EX + "b")], without=[G2])
    assert {s for s, _, _ in kept} == {URIRef(EX + "a")} and len(kept) == 4


def test_a_large_write_goes_in_parts_and_keeps_blank_nodes(store, tmp_path):
    """Past the size one request may have (Virtuoso's limits), an endpoint write goes in parts
    through staging graphs: the same quads, each blank node still one node, no staging graph left."""
    if isinstance(store, EndpointStore):
        store.max_request_bytes = 200  # a few quads per request
    path = tmp_path / "data.nq"
    path.write_text(DATA, encoding="utf-8")
    store.replace_graphs([], path)
    assert graphs(store) == [G1, G2] and quads(store) == 7
    linked = store.query(f"SELECT ?n WHERE {{ <{EX}a> <{EX}link> ?b . ?b <{EX}name> ?n }}")
    assert [str(n) for (n,) in linked.rows] == ["node"]
    store.replace_graphs([G1, G2], path)
    assert graphs(store) == [G1, G2] and quads(store) == 7


class _FailingPart(EndpointStore):
    """A server that refuses the second part of a write (a network failure, a server limit)."""

    def _post_update(self, sparql, timeout=3600.0):
        self.sent = getattr(self, "sent", 0) + 1
        if self.sent == 2:
            raise StoreError("the server refused this part")
        super()._post_update(sparql, timeout)


def test_a_refused_part_leaves_the_store_as_it_was(endpoint_store, tmp_path):
    store = endpoint_store
    path = tmp_path / "data.nq"
    path.write_text(DATA, encoding="utf-8")
    store.replace_graphs([], path)
    before = _snapshot(store)
    failing = _FailingPart(store.query_url, update_url=store.update_url, max_request_bytes=200)
    new = tmp_path / "new.nq"
    new.write_text("".join(f'<{EX}n{i}> <{EX}name> "n{i}" <{G2}> .\n' for i in range(20)), encoding="utf-8")
    with pytest.raises(StoreError, match="refused this part"):
        failing.replace_graphs([G2], new)
    assert _snapshot(store) == before
    assert graphs(store) == [G1, G2]  # no staging graph left behind
