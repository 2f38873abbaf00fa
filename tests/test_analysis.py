"""pvd_kg.analysis: networks built from a store by SPARQL, their metrics, exports and the CLI.

Two graphs: the curated Libercourt graph (graph/libercourt.ttl) and a hand-built small
programme (tests/data/analysis/small-programme.ttl, see tests/data/README.md). Every expected
number below is derived by hand in the comments.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from oxigraph_server import oxigraph_server
from rdflib import Dataset

from pvd_kg import iris
from pvd_kg.analysis import (NETWORKS, build_network, cosignature_network, hierarchy_network, metric,
                             programme_network, programme_projection, signing_network, signings)
from pvd_kg.analysis.common import Table, labels
from pvd_kg.analysis.export import format_for_output, network_bytes, network_json, read_network
from pvd_kg.analysis.source import open_analysis_store
from pvd_kg.cli import cli
from pvd_kg.errors import InputError, StoreError
from pvd_kg.store.embedded import EmbeddedStore

SMALL = Path(__file__).parent / "data" / "analysis" / "small-programme.ttl"
ID = "https://w3id.org/pvd-kg/id/"
P = {name: f"{ID}person/{scope}/{name}" for scope, name in [
    ("01001", "amaire"), ("01002", "bmaire"), ("02001", "cmaire"), ("01001", "prefet"), ("01002", "quesnel"),
    ("01001", "kahn"), ("01002", "roux"), ("01002", "ubert"), ("02001", "tissot")]}
MAYOR = str(iris.person("62907", "Maciejasz"))
LIBERCOURT = str(iris.commune("62907"))
OP_SIGNING = str(iris.signing("ort", "62907"))  # the convention-cadre valant ORT


def _betweenness(g):
    return {n: v for n, v in nx.betweenness_centrality(g).items()}


# --- the co-signature network on the small programme -------------------------------------
# People only: S1 {Amaire, Prefet (sign), Kahn (attends)} is a triangle; S2 {Bmaire, Quesnel
# (sign), Roux, Ubert (attend)} a K4; S3 (both mayors sign) bridges Amaire-Bmaire; S4 {Cmaire,
# Tissot} is apart. 9 people, 3 + 6 + 1 + 1 = 11 edges.

def test_cosignature_people_degrees(small):
    g = cosignature_network(small, actors="people")
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 11
    assert {n.rsplit("/", 1)[1]: d for n, d in g.degree()} == {
        "amaire": 3, "prefet": 2, "kahn": 2, "bmaire": 4, "quesnel": 3, "roux": 3, "ubert": 3,
        "cmaire": 1, "tissot": 1}


def test_cosignature_people_betweenness(small):
    # Amaire is on every path from {Prefet, Kahn} to {Bmaire, Quesnel, Roux, Ubert}: 8 pairs;
    # Bmaire on every path from {Quesnel, Roux, Ubert} to {Amaire, Prefet, Kahn}: 9 pairs.
    # Normalised by (n-1)(n-2)/2 = 28 pairs.
    btw = _betweenness(cosignature_network(small, actors="people"))
    assert btw[P["amaire"]] == pytest.approx(float(Fraction(8, 28)))
    assert btw[P["bmaire"]] == pytest.approx(float(Fraction(9, 28)))
    assert all(v == 0 for n, v in btw.items() if n not in (P["amaire"], P["bmaire"]))


def test_ties_through_a_signatory_drop_attendee_pairs(small):
    # Roux and Ubert only attended S2: their tie goes; their shortest paths now run through
    # Bmaire or Quesnel (half a pair each).
    g = cosignature_network(small, actors="people", ties="signature")
    assert g.number_of_edges() == 10 and not g.has_edge(P["roux"], P["ubert"])
    btw = _betweenness(g)
    assert btw[P["bmaire"]] == pytest.approx(float(Fraction(19, 56)))
    assert btw[P["quesnel"]] == pytest.approx(float(Fraction(1, 56)))


def test_cosignature_edges_keep_signatory_and_attendee_apart(small):
    g = cosignature_network(small)
    both = g.edges[P["amaire"], P["bmaire"]]
    assert (both["weight"], both["signatory"], both["attendance"], both["relation"]) == (1, 1, 0, "signatory")
    mixed = g.edges[P["amaire"], P["kahn"]]
    assert (mixed["signatory"], mixed["attendance"], mixed["relation"]) == (0, 1, "attendance")
    # Amaire signs for Aville in S1 and S3.
    aville = g.edges[P["amaire"], f"{ID}commune/01001"]
    assert (aville["weight"], aville["signatory"]) == (2, 2)
    # Deville is only a party of its ACV convention: a node with no tie.
    deville = g.nodes[f"{ID}commune/03001"]
    assert (deville["parties"], deville["signatures"], g.degree(f"{ID}commune/03001")) == (1, 0, 0)
    assert g.nodes[P["amaire"]]["signatures"] == 2 and g.nodes[P["kahn"]]["attendances"] == 1
    assert g.number_of_nodes() == 17  # 9 people + 8 organisations


def test_components_and_communities(small):
    comps = metric(small, "components", actors="people")
    assert [(r["size"], r["people"]) for r in comps] == [(7, 7), (2, 2)]
    comms = metric(small, "communities", actors="people")
    assert [set(r["members"].split("; ")) for r in comms] == [
        {"M. Roux", "M. Ubert", "Mme Bmaire", "Mme Quesnel"}, {"M. Amaire", "M. Prefet", "Mme Kahn"},
        {"M. Cmaire", "Mme Tissot"}]
    # With organisations the préfecture and the Caisse join everything; Deville, alone party to
    # its ACV convention, has no tie and is left out with a note.
    everyone = metric(small, "components")
    assert [r["size"] for r in everyone] == [16] and everyone.note.startswith("1 actors with no co-participant")
    assert metric(small, "communities").rows == metric(small, "communities").rows  # fixed seed


def test_centrality_table(small):
    table = metric(small, "centrality", actors="people")
    first = table.rows[0]
    assert (first["label"], first["degree"], first["betweenness"]) == ("Mme Bmaire", 4, round(9 / 28, 6))
    assert first["degree_centrality"] == 0.5  # 4 of 8 others
    assert [r["label"] for r in table.rows[-2:]] == ["M. Cmaire", "Mme Tissot"]


def test_epci_departement_and_ort_share(small):
    assert [(r["siren"], r["pvd_communes"]) for r in metric(small, "epci-pvd")] == [("200000001", 2), ("200000002", 1)]
    assert [(r["code"], r["pvd_communes"]) for r in metric(small, "departements-pvd")] == [("01", 2), ("02", 1)]
    # Région 84: Aville and Beville are PVD; Beville's ORT has a dated signing, Aville's is
    # "non signée". Région 32: Ceville's ORT is "signée". Deville is not PVD.
    share = {r["code"]: (r["pvd_communes"], r["with_signed_ort"], r["share"]) for r in metric(small, "ort-share")}
    assert share == {"32": (1, 1, 1.0), "84": (2, 1, 0.5)}


def test_metric_limit_and_unknown(small):
    table = metric(small, "epci-pvd", limit=1)
    assert len(table) == 1 and "first 1 of 2 rows" in table.note
    with pytest.raises(InputError, match="unknown metric"):
        metric(small, "bogus")


# --- hierarchy, programmes, signing ------------------------------------------------------

def test_hierarchy(small):
    g = hierarchy_network(small)
    # 3 PVD communes + 2 EPCIs + 3 départements (CC Deux also covers 03) + 2 régions; edges:
    # 3 commune->EPCI, 3 commune->département, 1 + 2 EPCI->département, 3 département->région.
    assert (g.number_of_nodes(), g.number_of_edges()) == (10, 12)
    assert nx.is_directed_acyclic_graph(g)
    assert g.edges[f"{ID}epci/200000002", f"{ID}departement/03"]["relation"] == "inDepartement"
    assert g.nodes[f"{ID}epci/200000002"]["code"] == "200000002" and g.nodes[f"{ID}region/84"]["kind"] == "region"
    everyone = hierarchy_network(small, programme=None)  # Deville too
    assert (everyone.number_of_nodes(), everyone.number_of_edges()) == (11, 13)


def test_programmes_bipartite_and_projections(small):
    b = programme_network(small)
    assert nx.is_bipartite(b) and (b.number_of_nodes(), b.number_of_edges()) == (7, 7)
    assert {d["bipartite"] for n, d in b.nodes(data=True) if d["kind"] == "programme"} == {1}
    assert b.has_edge(f"{ID}commune/01002", f"{ID}programme/pvd")  # through the selection only
    p = programme_projection(small)
    weights = {frozenset(n.rsplit("/", 1)[1] for n in (u, v)): d["weight"] for u, v, d in p.edges(data=True)}
    assert weights == {frozenset({"pvd", "ort"}): 2, frozenset({"pvd", "acv"}): 1}
    c = programme_projection(small, side="communes")
    assert c.edges[f"{ID}commune/01001", f"{ID}commune/01002"]["weight"] == 2
    with pytest.raises(InputError, match="too large"):
        programme_projection(small, side="communes", max_communes=3)


def test_signing_network(small):
    s1 = f"{ID}signing/adhesion/01001"
    g = signing_network(small, s1)
    # The signing, the convention, 3 people, 3 posts, Aville, the préfecture, the Caisse.
    assert (g.number_of_nodes(), g.number_of_edges()) == (11, 15)
    assert g.degree(s1) == 4 and g.nodes[s1]["date"] == "2021-03-15"
    conv = f"{ID}convention/adhesion/01001"
    assert g.edges[conv, f"{ID}commune/01001"]["relation"] == "concerns;party"
    assert g.edges[s1, P["kahn"]]["relation"] == "attendance"
    assert g.nodes[P["kahn"]] == {"kind": "person", "label": "Mme Kahn", "iri": P["kahn"]}
    assert len(signings(small)) == 6 and signing_network(small).number_of_nodes() > 11
    assert set(signing_network(small, "id:signing/adhesion/01001")) == set(g)
    with pytest.raises(InputError, match="no signing"):
        signing_network(small, f"{ID}signing/nope/01001")
    with pytest.raises(InputError, match="unknown network"):
        build_network(small, "friends")


# --- Libercourt ----------------------------------------------------------------------------

def test_libercourt_signing_network(libercourt):
    g = signing_network(libercourt, OP_SIGNING)
    # signing, convention, 6 people, 6 posts, 6 organisations (Libercourt included) = 20 nodes;
    # 1 signed + 6 signature/attendance + 6 inPost + 6 postIn + 6 onBehalfOf + 1 concerns;party = 26.
    assert (g.number_of_nodes(), g.number_of_edges()) == (20, 26)
    degree = dict(g.degree())
    assert max(degree, key=degree.get) == OP_SIGNING and degree[OP_SIGNING] == 7
    assert degree[MAYOR] == 3 and g.edges[OP_SIGNING, MAYOR]["relation"] == "signature"
    every = signing_network(libercourt)
    # + the adhésion's signing and convention, which concerns;party Libercourt (the convention
    # opérationnelle and the ORT are one act, one signing).
    assert (every.number_of_nodes(), every.number_of_edges()) == (22, 28)
    actors = {n: d for n, d in every.degree() if every.nodes[n]["kind"] not in ("signing", "convention", "post")}
    assert max(actors, key=actors.get) == LIBERCOURT and actors[LIBERCOURT] == 4


def test_libercourt_cosignature(libercourt):
    g = cosignature_network(libercourt)
    # The mayor, Libercourt and 5 attendees with their 5 organisations all take part in the
    # convention opérationnelle's signing: a complete graph K12.
    assert (g.number_of_nodes(), g.number_of_edges()) == (12, 66)
    assert {d for _, d in g.degree()} == {11} and set(_betweenness(g).values()) == {0.0}
    assert g.edges[MAYOR, LIBERCOURT]["relation"] == "signatory"
    assert g.edges[MAYOR, str(iris.person("62907", "Raffy"))]["relation"] == "attendance"
    assert [r["size"] for r in metric(libercourt, "components")] == [12]
    assert [r["size"] for r in metric(libercourt, "communities")] == [12]
    # Ties through a signatory, people only: a star around the mayor.
    people = metric(libercourt, "centrality", actors="people", ties="signature")
    top = people.rows[0]
    assert (top["iri"], top["degree"], top["betweenness"], top["signatures"]) == (MAYOR, 5, 1.0, 1)
    assert [r["degree"] for r in people.rows[1:]] == [1] * 5


def test_libercourt_programme_metrics(libercourt):
    assert [(r["siren"], r["label"], r["pvd_communes"]) for r in metric(libercourt, "epci-pvd")] == [
        ("246200299", "CA d'Hénin-Carvin", 1)]
    assert [(r["code"], r["pvd_communes"]) for r in metric(libercourt, "departements-pvd")] == [("62", 1)]
    assert [(r["label"], r["pvd_communes"], r["with_signed_ort"], r["share"])
            for r in metric(libercourt, "ort-share")] == [("Hauts-de-France", 1, 1, 1.0)]
    h = hierarchy_network(libercourt)  # Libercourt -> CA, Libercourt -> 62, CA -> 62, 62 -> 32
    assert (h.number_of_nodes(), h.number_of_edges()) == (4, 4)
    assert labels(libercourt, [MAYOR])[MAYOR] == "M. Maciejasz"


# --- tables and exports ----------------------------------------------------------------------

def test_table_renders_csv_json_text(small):
    table = metric(small, "departements-pvd")
    rows = list(csv.DictReader(io.StringIO(table.render("csv"))))
    assert [(r["code"], r["pvd_communes"]) for r in rows] == [("01", "2"), ("02", "1")]
    doc = json.loads(table.render("json"))
    assert doc["metric"] == "departements-pvd" and doc["rows"][0]["label"] == "Ain"
    assert table.render("table").splitlines()[0].split() == ["rank", "departement", "code", "label", "pvd_communes"]
    with pytest.raises(InputError):
        Table("t", ["a"]).render("xlsx")


def _same(g: nx.Graph, h: nx.Graph, fmt: str) -> None:
    assert set(h.nodes) == set(g.nodes)
    assert h.is_directed() == g.is_directed()
    key = (lambda e: e) if g.is_directed() else frozenset
    assert {key(e) for e in h.edges} == {key(e) for e in g.edges}
    for n in g:
        assert dict(h.nodes[n]) == dict(g.nodes[n]), n
    for u, v in g.edges:
        got = dict(h.edges[u, v])
        if fmt == "gexf":
            got.pop("id")  # GEXF numbers its edges
        assert got == dict(g.edges[u, v]), (u, v)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("kind", NETWORKS)
def test_exports_reopen_with_same_nodes_edges_attributes(small, tmp_path, kind, fmt):
    g = build_network(small, kind)
    assert g.number_of_edges() > 0
    path = tmp_path / f"{kind}.{fmt}"
    path.write_bytes(network_bytes(g, fmt))
    _same(g, read_network(path), fmt)


def test_network_json_for_the_web_server(small):
    doc = network_json(small, "cosignature", actors="people")
    assert {"nodes", "links", "directed", "graph"} <= set(doc)
    assert len(doc["nodes"]) == 9 and len(doc["links"]) == 11
    assert json.loads(json.dumps(doc)) == doc
    assert format_for_output("x.graphml", None) == "graphml"
    with pytest.raises(InputError, match="extension"):
        format_for_output("x.txt", None)


# --- the store the commands read, and the CLI ------------------------------------------------

@pytest.fixture()
def built_store(tmp_path) -> Path:
    """A real embedded store holding the small programme."""
    nq = tmp_path / "small.nq"
    ds = Dataset()
    ds.graph(iris.graph("small")).parse(SMALL, format="turtle")
    nq.write_bytes(ds.serialize(format="nquads", encoding="utf-8"))
    path = tmp_path / "store"
    with EmbeddedStore(path) as store:
        store.add_nquads(nq)
    return path


def test_open_analysis_store(built_store, tmp_path):
    with open_analysis_store("store", path=built_store) as store:
        assert len(signings(store)) == 6
    with EmbeddedStore(tmp_path / "empty") as store:
        store.query("ASK { ?s ?p ?o }")
    with pytest.raises(StoreError, match="empty"):
        open_analysis_store("store", path=tmp_path / "empty")
    with pytest.raises(StoreError, match="no store"):
        open_analysis_store("store", path=tmp_path / "absent")
    assert signings(open_analysis_store("curated"))  # the curated Libercourt graph


def test_cli_network_and_metrics_from_the_embedded_store(built_store, tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["network", "cosignature", "--store", str(built_store), "--actors", "people"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert len(doc["nodes"]) == 9 and len(doc["links"]) == 11
    out = tmp_path / "h.graphml"
    res = runner.invoke(cli, ["network", "hierarchy", "--store", str(built_store), "-o", str(out)])
    assert res.exit_code == 0 and nx.read_graphml(out).number_of_edges() == 12
    res = runner.invoke(cli, ["metrics", "epci-pvd", "--store", str(built_store), "--format", "csv"])
    assert res.exit_code == 0
    assert res.stdout.splitlines() == ["rank,epci,siren,label,pvd_communes",
                                       f"1,{ID}epci/200000001,200000001,CC Une,2",
                                       f"2,{ID}epci/200000002,200000002,CC Deux,1"]
    res = runner.invoke(cli, ["network", "signing", "--store", str(built_store),
                              "--signing", f"{ID}signing/adhesion/01001", "--format", "gexf"])
    assert res.exit_code == 0 and nx.read_gexf(io.BytesIO(res.stdout_bytes)).number_of_nodes() == 11


def test_cli_metrics_over_a_sparql_endpoint(built_store, small):
    """The same tables from a real Oxigraph server on a loopback port as from memory."""
    with oxigraph_server(built_store) as base:
        res = CliRunner().invoke(cli, ["metrics", "centrality", "--endpoint", f"{base}/query", "--actors", "people",
                                       "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"] == json.loads(metric(small, "centrality", actors="people").to_json())["rows"]


@pytest.mark.parametrize("args, message", [
    (["network", "friends", "--from", "curated"], "unknown network 'friends'"),
    (["network", "signing", "--from", "curated", "--signing", "http://example.org/x"], "no signing"),
    (["network", "hierarchy", "--from", "curated", "--format", "png"], "needs a file"),
    (["metrics", "popularity", "--from", "curated"], "unknown metric"),
    (["chart", "pie", "--from", "curated", "-o", "x.png"], "unknown chart"),
])
def test_cli_errors_are_one_line(args, message):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    assert message in res.stderr and "Traceback" not in res.output + res.stderr
