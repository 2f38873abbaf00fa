"""pvd_kg/ingest/build.py and pvd_kg/graph.py build_quads/build_dataset: the whole programme from
the shipped sources. Expected counts are computed here from the CSV files with the csv module,
independently of the readers."""

from __future__ import annotations

import csv
import hashlib
import re

import pytest
from rdflib import Dataset, Literal

from pvd_kg import iris
from pvd_kg.errors import SourceDataError, ValidationFailed
from pvd_kg.graph import build_dataset, build_quads
from pvd_kg.ingest.shipped import SHIPPED, source_path
from pvd_kg.validate import validate
from pvd_kg.vocab import sparql_prologue


def rows(key):
    spec = SHIPPED[key]
    with open(source_path(key), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=spec.delimiter))


INSEE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$|^97[1-8][0-9]{2}$")


@pytest.fixture(scope="module")
def built(whole_build):
    return whole_build


@pytest.fixture(scope="module")
def store(whole_ox_store):
    return whole_ox_store


def count(store, where: str) -> int:
    q = sparql_prologue() + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    return int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)


def expected_codes():
    old = {r["insee_com"] for r in rows("anct-pvd-2021") if INSEE.match(r["insee_com"])}
    new = {r["insee_com"] for r in rows("anct-pvd-2026")}
    acv = {r["insee_com"] for r in rows("anct-acv-2024")}
    ort = {r["Code commune"] for r in rows("dgaln-ort-2024")}
    return old, new, acv, ort


def test_rows_read_loaded_rejected_per_source(built):
    _, report = built
    s = report.summary["sources"]
    assert (s["anct-pvd-2021"]["read"], s["anct-pvd-2021"]["loaded"], s["anct-pvd-2021"]["rejected"]) == (1607, 1606, 1)
    assert (s["anct-pvd-2026"]["read"], s["anct-pvd-2026"]["loaded"], s["anct-pvd-2026"]["rejected"]) == (1646, 1646, 0)
    assert (s["anct-acv-2024"]["read"], s["anct-acv-2024"]["loaded"]) == (245, 245)
    assert (s["dgaln-ort-2024"]["read"], s["dgaln-ort-2024"]["loaded"]) == (2290, 2290)
    assert s["insee-cog-2024"]["read"] == len(rows("insee-cog-2024")) == 37544
    assert s["epci-com-2023"]["read"] == 34990
    assert (s["insee-arr-2025"]["read"], s["insee-arr-2025"]["loaded"]) == (333, 316)
    old, new, acv, ort = expected_codes()
    assert s["insee-cog-2024"]["loaded"] == len(old | new | acv | ort) == 2321
    assert s["anct-pvd-2026"]["warned"] == sum(1 for r in rows("anct-pvd-2026") if not r["date_signature"]) == 58


def test_every_commune_of_every_list_is_in_the_graph(store):
    old, new, acv, ort = expected_codes()
    assert count(store, "SELECT DISTINCT ?c WHERE { ?c a pvd:Commune }") == len(old | new | acv | ort)
    pvd = "<https://w3id.org/pvd-kg/id/programme/pvd>"
    assert count(store, f"SELECT DISTINCT ?c WHERE {{ ?c pvd:inProgramme {pvd} }}") == len(old | new) == 1664
    assert count(store, "SELECT DISTINCT ?c WHERE { ?c pvd:inProgramme <https://w3id.org/pvd-kg/id/programme/acv> }") == 245
    dated = sum(1 for r in rows("anct-pvd-2026") if r["date_signature"])
    assert count(store, """SELECT DISTINCT ?s WHERE { ?s pvd:signed ?c ; pvd:date ?d .
        ?c a pvd:AdhesionConvention FILTER(DATATYPE(?d) = xsd:date) }""") == dated == 1588


def test_provenance_rows_and_catalog(built, store):
    # every node minted from a row points at a SourceRow whose line and file are stated
    assert count(store, "?r a pvd:SourceRow FILTER NOT EXISTS { ?r pvd:line ?l ; dcterms:isPartOf ?f }") == 0
    lib = iris.source_row("anct-pvd-2026", 1128)
    adhesion = iris.signing("adhesion", "62907")
    assert count(store, f"<{adhesion}> prov:wasDerivedFrom <{lib}>") == 1
    # one signing, dated by the article and by the 2026 list, each date in its source's graph
    dates = {(str(r["g"].value), r["d"].value) for r in store.query(
        sparql_prologue() + f"SELECT ?g ?d WHERE {{ GRAPH ?g {{ <{adhesion}> pvd:date ?d }} }}")}
    assert dates == {(str(iris.graph("libercourt")), "2021-07"), (str(iris.graph("anct-pvd-2026")), "2021-07-23")}
    # the tables never mint a second signing; a press page that dates one differently does, with a remark
    press = str(iris.graph("press-x"))[:-1]  # the press graphs: pvdg:press-{stem}
    assert count(store, f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s pvd:signed ?c }} "
                        f"FILTER(STRENDS(STR(?s), '/2') && !STRSTARTS(STR(?g), '{press}')) }}") == 0
    assert count(store, "?s pvd:signed ?c FILTER(STRENDS(STR(?s), '/2') && NOT EXISTS { ?s pvd:remark ?r })") == 0
    for key, spec in SHIPPED.items():
        path = source_path(key)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        q = f'<{iris.source(key)}> a dcat:Distribution ; pvd:sha256 "{digest}" ; pvd:rowCount ?n ; dcterms:license ?l'
        assert count(store, q) == 1, key
    graphs = built[1].summary["graphs"]
    assert set(graphs) >= {str(iris.graph(k)) for k in SHIPPED} | {str(iris.graph("catalog")), str(iris.graph("libercourt"))}
    assert count(store, f"GRAPH <{iris.graph('catalog')}> {{ <{iris.graph('anct-pvd-2026')}> void:triples ?n }}") == 1


def test_no_contact_detail_is_published(built):
    email = re.compile(r"[^\s@]+@[a-z0-9-]+")
    assert not [q for q in built[0] if isinstance(q[2], Literal) and email.search(str(q[2]))]


def test_the_built_graph_validates(built):
    quads, _ = built
    report = validate([q[:3] for q in quads])
    assert report.errors == []
    assert {i.source for i in report.warnings} == {str(iris.commune(c)) for c in ("85047", "97117", "97128")}


def test_strict_fails_on_warnings():
    with pytest.raises(ValidationFailed) as exc:
        build_quads(strict=True)
    assert exc.value.report.errors and not exc.value.report.warnings


def test_missing_source_folder(tmp_path):
    with pytest.raises(SourceDataError, match="not found"):
        build_quads(sources_dir=tmp_path)


def test_build_dataset_is_the_same_graph(built):
    ds, report = build_dataset()
    assert isinstance(ds, Dataset)
    assert sum(1 for _ in ds.quads((None, None, None, None))) == len(set(built[0]))
    assert report.summary["triples"] == len(built[0])


def test_cli_build_report():
    from click.testing import CliRunner

    from pvd_kg.cli import cli

    res = CliRunner().invoke(cli, ["build-report", "--no-issues"])
    assert res.exit_code == 0
    line = next(x for x in res.output.splitlines() if x.startswith("anct-pvd-2021"))
    assert line.split()[2:6] == ["1607", "1606", "1", "594"]
    res = CliRunner().invoke(cli, ["build-report", "--strict"])
    assert res.exit_code != 0 and "strict" in res.output
