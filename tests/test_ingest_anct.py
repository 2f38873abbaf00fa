"""pvd_kg/ingest/anct.py: the PVD 2021, PVD 2026 and ACV readers, on real rows and on one fixture
per known oddity (tests/data/README.md, section ingest/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pvd_kg import iris
from pvd_kg.ingest import anct, insee
from pvd_kg.ingest.emit import GraphOut
from pvd_kg.ingest.shipped import source_path
from pvd_kg.ingest.tables import Tally
from pvd_kg.vocab import FOAF, PVD

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture(scope="module")
def cog():
    return insee.read_cog(source_path("insee-cog-2024"), Tally("insee-cog-2024", "cog"))


def codes(tally, code):
    return [(i.line, i.field, i.value) for i in tally.issues if i.code == code]


def read(reader, name, cog, key="anct-pvd-2021"):
    tally = Tally(key, name)
    return reader(DATA / name, tally, cog), tally


def test_placeholder_row_is_rejected_and_real_rows_kept(cog):
    rows, t = read(anct.read_pvd_2021, "pvd2021_placeholder.csv", cog)
    assert sorted(rows) == ["23001", "50003", "78003"]
    assert (t.read, t.rejected) == (4, 1)
    assert codes(t, "invalid-insee") == [(5, "insee_com", "999999")]
    assert codes(t, "empty-id") == [(3, "id_pvd", "")]  # Agon-Coutainville has no id_pvd
    assert rows["78003"].programme_id == "pvd-11-78-1" and rows["78003"].population == 3439


def test_contacts_are_dropped_and_never_repeated(cog):
    rows, t = read(anct.read_pvd_2021, "pvd2021_contacts.csv", cog)
    dropped = [i for i in t.issues if i.code == "contact-dropped"]
    assert [(i.line, i.field, i.value) for i in dropped] == [(4, "site_mairie", None), (5, "site_mairie", None)]
    assert all("@" not in str(i) for i in t.issues)
    assert codes(t, "not-a-url") == [(6, "site_mairie", "Bienvenue sur le site de Condé-en-Normandie (condenormandie.fr)")]
    assert all(r.homepage is None for r in rows.values())
    # first names only ("Josette", "Gérard", "Jean-François"): reported, no person published
    assert sorted(v for _, _, v in codes(t, "partial-name")) == ["Gérard", "Jean-François", "Josette"]
    assert rows["50003"].mayor == "Christian DUTERTRE" and rows["27103"].mayor is None


def test_population_above_ceiling_is_kept_with_a_warning(cog):
    rows, t = read(anct.read_pvd_2021, "pvd2021_population.csv", cog)
    assert sorted(v for _, _, v in codes(t, "population-above-ceiling")) == ["20622", "22150"]
    assert rows["85047"].population == 20622 and len(rows) == 3


def test_2021_emission_mayor_population_and_renumbered_id(cog):
    rows, t = read(anct.read_pvd_2021, "pvd2021_contacts.csv", cog)
    out = GraphOut("anct-pvd-2021")
    anct.emit_pvd_2021(rows, out, t, cog, {"78003": "pvd-11-78-9"})
    triples = set(out.triples)
    person = iris.person("50003", "Christian DUTERTRE")
    assert (person, FOAF.familyName, anct.string("DUTERTRE")) in triples
    assert (person, FOAF.givenName, anct.string("Christian")) in triples
    assert (iris.commune("78003"), PVD.population, iris.population("anct-pvd-2021", "78003")) in triples
    assert not any(p == PVD.programmeId and s == iris.selection("pvd", "78003") for s, p, _ in triples)
    assert codes(t, "id-renumbered") == [(2, "id_pvd", "pvd-11-78-1")]
    # the person published is only the one whose family name the source marks
    assert {s for s, p, o in triples if p == FOAF.name} == {person, iris.person("14174", "Valérie DESQUESNE")}


def test_2026_blank_date_no_signing(cog):
    rows, t = read(anct.read_pvd_2026, "pvd2026_blank_date.csv", cog)
    assert rows["62907"].date == dt.date(2021, 7, 23)
    assert rows["81037"].date is None and codes(t, "blank-date") == [(5, "date_signature", "")]
    out = GraphOut("anct-pvd-2026")
    anct.emit_pvd_2026(rows, out, t, cog)
    signed = {s for s, p, o in out.triples if p == PVD.signed}
    assert iris.signing("adhesion", "62907") in signed and iris.signing("adhesion", "81037") not in signed
    assert codes(t, "label-from-elsewhere") == [(5, "label_source", "cog2024")]


def test_2026_mixed_date_formats_read_as_the_same_day(cog):
    rows, t = read(anct.read_pvd_2026, "pvd2026_mixed_dates.csv", cog)
    assert rows["01072"].date == dt.date(2022, 1, 27)
    assert codes(t, "mixed-date-formats") == [(4, "date_signature", "27/01/2022")]


def test_2026_duplicate_row_rejected(cog):
    rows, t = read(anct.read_pvd_2026, "pvd2026_duplicate.csv", cog)
    assert len(rows) == 2 and t.rejected == 1
    assert codes(t, "duplicate-row") == [(4, "insee_com", "01034")]


def test_2026_code_merged_before_cog_2024_rejected(cog):
    rows, t = read(anct.read_pvd_2026, "pvd2026_merged_code.csv", cog)
    assert "08294" not in rows and t.rejected == 1
    [issue] = [i for i in t.issues if i.code == "not-in-cog"]
    assert "commune déléguée of 08053" in issue.message and issue.line == 4


def test_2026_na_identifier_is_missing_not_an_identifier(cog):
    rows, t = read(anct.read_pvd_2026, "pvd2026_na_id.csv", cog)
    assert rows["01034"].programme_id is None
    assert codes(t, "empty-id") == [(3, "id_pvd", "NA")]


def test_acv_mojibake_repaired_loudly_and_blank_date(cog):
    rows, t = read(anct.read_acv, "acv_mojibake_blank_date.csv", cog)
    assert rows["61001"].label == "Alençon"
    assert codes(t, "mojibake") == [(4, "lib_acv", "AlenÃ§on")]
    assert codes(t, "blank-date") == [(5, "date_signature", "")]
    assert rows["80001"].date == dt.date(2018, 9, 28)
