"""pvd_kg/ingest/insee.py: COG 2024 communes, COG arrondissements, départements and régions."""

from __future__ import annotations

from pvd_kg import iris
from pvd_kg.ingest import insee
from pvd_kg.ingest.emit import GraphOut, fr
from pvd_kg.ingest.shipped import source_path
from pvd_kg.ingest.tables import Tally
from pvd_kg.vocab import PVD, RDFS


def test_cog_current_communes_and_merged_codes():
    t = Tally("insee-cog-2024", "cog")
    cog = insee.read_cog(source_path("insee-cog-2024"), t)
    assert t.read == 37544 and len(cog.communes) == 34935
    lib = cog.communes["62907"]
    assert (lib.line, lib.label, lib.dep, lib.reg, lib.arr) == (26338, "Libercourt", "62", "32", "627")
    assert cog.others["08294"] == ("COMD", "08053")
    out = GraphOut("insee-cog-2024")
    insee.emit_communes(cog, {"62907", "97608"}, out, t)
    assert (iris.commune("62907"), PVD.inArrondissement, iris.arrondissement("627")) in set(out.triples)
    assert [i.code for i in t.issues] == ["no-arrondissement"]  # Mayotte


def test_arrondissements_named_by_the_cog_table():
    cog = insee.read_cog(source_path("insee-cog-2024"), Tally("insee-cog-2024", "cog"))
    t = Tally("insee-arr-2025", "arr")
    arrs = insee.read_arrondissements(source_path("insee-arr-2025"), t)
    # every arrondissement code used by a COG 2024 commune is in the table
    assert {c.arr for c in cog.communes.values() if c.arr} == set(arrs) and len(arrs) == 333
    out = GraphOut("insee-arr-2025")
    insee.emit_arrondissements(arrs, cog, {"62907", "01033"}, out, t)
    triples = set(out.triples)
    assert (iris.arrondissement("627"), RDFS.label, fr("Lens")) in triples
    assert (iris.arrondissement("627"), PVD.inDepartement, iris.departement("62")) in triples
    assert t.loaded == 2 and not t.issues
    del arrs["627"]
    insee.emit_arrondissements(arrs, cog, {"62907"}, GraphOut("insee-arr-2025"), t)
    assert [(i.code, i.value) for i in t.issues] == [("missing-from-reference", "627")]


def test_departements_and_regions():
    t = Tally("insee-departements", "deps")
    deps = insee.read_departements(source_path("insee-departements"), t)
    assert len(deps) == 101 and deps["2A"].region == "94" and deps["971"].label == "Guadeloupe"
