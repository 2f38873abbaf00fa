"""Loading files into the embedded store: parse in a child process, validate with the stored
neighbourhood, commit in one atomic call, or refuse and leave the store as it was."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.errors import InputError, RdfSyntaxError, ValidationFailed
from pvd_kg.load import build, load_files
from pvd_kg.store.embedded import EmbeddedStore, commits_by_swap

from conftest import copy_store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
CONFORMING = DATA / "shapes-conforming.ttl"  # a small graph that passes the shapes (see tests/data/README.md)
ID = "https://w3id.org/pvd-kg/id/"
PREFIXES = """@prefix id: <https://w3id.org/pvd-kg/id/> .
@prefix pvd: <https://w3id.org/pvd-kg/def#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
"""
# A second selection of a stored commune: valid only together with what is stored (sh:class of
# the commune and the programme).
NEW_FIGURE = PREFIXES + """
<https://w3id.org/pvd-kg/id/selection/pvd/62907/2> a pvd:Selection ;
    pvd:commune <https://w3id.org/pvd-kg/id/commune/62907> ;
    pvd:programme <https://w3id.org/pvd-kg/id/programme/pvd> ;
    prov:wasDerivedFrom <https://w3id.org/pvd-kg/id/source/anct-pvd/row/2> .
"""
# A commune without its label, code or département: breaks the shapes.
BROKEN = PREFIXES + """
<https://w3id.org/pvd-kg/id/commune/62001> a pvd:Commune ;
    prov:wasDerivedFrom <https://w3id.org/pvd-kg/id/source/anct-pvd/row/2> .
"""
G = "https://w3id.org/pvd-kg/graph/test"


def _content(store) -> set:
    return set(store.ox)


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "store")
    yield s
    s.close()


@pytest.fixture
def stocked(store):
    load_files(store, [CONFORMING], graph=G)
    return store


def write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_conforming_file_loads_into_its_graph(stocked):
    assert stocked.graphs() == [G]
    assert stocked.query(f"ASK {{ <{ID}commune/62907> a <https://w3id.org/pvd-kg/def#Commune> }}").boolean


def test_syntax_error_names_file_line_column(stocked, tmp_path):
    before = _content(stocked)
    bad = write(tmp_path, "bad.ttl", PREFIXES + "\nid:a pvd:count 1 .\nid:b pvd:count \"open .\n")
    with pytest.raises(RdfSyntaxError) as caught:
        load_files(stocked, [bad], validate=False)
    assert re.match(rf"{re.escape(str(bad))}:8:\d+: ", str(caught.value))
    assert _content(stocked) == before


def test_shape_violation_is_refused_and_store_unchanged(stocked, tmp_path):
    before = _content(stocked)
    with pytest.raises(ValidationFailed) as caught:
        load_files(stocked, [write(tmp_path, "broken.ttl", BROKEN)], graph=G)
    assert caught.value.report.errors
    assert all(i.source == f"{ID}commune/62001" for i in caught.value.report.errors)
    assert _content(stocked) == before


def test_a_blank_node_that_breaks_the_shapes_is_refused(stocked, tmp_path):
    # the report names blank nodes "_:label": the nodes whose results count must be named alike,
    # for the core shapes (pyshacl-turbo) and the SPARQL ones (pyoxigraph) both
    before = _content(stocked)
    blank = write(tmp_path, "blank.ttl", PREFIXES + '[] a pvd:Region ; pvd:siren "12" .\n')
    with pytest.raises(ValidationFailed) as caught:
        load_files(stocked, [blank], graph=G)
    errors = caught.value.report.errors
    assert {i.code for i in errors} == {"DerivedFromSource", "Region-codeINSEE", "Region-label", "Region-siren"}
    assert len({i.source for i in errors}) == 1 and errors[0].source.startswith("_:")
    assert _content(stocked) == before


def test_blank_nodes_that_conform_load(stocked, tmp_path):
    region = write(tmp_path, "region.ttl", PREFIXES + """
[] a pvd:Region ; igeo:codeINSEE "32" ; rdfs:label "Hauts-de-France"@fr ;
   prov:wasDerivedFrom <https://w3id.org/pvd-kg/id/source/anct-pvd/row/2> .
""")
    assert load_files(stocked, [region], graph=G).total == 4
    assert stocked.query('ASK { ?r <http://rdf.insee.fr/def/geo#codeINSEE> "32" FILTER(isBlank(?r)) }').boolean


def test_one_bad_file_refuses_the_whole_load(stocked, tmp_path):
    before = _content(stocked)
    good = write(tmp_path, "good.ttl", NEW_FIGURE)
    with pytest.raises(ValidationFailed):
        load_files(stocked, [good, write(tmp_path, "broken.ttl", BROKEN)], graph=G)
    assert _content(stocked) == before


def test_validation_uses_the_stored_neighbourhood(stocked, store, tmp_path):
    figure = write(tmp_path, "figure.ttl", NEW_FIGURE)
    result = load_files(stocked, [figure], graph=G)
    assert result.total == 4
    assert stocked.query(f"ASK {{ <{ID}selection/pvd/62907/2> ?p ?o }}").boolean


def test_the_same_data_without_its_neighbourhood_is_refused(tmp_path):
    with EmbeddedStore(tmp_path / "empty") as empty:
        with pytest.raises(ValidationFailed) as caught:
            load_files(empty, [write(tmp_path, "figure.ttl", NEW_FIGURE)], graph=G)
        assert {i.field for i in caught.value.report.errors} >= {"pvd:commune", "pvd:programme"}
        assert len(empty) == 0


@pytest.mark.parametrize("name,text", [
    ("remote.jsonld", '{"@context": "http://example.org/ctx.jsonld", "@id": "http://example.org/a", "name": "x"}'),
    ("xxe.rdf", '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
                '<rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>\n'),
    ("deep.jsonld", '{"@id": "http://example.org/a", "http://example.org/p": ' + "[" * 100000 + "]" * 100000 + "}"),
])
def test_hostile_documents_are_refused(stocked, tmp_path, name, text):
    before = _content(stocked)
    with pytest.raises(RdfSyntaxError):
        load_files(stocked, [write(tmp_path, name, text)], validate=False)
    assert _content(stocked) == before


def test_entity_expansion_is_refused_before_parsing(stocked, tmp_path):
    entities = '<!ENTITY a "' + "a" * 100 + '">\n'
    for i in range(1, 10):
        entities += f'<!ENTITY l{i} "' + f"&{'a' if i == 1 else f'l{i - 1}'};" * 10 + '">\n'
    lol = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{entities}]>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
           '<rdf:Description rdf:about="http://example.org/a"><ex:p>&l9;</ex:p></rdf:Description></rdf:RDF>\n')
    before = _content(stocked)
    with pytest.raises(RdfSyntaxError, match=r"lol\.rdf:4:\d+: the XML entity l1 refers to another entity"):
        load_files(stocked, [write(tmp_path, "lol.rdf", lol)], validate=False)
    assert _content(stocked) == before


@pytest.mark.parametrize("ext,text", [
    ("nt", '<http://example.org/a> <http://example.org/p> "x" .\n'),
    ("nq", '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .\n'),
    ("trig", '<http://example.org/g> { <http://example.org/a> <http://example.org/p> "x" }\n'),
    ("jsonld", '{"@id": "http://example.org/a", "http://example.org/p": "x"}'),
    ("rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            '<rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>'),
])
def test_every_format_loads(store, tmp_path, ext, text):
    result = load_files(store, [write(tmp_path, f"data.{ext}", text)], validate=False)
    assert result.total == 1
    assert store.query('ASK { <http://example.org/a> <http://example.org/p> "x" }').boolean


def test_cli_load_graphs_stats_drop(tmp_path):
    runner = CliRunner()
    where = ["--store", str(tmp_path / "store")]
    result = runner.invoke(cli, ["load", str(CONFORMING), "--graph", G] + where)
    assert result.exit_code == 0, result.output
    assert G in result.output
    graphs = runner.invoke(cli, ["graphs"] + where)
    assert graphs.exit_code == 0 and G in graphs.output
    stats = runner.invoke(cli, ["stats"] + where)
    assert "pvd:Commune" in stats.output and "instances per class" in stats.output
    assert runner.invoke(cli, ["drop", "--graph", G] + where).exit_code == 0
    missing = runner.invoke(cli, ["drop", "--graph", G] + where)
    assert missing.exit_code == 2 and "no graph" in missing.output


def test_cli_parse_error_is_one_line(tmp_path):
    bad = write(tmp_path, "bad.nt", '<http://example.org/a> <http://example.org/p> "x .\n')
    result = CliRunner().invoke(cli, ["load", str(bad), "--no-validate", "--store", str(tmp_path / "store")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert f"{bad}:1:" in result.output and "Traceback" not in result.output


def test_cli_refused_load_prints_the_report(tmp_path):
    result = CliRunner().invoke(cli, ["load", str(write(tmp_path, "broken.ttl", BROKEN)),
                                      "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    assert "[ERROR]" in result.output and "nothing was written" in result.output


def test_build_is_idempotent_and_keeps_graphs_it_does_not_own(whole_store_build, tmp_path):
    other = "http://example.org/mine"
    count = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    built, first = whole_store_build  # the first build, on a fresh store
    with EmbeddedStore(copy_store(built, tmp_path / "store")) as store:
        load_files(store, [write(tmp_path, "x.nt", '<http://example.org/a> <http://example.org/p> "x" .\n')],
                   graph=other, validate=False)
        content = store.query(count).rows
        second = build(store, validate=False)
        assert first.counts == second.counts
        assert store.query(count).rows == content
        assert sum(store.stats()["graphs"].values()) == first.total + 1
        assert other in store.graphs()


def _rocksdb_file(name: str) -> bool:
    return bool(re.match(r"^(\d+\.(sst|log|blob)|MANIFEST-\d+|CURRENT|IDENTITY|LOCK|OPTIONS-\d+|LOG(\.old\.\d+)?)$", name))


def _big_file(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f'<http://example.org/s{i}> <http://example.org/p{i % 7}> "value {i}" .\n')
    return path


def _kill_a_load_and_reopen(tmp_path, n: int, started: Callable[[Path, Path], bool]) -> None:
    """Load ``n`` triples with ``pvd-kg load`` in a child process, SIGKILL it once ``started``
    (given the scratch folder and the store's parent folder) says the commit is under way, then
    check that the store reopens with its previous content and that nothing is left behind."""
    store_dir, scratch = tmp_path / "store", tmp_path / "tmp"
    scratch.mkdir()
    with EmbeddedStore(store_dir) as store:
        load_files(store, [CONFORMING], graph=G)
        before = _content(store)
    big = _big_file(tmp_path / "big.nt", n)
    env = dict(os.environ, TMPDIR=str(scratch), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "pvd_kg.cli", "load", str(big), "--no-validate",
                             "--store", str(store_dir)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, committing = time.monotonic() + 180, False
    while time.monotonic() < deadline and proc.poll() is None:
        if started(scratch, tmp_path):
            committing = True
            break
        time.sleep(0.05)
    assert committing, "never saw the commit start"
    time.sleep(1.0)  # well inside the commit: Store.load of 900 000 triples takes 8-15 s, bulk_load of 500 000 4-7 s
    assert proc.poll() is None, "the load finished before it could be killed: make the file larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with EmbeddedStore(store_dir) as store:
        assert _content(store) == before
        # the next load sweeps the scratch folder of the killed process
        env_tmp = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(scratch)
        import tempfile
        tempfile.tempdir = None
        try:
            load_files(store, [write(tmp_path, "one.nt", '<http://example.org/a> <http://example.org/p> "x" .\n')],
                       validate=False)
        finally:
            if env_tmp is None:
                os.environ.pop("TMPDIR")
            else:
                os.environ["TMPDIR"] = env_tmp
            tempfile.tempdir = None
    assert list(scratch.iterdir()) == []
    assert all(_rocksdb_file(p.name) for p in store_dir.iterdir()), sorted(p.name for p in store_dir.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.nt", "one.nt", "store", "tmp"]  # no .store.new/.old


def test_sigkill_during_a_large_transaction_leaves_the_store_as_it_was(tmp_path):
    # below the swap threshold: committed by one Store.load transaction
    n = 900_000
    assert not commits_by_swap(n, 0)
    # killed once the parsed N-Quads file is complete, i.e. while Store.load runs
    _kill_a_load_and_reopen(tmp_path, n, lambda scratch, _: bool(list(scratch.glob("pvd-kg-load-*/load.nq"))))


def test_sigkill_during_a_large_swap_load_leaves_the_store_as_it_was(tmp_path, small_swap_threshold):
    # above the (lowered) swap threshold: bulk_load into .store.new, copy, then two renames;
    # large enough for the bulk_load to last seconds
    n = 500_000
    assert commits_by_swap(n, 0)
    # killed while the new store is being written beside the live one
    _kill_a_load_and_reopen(tmp_path, n, lambda _, parent: (parent / ".store.new").exists())


def test_a_source_table_replaces_its_graph(store, tmp_path):
    from pvd_kg import paths

    table = paths.SOURCES_DIR / "acv_communes_2024-09.csv"
    first = load_files(store, [table], validate=False)
    (graph, n), = first.counts.items()
    assert graph == "https://w3id.org/pvd-kg/graph/anct-acv-2024" and n > 1000
    load_files(store, [table], validate=False)
    assert store.stats()["graphs"] == {graph: n}  # replaced, not doubled
    with pytest.raises(InputError, match="not a source table"):
        load_files(store, [write(tmp_path, "mine.csv", "a,b\n1,2\n")], validate=False)


def test_a_remote_jsonld_context_is_never_fetched(stocked, tmp_path):
    """A real local server offers the context; the load must refuse without asking it."""
    import http.server
    import threading

    asked = []

    class Context(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = b'{"@context": {"name": "http://example.org/name"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ctx.jsonld"
        doc = '{"@context": "%s", "@id": "http://example.org/a", "name": "x"}' % url
        before = _content(stocked)
        with pytest.raises(RdfSyntaxError):
            load_files(stocked, [write(tmp_path, "remote.jsonld", doc)], validate=False)
        assert _content(stocked) == before
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []


def test_build_reports_its_stages_in_order(tmp_path):
    from pvd_kg.load import BUILD_STAGES

    stages = []
    with EmbeddedStore(tmp_path / "store") as store:
        build(store, progress=stages.append)
        assert len(store) > 100_000
    assert tuple(stages) == BUILD_STAGES == ("ingest", "validate", "write")
