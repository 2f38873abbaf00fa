"""The programme questions of the catalog (queries/*.rq written for the ingested data), run on
the whole built graph; expected answers computed from the CSV files with the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pyoxigraph as ox
import pytest

from pvd_kg import iris, queries
from pvd_kg.ingest.shipped import source_path
from pvd_kg.store import MemoryStore

INSEE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$|^97[1-8][0-9]{2}$")


def rows(key):
    with open(source_path(key), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def store(whole_nquads):
    st = ox.Store()  # its own: a test adds a graph for a while
    st.bulk_load(whole_nquads, ox.RdfFormat.N_QUADS)
    return MemoryStore(st)


def answer(store, name, **params):
    return queries.run(name, store, params).dicts()


def test_left_pvd_list(store):
    old = {r["insee_com"] for r in rows("anct-pvd-2021") if INSEE.match(r["insee_com"])}
    new = {r["insee_com"] for r in rows("anct-pvd-2026")}
    got = answer(store, "left-pvd-list")
    assert [str(r["insee"]) for r in got] == sorted(old - new)
    assert len(got) == 18 and all(int(r["line"]) > 1 for r in got)


def adhesion_and_ort():
    adh = {r["insee_com"]: dt.date.fromisoformat(r["date_signature"]) for r in rows("anct-pvd-2026")
           if r["date_signature"]}
    ort = {r["Code commune"]: dt.date.fromisoformat(r["Si signée, date de signature"]) for r in rows("dgaln-ort-2024")
           if r["Signée ?"] == "Signée" and r["Si signée, date de signature"]}
    return adh, ort


def test_adhesion_to_ort_delay(store):
    adh, ort = adhesion_and_ort()
    listed = answer(store, "adhesion-to-ort-delay")
    got = {str(r["insee"]): int(r["months"]) for r in listed}
    assert len(listed) == len(got), "one row per commune (Libercourt's code and name sit in two graphs)"
    both = set(adh) & set(ort)
    assert set(got) == both
    a, o = adh["62907"], ort["62907"]  # Libercourt: 2021-07-23 -> 2023-01-18
    assert got["62907"] == (o.year - a.year) * 12 + o.month - a.month - (o.day < a.day) == 17


def test_adhesion_to_ort_distribution(store):
    adh, ort = adhesion_and_ort()
    dist = {int(r["years"]): int(r["communes"]) for r in answer(store, "adhesion-to-ort-distribution")}
    months = [(ort[c].year - adh[c].year) * 12 + ort[c].month - adh[c].month - (ort[c].day < adh[c].day)
              for c in set(adh) & set(ort)]
    expected = {}
    for m in months:
        expected[m // 12] = expected.get(m // 12, 0) + 1
    assert dist == expected


def test_adhesion_without_signed_ort(store):
    adh, _ = adhesion_and_ort()
    signed = {r["Code commune"] for r in rows("dgaln-ort-2024") if r["Signée ?"] == "Signée"}
    got = {str(r["insee"]) for r in answer(store, "adhesion-without-signed-ort")}
    assert got == set(adh) - signed


def test_pvd_and_acv(store):
    # the two programmes are disjoint in these lists: the answer is empty, and so is the CSV intersection
    both = {r["insee_com"] for r in rows("anct-pvd-2026")} & {r["insee_com"] for r in rows("anct-acv-2024")}
    assert answer(store, "pvd-and-acv") == [] and both == set()


def test_pvd_and_acv_finds_a_commune_in_both(store):
    # the real lists share no commune: make Libercourt an ACV town too, in a graph of its own
    acv = """PREFIX pvd: <https://w3id.org/pvd-kg/def#>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    INSERT DATA { GRAPH <urn:test:acv> {
      <https://w3id.org/pvd-kg/id/commune/62907> pvd:inProgramme <https://w3id.org/pvd-kg/id/programme/acv> .
      <urn:test:sel> pvd:commune <https://w3id.org/pvd-kg/id/commune/62907> ;
          pvd:programme <https://w3id.org/pvd-kg/id/programme/acv> ; pvd:programmeId "acv-999" .
      <urn:test:conv> a pvd:ACVConvention ; pvd:concerns <https://w3id.org/pvd-kg/id/commune/62907> .
      <urn:test:signing> pvd:signed <urn:test:conv> ; pvd:date "2018"^^xsd:gYear , "2018-09-28"^^xsd:date .
    } }"""
    store.ox.update(acv)
    try:
        got = answer(store, "pvd-and-acv")
    finally:
        store.ox.update("DROP GRAPH <urn:test:acv>")
    pvd_id = next(r["id_pvd"] for r in rows("anct-pvd-2026") if r["insee_com"] == "62907")
    assert [(str(r["insee"]), str(r["pvdId"]), str(r["acvId"]), str(r["adhesionDate"]), str(r["acvDate"]))
            for r in got] == [("62907", pvd_id, "acv-999", "2021-07-23", "2018-09-28")]
    assert answer(store, "pvd-and-acv") == []


def test_pvd_coverage(store):
    got = answer(store, "pvd-coverage")
    old = {r["insee_com"] for r in rows("anct-pvd-2021") if INSEE.match(r["insee_com"])}
    new = {r["insee_com"] for r in rows("anct-pvd-2026")}
    assert sum(int(r["communes"]) for r in got) == len(old | new)
    pas_de_calais = next(r for r in got if str(r["departementCode"]) == "62")
    expected = {c for c in old | new if c.startswith("62")}
    assert int(pas_de_calais["communes"]) == len(expected) and str(pas_de_calais["region"]) == "Hauts-de-France"


def test_who_signed_what_on_the_full_build(store):
    # one signing per convention: the article's "juillet 2021" and the 2026 list's 2021-07-23 are two
    # dates of the same event, each in its source's graph; the most precise one is reported
    got = answer(store, "who-signed-what", commune="62907")
    # two signings: the adhesion, and the convention-cadre valant ORT under each of its two kinds
    assert len(got) == 3 and len({r["signing"] for r in got}) == 2
    by_kind = {str(r["kind"]).rsplit("#", 1)[1]: r for r in got}
    adhesion, ort = by_kind["AdhesionConvention"], by_kind["ORTConvention"]
    assert (str(adhesion["date"]), str(adhesion["precision"])) == ("2021-07-23", "day")
    assert str(adhesion["dateGraphs"]) == "https://w3id.org/pvd-kg/graph/anct-pvd-2026"
    assert (str(ort["date"]), str(ort["dateGraphs"])) == ("2023-01-18", "https://w3id.org/pvd-kg/graph/dgaln-ort-2024")
    # who signed what, and when: the mayor, for the commune, the one act of both kinds, 2023-01-18
    for kind in ("ORTConvention", "OperationalConvention"):
        row = by_kind[kind]
        assert (row["signer"], row["onBehalfOf"], row["convention"]) == (
            iris.person("62907", "maciejasz"), iris.commune("62907"), iris.convention("ort", "62907"))
        assert (str(row["bestDate"]), str(row["dateSource"])) == ("2023-01-18", "stated")
    # without a commune: every signing of the build (tables, Libercourt, press pages), by date
    whole = answer(store, "who-signed-what")
    signings = {r["signing"] for r in whole}
    n = store.query(queries.with_prologue("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s pvd:signed ?c . ?c pvd:concerns ?x }"))
    assert len(signings) == int(n.dicts()[0]["n"]) > 1600
    dates = [str(r["bestDate"]) for r in whole if "bestDate" in r]
    assert dates == sorted(dates) and all("bestDate" not in r for r in whole[len(dates):])
    # a press page and the 2026 list date the same event: one signing, two graphs, its eight signers
    hendaye = [r for r in whole if r["signing"] == iris.signing("adhesion", "64260")]
    assert len(hendaye) == 8 and {str(r["date"]) for r in hendaye} == {"2021-05-21"}
    assert set(str(hendaye[0]["dateGraphs"]).split()) == {
        str(iris.graph("anct-pvd-2026")), str(iris.graph("press-pyrenees-atlantiques-gouv-adhesion-pays-basque"))}
    timeline = answer(store, "commune-timeline")
    assert [str(r["bestDate"]) for r in timeline] == ["2020-12", "2021", "2021-07-23", "2023-01-18", "2023-01-18"]
