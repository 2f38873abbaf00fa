"""Issue 14, CLI findings: each one run as a user would, through the `pvd-kg` command."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pvd_kg.formats import format_for_path

from test_load import CONFORMING, G

ROOT = Path(__file__).resolve().parent.parent


def pvd_kg(*args, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run([sys.executable, "-m", "pvd_kg.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    res = pvd_kg("load", CONFORMING, "--graph", G, "--store", path)
    assert res.returncode == 0, res.stderr
    return path


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_refuses_a_port_outside_the_tcp_range(port, tmp_path):
    res = pvd_kg("serve", "--port", port, "--store", tmp_path / "store", timeout=60)
    assert res.returncode == 2
    assert "--port" in res.stderr and "0<=x<=65535" in res.stderr
    assert "serving" not in res.stderr


@pytest.mark.parametrize("query", ["./missing.rq", "missing.sparql", "sub/dir/q"])
def test_query_names_a_missing_file(store, tmp_path, query):
    res = pvd_kg("query", query, "--store", store, cwd=tmp_path)
    assert res.returncode != 0
    assert f"no such file: {query}" in res.stderr
    assert "not a SPARQL query" not in res.stderr and "Traceback" not in res.stderr


def test_query_reads_a_sparql_file(store, tmp_path):
    (tmp_path / "count.sparql").write_text("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }\n")
    res = pvd_kg("query", "count.sparql", "--store", store, "--format", "csv", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "n" and int(res.stdout.splitlines()[1]) > 0


def test_build_hint_names_the_command_that_lists_the_issues():
    source = (ROOT / "pvd_kg" / "cli" / "store.py").read_text(encoding="utf-8")
    assert "the shapes'" not in source
    res = pvd_kg("build-report", "--help")
    assert res.returncode == 0  # the command the hint names exists


@pytest.mark.parametrize("name,fmt", [("kg.nquads", "nquads"), ("kg.ntriples", "nt"), ("kg.nq", "nquads")])
def test_long_extensions_name_their_format(name, fmt):
    assert format_for_path(name).name == fmt
    assert format_for_path("kg.nq").extension == "nq"  # what export still writes by default


def test_an_nquads_export_loads_and_validates_back(store, tmp_path):
    out = tmp_path / "kg.nquads"
    res = pvd_kg("export", "--format", "nquads", "-o", out, "--store", store)
    assert res.returncode == 0, res.stderr
    res = pvd_kg("validate", out)
    assert res.returncode == 0 and "cannot tell the RDF format" not in res.stderr, res.stderr
    res = pvd_kg("load", out, "--store", tmp_path / "other")
    assert res.returncode == 0, res.stderr
    assert G in res.stdout


def test_validate_takes_the_rdf_format(tmp_path):
    odd = tmp_path / "data.txt"
    odd.write_bytes(CONFORMING.read_bytes())
    res = pvd_kg("validate", odd)
    assert res.returncode != 0 and "cannot tell the RDF format" in res.stderr
    res = pvd_kg("validate", odd, "--rdf-format", "turtle")
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("name", ["x.jpg", "x.svg", "x"])
def test_chart_refuses_a_file_it_would_not_write_as_named(tmp_path, name):
    res = pvd_kg("chart", "timeline", "--from", "curated", "-o", tmp_path / name)
    assert res.returncode != 0 and "PNG" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / name).exists()


def test_graphs_and_stats_show_the_default_graph(tmp_path):
    triples = tmp_path / "plain.nt"
    triples.write_text('<http://ex.org/a> <http://ex.org/p> "x" .\n<http://ex.org/a> <http://ex.org/q> "y" .\n')
    store = tmp_path / "store"
    assert pvd_kg("load", triples, "--no-validate", "--store", store).returncode == 0
    assert pvd_kg("load", CONFORMING, "--graph", G, "--store", store).returncode == 0
    res = pvd_kg("graphs", "--store", store)
    assert res.returncode == 0, res.stderr
    lines = [line.split(None, 1) for line in res.stdout.splitlines()]
    assert ["2", "(default graph)"] in lines and any(line[1] == G for line in lines)
    res = pvd_kg("stats", "--store", store)
    total = int(res.stdout.split()[0])
    per_graph = res.stdout.split("triples per graph:")[1].split("instances per class:")[0]
    assert sum(int(line.split()[0]) for line in per_graph.strip().splitlines()) == total
    assert "(default graph)" in per_graph


def test_drop_of_a_non_iri_graph_is_one_line(store):
    res = pvd_kg("drop", "--graph", "default", "--store", store)
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["graphs", "stats", "export"])
def test_an_empty_store_folder_is_named(tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = pvd_kg(command, "--store", empty)
    assert res.returncode != 0
    assert f"no pvd-kg store at {empty} (empty folder)" in res.stderr and "pvd-kg build" in res.stderr
    assert "CURRENT" not in res.stderr


@pytest.mark.parametrize("command", ["validate", "load"])
def test_an_ill_typed_date_is_refused_in_one_line(tmp_path, command):
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://ex.org/a> <http://ex.org/p> "2019-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n')
    extra = ["--store", tmp_path / "store"] if command == "load" else []
    res = pvd_kg(command, bad, *extra)
    assert res.returncode != 0 and "Traceback" not in res.stderr and "Failed to convert" not in res.stderr
    assert "'2019-13-45'" in res.stderr and "not a valid xsd:date" in res.stderr


def test_programme_aims_fall_back_to_french():
    from pvd_kg import queries
    from pvd_kg.graph import curated_dataset
    from pvd_kg.store import MemoryStore

    store = MemoryStore.from_dataset(curated_dataset(press=False))
    french = queries.run("programme-aims", store, {"lang": "fr"}).dicts()
    english = queries.run("programme-aims", store, {"lang": "en"}).dicts()
    assert len(french) >= 5
    pairs = lambda answer: [(r["property"], r["value"]) for r in answer]  # noqa: E731
    assert pairs(english) == pairs(french)  # no English aims in the graph: the French ones
    assert {r["label"].language for r in english} == {"en"}  # the label has an English form


def test_the_ontology_page_leaves_the_logging_alone():
    script = ("import logging; from pvd_kg import paths; from pvd_kg.serve.ontology_page import ontology_html; "
              "assert len(ontology_html(paths.ONTOLOGY_FILE.read_bytes())) > 1000; "
              "logging.getLogger('pvd-kg-test').info('not shown'); "
              "print(logging.getLogger().level)")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert res.returncode == 0, res.stderr
    assert "INFO:root" not in res.stderr and "DEBUG:" not in res.stderr and "not shown" not in res.stderr
    assert res.stdout.split() == [str(logging.WARNING)]  # as Python starts



def test_the_ontology_page_survives_a_broken_pylode_cache_and_concurrent_first_renders():
    """pyLODE writes its background-ontology pickle in place on first use: a cut-off write (or a
    second process reading meanwhile) left "EOFError: Ran out of input" on every /def."""
    from pylode import utils as pylode_utils

    cache = Path(pylode_utils.RDF_FOLDER) / "refs.pickle"
    cache.write_bytes(cache.read_bytes()[:100] if cache.exists() else b"\x80\x04")
    script = ("from pvd_kg import paths; from pvd_kg.serve.ontology_page import ontology_html; "
              "print(len(ontology_html(paths.ONTOLOGY_FILE.read_bytes())))")
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=dict(os.environ, PYTHONPATH=str(ROOT))) for _ in range(3)]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        assert int(out) > 1000
    import pickle

    assert len(pickle.loads(cache.read_bytes())) > 1000  # written whole again

@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_of_one_graph_keeps_its_name(store, tmp_path, fmt):
    import pyoxigraph as ox

    out = tmp_path / f"g.{fmt}"
    res = pvd_kg("export", "--graph", G, "--format", fmt, "-o", out, "--store", store)
    assert res.returncode == 0, res.stderr
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG))
    assert quads and {q.graph_name for q in quads} == {ox.NamedNode(G)}
    res = pvd_kg("load", out, "--store", tmp_path / "other")
    assert res.returncode == 0 and G in res.stdout, res.stderr
