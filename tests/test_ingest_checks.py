"""pvd_kg/ingest/checks.py: mismatches across sources, reported on the row that makes the claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from pvd_kg.ingest import anct, checks, epci, insee
from pvd_kg.ingest.shipped import source_path
from pvd_kg.ingest.tables import Tally

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture(scope="module")
def cog():
    return insee.read_cog(source_path("insee-cog-2024"), Tally("insee-cog-2024", "cog"))


def test_epci_absent_from_reference(cog):
    t = Tally("anct-pvd-2021", "pvd2021_epci.csv")
    rows = anct.read_pvd_2021(DATA / "pvd2021_epci.csv", t, cog)
    ref = epci.read_epci_list(source_path("epci-list-2023"), Tally("epci-list-2023", "l"))
    members = epci.read_memberships(source_path("epci-com-2023"), Tally("epci-com-2023", "m"), set(rows))
    checks.epci_claims(rows, t, {c: (m.epci, m.line) for c, m in members.items()}, ref)
    assert [(i.line, i.value) for i in t.issues if i.code == "epci-not-in-reference"] == [(3, "200067221")]
    # Libercourt's EPCI agrees in name and SIREN: nothing reported for line 4
    assert not [i for i in t.issues if i.line == 4 and i.code.startswith("epci")]


def test_commune_in_one_list_and_not_the_other(cog):
    t_old, t_new = Tally("a", "old.csv"), Tally("b", "new.csv")
    old = anct.read_pvd_2026(DATA / "pvd2026_blank_date.csv", t_old, cog)
    new = anct.read_pvd_2026(DATA / "pvd2026_mixed_dates.csv", t_new, cog)
    checks.list_membership(old, new, t_old, t_new, "PVD")
    assert sorted(i.value for i in t_old.issues if i.code == "left-list") == ["62907", "81037"]
    assert [i.value for i in t_new.issues if i.code == "joined-list"] == ["01072"]
