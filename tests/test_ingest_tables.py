"""pvd_kg/ingest/tables.py: CSV records with their physical line, refusals, and the tally."""

from __future__ import annotations

from pathlib import Path

import pytest

from pvd_kg.errors import SourceDataError
from pvd_kg.ingest.tables import Record, Tally, read_csv, read_rows

DATA = Path(__file__).parent / "data" / "ingest"


def test_physical_lines_survive_a_multiline_field():
    # Brest (line 2), Libercourt (3), then Bourges whose remark spans 3 physical lines
    records = list(read_csv(DATA / "ort_multiline_remark.csv", required=("Code commune",), multiline=("Remarques",)))
    assert [(r.line, r["Code commune"]) for r in records] == [(2, "29019"), (3, "62907"), (4, "18033")]
    assert "\n" in records[2]["Remarques"]


def test_read_rows_gives_the_same_lines_and_values():
    rows = list(read_rows(DATA / "ort_multiline_remark.csv", ("Code commune", "Signée ?"), multiline=("Remarques",)))
    assert rows == [(2, "29019", "Signée"), (3, "62907", "Signée"), (4, "18033", "Signée")]
    one = list(read_rows(DATA / "epci_com_no_epci.csv", ("com_code",), delimiter=";"))
    assert one == [(2, "23001"), (3, "62907"), (4, "85113")]


def test_semicolon_file_needs_its_delimiter():
    with pytest.raises(SourceDataError, match="missing column"):
        list(read_csv(DATA / "epci_com_no_epci.csv", required=("com_code",)))
    assert [r["com_code"] for r in read_csv(DATA / "epci_com_no_epci.csv", delimiter=";")] == [
        "23001", "62907", "85113"]


def test_refuses_html_and_non_utf8(tmp_path):
    html = tmp_path / "page.csv"
    html.write_text("<!DOCTYPE html><html><body>Not found</body></html>\n")
    with pytest.raises(SourceDataError, match="HTML"):
        list(read_csv(html))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("insee_com,lib_com\n01033,Valserhône\n".encode("latin-1"))
    with pytest.raises(SourceDataError, match="not UTF-8"):
        list(read_csv(latin))
    with pytest.raises(SourceDataError, match="cannot open"):
        list(read_csv(tmp_path / "missing.csv"))


def test_tally_counts_rows_not_issues():
    t = Tally("k", "f.csv")
    rec = Record("f.csv", 5, {"a": "1", "b": "2"})
    t.warn(rec, "one", "b", "2", "x")
    t.warn(rec, "two", "a", "1", "y")
    t.reject(Record("f.csv", 6, {}), "bad", code="z")
    s = t.summary()
    assert (s["warned"], s["rejected"], s["issues"]["warning"], s["issues"]["error"]) == (1, 1, 2, 1)
    assert t.issues[0].column == 2 and t.issues[0].line == 5
    assert t.issues[2].message.endswith("(row rejected)")
