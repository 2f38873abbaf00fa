"""pvd_kg/ingest/epci.py: EPCI membership (`;`-separated) and the EPCI list."""

from __future__ import annotations

from pathlib import Path

from pvd_kg import iris
from pvd_kg.ingest import epci
from pvd_kg.ingest.emit import GraphOut
from pvd_kg.ingest.tables import Tally
from pvd_kg.vocab import PVD

DATA = Path(__file__).parent / "data" / "ingest"


def test_memberships_island_without_epci():
    t = Tally("epci-com-2023", "epci_com_no_epci.csv")
    found = epci.read_memberships(DATA / "epci_com_no_epci.csv", t, {"62907", "85113", "01033"})
    assert found["62907"].epci == "246200299" and found["62907"].line == 3
    assert found["85113"].epci == epci.NO_EPCI
    assert [(i.code, i.line) for i in t.issues] == [("no-epci", 4), ("missing-from-reference", None)]
    out = GraphOut("epci-com-2023")
    epci.emit_memberships(found, out, t)
    assert (iris.commune("62907"), PVD.memberOfEPCI, iris.epci("246200299")) in set(out.triples)
    assert not any(s == iris.commune("85113") and p == PVD.memberOfEPCI for s, p, _ in out.triples)


def test_epci_list_sans_objet_is_not_an_epci():
    t = Tally("epci-list-2023", "epci_list_sans_objet.csv")
    found = epci.read_epci_list(DATA / "epci_list_sans_objet.csv", t)
    assert sorted(found) == ["200067189", "246200299"] and t.rejected == 1
    lib = found["246200299"]
    assert (lib.label, lib.form, lib.departements) == ("CA d'Hénin-Carvin", "ca", ("Pas-de-Calais",))
    out = GraphOut("epci-list-2023")
    epci.emit_epcis(found, {"246200299"}, out, t, {"Pas-de-Calais": "62"})
    assert (iris.epci("246200299"), PVD.legalForm, iris.concept("legal-form", "ca")) in set(out.triples)
    assert (iris.epci("246200299"), PVD.inDepartement, iris.departement("62")) in set(out.triples)
