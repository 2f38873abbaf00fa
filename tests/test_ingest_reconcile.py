"""pvd_kg/ingest/reconcile.py: the curated Libercourt graph against the programme data."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from pvd_kg import iris, paths
from pvd_kg.graph import parse_turtle
from pvd_kg.ingest.build import ingest
from pvd_kg.ingest.reconcile import reconcile
from pvd_kg.vocab import PVD, RDFS

CURATED = paths.GRAPH_DIR / "libercourt.ttl"


@pytest.fixture(scope="module")
def result():
    return ingest()


def test_the_list_dates_the_curated_signing_itself(result):
    # one event, two sources: the 2026 list's date goes on the curated signing's IRI, in its own graph
    adhesion = iris.signing("adhesion", "62907")
    dated = [(s, o) for s, p, o in result.outputs["anct-pvd-2026"].triples if p == PVD.date and "62907" in s]
    assert dated == [(adhesion, Literal("2021-07-23", datatype=XSD.date))]
    assert not [s for out in result.outputs.values() for s, _, _ in out.triples if str(s).endswith("/62907/2")]


def test_libercourt_agrees_with_the_lists(result):
    issues = reconcile(parse_turtle(CURATED), result, "graph/libercourt.ttl")
    assert not [i for i in issues if i.code == "reconcile-contradicts"]
    dates = {(i.value, i.message.split(": ")[-1].split(" ")[0]) for i in issues if i.field == "pvd:date"}
    # "juillet 2021" vs the 2026 list; "18 janvier" (and its inferred 2023-01-18) and
    # "janvier 2023" vs the ORT table
    assert dates == {("2021-07", "2021-07-23"), ("--01-18", "2023-01-18"), ("2023-01-18", "2023-01-18"),
                     ("2023-01", "2023-01-18")}
    epci = [i for i in issues if i.field == "rdfs:label" and "epci/246200299" in i.message]
    assert len(epci) == 1 and "CA d'Hénin-Carvin" in epci[0].message and "Agglo Hénin-Carvin" in epci[0].value
    assert any(i.field == "pvd:memberOfEPCI" and "com_epci_dep_reg_2023.csv:24742" in i.message for i in issues)


def test_only_names_a_source_states_are_compared(result):
    # the ingest composes a convention's label from the commune's name: agreeing with it is no check
    issues = reconcile(parse_turtle(CURATED), result, "graph/libercourt.ttl")
    named = sorted(i.message.split(" ")[0].rsplit("/id/", 1)[1] for i in issues if i.field == "rdfs:label")
    assert named == ["arrondissement/627", "commune/62907", "departement/62", "epci/246200299", "region/32"]


def test_a_contradiction_is_a_warning(result):
    curated = parse_turtle(CURATED)
    signing = iris.signing("adhesion", "62907")
    curated.set((signing, PVD.date, Literal("2021-08", datatype=XSD.gYearMonth)))
    curated.remove((iris.epci("246200299"), None, None))
    curated.add((iris.epci("246200299"), RDFS.label, Literal("CA de Lens-Liévin", lang="fr")))
    issues = reconcile(curated, result, "x.ttl")
    bad = sorted((i.field, i.value) for i in issues if i.code == "reconcile-contradicts")
    assert bad == [("pvd:date", "2021-08"), ("rdfs:label", "CA de Lens-Liévin")]
    assert all(i.severity == "warning" for i in issues if i.code == "reconcile-contradicts")


def test_press_pages_agree_or_are_reported(result):
    # the Pays basque page dates the adhesions as the 2026 list does: agreement, no contradiction
    basque = reconcile(parse_turtle(paths.PRESS_DIR / "pyrenees-atlantiques-gouv-adhesion-pays-basque.ttl"), result, "x")
    assert not [i for i in basque if i.code == "reconcile-contradicts"]
    assert [i.value for i in basque if i.field == "pvd:date" and "signing/adhesion/64260" in i.message] == ["2021-05-21"]
    # Le Journal toulousain dates the Haute-Garonne ceremony 5 July, the list 2021-06-08: reported,
    # and kept as a second signing of the same convention (never merged onto the list's node)
    toulouse = reconcile(parse_turtle(paths.PRESS_DIR / "lejournaltoulousain-haute-garonne-18-communes.ttl"),
                         result, "x")
    contradicts = {i.message.split(" ")[0] for i in toulouse if i.code == "reconcile-contradicts"}
    assert str(iris.signing("adhesion", "31020", 2)) in contradicts and len(contradicts) == 18
