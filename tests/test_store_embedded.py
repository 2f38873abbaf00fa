"""What only the embedded store does: its query worker process, its folder and its lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pvd_kg.errors import QueryTimeout, StoreError
from pvd_kg.load import load_files
from pvd_kg.store.embedded import EmbeddedStore, commits_by_swap

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }"


def _nt(tmp_path, name, n) -> Path:
    path = tmp_path / name
    path.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(n)))
    return path


def test_timeout_kills_the_worker_process(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        load_files(store, [_nt(tmp_path, "a.nt", 40)], validate=False)
        store.query("ASK {}", timeout=10)
        pid = store._worker.proc.pid
        with pytest.raises(QueryTimeout):
            store.query(RUNAWAY, timeout=0.5)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone, not left computing in the background
        assert store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=10).rows[0][0].toPython() == 40


def test_worker_sees_later_writes(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        load_files(store, [_nt(tmp_path, "a.nt", 3)], validate=False)
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert store.query(count, timeout=10).rows[0][0].toPython() == 3
        load_files(store, [_nt(tmp_path, "b.nt", 5)], validate=False)
        assert store.query(count, timeout=10).rows[0][0].toPython() == 5
        assert store.drop_graph("http://example.org/none") is False


def test_read_only_needs_an_existing_store(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        len(EmbeddedStore(tmp_path / "missing", read_only=True))


def test_a_second_writer_is_refused_with_a_hint(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(tmp_path / "store")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="cannot open the store"):
            len(EmbeddedStore(tmp_path / "store"))
        assert len(EmbeddedStore(tmp_path / "store", read_only=True)) == 0  # readers are fine
    finally:
        holder.stdin.close()
        holder.wait()


def test_store_location_from_the_environment(tmp_path):
    env = dict(os.environ, PVD_KG_STORE=str(tmp_path / "elsewhere"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", "from pvd_kg.store.embedded import EmbeddedStore; "
                          "s = EmbeddedStore(); print(s.path); len(s)"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "CURRENT").exists()  # created on first use


def _quads(store):
    return sorted(str(q) for q in store.ox)


def test_replace_graphs_swaps_folders_and_keeps_other_graphs(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        load_files(store, [_nt(tmp_path, "keep.nt", 3)], graph="http://example.org/keep", validate=False)
        load_files(store, [_nt(tmp_path, "old.nt", 5)], graph="http://example.org/replaced", validate=False)
        new = tmp_path / "new.nq"
        new.write_text('<http://example.org/a> <http://example.org/p> "new" <http://example.org/replaced> .\n')
        store.replace_graphs(["http://example.org/replaced"], new)
        assert store.graphs() == ["http://example.org/keep", "http://example.org/replaced"]
        assert len(store) == 3 + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nt", "new.nq", "old.nt", "store"]


@pytest.mark.parametrize("crash_point", ["before the first rename", "between the renames", "after both renames"])
def test_an_interrupted_swap_is_finished_or_undone_on_open(tmp_path, crash_point):
    path = tmp_path / "store"
    with EmbeddedStore(path) as store:
        load_files(store, [_nt(tmp_path, "a.nt", 4)], validate=False)
        before = _quads(store)
    new, old = tmp_path / ".store.new", tmp_path / ".store.old"
    with EmbeddedStore(tmp_path / "scratch") as other:  # a complete store standing for the new folder
        load_files(other, [_nt(tmp_path, "b.nt", 9)], validate=False)
        expected_new = _quads(other)
    os.rename(tmp_path / "scratch", new)
    if crash_point != "before the first rename":
        os.rename(path, old)
    if crash_point == "after both renames":
        os.rename(new, path)
    with EmbeddedStore(path) as store:
        assert _quads(store) == (expected_new if crash_point == "after both renames" else before)
    assert not new.exists() and not old.exists()


def test_a_large_load_commits_by_swap_all_or_nothing(tmp_path, small_swap_threshold):
    path = tmp_path / "store"
    n = small_swap_threshold + 1
    big = _nt(tmp_path, "big.nt", n)
    bad = tmp_path / "bad.nt"
    bad.write_text(big.read_text() + "<http://example.org/x> <oops .\n")
    with EmbeddedStore(path) as store:
        load_files(store, [_nt(tmp_path, "a.nt", 4)], graph="http://example.org/kept", validate=False)
        before = _quads(store)
        assert commits_by_swap(n, len(store))
        with pytest.raises(StoreError, match="nothing was changed"):
            store.add_nquads(bad)  # refused at its last line, after the others were bulk-loaded beside
        assert _quads(store) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nt", "bad.nt", "big.nt", "store"]
        inode = path.stat().st_ino
        store.add_nquads(big)
        assert path.stat().st_ino != inode  # a new folder was swapped in
        assert len(store) == 4 + n
        assert store.graphs() == ["http://example.org/kept"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nt", "bad.nt", "big.nt", "store"]


def test_the_swap_threshold_is_a_setting(monkeypatch):
    from pvd_kg.store.embedded import SWAP_MIN_QUADS
    from pvd_kg.store.swap import MIN_QUADS_VARIABLE

    monkeypatch.delenv(MIN_QUADS_VARIABLE, raising=False)
    assert SWAP_MIN_QUADS == 1_000_000 and not commits_by_swap(999_999, 0) and commits_by_swap(1_000_000, 0)
    monkeypatch.setenv(MIN_QUADS_VARIABLE, "50")
    assert not commits_by_swap(49, 0) and commits_by_swap(50, 0) and not commits_by_swap(50, 51)
    for bad in ("0", "-3", "1e6", "many"):
        monkeypatch.setenv(MIN_QUADS_VARIABLE, bad)
        with pytest.raises(StoreError, match=f"{MIN_QUADS_VARIABLE}='{bad}' is not a positive whole number"):
            commits_by_swap(10, 0)


def test_dropping_a_graph_that_is_not_an_iri_is_an_input_error(tmp_path):
    from pvd_kg.errors import InputError

    with EmbeddedStore(tmp_path / "store") as store:
        with pytest.raises(InputError, match="graph 'x' is not an absolute IRI"):
            store.drop_graph("x")
