"""pvd_kg/ingest/ort.py: the ORT table reader, on real rows, one fixture per oddity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pvd_kg import iris
from pvd_kg.ingest import checks, insee, ort
from pvd_kg.ingest.anct import ListRow
from pvd_kg.ingest.emit import GraphOut
from pvd_kg.ingest.emit import date as date_literal
from pvd_kg.ingest.shipped import source_path
from pvd_kg.ingest.tables import Tally
from pvd_kg.vocab import PVD

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture(scope="module")
def cog():
    return insee.read_cog(source_path("insee-cog-2024"), Tally("insee-cog-2024", "cog"))


def read(name, cog):
    t = Tally("dgaln-ort-2024", name)
    return ort.read_ort(DATA / name, t, cog), t


def codes(t):
    return sorted({i.code for i in t.issues})


def test_libercourt_row(cog):
    rows, t = read("ort_blank_status.csv", cog)
    lib = rows["62907"]
    assert (lib.line, lib.status, lib.date, lib.duration, lib.end, lib.remark) == (
        3, "signee", dt.date(2023, 1, 18), None, None, "Commune PVD")
    out = GraphOut("dgaln-ort-2024")
    ort.emit_ort({"62907": lib}, out, t, cog)
    sig = iris.signing("ort", "62907")
    assert (sig, PVD.date, date_literal(dt.date(2023, 1, 18))) in set(out.triples)


def test_blank_status(cog):
    rows, t = read("ort_blank_status.csv", cog)
    assert rows["08377"].status is None
    assert [(i.line, i.code) for i in t.issues if i.code == "blank-status"] == [(4, "blank-status")]
    out = GraphOut("dgaln-ort-2024")
    ort.emit_ort(rows, out, t, cog)
    conv = iris.convention("ort", "08377")
    assert not any(s == conv and p == PVD.status for s, p, _ in out.triples)


def test_signed_without_date_gets_a_remark(cog):
    rows, t = read("ort_signed_without_date.csv", cog)
    assert "signed-without-date" in codes(t)
    out = GraphOut("dgaln-ort-2024")
    ort.emit_ort(rows, out, t, cog)
    sig = iris.signing("ort", "77296")
    assert any(s == sig and p == PVD.remark for s, p, _ in out.triples)
    assert not any(s == sig and p == PVD.date for s, p, _ in out.triples)


def test_date_without_signed_status_is_not_a_signing(cog):
    rows, t = read("ort_date_without_signed_status.csv", cog)
    assert "date-without-signed-status" in codes(t)
    out = GraphOut("dgaln-ort-2024")
    ort.emit_ort(rows, out, t, cog)
    assert iris.signing("ort", "09306") not in {s for s, _, _ in out.triples}
    assert (iris.convention("ort", "09306"), PVD.status, iris.concept("status", "non-signee")) in set(out.triples)


def test_zero_duration_not_published(cog):
    rows, t = read("ort_multiline_remark.csv", cog)
    assert rows["29019"].duration is None  # Brest: "0"
    assert any(i.code == "zero-duration" and i.line == 2 for i in t.issues)
    assert "\n" in rows["18033"].remark and rows["18033"].line == 4


def test_flags_and_remark_dates_checked_against_the_lists(cog):
    rows, t = read("ort_flag_mismatch.csv", cog)
    checks.ort_flags(rows, t, pvd={"62907": ListRow(1, "62907", "Libercourt")}, acv={})
    assert [(i.line, i.field) for i in t.issues if i.code == "flag-mismatch"] == [(4, "ACV")]
    rows, t = read("ort_remark_date_disagrees.csv", cog)
    listed = ListRow(1, "18057", "Châteaumeillant", date=dt.date(2021, 7, 9))
    checks.ort_remark_dates(rows, t, {"18057": listed})
    [issue] = [i for i in t.issues if i.code == "date-disagrees"]
    assert issue.line == 4 and "2021-07-09" in issue.message
