"""The press graphs (graph/press/*.ttl, hand-read reports of signings) and the questions that answer
for the whole programme when no commune is given (who-signed-what, who-was-present,
convention-parties), and the co-signature network drawn from every curated event."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV

from pvd_kg import iris, queries
from pvd_kg.analysis.networks import cosignature_network
from pvd_kg.errors import QueryError
from pvd_kg.graph import curated_dataset, curated_files, parse_turtle
from pvd_kg.paths import GRAPH_DIR, PRESS_DIR
from pvd_kg.store import MemoryStore
from pvd_kg.validate import validate
from pvd_kg.vocab import PVD

PRESS_FILES = sorted(PRESS_DIR.glob("*.ttl"))


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    """Ontology + every curated graph: Libercourt and the press graphs."""
    return MemoryStore.from_dataset(curated_dataset())


@pytest.fixture(scope="module")
def curated() -> Graph:
    """The curated files as rdflib parses them, independently of the store and the queries."""
    g = Graph()
    for path in [GRAPH_DIR / "libercourt.ttl", *PRESS_FILES]:
        parse_turtle(path, g)
    return g


def rows(store, name, **params):
    return queries.run(name, store, params).dicts()


def test_press_graphs_are_loaded_and_validate():
    assert len(PRESS_FILES) >= 10
    assert set(PRESS_FILES) <= set(curated_files())
    report = validate(curated_dataset())
    assert not report.errors, [str(i) for i in report.errors[:5]]


def test_press_graphs_cite_their_pages_in_our_words():
    for path in PRESS_FILES:
        g = parse_turtle(path)
        pages = set(g.subjects(DCTERMS.title, None))
        assert len(pages) == 1, path.name
        page = next(iter(pages))
        # every signing is derived from a paraphrase of this page, never from a quoted excerpt
        for signing in g.subjects(PVD.signed, None):
            docs = {g.value(s, DCTERMS.isPartOf) for s in g.objects(signing, PROV.wasDerivedFrom)}
            assert page in docs, (path.name, signing)
        assert not list(g.subjects(PVD.quote, None)), path.name
        assert f"<{page}>" in (PRESS_DIR / "README.md").read_text(encoding="utf-8"), page


def test_who_signed_what_without_commune_lists_every_curated_event(store, curated):
    answer = rows(store, "who-signed-what")
    expected = set(curated.subjects(PVD.signed, None))
    assert len(expected) >= 40
    assert {r["signing"] for r in answer} == expected
    # every signature of the curated files, with its person, on its signing's rows
    for signing in expected:
        signers = {curated.value(s, PVD.agent) for s in curated.objects(signing, PVD.signature)}
        assert {r["signer"] for r in answer if r["signing"] == signing and "signer" in r} == signers, signing
    # sorted by date (the best date's text never goes down), the undated signings last
    dates = [str(r["bestDate"]) for r in answer if "bestDate" in r]
    assert dates == sorted(dates) and all("bestDate" not in r for r in answer[len(dates):])
    assert str(iris.signing("adhesion", "67434")) in {str(r["signing"]) for r in answer[len(dates):]}
    # each row names its commune and the document(s) it comes from
    by_signing = {r["signing"]: r for r in answer}
    bayonne = by_signing[iris.signing("adhesion", "64260")]
    assert str(bayonne["date"]) == "2021-05-21" and bayonne["concerns"] == iris.commune("64260")
    assert "https://www.pyrenees-atlantiques.gouv.fr/" in str(bayonne["sources"])
    spitz = iris.person("64256", "Eric SPITZ")
    stand_in = [r for r in answer if r["signing"] == iris.signing("adhesion", "64260") and r.get("represents") == spitz]
    assert [str(r["title"]) for r in stand_in] == ["Sous-préfet de Bayonne"]
    # a year-less date completed by inference, as for Libercourt
    gers = by_signing[iris.signing("ort", "32256")]
    assert str(gers["precision"]) == "day and month, year not stated"
    assert str(gers["bestDate"]) == "2023-02-28" and str(gers["dateSource"]) == "inferred"


def test_who_signed_what_with_a_commune_still_answers_for_it_alone(store):
    hendaye = rows(store, "who-signed-what", commune="64260")
    assert {r["concerns"] for r in hendaye} == {iris.commune("64260")}
    assert {r["signing"] for r in hendaye} == {iris.signing("adhesion", "64260")}
    assert len({r["signer"] for r in hendaye}) == 8
    libercourt = rows(store, "who-signed-what", commune="62907")
    assert len(libercourt) == 3


def test_who_was_present_and_convention_parties_without_commune(store, curated):
    present = rows(store, "who-was-present")
    associations = {(s, curated.value(a, PVD.agent)) for p in (PVD.signature, PVD.attendance)
                    for s, a in curated.subject_objects(p)}
    assert {(r["signing"], r["person"]) for r in present} == associations
    dated = [r["signingDate"] for r in present if "signingDate" in r]
    assert [str(d) for d in dated] == sorted(str(d) for d in dated)
    roussel = [r for r in present if str(r.get("title")) == "Sous-Préfète de Soissons"]
    assert {str(r["participation"]) for r in roussel} == {"present"}
    parties = rows(store, "convention-parties")
    assert {(r["convention"], r["party"]) for r in parties} == set(curated.subject_objects(PVD.party))
    sarre_union = {r["party"] for r in parties if r["convention"] == iris.convention("adhesion", "67434")}
    assert len(sarre_union) >= 10 and iris.organisation("anah") in sarre_union
    # a convention document read in a copy: the ORT text of Condé-en-Normandie names five parties
    conde = {r["party"] for r in parties if r["convention"] == iris.convention("ort", "14174")}
    assert conde == {iris.commune("14174"), iris.epci("200068799"), iris.organisation("prefecture-14"),
                     iris.organisation("region-normandie"), iris.organisation("cd-14")}
    # a framework agreement with its parties and no signing: listed all the same
    lamentin = {r["party"] for r in parties if r["convention"] == iris.convention("operationnelle", "97115")}
    assert lamentin == {iris.commune("97115"), iris.epci("249710062"), iris.organisation("prefecture-971")}
    assert rows(store, "convention-parties", commune="62907") == rows(
        MemoryStore.from_dataset(curated_dataset(press=False)), "convention-parties", commune="62907")


def test_cosignature_network_draws_from_every_curated_event(store):
    import networkx as nx

    g = cosignature_network(store, actors="people")
    # people of several events: Libercourt's mayor, the Manche prefect, the Pays basque stand-in
    for person in (iris.person("62907", "Maciejasz"), iris.person("50099", "Frédéric PERISSAT"),
                   iris.person("64256", "Philippe LE MOING-SURZUR")):
        assert str(person) in g
    assert g.number_of_nodes() > 30
    # the separate ceremonies are separate components; the Libercourt clique alone was 6 people
    assert nx.number_connected_components(g) >= 5
    assert g.has_edge(str(iris.person("50099", "Frédéric PERISSAT")), str(iris.person("50099", "Sylvain HUE")))


def test_an_optional_param_is_a_free_variable_when_not_given():
    q = queries.parse_query("# title: T\n# param: commune:commune? -- c\nSELECT ?x WHERE { ?x pvd:concerns $commune }")
    assert q.params[0].optional and not q.params[0].required
    assert "pvd:concerns ?commune" in queries.render(q)
    assert "pvd:concerns <https://w3id.org/pvd-kg/id/commune/62907>" in queries.render(q, {"commune": "62907"})
    with pytest.raises(QueryError):
        queries.parse_query("# title: T\n# param: commune:commune? = 62907\nSELECT * {}")
    assert re.search(r"--param commune=<commune> \(optional\)", queries.catalog_text())
