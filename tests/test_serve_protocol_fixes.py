"""Protocol findings of issue 14 ("Clients and protocol"), each against a real `pvd-kg serve`:
N-Quads asked of the service description and VoID, HEAD and 405/406 headers, the CORS
preflight, unknown IRIs, graph names in quad documents, the HTML alternates and void:triples."""

from __future__ import annotations

import re
import socket

import pytest
import requests
from rdflib import Dataset, Graph, Literal, URIRef

from pvd_kg import iris
from pvd_kg.formats import RDF_FORMATS
from pvd_kg.vocab import VOID
from serve_server import build_store, running_server

COMMUNE = str(iris.commune("62907"))
COMMUNE_PATH = COMMUNE.replace("https://w3id.org/pvd-kg", "")
EXTRA_GRAPH = "https://example.org/graph/copy"
# Comunica's Accept header for an RDF document (service description discovery, VoID): N-Quads first
COMUNICA_RDF_ACCEPT = ("application/n-quads,application/trig;q=0.95,application/n-triples;q=0.8,"
                       "text/turtle;q=0.6,application/ld+json;q=0.9,application/rdf+xml;q=0.5,"
                       "text/n3;q=0.35,application/xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
                       "application/xhtml+xml;q=0.18,application/json;q=0.135")
SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("proto")
    copy = folder / "copy.nt"  # a triple the curated graphs already hold, again in another graph
    copy.write_text(f'<{COMMUNE}> <http://www.w3.org/2000/01/rdf-schema#label> "Libercourt"@fr .\n')
    store = build_store(folder / "store", graphs={EXTRA_GRAPH: copy})
    with running_server(store, log_dir=folder) as srv:
        yield srv


def _quads(text: str) -> Dataset:
    ds = Dataset()
    ds.parse(data=text, format="nquads")
    return ds


@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_service_description_answers_comunica(server, path):
    for accept in (COMUNICA_RDF_ACCEPT, "application/n-quads"):
        r = requests.get(server(path), headers={"Accept": accept})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/n-quads")
        triples = list(_quads(r.text).quads((None, None, None, None)))
        assert any(p == URIRef(SD + "endpoint") for _, p, _, _ in triples)


def test_service_description_in_trig(server):
    r = requests.get(server("/sparql"), headers={"Accept": "application/trig"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/trig")
    ds = Dataset()
    ds.parse(data=r.text, format="trig")
    assert len(ds) > 0


def test_void_answers_comunica(server):
    r = requests.get(server("/.well-known/void"), headers={"Accept": COMUNICA_RDF_ACCEPT})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/n-quads")
    assert any(p == VOID.triples for _, p, _, _ in _quads(r.text).quads((None, None, None, None)))


def test_head_sparql_is_get_without_body(server):
    r = requests.head(server("/sparql"))
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["content-type"].startswith("text/turtle")


def test_405_names_the_allowed_methods(server):
    r = requests.put(server("/sparql"), data="x")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_406_varies_on_accept(server):
    for path in ("/sparql?query=ASK{}", COMMUNE_PATH, "/.well-known/void"):
        r = requests.get(server(path), headers={"Accept": "image/png"}, allow_redirects=False)
        assert r.status_code == 406, path
        assert "Accept" in r.headers.get("vary", ""), path


def test_preflight_echoes_safe_request_headers(server):
    r = requests.options(server("/sparql"), headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-requested-with, cache-control, content-type"})
    assert r.status_code == 204
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"x-requested-with", "cache-control", "content-type", "accept"} <= allowed


def test_preflight_ignores_a_malformed_header_list(server):
    r = requests.options(server("/sparql"), headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-ok, bad header, (nope)"})
    assert r.status_code == 204
    allowed = r.headers["access-control-allow-headers"].lower()
    assert "x-ok" not in allowed and "nope" not in allowed


def test_unknown_iri_is_a_plain_404(server):
    r = requests.get(server("/id/commune/00000"), headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert r.status_code == 404
    r = requests.get(server(COMMUNE_PATH), headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert r.status_code == 303


def test_quad_documents_carry_their_graph(server):
    r = requests.get(server(COMMUNE_PATH + ".nq"))
    assert r.status_code == 200
    quads = list(_quads(r.text).quads((None, None, None, None)))
    assert quads
    graphs = {str(g.identifier) if hasattr(g, "identifier") else str(g) for *_, g in quads}
    assert EXTRA_GRAPH in graphs
    assert all(g.startswith(("https://w3id.org/pvd-kg/graph/", EXTRA_GRAPH)) for g in graphs), graphs
    r = requests.get(server(COMMUNE_PATH + ".trig"))
    ds = Dataset()
    ds.parse(data=r.text, format="trig")
    named = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert EXTRA_GRAPH in named and len(named) > 1


def test_html_alternates_are_media_types(server):
    html = requests.get(server(COMMUNE_PATH + ".html")).text
    types = re.findall(r'<link rel="alternate" type="([^"]+)"', html)
    assert sorted(types) == sorted(f.media_type for f in RDF_FORMATS)


def test_void_triples_counts_distinct_triples(server):
    def count(query):
        r = requests.post(server("/sparql"), data={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    distinct = count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    quads = count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert quads > distinct  # the copied triple is in two graphs
    g = Graph().parse(data=requests.get(server("/.well-known/void")).text, format="turtle")
    ds = URIRef(server("/.well-known/void") + "#dataset")
    assert g.value(ds, VOID.triples) == Literal(distinct)


def _raw_get(server, target: bytes) -> tuple[int, bytes]:
    """A GET whose request line is sent byte for byte (no client percent-encodes it)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def test_raw_utf8_in_the_url_is_served(server):
    query = 'SELECT ("Fère" AS ?x) WHERE {}'.replace(" ", "%20").replace('"', "%22").replace("{}", "%7B%7D")
    status, body = _raw_get(server, b"/sparql?query=" + query.encode("utf-8"))
    assert status == 200 and "Fère" in body.decode("utf-8"), body
    status, body = _raw_get(server, "/id/commune/é".encode("utf-8"))
    assert status == 404 and "https://w3id.org/pvd-kg/id/commune/é" in body.decode("utf-8"), body
    status, body = _raw_get(server, COMMUNE_PATH.encode() + b".ttl")
    assert status == 200 and b"Libercourt" in body
