"""pvd_kg.dates: the two date shapes the ANCT lists use, and nothing else."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest

from pvd_kg.dates import parse_date
from pvd_kg.errors import SourceDataError

DATA = Path(__file__).parent / "data" / "fetch"


def _dates(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [(row["insee_com"], row["date_signature"]) for row in csv.DictReader(fh)]


def test_both_fixture_variants_give_the_same_days():
    iso, dmy = _dates("pvd_iso.csv"), _dates("pvd_dmy.csv")
    assert [code for code, _ in iso] == [code for code, _ in dmy]
    read_iso = [parse_date(d) for _, d in iso if d]
    read_dmy = [parse_date(d) for _, d in dmy if d]
    assert read_iso == read_dmy and len(read_iso) == 19  # 3 of the 22 rows have no date
    assert dict(iso)["01033"] == "2021-03-12" and dict(dmy)["01033"] == "12/03/2021"
    assert parse_date(dict(dmy)["01033"]) == datetime.date(2021, 3, 12)


@pytest.mark.parametrize("text", ["12-03-2021", "2021/03/12", "2021-3-12", "12/3/2021", "03/2021",
                                  "12 mars 2021", "", "2021-03-12T00:00", "31/02/2021", "2021-13-01"])
def test_other_shapes_and_impossible_days_are_refused(text):
    with pytest.raises(SourceDataError) as info:
        parse_date(text)
    assert repr(text) in str(info.value)
