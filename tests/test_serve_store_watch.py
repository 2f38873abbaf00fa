"""A running ``pvd-kg serve`` picks up writes that other processes make to its store
(pvd_kg/serve/store_watch.py, WorkerPool.reopen): the folder's fingerprint changes with every
write and with a folder swap but not with a read; a real server sees a ``pvd-kg drop`` (written
in place) and a graph replacement (a folder swap) without a restart and answers every query
meanwhile; the pool keeps its readers when the store cannot be opened, and when an update
started new readers while a reopen was starting its own."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import requests
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.serve.pool import WorkerPool
from pvd_kg.serve.store_watch import fingerprint
from serve_server import build_store, running_server

PROGRAMME = "https://w3id.org/pvd-kg/graph/programme"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PROGRAMME}> {{ ?s ?p ?o }} }}"
JSON = "application/sparql-results+json"


def _cli(*args: str) -> subprocess.CompletedProcess:
    """``pvd-kg ARGS`` in its own process, as a user in another terminal would run it."""
    return subprocess.run([sys.executable, "-m", "pvd_kg.cli", *args], capture_output=True, text=True, timeout=300)


def _replace_programme(store, nquads) -> None:
    """Put the programme graph back through ``replace_graphs``: a new folder swapped in."""
    code = ("import sys; from pathlib import Path; from pvd_kg.store.embedded import EmbeddedStore\n"
            "with EmbeddedStore(sys.argv[1]) as s: s.replace_graphs([sys.argv[3]], Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, str(store), str(nquads), PROGRAMME], check=True, timeout=300)


def _programme_nquads(store, path) -> int:
    """The programme graph of ``store`` written to ``path`` as N-Quads; its number of quads."""
    s = ox.Store.read_only(str(store))
    quads = list(s.quads_for_pattern(None, None, None, ox.NamedNode(PROGRAMME)))
    del s
    ox.serialize(quads, output=str(path), format=ox.RdfFormat.N_QUADS)
    return len(quads)


def test_fingerprint_changes_with_writes_and_swaps_not_with_reads(tmp_path):
    store = build_store(tmp_path / "store")
    first = fingerprint(store)
    assert first is not None
    reader = ox.Store.read_only(str(store))
    assert len(list(reader.quads_for_pattern(None, None, None, None))) > 0
    del reader
    assert _cli("graphs", "--store", str(store)).returncode == 0
    assert fingerprint(store) == first  # readers, ours included, change nothing
    saved = tmp_path / "programme.nq"
    assert _programme_nquads(store, saved) > 0
    r = _cli("drop", "--graph", PROGRAMME, "--store", str(store))
    assert r.returncode == 0, r.stderr
    dropped = fingerprint(store)
    assert dropped != first and dropped[:2] == first[:2]  # written in place: same folder
    _replace_programme(store, saved)
    swapped = fingerprint(store)
    assert swapped[:2] != dropped[:2]  # a new folder
    assert fingerprint(tmp_path / "missing") is None


def test_a_negative_interval_is_refused(tmp_path):
    res = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), "--watch", "-1"])
    assert res.exit_code != 0 and "--watch" in res.output and "Traceback" not in res.output


def _count(srv) -> int:
    r = requests.get(srv("/sparql"), params={"query": COUNT}, headers={"Accept": JSON}, timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _wait_for(srv, expected: int, seconds: float = 60) -> float:
    """Seconds until the server's count is ``expected``; fails after ``seconds``."""
    start = time.monotonic()
    while (n := _count(srv)) != expected:
        assert time.monotonic() - start < seconds, f"still {n} quads after {seconds} s, expected {expected}"
        time.sleep(0.1)
    return time.monotonic() - start


def test_a_running_server_sees_writes_by_other_processes(tmp_path):
    store = build_store(tmp_path / "store")
    saved = tmp_path / "programme.nq"
    before = _programme_nquads(store, saved)
    assert before > 0
    statuses: list[int] = []
    stop = threading.Event()

    with running_server(store, "--watch", "0.3", log_dir=tmp_path) as srv:
        def keep_asking():  # the catalog's questions go on while the readers are exchanged
            while not stop.is_set():
                r = requests.post(srv("/sparql"), data={"query": COUNT + f" # {len(statuses)}"},
                                  headers={"Accept": JSON}, timeout=60)
                statuses.append(r.status_code)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            assert _count(srv) == before and _count(srv) == before  # the second is a cache hit
            workers = requests.get(srv("/status"), timeout=30).json()["workers"]

            r = _cli("drop", "--graph", PROGRAMME, "--store", str(store))  # in place, serve running
            assert r.returncode == 0, r.stderr
            _wait_for(srv, 0)
            status = requests.get(srv("/status"), timeout=30).json()
            assert status["store_watch"]["reloads"] >= 1 and status["reopens"] >= 1
            assert status["store_watch"]["interval_s"] == 0.3 and status["store_watch"]["last_reload"]
            assert set(status["workers"]).isdisjoint(workers)  # new reader processes

            _replace_programme(store, saved)  # a folder swap, as `pvd-kg build` does
            _wait_for(srv, before)
            assert requests.get(srv("/status"), timeout=30).json()["store_watch"]["reloads"] >= 2
        finally:
            stop.set()
            asker.join(60)
    assert statuses and set(statuses) == {200}, f"{len(statuses)} queries, statuses {set(statuses)}"


QUERY_JOB = {"op": "query", "query": COUNT, "base_iri": None, "default_graphs": None, "named_graphs": None,
             "result_format": "json", "rdf_media_type": None, "prefixes": {}, "row_cap": 10, "byte_cap": 10**6}


def test_the_pool_keeps_its_readers_while_the_store_cannot_be_opened(tmp_path):
    store = build_store(tmp_path / "store")
    aside = tmp_path / "aside"
    job = QUERY_JOB

    async def run():
        pool = WorkerPool(store, size=2, timeout=60, fast_size=0)  # every reader in turn: no fast lane
        await pool.start()
        try:
            first = await pool.run(job)
            store.rename(aside)  # as between the two renames of a swap
            reopened = await pool.reopen()
            during = await pool.run(job)
            aside.rename(store)
            again = await pool.reopen()
            return first, reopened, during, again, pool.status()
        finally:
            await pool.close()

    first, reopened, during, again, status = asyncio.run(run())
    assert first["ok"] and during["ok"] and during["body"] == first["body"]
    assert reopened is False and again is True and status["reopens"] == 1 and len(status["workers"]) == 2


def test_a_reopen_that_overlaps_an_update_keeps_the_updated_readers(tmp_path):
    """Readers that a reopen started while an update wrote may hold the content from before the
    update: they are dropped, not exchanged for the readers the update started."""
    store = build_store(tmp_path / "store")
    update = {"op": "update", "update": f"DROP GRAPH <{PROGRAMME}>", "base_iri": None}

    async def run():
        pool = WorkerPool(store, size=2, timeout=60, fast_size=0)  # every reader in turn: no fast lane
        await pool.start()
        try:
            before = await pool.run(QUERY_JOB)
            # the reopen starts its readers first; the update takes the pool at once (no query runs)
            reopened, updated = await asyncio.gather(pool.reopen(), pool.update(update))
            answers = [await pool.run(QUERY_JOB) for _ in range(4)]  # each reader, round-robin
            return before, reopened, updated, answers, pool.status()
        finally:
            await pool.close()

    before, reopened, updated, answers, status = asyncio.run(run())
    assert updated["ok"] and reopened is False and status["reopens"] == 0 and len(status["workers"]) == 2
    assert b'"0"' not in before["body"] and all(b'"0"' in a["body"] for a in answers)
