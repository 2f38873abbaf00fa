"""The one query check (pvd_kg.store.sparql.check) on every entry point: the Python API, every
store backend, the CLI, ``pvd-kg serve`` and the analysis code. A real loopback listener stands
where a hostile query points, and proves that no connection is attempted. FROM / FROM NAMED
select the store's graphs, on real data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset

from pvd_kg import iris, queries
from pvd_kg.cli import cli
from pvd_kg.errors import QueryError
from pvd_kg.paths import GRAPH_DIR
from pvd_kg.store import MemoryStore
from pvd_kg.store.embedded import EmbeddedStore
from pvd_kg.store.endpoint import EndpointStore
from serve_server import build_store, running_server
from loopback_listener import Listener

SMALL = Path(__file__).parent / "data" / "analysis" / "small-programme.ttl"
LIBERCOURT_G = str(iris.graph("libercourt"))
SMALL_G = str(iris.graph("small-programme"))
TOKEN = "guard-token"




@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


def hostile_queries(url: str) -> list[str]:
    """SERVICE in every spelling, pointing at ``url``; each one reaches it when run unchecked."""
    host = url.rstrip("/")
    return [
        f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}>\nSELECT * {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX s: <{url}> select * {{ service silent s:x {{ ?s ?p ?o }} }}",
        f"BASE <{url}> SELECT * {{ SeRvIcE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ VALUES ?u {{ <{url}> }} SERVICE ?u {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ ?a ?b ?c MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ ?a ?b ?c FILTER NOT EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE <\\u0068ttp://{host[7:]}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ # a comment\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?a ?b ?c #\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?a ?b ?c #\t\n\n SERVICE\t<{url}>{{ ?s ?p ?o }} }}",
    ]


def hostile_updates(url: str) -> list[str]:
    return [
        f"LOAD <{url}data.ttl>",
        f"PREFIX : <{url}>\nLOAD:file",
        f"load silent <{url}x> into graph <urn:g>",
        "LOAD <file:///etc/passwd>",
        "CLEAR ALL", "DROP GRAPH <urn:g>", "CREATE GRAPH <urn:new>", "COPY DEFAULT TO <urn:g>",
        "MOVE <urn:a> TO <urn:b>", "ADD <urn:a> TO <urn:b>", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }", "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def one_line(exc) -> str:
    text = str(exc)
    assert "\n" not in text and text
    return text


# -- the check itself ----------------------------------------------------------------------


def test_the_unchecked_store_reaches_the_listener(listener):
    """What the check guards against: pyoxigraph run directly makes these requests."""
    for text in hostile_queries(listener.url)[:4] + hostile_queries(listener.url)[12:14]:
        before = listener.settled()
        try:
            list(ox.Store().query(text))
        except OSError:
            pass  # the listener hangs up; SILENT ones answer with nothing
        assert listener.settled() > before, text


@pytest.mark.parametrize("i", range(16))
def test_check_refuses_service_in_every_spelling(listener, i):
    from pvd_kg.store.sparql import check

    text = hostile_queries(listener.url)[i]
    with pytest.raises(QueryError) as refused:
        check(text)
    assert "SERVICE" in one_line(refused.value) or "carriage return" in str(refused.value) \
        or "syntax error" in str(refused.value)


@pytest.mark.parametrize("i", range(14))
def test_check_refuses_every_update_unless_allowed(listener, i):
    from pvd_kg.store.sparql import check

    text = hostile_updates(listener.url)[i]
    with pytest.raises(QueryError, match="update"):
        check(text)
    if "LOAD" in text.upper() or "SERVICE" in text:
        with pytest.raises(QueryError, match="LOAD|SERVICE"):
            check(text, updates=True)
    else:
        assert check(text, updates=True).form == "update"


def test_load_of_a_file_is_refused_even_with_remote_calls_allowed():
    from pvd_kg.store.sparql import check

    for text in ("LOAD <file:///etc/passwd>", "PREFIX f: <file:///etc/> LOAD f:passwd INTO GRAPH <urn:g>"):
        with pytest.raises(QueryError, match="only http"):
            check(text, updates=True, allow_remote=True)
    assert check("LOAD <https://example.org/x.ttl>", updates=True, allow_remote=True).form == "update"
    assert check("PREFIX e: <https://example.org/> DROP ALL ; LOAD e:x", updates=True, allow_remote=True).form \
        == "update"  # declarations hold for the later operations
    with pytest.raises(QueryError, match="only http"):
        check("PREFIX e: <file:///etc/> DROP ALL ; LOAD e:passwd", updates=True, allow_remote=True)


def test_remote_calls_allowed_only_to_an_http_iri():
    from pvd_kg.store.sparql import check

    assert check("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", allow_remote=True)
    with pytest.raises(QueryError, match="variable"):
        check("SELECT * { SERVICE ?u { ?s ?p ?o } }", allow_remote=True)
    with pytest.raises(QueryError, match="only http"):
        check("SELECT * { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", allow_remote=True)


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s <http://e/service> "SERVICE <http://x/> {}" }',
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <http://e/> SELECT * WHERE { ?s service:load ?o } # SERVICE <http://x/> {}",
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> { }''' }",
])
def test_the_words_in_names_strings_and_comments_are_not_keywords(text):
    from pvd_kg.store.sparql import check

    assert check(text).form == "select"


def test_syntax_errors_name_the_line_and_column_of_the_users_text(libercourt):
    text = "SELECT ?c WHERE {\n  ?c a pvd:Commune .\n  FILTER(?c = ) }"
    with pytest.raises(QueryError) as refused:
        queries.run(text, libercourt)  # pvd: comes from the known prefixes, not pasted lines
    assert "line 3, column 3" in one_line(refused.value)
    with pytest.raises(QueryError, match="line 1, column 6"):
        libercourt.query("ASK {")
    from pvd_kg.store.sparql import check

    with pytest.raises(QueryError, match="line 3, column 15"):
        check("PREFIX a: <urn:x:>\nDROP ALL ;\nINSERT DATA { <urn:a> <urn:b> }", updates=True)


# -- every entry point -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    path = tmp_path_factory.mktemp("guard") / "store"
    build_store(path, curated=False, graphs={LIBERCOURT_G: GRAPH_DIR / "libercourt.ttl", SMALL_G: SMALL})
    store = EmbeddedStore(path, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def two_graphs() -> MemoryStore:
    ds = Dataset()
    ds.graph(iris.graph("libercourt")).parse(GRAPH_DIR / "libercourt.ttl", format="turtle")
    ds.graph(iris.graph("small-programme")).parse(SMALL, format="turtle")
    return MemoryStore.from_dataset(ds)


def test_library_and_every_backend_refuse_without_a_connection(listener, two_graphs, embedded):
    from pvd_kg.analysis.common import select

    endpoint = EndpointStore(listener.url + "sparql")  # any request it sent would reach the listener
    before = listener.settled()
    for text in hostile_queries(listener.url):
        entries = {
            "queries.run": lambda: queries.run(text, two_graphs),
            "queries.run embedded": lambda: queries.run(text, embedded, timeout=10),
            "MemoryStore.query": lambda: two_graphs.query(text),
            "EmbeddedStore.query": lambda: embedded.query(text),
            "EmbeddedStore.query in the worker": lambda: embedded.query(text, timeout=10),
            "EndpointStore.query": lambda: endpoint.query(text),
            "analysis": lambda: select(two_graphs, text),
        }
        for name, entry in entries.items():
            with pytest.raises(QueryError) as refused:
                entry()
            one_line(refused.value)
    for text in hostile_updates(listener.url):
        with pytest.raises(QueryError):
            endpoint.update(text) if "LOAD" in text.upper() or "SERVICE" in text else endpoint.query(text)
    assert listener.settled() == before


def test_cli_query_refuses_with_one_line_and_exit_2(listener, tmp_path):
    store = build_store(tmp_path / "store", curated=False, graphs={LIBERCOURT_G: GRAPH_DIR / "libercourt.ttl"})
    before = listener.settled()
    for text in hostile_queries(listener.url) + hostile_updates(listener.url):
        result = CliRunner().invoke(cli, ["query", text, "--store", str(store)])
        assert result.exit_code == 2, (text, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    rq = tmp_path / "bad.rq"
    rq.write_text("# title: bad\nSELECT * WHERE {\n  ?s ?p ?o . FILTER( }\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pvd_kg.cli", "query", str(rq), "--store", str(store)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert f"{rq}:3:" in result.stderr and "syntax error" in result.stderr
    assert listener.settled() == before


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("guard-serve")
    store = build_store(root / "store", curated=False,
                        graphs={LIBERCOURT_G: GRAPH_DIR / "libercourt.ttl", SMALL_G: SMALL})
    with running_server(store, "--allow-update", "--update-token", TOKEN, log_dir=root) as srv:
        yield srv


def test_serve_refuses_with_a_4xx_and_no_connection(listener, server):
    before = listener.settled()
    json = {"Accept": "application/json"}
    for text in hostile_queries(listener.url):
        for r in (requests.get(server("/sparql"), params={"query": text}, headers=json, timeout=30),
                  requests.post(server("/sparql"), data={"query": text}, headers=json, timeout=30),
                  requests.post(server("/sparql"), data=text.encode(), timeout=30,
                                headers={**json, "Content-Type": "application/sparql-query"})):
            assert 400 <= r.status_code < 500, (text, r.status_code, r.text)
            assert "\n" not in r.json()["error"]
    auth = {**json, "Authorization": f"Bearer {TOKEN}"}
    for text in hostile_updates(listener.url):
        if "LOAD" not in text.upper() and "SERVICE" not in text:
            continue
        for r in (requests.post(server("/sparql"), data={"update": text}, headers=auth, timeout=30),
                  requests.post(server("/sparql"), data=text.encode(), timeout=30,
                                headers={**auth, "Content-Type": "application/sparql-update"})):
            assert r.status_code == 400, (text, r.status_code, r.text)
        r = requests.post(server("/sparql"), data={"query": text}, headers=json, timeout=30)
        assert r.status_code == 400 and "update" in r.json()["error"]
    r = requests.post(server("/sparql"), data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
                      params={"using-graph-uri": "urn:g> } ; LOAD <" + listener.url}, headers=auth, timeout=30)
    assert r.status_code == 400
    assert listener.settled() == before


# -- FROM and FROM NAMED ---------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
NAMED = "SELECT DISTINCT ?g {} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


def _count(store, dataset="", **kwargs) -> int:
    return int(store.query(COUNT.format(dataset), **kwargs).rows[0][0])


def _named(store, dataset="", **kwargs) -> set[str]:
    return {str(g) for (g,) in store.query(NAMED.format(dataset), **kwargs).rows}


@pytest.mark.parametrize("timeout", [None, 10])
def test_from_selects_the_stored_graphs(two_graphs, embedded, tmp_path, listener, timeout):
    rdf = tmp_path / "x.ttl"
    rdf.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    sizes = two_graphs.graph_sizes()
    assert sizes[LIBERCOURT_G] and sizes[SMALL_G]
    before = listener.settled()
    for store in (two_graphs, embedded):
        kwargs = {"timeout": timeout} if store is embedded else {}
        assert _count(store, **kwargs) == sizes[LIBERCOURT_G] + sizes[SMALL_G]
        assert _count(store, f"FROM <{SMALL_G}>", **kwargs) == sizes[SMALL_G]
        assert _count(store, f"FROM <{SMALL_G}> FROM <{LIBERCOURT_G}>", **kwargs) == sum(sizes.values())
        assert _count(store, "FROM <https://w3id.org/pvd-kg/graph/not-stored>", **kwargs) == 0
        assert _count(store, f"FROM <{rdf.as_uri()}>", **kwargs) == 0  # a file is never read
        assert _count(store, f"FROM <{listener.url}x.ttl>", **kwargs) == 0
        assert _count(store, f"FROM NAMED <{SMALL_G}>", **kwargs) == 0  # empty default graph
        assert _named(store, f"FROM NAMED <{SMALL_G}>", **kwargs) == {SMALL_G}
        assert _named(store, f"FROM <{SMALL_G}>", **kwargs) == set()  # no named graphs
        assert _named(store, **kwargs) == {SMALL_G, LIBERCOURT_G}
        prefixed = f"PREFIX g: <{SMALL_G[:-len('small-programme')]}> SELECT (COUNT(*) AS ?n) FROM g:small-programme {{ ?s ?p ?o }}"
        assert int(store.query(prefixed, **kwargs).rows[0][0]) == sizes[SMALL_G]
    assert listener.settled() == before


def test_from_on_the_endpoint_backend(tmp_path, listener):
    """An Oxigraph server with a union default graph ignores FROM in the text; the store sends the
    dataset as protocol parameters too, so FROM selects there as well."""
    from oxigraph_server import oxigraph_server

    build_store(tmp_path / "store", curated=False, graphs={LIBERCOURT_G: GRAPH_DIR / "libercourt.ttl", SMALL_G: SMALL})
    with oxigraph_server(tmp_path / "store") as base:
        store = EndpointStore(base + "/query")
        sizes = store.graph_sizes()
        before = listener.settled()
        assert _count(store) == sum(sizes.values())
        assert _count(store, f"FROM <{SMALL_G}>") == sizes[SMALL_G]
        assert _count(store, "FROM <https://w3id.org/pvd-kg/graph/not-stored>") == 0
        assert _count(store, f"FROM <{listener.url}x>") == 0
        assert _count(store, f"FROM NAMED <{SMALL_G}>") == 0
        assert _named(store, f"FROM NAMED <{SMALL_G}>") == {SMALL_G}
        assert _named(store, f"FROM <{SMALL_G}>") == set()
        assert listener.settled() == before


def test_from_and_dataset_parameters_on_serve(server, listener):
    def count(query, **params):
        r = requests.get(server("/sparql"), params={"query": query, **params},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    before = listener.settled()
    everything = count(COUNT.format(""))
    small = count(COUNT.format(f"FROM <{SMALL_G}>"))
    assert 0 < small < everything
    assert count(COUNT.format("FROM <https://w3id.org/pvd-kg/graph/not-stored>")) == 0
    assert count(COUNT.format(f"FROM <{listener.url}x>")) == 0
    assert count(COUNT.format("FROM <file:///etc/passwd>")) == 0
    # the protocol's dataset wins over the query's
    assert count(COUNT.format(f"FROM <{SMALL_G}>"), **{"default-graph-uri": LIBERCOURT_G}) == everything - small
    assert count(COUNT.format(""), **{"named-graph-uri": SMALL_G}) == 0
    assert listener.settled() == before


# -- property: random texts never crash the check and never let SERVICE or an update through ---

_LISTENER = Listener()
_U = _LISTENER.url
SEPARATORS = st.sampled_from([" ", "", "", "", "\n", "\t", " # c\n", " # c\r", " #\n", "#", "\r\n", "\r", "\u00a0",
                              "\\u0020"])
SERVICE_WORDS = st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "service silent",
                                 "\\u0053ERVICE", "SERV\\u0049CE", "SERVICE$u"])
TARGETS = st.sampled_from([f"<{_U}sparql>", ":sparql", ":", "s:x", "<sparql>", "?u", "$u",
                           f"<\\u0068ttp://127.0.0.1:{_LISTENER.port}/>", "<file:///etc/passwd>"])
TRIPLE = st.sampled_from(["?s ?p ?o", "?s ?p \"a\\u0022\"", "?s ?p 'x'", "?s ?p \"\"\"x\n\"\"\"",
                          f"VALUES ?u {{ <{_U}> }}", "?s ?p ?o ."])


@st.composite
def service_blocks(draw):
    return draw(SERVICE_WORDS) + draw(SEPARATORS) + draw(TARGETS) + draw(SEPARATORS) + "{ ?s ?p ?o }"


def _wrap(inner):
    return st.one_of(
        st.builds(lambda x, y: f"{x} {y}", inner, inner),
        inner.map(lambda x: f"OPTIONAL {{ {x} }}"),
        st.builds(lambda x, y: f"{{ {x} }} UNION {{ {y} }}", inner, inner),
        inner.map(lambda x: f"MINUS {{ {x} }}"),
        inner.map(lambda x: f"FILTER NOT EXISTS {{ {x} }}"),
        inner.map(lambda x: f"BIND(EXISTS {{ {x} }} AS ?b)"),
        inner.map(lambda x: f"{{ SELECT * {{ {x} }} }}"),
    )


PATTERNS = st.recursive(st.one_of(TRIPLE, service_blocks()), _wrap, max_leaves=4)
PROLOGUES = st.sampled_from([f"PREFIX : <{_U}> PREFIX s: <{_U}>\n", f"BASE <{_U}> PREFIX : <{_U}> PREFIX s: <{_U}>\n",
                             "", "PREFIX : <urn:x:> "])
QUERIES = st.builds(lambda pro, form, sep, body: f"{pro}{form}{sep}{{ {body} }}", PROLOGUES,
                    st.sampled_from(["SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o } WHERE", "SELECT * WHERE",
                                     "DESCRIBE ?s WHERE", "select distinct ?s"]),
                    SEPARATORS, PATTERNS)
UPDATES = st.builds(lambda pro, op: pro + op, PROLOGUES, st.sampled_from([
    f"LOAD <{_U}x>", "LOAD:file", "LOAD s:x", "load silent <file:///etc/passwd>", "CLEAR ALL", "DROP DEFAULT",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }", "CREATE GRAPH <urn:g>",
    "COPY DEFAULT TO <urn:g>", "MOVE DEFAULT TO <urn:g>", "ADD DEFAULT TO <urn:g>",
    f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{_U}> {{ ?s ?p ?o }} }}"]))


@st.composite
def mutated(draw, texts):
    """A text with a random fragment cut, doubled or inserted somewhere."""
    text = draw(texts)
    if not draw(st.booleans()):
        return text
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, min(len(text), i + 12)))
    noise = draw(st.text(st.sampled_from(list("{}<>\"'#?$:;.\\\r\n u0053ERVICELOAD")), max_size=8))
    return text[:i] + draw(st.sampled_from([noise, text[i:j] * 2, ""])) + text[j:]


def _oracle_store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"), ox.NamedNode("urn:g")))
    return store


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=mutated(st.one_of(QUERIES, UPDATES)), updates=st.booleans())
def test_random_texts_never_crash_and_never_reach_out(text, updates):
    from pvd_kg.store.sparql import check

    try:
        checked = check(text, updates=updates)
    except QueryError as exc:
        assert "\n" not in str(exc)
        return
    assert updates or checked.form != "update"
    # pyoxigraph is the judge: what passed must not connect when pyoxigraph runs it
    before = _LISTENER.settled()
    store = _oracle_store()
    try:
        if checked.form == "update":
            store.update(text)
        else:
            answer = store.query(text, use_default_graph_as_union=True)
            if not isinstance(answer, ox.QueryBoolean):
                list(answer)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    if not updates:  # a text accepted as a query is never an update pyoxigraph would run
        with pytest.raises(SyntaxError):
            store.update(text)
    assert _LISTENER.settled() == before, text
