"""The worker pool's in-memory mirror (pvd_kg/serve/pool.py, worker.py): a real server over the
curated store answers every catalog query exactly as the on-disk store does, and an update sent
through the endpoint is visible to the (reloaded) in-memory readers afterwards."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
import pytest
import requests

from pvd_kg import queries
from pvd_kg.serve.pool import WorkerPool
from tests.serve_server import build_store, running_server

TOKEN = "pool-token-81ad"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("pool") / "store")


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory):
    # the result cache off, so that every query reaches a reader
    with running_server(store_path, "--allow-update", "--update-token", TOKEN, "--cache-mb", "0",
                        log_dir=tmp_path_factory.mktemp("pool-log")) as srv:
        yield srv


def _key(kind: str, value: str, extra: str | None) -> tuple:
    if kind == "bnode":
        return ("bnode", "")
    if kind == "literal" and " " in value:  # GROUP_CONCAT's order is unspecified: follows storage order
        value = " ".join(sorted(value.split(" ")))
    return (kind, value, extra or "")


def _server_rows(srv, sparql: str) -> list:
    r = requests.post(srv("/sparql"), data={"query": sparql}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
    assert r.status_code == 200, r.text
    answer = r.json()
    names = answer["head"]["vars"]
    rows = []
    for b in answer["results"]["bindings"]:
        row = []
        for v in names:
            t = b.get(v)
            if t is None:
                row.append(None)
            else:
                kind = {"uri": "uri", "bnode": "bnode"}.get(t["type"], "literal")
                extra = t.get("xml:lang") or t.get("datatype")
                if kind == "literal" and extra is None:
                    extra = "http://www.w3.org/2001/XMLSchema#string"
                row.append(_key(kind, t["value"], extra))
        rows.append(tuple(row))
    return sorted(rows, key=repr)


def _disk_rows(path, sparql: str) -> list:
    store = ox.Store.read_only(str(path))
    answer = store.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    rows = []
    for s in answer:
        row = []
        for v in names:
            t = s[v]
            if t is None:
                row.append(None)
            elif isinstance(t, ox.NamedNode):
                row.append(_key("uri", t.value, None))
            elif isinstance(t, ox.BlankNode):
                row.append(_key("bnode", t.value, None))
            else:
                row.append(_key("literal", t.value, t.language or t.datatype.value))
        rows.append(tuple(row))
    return sorted(rows, key=repr)


def test_readers_answer_from_memory_like_the_disk_store(server, store_path):
    status = requests.get(server("/status"), timeout=30).json()
    assert status["in_memory"] == len(status["workers"]) >= 1
    compared = 0
    for q in queries.catalog():
        if any(p.default is None for p in q.params):
            continue
        text = queries.render(q)
        disk = _disk_rows(store_path, text)
        assert _server_rows(server, text) == disk, q.name
        compared += bool(disk)
    assert compared >= 5  # most catalog questions have an answer on the curated graph


def test_an_update_is_visible_to_the_in_memory_readers(server):
    ask = "SELECT ?o WHERE { GRAPH <urn:pool-test> { <urn:pool-s> <urn:pool-p> ?o } }"
    assert _server_rows(server, ask) == []
    r = requests.post(server("/sparql"), data='INSERT DATA { GRAPH <urn:pool-test> { <urn:pool-s> <urn:pool-p> "after" } }',
                      headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
                      timeout=60)
    assert r.status_code in (200, 204), r.text
    status = requests.get(server("/status"), timeout=30).json()
    assert status["in_memory"] == len(status["workers"]) >= 1  # the readers were restarted, still in memory
    for _ in range(len(status["workers"]) + 1):  # every reader, round-robin
        assert _server_rows(server, ask) == [(("literal", "after", "http://www.w3.org/2001/XMLSchema#string"),)]


def test_pool_stays_on_disk_above_the_threshold(store_path):
    async def run():
        pool = WorkerPool(store_path, size=1, mirror_max_quads=10)
        await pool.start()
        try:
            reply = await pool.run({"op": "query", "query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                                    "result_format": "json", "row_cap": 10, "byte_cap": 10_000})
            return pool.status(), reply
        finally:
            await pool.close()

    status, reply = asyncio.run(run())
    assert status["in_memory"] == 0
    assert reply["ok"] and b'"n"' in reply["body"]
