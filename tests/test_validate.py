"""pvd_kg.validate: the fast engine (pyshacl-turbo + pyoxigraph) gives the same results as the
reference engine (pyshacl), on the shipped graph and on broken variants; datasets are
validated as the union of their graphs; the ``pvd-kg validate`` command's output and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from pvd_kg import graph
from pvd_kg.cli import cli
from pvd_kg.errors import InputError
from pvd_kg.validate import load_files, validate
from pvd_kg.vocab import SH

from conftest import shipped_dataset, shipped_report
from test_shapes import _BASE, MUTATIONS, PROLOGUE, mutated

SPARQL_SHAPES = {"ConventionAfterSelection", "SignatoryHoldsPost", "SignatoryPostInParty", "ConventionCommuneIsParty",
                 "CommuneEPCIDepartement", "CommuneCodeInDepartement", "SelectionInProgramme", "LargePVDCommune",
                 "SourceRow-isPartOf", "SourceRow-line", "DerivedFromSource"}


def results(report) -> set:
    g = report.shacl_report
    return {(g.value(r, SH.focusNode), g.value(r, SH.resultPath), g.value(r, SH.resultSeverity),
             g.value(r, SH.sourceShape), str(g.value(r, SH.value)))
            for r in g.subjects(SH.sourceShape, None)}


def everything_broken() -> Graph:
    g = Graph()
    g += _BASE
    for _, shape, _, update in MUTATIONS:
        # each cross-node rule (but the shortcut one, which would hide the large-commune
        # warning) plus property shapes whose breaking leaves those rules' links in place
        if shape in SPARQL_SHAPES - {"SelectionInProgramme"} or shape.startswith(
                ("Programme", "Person", "Excerpt", "StrategicAxis", "Region", "Arrondissement", "TerritorialProject",
                 "Organisation", "StateService")):
            g.update(PROLOGUE + update)
    return g


@pytest.mark.parametrize("name, data", [
    ("shipped graph", shipped_dataset()),
    ("fixture", _BASE),
    ("many shapes broken at once", everything_broken()),
] + [(m[0], mutated(m[3])) for m in MUTATIONS if m[1] in SPARQL_SHAPES])
def test_fast_engine_equals_pyshacl(name, data):
    fast = validate(data, engine="fast")
    reference = shipped_report("pyshacl") if data is shipped_dataset() else validate(data, engine="pyshacl")
    assert results(fast) == results(reference)
    assert [(i.severity, i.source, i.field, i.value, i.code, i.message) for i in fast] == \
        [(i.severity, i.source, i.field, i.value, i.code, i.message) for i in reference]
    assert fast.summary["conforms"] == reference.summary["conforms"]


def test_the_broken_variant_breaks_many_shapes():
    codes = {i.code for i in validate(everything_broken())}
    assert SPARQL_SHAPES - {"SelectionInProgramme"} <= codes
    assert len(codes) > 25


def test_shipped_graph_has_no_violations():
    report = validate(graph.curated_dataset())
    assert report.errors == [], report.to_text()


def test_a_dataset_is_validated_as_the_union_of_its_graphs():
    ds = Dataset()
    commune = URIRef("https://w3id.org/pvd-kg/id/commune/62907")
    places, rest = ds.graph(URIRef("urn:x:places")), ds.graph(URIRef("urn:x:rest"))
    for t in _BASE:
        (places if t[0] == commune else rest).add(t)
    assert len(validate(ds)) == 0  # the commune's département is found in the other graph
    places.remove((commune, None, None))
    codes = {i.code for i in validate(ds)}
    assert "Selection-commune" in codes  # the selection now points to an untyped node


def test_a_pyoxigraph_store_and_a_list_of_triples_are_accepted():
    import pyoxigraph as ox

    broken = mutated('DELETE WHERE { <epci/246200299> pvd:siren ?s }')
    store = ox.Store()
    store.load(broken.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x:g"))
    expected = [(i.code, i.source) for i in validate(broken)]
    assert expected == [("EPCI-siren", "https://w3id.org/pvd-kg/id/epci/246200299")]
    assert [(i.code, i.source) for i in validate(store)] == expected
    assert [(i.code, i.source) for i in validate(store, engine="pyshacl")] == expected
    assert [(i.code, i.source) for i in validate(list(broken))] == expected
    assert len(store) == len(broken)  # the caller's store is not changed


def test_a_blank_node_is_one_node_in_both_engines():
    # the validator writes the triples the core shapes read apart from the others, and loads
    # both parts into pyoxigraph: a blank node must stay one node across the parts (a reload
    # that renamed it would leave its type without its prov:wasDerivedFrom)
    from rdflib import BNode, Literal
    from rdflib.namespace import PROV, RDF, RDFS

    from pvd_kg.vocab import IGEO, PVD

    region = BNode()
    triples = [(region, RDF.type, PVD.Region), (region, IGEO.codeINSEE, Literal("32")),
               (region, RDFS.label, Literal("Hauts-de-France", lang="fr")),
               (region, PROV.wasDerivedFrom, URIRef("https://w3id.org/pvd-kg/id/source/x/row/2"))]
    assert [(i.code, i.source) for i in validate(triples)] == []
    assert [(i.code, i.source) for i in validate(triples, engine="pyshacl")] == []
    broken = triples[:1] + triples[3:]
    expected = {("Region-codeINSEE", f"_:{region}"), ("Region-label", f"_:{region}")}
    assert {(i.code, i.source) for i in validate(broken)} == expected
    assert {(i.code, i.source) for i in validate(broken, engine="pyshacl")} == expected


def test_a_store_with_unusual_line_breaks_in_literals_validates_like_its_triples():
    # pyoxigraph writes U+2028 and U+0085 unescaped in N-Triples: the text must be cut at "\n" only
    import pyoxigraph as ox
    from rdflib import Literal
    from rdflib.namespace import RDFS

    broken = mutated('DELETE WHERE { <epci/246200299> pvd:siren ?s }')
    broken.add((URIRef("https://w3id.org/pvd-kg/id/region/32"), RDFS.comment, Literal("Hauts\u2028de\x85France", lang="fr")))
    store = ox.Store()
    store.load(broken.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    expected = [(i.code, i.source) for i in validate(broken)]
    assert expected == [("EPCI-siren", "https://w3id.org/pvd-kg/id/epci/246200299")]
    assert [(i.code, i.source) for i in validate(store)] == expected


def test_unknown_engine_is_refused():
    with pytest.raises(InputError):
        validate(_BASE, engine="jena")


def test_issue_fields():
    report = validate(mutated('DELETE WHERE { <signing/operationnelle/62907/signature/1> pvd:inPost ?p }'))
    (issue,) = [i for i in report if i.code == "Signature-inPost"]
    assert issue.severity == "error"
    assert issue.source == "https://w3id.org/pvd-kg/id/signing/operationnelle/62907/signature/1"
    assert issue.field == "pvd:inPost"
    assert issue.message.startswith("A signature has exactly one post")
    assert report.summary["conforms"] is False
    assert (None, SH.conforms, None) in report.shacl_report


# --- command line ------------------------------------------------------------------------

def _write(tmp_path, name, g: Graph):
    path = tmp_path / name
    g.serialize(path, format="turtle")
    return str(path)


def test_cli_shipped_graph_is_clean():
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "No issues found" in result.output


def test_cli_violation_exits_1(tmp_path):
    path = _write(tmp_path, "bad.ttl", mutated('DELETE WHERE { <commune/62907> igeo:codeINSEE ?c }'))
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if "Commune-codeINSEE" in l or "igeo:codeINSEE" in l)
    assert line.startswith("[ERROR] [https://w3id.org/pvd-kg/id/commune/62907] igeo:codeINSEE:")


def test_cli_warning_exits_0_unless_strict(tmp_path):
    path = _write(tmp_path, "big.ttl", mutated(
        'DELETE { ?f pvd:count ?n } INSERT { ?f pvd:count 25000 } WHERE { ?f pvd:count ?n }'))
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 0
    assert result.output.startswith("[WARNING]")
    assert CliRunner().invoke(cli, ["validate", "--strict", path]).exit_code == 1


def test_cli_json_and_engine(tmp_path):
    path = _write(tmp_path, "bad.ttl", mutated('DELETE WHERE { <region/32> rdfs:label ?l }'))
    for engine in ("fast", "pyshacl"):
        result = CliRunner().invoke(cli, ["validate", "--format", "json", "--engine", engine, path])
        assert result.exit_code == 1
        doc = json.loads(result.output)
        assert doc["ok"] is False and doc["summary"]["engine"] == engine
        assert [i["code"] for i in doc["issues"]] == ["Region-label"]


def test_cli_several_files_are_one_graph(tmp_path):
    commune = URIRef("https://w3id.org/pvd-kg/id/commune/62907")
    a, b = Graph(), Graph()
    for t in _BASE:
        (a if t[0] == commune else b).add(t)
    result = CliRunner().invoke(cli, ["validate", _write(tmp_path, "a.ttl", a), _write(tmp_path, "b.ttl", b)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["validate", _write(tmp_path, "b2.ttl", b)]).exit_code == 1


@pytest.mark.parametrize("content, name, message", [
    (None, "missing.ttl", "no such file"),
    ("@prefix x: <http://x/> . x:a x:b", "broken.ttl", "broken.ttl"),
    ("<a> <b> .", "broken.nt", "broken.nt"),
    ("hello", "notes.txt", "cannot tell the RDF format"),
])
def test_cli_bad_files_exit_2_with_one_line(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("error: ") and message in result.output


def test_load_files_names_a_graph_per_file(tmp_path):
    path = _write(tmp_path, "x.ttl", _BASE)
    store = load_files([path])
    assert {q.graph_name.value for q in store} == {(tmp_path / "x.ttl").resolve().as_uri()}
    assert len(store) == len(_BASE)
