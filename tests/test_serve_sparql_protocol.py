"""The SPARQL 1.1 Protocol at /sparql, against a real `pvd-kg serve` subprocess:
the W3C protocol, JSON-results and CSV/TSV-results suites, every result format and error case
with requests and SPARQLWrapper, the timeout that kills the work, caps, CORS and updates."""

from __future__ import annotations

import concurrent.futures
import json
import re
import urllib.error
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from serve_server import W3C, build_store, running_server
from w3c_protocol import check_response, load_manifest

PROTOCOL_TESTS = load_manifest(W3C / "protocol" / "manifest.ttl")
QUERY_TESTS = [t for t in PROTOCOL_TESTS if not t.is_update]
UPDATE_TESTS = [t for t in PROTOCOL_TESTS if t.is_update]
TOKEN = "test-token-5f2c"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COMMUNES = "PREFIX pvd: <https://w3id.org/pvd-kg/def#> SELECT ?c ?l WHERE { ?c a pvd:Commune ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
RESULTS_DATA = {f"urn:w3c:{d}/{f}": W3C / d / f for d, f in
                (("json-res", "data.ttl"), ("csv-tsv-res", "data.ttl"), ("csv-tsv-res", "data2.ttl"))}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Read-only server over the curated dataset plus the W3C test graphs."""
    tmp = tmp_path_factory.mktemp("serve-ro")
    graphs = {}
    for test in PROTOCOL_TESTS:
        graphs.update(test.graph_data)
    graphs.update(RESULTS_DATA)
    store = build_store(tmp / "store", graphs=graphs)
    with running_server(store, "--timeout", "3", "--max-rows", "500", log_dir=tmp) as srv:
        yield srv


@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve-rw")
    store = build_store(tmp / "store", curated=False)
    with running_server(store, "--allow-update", "--update-token", TOKEN, log_dir=tmp) as srv:
        yield srv


def _send(srv, req, token=None):
    headers = dict(req.headers)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = req.body.encode("utf-8") if req.body is not None else None
    return requests.request(req.method, srv(req.path),
                            headers=headers, data=body, timeout=30)


@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t.name for t in QUERY_TESTS])
def test_w3c_protocol_query(server, test):
    for req in test.requests:
        problems = check_response(req, _send(server, req))
        assert not problems, f"{test.title}: {problems}"


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t.name for t in UPDATE_TESTS])
def test_w3c_protocol_update(update_server, test):
    for req in test.requests:
        problems = check_response(req, _send(update_server, req, token=TOKEN))
        assert not problems, f"{test.title}: {problems}"


# -- W3C result-format suites: expected files compared with the server's answers -----------------

def _results_cases():
    cases = []
    for suite, manifest in (("json-res", "manifest.ttl"), ("csv-tsv-res", "manifest.ttl")):
        g = Graph().parse(W3C / suite / manifest, format="turtle", publicID=(W3C / suite / manifest).as_uri())
        q = g.query("""PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
                       PREFIX qt: <http://www.w3.org/2001/sw/DataAccess/tests/test-query#>
                       SELECT ?t ?query ?data ?result WHERE { ?t mf:action [ qt:query ?query ; qt:data ?data ] ; mf:result ?result }""")
        for t, query, data, result in q:
            name = str(t).split("#")[-1]
            cases.append((name, suite, str(query).split("/")[-1], str(data).split("/")[-1], str(result).split("/")[-1]))
    return sorted(cases)


def _normalise_bnodes(text: str) -> list[str]:
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in text.replace("\r\n", "\n").strip().split("\n"))


def _solutions(data: bytes, fmt) -> list:
    parsed = ox.parse_query_results(data, format=fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    rows = []
    for s in parsed:
        rows.append(tuple("_:b" if isinstance(s[v], ox.BlankNode) else str(s[v]) for v in parsed.variables))
    return sorted(rows, key=str), [v.value for v in parsed.variables]


@pytest.mark.parametrize("case", _results_cases(), ids=lambda c: c[0])
def test_w3c_result_formats(server, case):
    name, suite, query, data, result = case
    expected = (W3C / suite / result).read_bytes()
    accept = {"srj": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}[result.split(".")[-1]]
    r = requests.post(server("/sparql"), params={"default-graph-uri": f"urn:w3c:{suite}/{data}"},
                      data=(W3C / suite / query).read_bytes(),
                      headers={"Content-Type": "application/sparql-query", "Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    if result.endswith(".srj"):
        assert _solutions(r.content, ox.QueryResultsFormat.JSON) == _solutions(expected, ox.QueryResultsFormat.JSON)
    else:
        text = expected.decode("utf-8")
        for before, after in STORE_CANONICAL_FORMS.get(result, ()):
            text = text.replace(before, after)
        assert _normalise_bnodes(r.text) == _normalise_bnodes(text)


# pyoxigraph stores typed literals by value and gives them back in canonical form: these are the
# only differences from the W3C files, listed in docs/conformance.md ("Serving").
STORE_CANONICAL_FORMS = {
    "csvtsv03.csv": [("1.0E6", "1000000")],
    "csvtsv03.tsv": [('"-3"^^<http://www.w3.org/2001/XMLSchema#negativeInteger>', "-3"),
                     ("\t1.0e6", '\t"1000000"^^<http://www.w3.org/2001/XMLSchema#double>')],
}


# -- every result format, with requests and with SPARQLWrapper -----------------------------------

@pytest.mark.parametrize("accept,check", [
    ("application/sparql-results+json", lambda r: json.loads(r.text)["results"]["bindings"][0]["l"]["value"] == "Libercourt"),
    ("application/sparql-results+xml", lambda r: "<literal xml:lang=\"fr\">Libercourt</literal>" in r.text),
    ("text/csv", lambda r: r.text.splitlines()[1] == "https://w3id.org/pvd-kg/id/commune/62907,Libercourt"),
    ("text/tab-separated-values", lambda r: r.text.splitlines()[1] == '<https://w3id.org/pvd-kg/id/commune/62907>\t"Libercourt"@fr'),
])
def test_select_formats_with_requests(server, accept, check):
    r = requests.get(server("/sparql"), params={"query": COMMUNES}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    assert r.headers["access-control-allow-origin"] == "*"
    assert "Accept" in r.headers["vary"]
    assert check(r)


@pytest.mark.parametrize("accept,rdflib_format", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
    ("application/n-quads", "nquads"), ("application/trig", "trig"), ("application/rdf+xml", "xml"),
])
def test_construct_formats_with_requests(server, accept, rdflib_format):
    q = "CONSTRUCT { ?c ?p ?o } WHERE { ?c a <https://w3id.org/pvd-kg/def#Commune> ; ?p ?o }"
    r = requests.post(server("/sparql"), data={"query": q}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    g = Graph().parse(data=r.content, format=rdflib_format)
    assert any(str(o) == "Libercourt" for o in g.objects())


@pytest.mark.parametrize("fmt,check", [
    (JSON, lambda res: res.convert()["results"]["bindings"][0]["l"]["value"] == "Libercourt"),
    (XML, lambda res: res.convert().getElementsByTagName("literal")[0].firstChild.data == "Libercourt"),
    (CSV, lambda res: b"Libercourt" in res.convert()),
    (TSV, lambda res: b'"Libercourt"@fr' in res.convert()),
])
def test_select_formats_with_sparqlwrapper(server, fmt, check):
    sw = SPARQLWrapper(server("/sparql"))
    sw.setQuery(COMMUNES)
    sw.setReturnFormat(fmt)
    assert check(sw.query())


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, N3, XML])
def test_construct_with_sparqlwrapper(server, fmt):
    sw = SPARQLWrapper(server("/sparql"))
    sw.setQuery("DESCRIBE <https://w3id.org/pvd-kg/id/commune/62907>")
    sw.setReturnFormat(fmt)
    g = sw.queryAndConvert()
    if isinstance(g, bytes):
        g = Graph().parse(data=g, format="turtle")
    assert len(g) > 5


def test_ask_with_sparqlwrapper(server):
    sw = SPARQLWrapper(server("/sparql"))
    sw.setQuery("ASK { <https://w3id.org/pvd-kg/id/commune/62907> ?p ?o }")
    sw.setReturnFormat(JSON)
    assert sw.queryAndConvert()["boolean"] is True


def test_syntax_error_says_where(server):
    r = requests.get(server("/sparql"), params={"query": "SELECT * WHERE { ?s ?p ?o "},
                     headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["status"] == 400
    assert "syntax" in body["error"] and body["line"] == 1 and body["column"] >= 25
    r = requests.get(server("/sparql"), params={"query": "ASK {"}, headers={"Accept": "text/plain"}, timeout=30)
    assert r.status_code == 400 and "line 1, column 6" in r.text


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
])
def test_federated_query_is_refused(server, query):
    r = requests.get(server("/sparql"), params={"query": query}, headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 400
    assert "SERVICE" in r.json()["error"]


def test_load_is_refused_even_with_updates_on(update_server):
    r = requests.post(update_server("/sparql"), data={"update": "LOAD <http://127.0.0.1:9/data.ttl>"},
                      headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
                      timeout=30)
    assert r.status_code == 400
    assert "LOAD" in r.json()["error"]


def test_syntax_error_with_sparqlwrapper(server):
    sw = SPARQLWrapper(server("/sparql"))
    sw.setQuery("SELECT ?x WHERE { ?x ?y }")
    sw.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_timeout_stops_the_query_and_others_keep_going(server):
    before = requests.get(server("/status"), timeout=30).json()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(requests.get, server("/sparql"), params={"query": SLOW}, timeout=60,
                           headers={"Accept": "application/json"})
        fast = requests.get(server("/sparql"), params={"query": COMMUNES}, timeout=60)
        assert fast.status_code == 200
        assert not slow.done()  # the slow query was still running when the other one was answered
        r = slow.result()
    assert r.status_code == 503 and "Retry-After" not in r.headers  # retrying the same query would not help
    assert r.json()["error"] == "query stopped: over the 3 s time limit"
    again = requests.get(server("/sparql"), params={"query": COMMUNES}, timeout=60)
    assert again.status_code == 200
    after = requests.get(server("/status"), timeout=30).json()
    assert after["timeouts"] == before["timeouts"] + 1
    killed = set(before["workers"]) - set(after["workers"])
    assert len(killed) == 1  # the worker that ran the slow query was killed and replaced...
    pid = killed.pop()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()  # ...really


def test_timeout_with_sparqlwrapper(server):
    sw = SPARQLWrapper(server("/sparql"))
    sw.setQuery(SLOW)
    sw.setReturnFormat(JSON)
    with pytest.raises(urllib.error.HTTPError) as err:  # SPARQLWrapper has no class for 503
        sw.query()
    assert err.value.code == 503 and b"time limit" in err.value.read()


def test_row_cap_truncates_and_says_so(server):
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # > 500 triples in the curated data
    r = requests.get(server("/sparql"), params={"query": q}, headers={"Accept": "text/csv"}, timeout=30)
    assert r.status_code == 200
    assert len(r.text.strip().splitlines()) == 501
    assert "500" in r.headers["x-pvd-kg-truncated"]


def test_request_size_cap(server):
    big = "ASK { }" + " " * (1024 * 1024 + 10)
    r = requests.post(server("/sparql"), data=big.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert r.status_code == 413


@pytest.mark.parametrize("method,kwargs,status", [
    ("PUT", {"params": {"query": "ASK {}"}}, 405),
    ("POST", {"data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("GET", {"params": {"update": "CLEAR ALL"}}, 400),
    ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("POST", {"data": {"update": "CLEAR ALL"}}, 403),  # updates switched off
    ("POST", {"data": b"ASK {}", "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("POST", {"data": b"ASK {}"}, 415),
])
def test_protocol_errors_share_one_shape(server, method, kwargs, status):
    r = requests.request(method, server("/sparql"), headers={"Accept": "application/json", **kwargs.pop("headers", {})},
                         timeout=30, **kwargs)
    assert r.status_code == status
    body = r.json()
    assert set(body) >= {"ok", "status", "error"} and body["status"] == status and body["ok"] is False


def test_update_refused_by_sparqlwrapper_when_off(server):
    sw = SPARQLWrapper(server("/sparql"))
    sw.setMethod("POST")
    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError) as err:
        sw.query()
    assert err.value.code == 403


def test_not_acceptable(server):
    r = requests.get(server("/sparql"), params={"query": "SELECT * {}"}, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406


def test_service_description_and_cors_preflight(server):
    r = requests.get(server("/sparql"), headers={"Accept": "text/turtle"}, timeout=30)
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(str(o) == sd + "Service" for o in g.objects())
    assert any(str(o) == server("/sparql") for o in g.objects(predicate=__import__("rdflib").URIRef(sd + "endpoint")))
    r = requests.options(server("/sparql"), headers={"Origin": "http://elsewhere.example",
                                                     "Access-Control-Request-Method": "POST"}, timeout=30)
    assert r.status_code in (200, 204) and r.headers["access-control-allow-origin"] == "*"


def test_update_needs_the_token(update_server):
    body = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    r = requests.post(update_server("/sparql"), data=body, headers={"Content-Type": "application/sparql-update"}, timeout=30)
    assert r.status_code == 401 and "Bearer" in r.headers["www-authenticate"]
    r = requests.post(update_server("/sparql"), data=body, timeout=30,
                      headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = requests.post(update_server("/sparql"), data=body, timeout=30,
                      headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204
    r = requests.get(update_server("/sparql"), params={"query": "ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"}, timeout=30)
    assert r.json()["boolean"] is True


def test_service_description_lists_update_only_when_on(server, update_server):
    update = "http://www.w3.org/ns/sparql-service-description#SPARQL11Update"
    assert update not in requests.get(server("/sparql"), headers={"Accept": "application/n-triples"}, timeout=30).text
    assert update in requests.get(update_server("/sparql"), headers={"Accept": "application/n-triples"}, timeout=30).text


def test_update_syntax_error(update_server):
    r = requests.post(update_server("/sparql"), data="INSERT DATA { <urn:a> <urn:b> }", timeout=30,
                      headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}",
                               "Accept": "application/json"})
    assert r.status_code == 400 and r.json()["line"] == 1
