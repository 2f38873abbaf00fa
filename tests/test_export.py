"""Exports parse back to the same graph: the whole built graph through pyoxigraph's parsers
(canonical blank nodes), and a hand-made graph through rdflib's, a second implementation."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from pvd_kg.cli import cli
from pvd_kg.errors import InputError, UnknownFormat
from pvd_kg.export import CONTEXT_FILE, export
from pvd_kg.load import load_files
from pvd_kg.store.embedded import EmbeddedStore
from pvd_kg.vocab import PREFIXES

from conftest import copy_store
from serve_server import build_store
from test_load import CONFORMING, G

PARSE = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
         "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "rdfxml": ox.RdfFormat.RDF_XML}


def _canonical(quads, as_triples: bool) -> set:
    if as_triples:
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(ds)


@pytest.fixture(scope="module")
def built(whole_store_folder, tmp_path_factory):
    path = copy_store(whole_store_folder, tmp_path_factory.mktemp("built") / "store")
    with EmbeddedStore(path) as store:
        yield store


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    """The ontology and every curated graph (Libercourt, press)."""
    with EmbeddedStore(build_store(tmp_path_factory.mktemp("curated") / "store", press=True)) as store:
        yield store


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "trig"])
def test_whole_graph_round_trip(built, curated, tmp_path, fmt):
    store = built if fmt == "trig" else curated  # one whole-graph round trip; the curated graphs for the others
    out = tmp_path / f"dump.{fmt}"
    result = export(store, out, fmt=fmt)
    assert result.bytes == out.stat().st_size > 0
    triples_only = fmt in ("turtle", "nt")
    back = _canonical(ox.parse(path=str(out), format=PARSE[fmt]), triples_only)
    assert back == _canonical(store.ox, triples_only)


@pytest.fixture
def small(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        load_files(store, [CONFORMING], graph=G)
        yield store


@pytest.mark.parametrize("fmt,rdflib_name", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                             ("rdfxml", "xml")])
def test_round_trip_through_rdflib(small, tmp_path, fmt, rdflib_name):
    out = tmp_path / f"dump.{fmt}"
    export(small, out, fmt=fmt, graph=G)
    expected = Graph().parse(CONFORMING, format="turtle")
    assert isomorphic(Graph().parse(out, format=rdflib_name), expected)


def test_jsonld_dump_gets_its_context(small, tmp_path):
    result = export(small, tmp_path / "kg.jsonld", fmt="jsonld")
    assert result.context == tmp_path / CONTEXT_FILE
    assert json.loads(result.context.read_text())["@context"] == PREFIXES


def test_unknown_graph_and_format(small, tmp_path):
    with pytest.raises(InputError, match="no graph"):
        export(small, tmp_path / "x.ttl", graph="http://example.org/none")
    with pytest.raises(UnknownFormat):
        export(small, tmp_path / "x.ttl", fmt="csv")
    assert not list(tmp_path.glob("x.ttl*"))


def test_cli_export_to_stdout(small, tmp_path):
    small.close()
    result = CliRunner().invoke(cli, ["export", "--format", "nt", "--graph", G, "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert isomorphic(Graph().parse(data=result.stdout_bytes, format="nt"), Graph().parse(CONFORMING, format="turtle"))


def test_export_reports_its_progress_in_bytes(tmp_path):
    from pvd_kg.export import export
    from pvd_kg.graph import curated_dataset
    from pvd_kg.store import MemoryStore

    store = MemoryStore.from_dataset(curated_dataset())
    chunks = []
    result = export(store, tmp_path / "all.nq", fmt="nquads", progress=chunks.append)
    assert chunks and sum(chunks) == result.bytes == (tmp_path / "all.nq").stat().st_size
