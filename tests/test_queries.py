"""The question catalog (pvd_kg/queries.py, queries/*.rq): the loader, parameters, and the real
answer of every catalog query on the curated Libercourt graph (plus a second commune)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from pvd_kg import iris, queries
from pvd_kg.cli import cli
from pvd_kg.errors import InputError, QueryError, UnknownQuery
from pvd_kg.graph import curated_dataset, parse_turtle
from pvd_kg.paths import GRAPH_DIR, QUERIES_DIR
from pvd_kg.store import MemoryStore
from pvd_kg.vocab import PVD

DATA = Path(__file__).parent / "data"
ACT, OP_SIGNING = iris.convention("ort", "62907"), iris.signing("ort", "62907")  # the convention-cadre valant ORT
ATTENDEES = ["raffy", "pilch", "bonnot", "cornillon", "cottigny"]

REQUIRED = {
    "who-signed-what", "who-was-present", "commune-timeline", "commune-axes", "convention-parties",
    "officials-by-organisation", "communes-by-departement", "communes-by-epci", "communes-by-region",
    "statement-sources", "programme-aims", "inferred-values", "conventions-by-kind",
}


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    """Ontology + the curated graphs of graph/ (Libercourt; the press graphs: store_press)."""
    return MemoryStore.from_dataset(curated_dataset(press=False))


@pytest.fixture(scope="module")
def built_store(whole_ox_store) -> MemoryStore:
    """The whole build (population figures, table rows) in an in-memory store, shared: read only."""
    return MemoryStore(whole_ox_store)


@pytest.fixture(scope="module")
def store2() -> MemoryStore:
    """Ontology + curated graphs of graph/ + a second commune (Belley, 01034)."""
    ds = curated_dataset(press=False)
    parse_turtle(DATA / "belley.ttl", ds.graph(iris.graph("test-belley")))
    return MemoryStore.from_dataset(ds)


# What the ingest adds to Libercourt's signings from the ANCT and ORT lists: the same events,
# dated to the day (anct-pvd-2026 line 1128: 2021-07-23; dgaln-ort-2024 line 132: 2023-01-18).
OVERLAP = """
@base <https://w3id.org/pvd-kg/id/> .
@prefix pvd: <https://w3id.org/pvd-kg/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<signing/adhesion/62907> pvd:date "2021-07-23"^^xsd:date .
<signing/ort/62907> pvd:date "2023-01-18"^^xsd:date .
"""


@pytest.fixture(scope="module")
def store_overlap() -> MemoryStore:
    ds = curated_dataset(press=False)
    ds.graph(iris.graph("test-overlap")).parse(data=OVERLAP, format="turtle")
    return MemoryStore.from_dataset(ds)


@pytest.fixture(scope="module")
def store_twice() -> MemoryStore:
    """The curated graph loaded a second time into another named graph: in the full graph the
    same triple often sits in several source graphs, and the union default graph keeps each copy."""
    ds = curated_dataset(press=False)
    parse_turtle(GRAPH_DIR / "libercourt.ttl", ds.graph(iris.graph("test-copy")))
    return MemoryStore.from_dataset(ds)


def rows(store, name, **params):
    return queries.run(name, store, params).dicts()


def person(surname):
    return iris.person("62907", surname)


# --- the catalog and its loader ------------------------------------------------------------

def test_catalog_holds_the_required_questions_each_tested_here():
    names = set(queries.names())
    assert REQUIRED <= names
    assert len(names) >= 12
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    for name in names:
        test = f"test_{name.replace('-', '_')}"
        assert f"def {test}(" in tests, f"no test {test} in tests/ for queries/{name}.rq (see queries/README.md)"


def test_every_catalog_entry_has_metadata_and_renders():
    for q in queries.catalog():
        assert q.title and q.description, q.name
        assert q.path == QUERIES_DIR / f"{q.name}.rq"
        if any(p.required for p in q.params):
            continue
        text = queries.render(q)
        assert "$" not in text.split("WHERE", 1)[1], q.name  # every parameter substituted
        for p in q.params:
            assert p.description, (q.name, p.name)


def test_answers_do_not_change_when_a_triple_sits_in_two_graphs(store, store_twice):
    assert len(store_twice) > len(store)
    for q in queries.catalog():
        if any(p.required for p in q.params):
            continue
        once, twice = queries.run(q.name, store), queries.run(q.name, store_twice)
        # a column of named graphs (``?dateGraphs``) rightly lists the copy's graph too
        keep = [i for i, v in enumerate(once.variables) if not v.endswith("Graphs")]
        assert [[r[i] for i in keep] for r in twice.rows] == [[r[i] for i in keep] for r in once.rows], q.name
        assert once.variables == twice.variables


def test_readme_documents_every_param_type():
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    for ptype in queries.PARAM_TYPES:
        assert f"| `{ptype}` |" in readme


def test_unknown_name_lists_the_known_ones(store):
    with pytest.raises(UnknownQuery) as info:
        queries.run("who-signed-everything", store)
    assert "who-signed-what" in info.value.hint
    with pytest.raises(UnknownQuery):
        queries.get("../etc/passwd")


def test_bad_and_undeclared_params_are_input_errors(store):
    with pytest.raises(InputError, match="commune"):
        queries.render("commune-axes", {"commune": '62907> } ; DROP ALL ; #'})
    with pytest.raises(InputError, match="no parameter"):
        queries.render("commune-axes", {"departement": "62"})
    with pytest.raises(InputError, match="lang"):
        queries.render("commune-axes", {"lang": 'fr") || true || ("'})
    with pytest.raises(InputError):
        queries.render("communes-by-departement", {"programme": "pvd acv"})


def test_required_param_must_be_given(store):
    q = queries.parse_query("# title: T\n# param: code:insee -- a code\nASK { ?c igeo:codeINSEE $code }")
    assert q.params[0].required
    with pytest.raises(InputError, match="needs parameter 'code'"):
        queries.render(q)
    assert queries.run(queries.render(q, {"code": "62907"}), store).boolean is True
    assert queries.run(queries.render(q, {"code": "62908"}), store).boolean is False


def test_string_params_are_escaped_not_pasted(store):
    hostile = 'x" } } ; DROP ALL ; SELECT * { ?s ?p "'
    q = queries.parse_query("# title: Echo\n# param: text = a\nSELECT ?v WHERE { BIND($text AS ?v) }")
    result = queries.run(queries.render(q, {"text": hostile}), store)
    assert [str(v) for v in result.values("v")] == [hostile]
    assert len(store) > 1000  # nothing dropped


def test_substitution_skips_strings_iris_comments_and_question_variables():
    text = 'SELECT ?commune { ?x ?p $commune ; ?q "$commune" ; ?r <urn:$commune> } # $commune\n'
    out = queries.substitute(text, {"commune": "<urn:c>"})
    assert out == 'SELECT ?commune { ?x ?p <urn:c> ; ?q "$commune" ; ?r <urn:$commune> } # $commune\n'
    assert queries.substitute("FILTER(?a < $n && ?b > 1)", {"n": "3"}) == "FILTER(?a < 3 && ?b > 1)"


def test_malformed_headers_are_query_errors():
    with pytest.raises(QueryError, match="unknown header key"):
        queries.parse_query("# titel: typo\nASK {}")
    with pytest.raises(QueryError, match="unknown param type"):
        queries.parse_query("# title: T\n# param: x:colour = red\nASK {}")
    with pytest.raises(QueryError, match="bad default"):
        queries.parse_query("# title: T\n# param: c:commune = 999999\nASK {}")


def test_run_accepts_sparql_text_and_adds_missing_prefixes(store):
    result = queries.run("SELECT ?l WHERE { id:commune\\/62907 rdfs:label ?l }", store)
    assert result.values("l") == [Literal("Libercourt", lang="fr")]
    text = queries.with_prologue("PREFIX pvd: <urn:other#>\nASK {}")
    assert text.count("PREFIX pvd:") == 1 and "PREFIX skos:" in text


def test_cli_lists_the_catalog():
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 0, result.output
    for name in REQUIRED:
        assert name in result.output
    assert "--param commune=<commune> (default 62907)" in result.output
    as_json = CliRunner().invoke(cli, ["queries", "--json"])
    assert '"name": "who-signed-what"' in as_json.output


# --- the answers ---------------------------------------------------------------------------

def test_who_signed_what(store):
    answer = rows(store, "who-signed-what", commune="62907")
    by_convention = {r["convention"]: r for r in answer}
    assert len(answer) == 3
    # one act of two kinds: its signature under each kind, the same signing, signer and date
    assert [r["kind"] for r in answer if r["convention"] == ACT] == [PVD.ORTConvention, PVD.OperationalConvention]
    assert len({tuple(sorted((k, str(v)) for k, v in r.items() if k != "kind")) for r in answer
                if r["convention"] == ACT}) == 1
    op = by_convention[ACT]
    assert op["signing"] == OP_SIGNING
    assert op["signer"] == person("maciejasz")
    assert str(op["title"]) == "Maire"
    assert op["onBehalfOf"] == iris.commune("62907")
    # « Le 18 janvier » and « En janvier 2023 » are equally precise; the inference gives the day
    assert op["date"] == Literal("2023-01", datatype=XSD.gYearMonth)
    assert op["datatype"] == XSD.gYearMonth
    assert str(op["precision"]) == "month"
    assert op["inferred"] == Literal("2023-01-18", datatype=XSD.date)
    assert op["bestDate"] == Literal("2023-01-18", datatype=XSD.date)
    assert str(op["dateSource"]) == "inferred"
    assert "janvier 2023" in op["reason"] and op["reason"].language == "fr"
    adhesion = by_convention[iris.convention("adhesion", "62907")]
    assert adhesion["date"] == Literal("2021-07", datatype=XSD.gYearMonth)
    assert str(adhesion["precision"]) == "month" and str(adhesion["dateSource"]) == "stated"
    assert "signer" not in adhesion and "inferred" not in adhesion
    # the named graph that states the date: the curated graph alone, here
    assert {str(r["dateGraphs"]) for r in answer} == {str(iris.graph("libercourt"))}
    signers = {r.get("signer") for r in answer}
    assert not signers & {person(s) for s in ATTENDEES}
    english = rows(store, "who-signed-what", commune="62907", lang="en")
    assert any(r.get("reason", "").startswith("The article gives the day and month") for r in english)


def test_who_was_present(store):
    answer = rows(store, "who-was-present", commune="62907")
    assert [r["person"] for r in answer] == [person("maciejasz")] + [person(s) for s in ATTENDEES]
    assert str(answer[0]["participation"]) == "signed"
    assert {str(r["participation"]) for r in answer[1:]} == {"present"}
    assert [str(r["title"]) for r in answer[1:]] == [
        "Sous-Préfet de l’arrondissement de Lens", "Président de l'Agglo Hénin-Carvin",
        "Directrice territoriale de la Caisse des Dépôts et Consignations",
        "Directrice Générale adjointe du bailleur SIA Habitat", "Président de Pas-de-Calais Habitat"]
    assert [r["organisation"] for r in answer[1:]] == [
        iris.organisation("sous-prefecture-lens"), iris.epci("246200299"), iris.organisation("caisse-des-depots"),
        iris.organisation("sia-habitat"), iris.organisation("pas-de-calais-habitat")]
    assert answer[2]["roleLabel"] == Literal("Président", lang="fr")


def test_commune_timeline(store, store2):
    answer = rows(store, "commune-timeline")
    assert [str(r["bestDate"]) for r in answer] == ["2020-12", "2021", "2021-07", "2023-01-18", "2023-01-18"]
    assert [str(r["precision"]) for r in answer] == ["month", "year", "month", "month", "month"]
    # the convention-cadre valant ORT: one signing, in each of its two programmes
    assert [(r["event"], r["programme"]) for r in answer[-2:]] == [
        (OP_SIGNING, iris.programme("ort")), (OP_SIGNING, iris.programme("pvd"))]
    assert str(answer[-1]["dateSource"]) == "inferred"
    assert answer[0]["eventType"] == PVD.Selection and answer[2]["eventType"] == PVD.Signing
    belley = rows(store2, "commune-timeline", commune="01034")
    assert [(str(r["bestDate"]), str(r["precision"])) for r in belley] == [
        ("2020-05-04", "day"), ("2021-04-22", "day")]
    assert len(rows(store2, "commune-timeline")) == 5


def test_commune_axes(store, store2):
    answer = rows(store, "commune-axes")
    assert [int(r["order"]) for r in answer] == [1, 2, 3, 4, 5]
    assert [str(r["label"]) for r in answer] == [
        "Engager la reconquête de l’habitat pour développer une offre attractive en centre-ville",
        "Favoriser un développement économique et commercial équilibré",
        "Valoriser les formes urbaines, les patrimoines et le cadre de vie",
        "Favoriser le bien-vivre en centre-ville et conforter les services au public",
        "Qualifier le cadre de vie en engageant la transition énergétique et en renouvelant les mobilités",
    ]
    assert rows(store2, "commune-axes", commune="01034") == []


def test_convention_parties(store):
    answer = rows(store, "convention-parties", commune="62907")
    assert {r["convention"] for r in answer} == {iris.convention(k, "62907") for k in ("adhesion", "ort")}
    assert {r["kind"] for r in answer if r["convention"] == ACT} == {PVD.ORTConvention, PVD.OperationalConvention}
    assert {r["party"] for r in answer} == {iris.commune("62907")}  # attendees are not parties
    assert {r["status"] for r in answer} == {iris.concept("status", "signee")}
    remarks = {r["remark"] for r in answer if "remark" in r}
    assert len(remarks) == 1 and "partenaires non nommés" in remarks.pop()


def test_officials_by_organisation(store):
    answer = rows(store, "officials-by-organisation")
    assert len(answer) == 6
    holders = {r["organisation"]: (r["person"], str(r["titlesAsWritten"])) for r in answer}
    assert holders[iris.commune("62907")] == (person("maciejasz"), "Maire")
    assert holders[iris.organisation("sia-habitat")] == (
        person("cornillon"), "Directrice Générale adjointe du bailleur SIA Habitat")
    assert {str(r["honorific"]) for r in answer} == {"M.", "Mme"}
    labels = [str(r["organisationLabel"]) for r in answer]
    assert labels == sorted(labels)


def test_communes_by_departement(store, store2):
    assert [(str(r["code"]), str(r["label"]), int(r["communes"])) for r in rows(store, "communes-by-departement")] \
        == [("62", "Pas-de-Calais", 1)]
    assert [(str(r["code"]), int(r["communes"])) for r in rows(store2, "communes-by-departement")] \
        == [("01", 1), ("62", 1)]
    assert rows(store2, "communes-by-departement", programme="acv") == []


def test_communes_by_epci(store, store2):
    assert [(str(r["siren"]), str(r["label"]), int(r["communes"])) for r in rows(store, "communes-by-epci")] \
        == [("246200299", "CA d'Hénin-Carvin", 1)]
    assert [str(r["siren"]) for r in rows(store2, "communes-by-epci")] == ["200040350", "246200299"]


def test_communes_by_region(store, store2):
    assert [(str(r["code"]), str(r["label"]), int(r["communes"])) for r in rows(store, "communes-by-region")] \
        == [("32", "Hauts-de-France", 1)]
    assert [(str(r["code"]), int(r["communes"])) for r in rows(store2, "communes-by-region")] \
        == [("32", 1), ("84", 1)]


def test_statement_sources(store, store2):
    answer = rows(store, "statement-sources")
    nodes = {r["node"] for r in answer}
    assert len(nodes) == 44
    signature = [r for r in answer if r["node"] == iris.association(OP_SIGNING, "signature", 1)]
    assert signature and {str(r["sourceKind"]) for r in signature} == {"excerpt"}
    assert {int(r["position"]) for r in signature} == {3} and str(signature[0]["quote"]).startswith("Le 18 janvier")
    commune_rows = {int(r["line"]) for r in answer if r["node"] == iris.commune("62907") and "line" in r}
    assert commune_rows == {26338, 24742}
    # On a graph with another commune, each commune's answer keeps to its own nodes.
    assert {r["node"] for r in rows(store2, "statement-sources")} == nodes
    belley = {str(r["node"]) for r in rows(store2, "statement-sources", commune="01034")}
    assert belley and not any("62907" in n for n in belley)


def test_statement_sources_per_statement(store):
    # a node citing several sentences: each statement names its own (an rdf:Statement)
    answer = rows(store, "statement-sources")
    aims = {(str(r["value"])[:20], int(r["position"]), str(r["level"])) for r in answer
            if r["node"] == iris.programme("pvd") and r["property"] == PVD.aim}
    assert aims == {("améliorer les condit", 7, "statement"), ("renforcer les moyens", 8, "statement")}
    epci = {(int(r["line"]) if "line" in r else int(r["position"])) for r in answer
            if r["node"] == iris.commune("62907") and r["property"] == PVD.memberOfEPCI}
    assert epci == {2, 24742}
    code = [r for r in answer if r["node"] == iris.commune("62907") and str(r["property"]).endswith("codeINSEE")]
    assert [(int(r["line"]), str(r["level"])) for r in code] == [(26338, "statement")]
    # a statement of a node that cites one source: that source, level "node"
    signature = {(str(r["property"]).rsplit("#", 1)[1], str(r["level"])) for r in answer
                 if r["node"] == iris.association(OP_SIGNING, "signature", 1)}
    assert ("agent", "node") in signature and ("inPost", "node") in signature


def test_statement_sources_reach_the_population_figure(built_store):
    answer = rows(built_store, "statement-sources")
    figure = iris.population("anct-pvd-2021", "62907")
    assert {r["property"] for r in answer if r["node"] == figure} >= {PVD["count"]}
    (link,) = [r for r in answer if r["property"] == PVD.population and r["value"] == figure]
    # the commune cites no row of that list's graph: the statement's source is the list's file
    assert (str(link["level"]), link["source"]) == ("graph", iris.source("anct-pvd-2021"))


def test_programme_aims(store):
    answer = rows(store, "programme-aims")
    by_property = {}
    for r in answer:
        by_property.setdefault(r["property"], []).append(r["value"])
    assert by_property[PVD.populationCeiling] == [Literal(20000)]
    assert by_property[PVD.plannedEnd] == [Literal("2026", datatype=XSD.gYear)]
    assert len(by_property[PVD.aim]) == 2
    assert by_property[PVD.eligibility] == [Literal(
        "villes de moins de 20 000 habitants qui exercent des fonctions de centralité", lang="fr")]
    assert rows(store, "programme-aims", programme="acv") == []


def test_inferred_values(store):
    answer = rows(store, "inferred-values")
    assert len(answer) == 2  # one row per date the sources state beside the inferred one
    assert {row["stated"] for row in answer} == {Literal("--01-18", datatype=XSD.gMonthDay),
                                                 Literal("2023-01", datatype=XSD.gYearMonth)}
    row = answer[0]
    assert row["node"] == OP_SIGNING and row["property"] == PVD.date
    assert row["inferred"] == Literal("2023-01-18", datatype=XSD.date)
    sources = set(str(row["sources"]).split())
    assert str(iris.source_row("dgaln-ort-2024", 132)) in sources
    assert str(iris.excerpt("libercourt-convention-pvd-signee", 10)) in sources


def test_conventions_by_kind(store, store2):
    def counts(s):
        return {r["kind"]: (int(r["conventions"]), int(r["signedConventions"]), int(r["datedConventions"]))
                for r in rows(s, "conventions-by-kind")}

    assert counts(store) == {PVD.AdhesionConvention: (1, 1, 1), PVD.OperationalConvention: (1, 1, 1),
                             PVD.ORTConvention: (1, 1, 1), PVD.ACVConvention: (0, 0, 0),
                             PVD.Amendment: (0, 0, 0)}
    assert counts(store2)[PVD.AdhesionConvention] == (2, 2, 2)
    assert counts(store2)[PVD.ORTConvention] == (2, 2, 2)


def test_commune_selection(store, store2):
    answer = rows(store, "commune-selection")
    assert [(str(r["date"]), r["datatype"]) for r in answer] == [("2020-12", XSD.gYearMonth), ("2021", XSD.gYear)]
    assert answer[0]["qualifier"] == URIRef(iris.concept("qualifier", "moteur"))
    assert answer[0]["qualifiedBy"] == iris.organisation("etat")
    assert "ex bassin minier" in answer[0]["remark"]
    assert "qualifier" not in answer[1]
    belley = rows(store2, "commune-selection", commune="01034")
    assert [str(r["programmeId"]) for r in belley] == ["pvd-84-01-2"]


def test_dated_by_two_sources_the_most_precise_date_is_reported_once(store_overlap):
    signed = {r["signing"]: r for r in rows(store_overlap, "who-signed-what", commune="62907")}
    assert len(signed) == 2 and len(rows(store_overlap, "who-signed-what", commune="62907")) == 3
    adhesion = signed[iris.signing("adhesion", "62907")]
    assert adhesion["date"] == Literal("2021-07-23", datatype=XSD.date)
    assert str(adhesion["precision"]) == "day" and str(adhesion["dateSource"]) == "stated"
    assert str(adhesion["dateGraphs"]) == str(iris.graph("test-overlap"))
    # the convention-cadre valant ORT: the other graph's full day, over the article's partial dates
    assert signed[OP_SIGNING]["date"] == Literal("2023-01-18", datatype=XSD.date)
    assert str(signed[OP_SIGNING]["dateGraphs"]) == str(iris.graph("test-overlap"))
    selection = rows(store_overlap, "commune-selection")
    assert len(selection) == len({r["selection"] for r in selection})
    timeline = rows(store_overlap, "commune-timeline")
    assert [str(r["bestDate"]) for r in timeline] == ["2020-12", "2021", "2021-07-23", "2023-01-18", "2023-01-18"]
    assert [(r["event"], str(r["dateSource"])) for r in timeline][-2:] == [
        (OP_SIGNING, "stated"), (OP_SIGNING, "stated")]
