"""The result writers against the W3C SPARQL 1.1 result-format tests (tests/data/w3c/sparql/,
see tests/data/README.md), read back by pyoxigraph's own result parsers; and ``pvd-kg query``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef

from pvd_kg.cli import cli
from pvd_kg.errors import UnknownFormat
from pvd_kg.load import load_files
from pvd_kg.results import serialize, serialize_solutions, to_table
from pvd_kg.store import MemoryStore, QueryResult

W3C = Path(__file__).parent / "data" / "w3c" / "sparql"  # shared with tests/test_serve_sparql_protocol.py
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
OX_FORMAT = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}


def _cases():
    out = []
    for suite in ("csv-tsv-res", "json-res"):
        folder = W3C / suite
        manifest = Graph().parse(folder / "manifest.ttl", format="turtle", publicID=folder.as_uri() + "/manifest.ttl")
        for test in manifest.subjects(MF.result, None):
            action = manifest.value(test, MF.action)
            query = Path(manifest.value(action, QT.query).replace("file://", ""))
            data = Path(manifest.value(action, QT.data).replace("file://", ""))
            result = Path(manifest.value(test, MF.result).replace("file://", ""))
            out.append(pytest.param(query, data, result, id=result.name))
    return sorted(out, key=lambda p: p.id)


def _answer(query: Path, data: Path) -> QueryResult:
    store = MemoryStore()
    store.ox.load(path=str(data), format=ox.RdfFormat.TURTLE, base_iri=data.as_uri())
    return store.query(query.read_text(encoding="utf-8"))


def _bnode(value: str) -> str:
    return "_:" if value.startswith("_:") else value


def _rows_ox(text: str, fmt: str):
    """Variables and solutions (as sets of bindings: column order is not part of the answer)."""
    solutions = ox.parse_query_results(text.encode("utf-8"), OX_FORMAT[fmt])
    if isinstance(solutions, ox.QueryBoolean):
        return bool(solutions)
    names = [v.value for v in solutions.variables]
    rows = sorted((sorted((n, _bnode(str(s[n]))) for n in names if s[n] is not None) for s in solutions), key=str)
    return set(names), rows


def _rows_csv(text: str):
    rows = list(csv.reader(io.StringIO(text)))
    names = rows[0]
    body = sorted((sorted((n, _bnode(v)) for n, v in zip(names, r) if v != "") for r in rows[1:]), key=str)
    return set(names), body


# Documented in docs/conformance.md: the Oxigraph store keeps xsd numeric literals by value, so
# the data's "1.0E6"^^xsd:double comes back as "1000000.0" (the writers are not at fault).
EXPECTED_FAILURES = {"csvtsv03.csv", "csvtsv03.tsv"}


@pytest.mark.parametrize("query,data,expected", _cases())
def test_w3c_result_format(query, data, expected):
    answer = _answer(query, data)
    fmt = {".csv": "csv", ".tsv": "tsv", ".srj": "json"}[expected.suffix]
    ours = serialize_solutions(answer, fmt)
    wanted = expected.read_text(encoding="utf-8")
    same = _rows_csv(ours) == _rows_csv(wanted) if fmt == "csv" else _rows_ox(ours, fmt) == _rows_ox(wanted, fmt)
    assert same is (expected.name not in EXPECTED_FAILURES)
    if fmt == "csv":
        assert ours.endswith("\r\n")


def test_cases_were_found():
    assert len(_cases()) == 10


SAMPLE = QueryResult("select", ["s", "v"], [
    (URIRef("http://example.org/a"), Literal("Hénin\t\"x\"\n", lang="fr")),
    (URIRef("http://example.org/b"), Literal(42)),
    (URIRef("http://example.org/c"), None),
    (URIRef("http://example.org/d"), Literal("<b>&amp;</b>")),
])


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_formats_agree_with_each_other(fmt):
    assert _rows_ox(serialize_solutions(SAMPLE, fmt), fmt) == _rows_ox(serialize_solutions(SAMPLE, "json"), "json")


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_ask(fmt):
    text = serialize_solutions(QueryResult("ask", boolean=True), fmt)
    assert "true" in text
    if fmt != "csv":
        assert bool(ox.parse_query_results(text.encode(), OX_FORMAT[fmt])) is True


def test_table_and_unknown_format():
    table = to_table(SAMPLE)
    assert table.splitlines()[0].split() == ["s", "v"]
    assert "42" in table
    with pytest.raises(UnknownFormat):
        serialize_solutions(SAMPLE, "yaml")


def test_construct_in_rdf_formats():
    answer = QueryResult("graph", triples=[(URIRef("http://example.org/a"), URIRef("http://example.org/p"),
                                            Literal("x", lang="fr"))])
    for fmt, name in (("turtle", "turtle"), ("jsonld", "json-ld"), ("rdfxml", "xml"), ("nt", "nt")):
        g = Graph().parse(data=serialize(answer, fmt), format=name)
        assert set(g) == set(answer.triples)


# --- pvd-kg query -----------------------------------------------------------------------

@pytest.fixture
def store_dir(tmp_path):
    from pvd_kg.store.embedded import EmbeddedStore
    from test_load import CONFORMING, G

    with EmbeddedStore(tmp_path / "store") as store:
        load_files(store, [CONFORMING], graph=G)
    return str(tmp_path / "store")


def run(*args):
    return CliRunner().invoke(cli, ["query", *args])


def test_query_inline_table_and_json(store_dir):
    q = "SELECT ?l WHERE { <https://w3id.org/pvd-kg/id/commune/62907> rdfs:label ?l }"
    table = run(q, "--store", store_dir)
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[2] == "Libercourt"  # the plain value: the tag stays in the W3C formats
    doc = json.loads(run(q, "--format", "json", "--store", store_dir).stdout)
    assert doc["results"]["bindings"][0]["l"] == {"type": "literal", "value": "Libercourt", "xml:lang": "fr"}


def test_query_catalog_name_with_param(store_dir):
    result = run("commune-selection", "--param", "commune=62907", "--format", "csv", "--store", store_dir)
    assert result.exit_code == 0, result.output
    assert "https://w3id.org/pvd-kg/id/selection/pvd/62907" in result.stdout


def test_query_file(store_dir, tmp_path):
    rq = tmp_path / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a pvd:Commune }\n")
    result = run(str(rq), "--format", "tsv", "--store", store_dir)
    assert result.stdout.splitlines() == ["?n", "1"]  # Turtle's short form, as pyoxigraph and the server write it


def test_query_limit_says_truncated(store_dir):
    result = run("SELECT * WHERE { ?s ?p ?o }", "--limit", "2", "--format", "csv", "--store", store_dir)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 3
    assert "truncated at 2 rows" in result.stderr


def test_query_construct_as_turtle(store_dir):
    result = run("CONSTRUCT WHERE { ?s a pvd:Commune }", "--format", "turtle", "--store", store_dir)
    g = Graph().parse(data=result.stdout, format="turtle")
    assert len(g) == 1


def test_query_timeout_kills_a_runaway(store_dir):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"
    result = run(runaway, "--timeout", "1", "--store", store_dir)
    assert result.exit_code == 2
    assert "stopped" in result.stderr


@pytest.mark.parametrize("text", ["SELECT * WHERE { SERVICE <http://dbpedia.org/sparql> { ?s ?p ?o } }",
                                  "select * where { service <http://127.0.0.1:1/> { ?s ?p ?o } }"])
def test_query_service_refused(store_dir, text):
    result = run(text, "--store", store_dir)
    assert result.exit_code == 2
    assert "SERVICE would send a request to another host" in result.stderr


def test_query_update_refused(store_dir):
    result = run("DELETE WHERE { ?s ?p ?o }", "--store", store_dir)
    assert result.exit_code == 2 and "update" in result.stderr


def test_query_bad_syntax_is_one_line(store_dir):
    result = run("SELECT ?s WHERE { ?s ?p }", "--store", store_dir)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1


# --- one writer: pyoxigraph's bytes, the query's columns, tables that paste back -----------

TRICKY = ['plain', 'a "quoted" <b>&amp;</b>', "Hénin-Beaumont ✓ 𝄞", "back\\slash", "ctl\x01\x08\x0c\x1f\x7f",
          "line\u2028sep", "x, y", "'single'"]
WHITESPACE = ["tab\there", "line\nfeed", "carriage\rreturn"]


def _tricky_store(texts) -> MemoryStore:
    store = MemoryStore()
    s, p = ox.NamedNode("https://w3id.org/pvd-kg/id/commune/62907"), ox.NamedNode("http://example.org/p")
    g = ox.NamedNode("https://w3id.org/pvd-kg/graph/t")
    objects = [ox.Literal(t) for t in texts] + [ox.Literal(t, language="fr") for t in texts] + [
        ox.Literal("229", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("-1.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ox.Literal("1.5E3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")),
        ox.Literal("1500", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")),
        ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
        ox.Literal("2019-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ox.NamedNode("http://example.org/a?b=c&d"), ox.BlankNode("b1")]
    store.ox.extend(ox.Quad(s, p, o, g) for o in objects)
    return store


ROWS_QUERY = "SELECT ?o ?s ?unbound WHERE { ?s ?p ?o } ORDER BY STR(?o)"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_solutions_are_the_bytes_pyoxigraph_writes(fmt):
    """Where pyoxigraph's own serialiser applies (no spreadsheet-unsafe cell; for XML, no TAB, LF
    or CR, which this writer keeps as character references), the one writer gives its bytes."""
    texts = TRICKY + WHITESPACE if fmt != "xml" else [t for t in TRICKY if not t.startswith("ctl")]
    store = _tricky_store(texts)
    ours = serialize_solutions(store.query(ROWS_QUERY), fmt).encode("utf-8")
    theirs = store.ox.query(ROWS_QUERY, use_default_graph_as_union=True).serialize(
        format=getattr(ox.QueryResultsFormat, fmt.upper()))
    assert ours == theirs


def test_xml_keeps_whitespace_pyoxigraph_would_lose():
    store = _tricky_store(WHITESPACE)
    ours = serialize_solutions(store.query(ROWS_QUERY), "xml").encode("utf-8")
    values = {str(s["o"].value) for s in ox.parse_query_results(ours, ox.QueryResultsFormat.XML)}
    assert set(WHITESPACE) <= values


def test_answers_keep_pyoxigraph_terms_and_give_rdflib_on_request():
    answer = _tricky_store(["x"]).query("SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o LIMIT 1")
    assert all(isinstance(t, (ox.NamedNode, ox.Literal, ox.BlankNode)) for t in answer.terms[0])
    assert answer.rows[0] == (URIRef("https://w3id.org/pvd-kg/id/commune/62907"),
                              Literal("-1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
    assert answer.dicts()[0]["s"] == URIRef("https://w3id.org/pvd-kg/id/commune/62907")


def test_select_star_keeps_the_query_order(store_dir):
    q = "SELECT * WHERE { ?thing rdfs:label ?label ; a ?class }"
    table = run(q, "--store", store_dir)
    assert table.output.split("\n", 1)[0].split() == ["thing", "label", "class"]
    assert run(q, "--format", "csv", "--store", store_dir).stdout.splitlines()[0] == "thing,label,class"
    doc = json.loads(run(q, "--format", "json", "--store", store_dir).stdout)
    assert doc["head"]["vars"] == ["thing", "label", "class"]


def test_table_shows_plain_values():
    answer = MemoryStore().query('SELECT ?region ?n WHERE { BIND("Occitanie"@fr AS ?region) BIND(229 AS ?n) }')
    assert to_table(answer).splitlines()[2].split() == ["Occitanie", "229"]
    assert '"229"^^' not in to_table(answer) and "@fr" not in to_table(answer)


def test_table_names_paste_back_into_a_query(store_dir):
    table = run("SELECT ?c ?class WHERE { ?c a pvd:Commune ; a ?class }", "--store", store_dir)
    commune, cls = table.output.splitlines()[2].split()
    assert cls == "pvd:Commune"
    again = run(f"SELECT ?l WHERE {{ {commune} a {cls} ; rdfs:label ?l }}", "--format", "csv", "--store", store_dir)
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[1] == "Libercourt"


def test_turtle_writes_whole_iris_that_parse_back(store_dir, tmp_path):
    construct = run("CONSTRUCT WHERE { ?s a pvd:Commune ; rdfs:label ?l }", "--format", "turtle", "--store", store_dir)
    assert "\\/" not in construct.stdout and "<https://w3id.org/pvd-kg/id/commune/62907>" in construct.stdout
    nt = run("CONSTRUCT WHERE { ?s a pvd:Commune ; rdfs:label ?l }", "--format", "nt", "--store", store_dir)
    assert set(Graph().parse(data=construct.stdout, format="turtle")) == set(Graph().parse(data=nt.stdout, format="nt"))
    out = tmp_path / "all.ttl"
    exported = CliRunner().invoke(cli, ["export", "--format", "turtle", "-o", str(out), "--store", store_dir])
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8")
    assert "\\/" not in text and "pvd:Commune" in text
