"""pvd_kg/diff.py and `pvd-kg diff`: the two real PVD lists (2021, 2026) compared by INSEE code."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.diff import diff_lists
from pvd_kg.errors import InputError
from pvd_kg.ingest.shipped import source_path

OLD, NEW = source_path("anct-pvd-2021"), source_path("anct-pvd-2026")
DATA = Path(__file__).parent / "data" / "ingest"


def codes(path):
    with open(path, encoding="utf-8", newline="") as f:
        return {r["insee_com"] for r in csv.DictReader(f)}


def test_real_lists():
    d = diff_lists(OLD, NEW)
    # SOURCES.md says 19 communes of 2021 are no longer listed: one of them is the placeholder
    # row 999999 "Trifouilly-les-Oies", so 18 real communes left, and the placeholder is skipped
    assert len(codes(OLD) - codes(NEW)) == 19
    assert len(d.removed) == 18 and [s["value"] for s in d.skipped] == ["999999"]
    assert "999999" not in {r["insee"] for r in d.removed}
    assert len(d.added) == len(codes(NEW) - codes(OLD)) == 58
    assert d.fields == ["id_pvd", "lib_com", "date_signature"]
    names = {r["insee"]: r["changes"]["lib_com"] for r in d.changed if "lib_com" in r["changes"]}
    assert names["62447"] == ["Hesdin", "Hesdin-la-Forêt"] and len(names) == 10


def test_same_day_in_two_formats_is_no_change():
    d = diff_lists(DATA / "pvd2026_blank_date.csv", DATA / "pvd2026_mixed_dates.csv", fields=["date_signature"])
    assert d.changed == [] and [r["insee"] for r in d.added] == ["01072"]
    assert sorted(r["insee"] for r in d.removed) == ["62907", "81037"]


def test_cli_text_and_json():
    runner = CliRunner()
    res = runner.invoke(cli, ["diff", str(OLD), str(NEW), "--field", "lib_com"])
    assert res.exit_code == 0 and "added 58, removed 18, changed 10, skipped 1" in res.output
    assert "~ 62447 lib_com: 'Hesdin' -> 'Hesdin-la-Forêt'" in res.output
    res = runner.invoke(cli, ["diff", str(OLD), str(NEW), "--format", "json"])
    assert json.loads(res.output)["counts"]["removed"] == 18
    res = runner.invoke(cli, ["diff", str(OLD), str(NEW), "--field", "pop"])
    assert res.exit_code != 0 and "not in both files" in res.output


def test_unknown_key_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="no INSEE code column"):
        diff_lists(p, p)
