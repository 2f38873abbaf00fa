"""An interrupted folder-swap commit, a read-only store folder and a full disk: every opener
(``graphs``, ``query``, ``export``, ``serve``) finds the store complete, old or new content,
never a mix, and the leftovers are removed.

``pvd-kg build`` runs as a real subprocess that SIGKILLs itself at one step of the swap
(``PVD_KG_TEST_KILL_AT_SWAP_STEP``, off unless set)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from pvd_kg.store.swap import KILL_AT_STEP_VARIABLE, STEPS

from serve_server import running_server

KEEP = "http://example.org/kept"
NOTICE = "was left by an interrupted write"
# what a crash at each step leaves, as the openers must see it
CONTENT_AFTER = {"new-partial": "old", "new-written": "old", "old-moved": "old", "new-moved": "new",
                 "old-trashed": "new"}
LEFTOVER = {"new-partial": ".store.new", "new-written": ".store.new", "old-moved": ".store.old",
            "new-moved": ".store.old", "old-trashed": ".store.trash"}


def pvd_kg(*args, env=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pvd_kg.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def content(store: Path) -> list[str]:
    """The store's quads, sorted, blank node labels blanked (each build mints its own), read
    through ``pvd-kg export``, the same opener a user runs."""
    done = pvd_kg("export", "--store", str(store), "--format", "nquads")
    return sorted(re.sub(r"_:\w+", "_:", line) for line in done.stdout.splitlines())


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".store."))


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A small store (one named graph) and, as references, its content before and after a build."""
    root = tmp_path_factory.mktemp("recovery")
    data = root / "kept.nt"
    data.write_text('<http://example.org/a> <http://example.org/p> "kept" .\n', encoding="utf-8")
    base = root / "base" / "store"
    base.parent.mkdir()
    pvd_kg("load", str(data), "--graph", KEEP, "--no-validate", "--store", str(base))
    built = root / "built" / "store"
    shutil.copytree(base.parent, built.parent, dirs_exist_ok=True)
    pvd_kg("build", "--no-validate", "--store", str(built))
    old, new = content(base), content(built)
    assert old != new and set(old) < set(new)
    return {"root": root, "base": base, "old": old, "new": new}


@pytest.fixture(scope="module")
def crashed(states):
    """For each step, a folder holding what a build SIGKILLed at that step left."""
    left = {}
    for step in STEPS:
        folder = states["root"] / f"crash-{step}"
        shutil.copytree(states["base"].parent, folder)
        done = pvd_kg("build", "--no-validate", "--store", str(folder / "store"), env={KILL_AT_STEP_VARIABLE: step},
                      check=False)
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert LEFTOVER[step] in leftovers(folder)  # the kill came mid-swap
        assert (folder / "store").exists() == (step != "old-moved")
        left[step] = folder
    return left


@contextlib.contextmanager
def copy_of(folder: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, symlinks=True)
    yield copy / "store"


def _opened_by_graphs(store):
    return pvd_kg("graphs", "--store", str(store))


def _opened_by_query(store):
    done = pvd_kg("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv",
                  "--store", str(store))
    assert done.stdout.splitlines()[1].isdigit()
    return done


def _opened_by_export(store):
    return pvd_kg("export", "--store", str(store), "--format", "nquads", "-o", str(store.parent / "dump.nq"))


OPENERS = {"graphs": _opened_by_graphs, "query": _opened_by_query, "export": _opened_by_export}
# every opener after the worst crash (no store folder at all), and one of them after each other step
CASES = [("old-moved", name) for name in OPENERS] + [
    (step, list(OPENERS)[i % len(OPENERS)]) for i, step in enumerate(s for s in STEPS if s != "old-moved")]


@pytest.mark.parametrize("step, opener", CASES)
def test_a_read_command_repairs_a_build_killed_mid_swap(states, crashed, tmp_path, step, opener):
    with copy_of(crashed[step], tmp_path) as store:
        done = OPENERS[opener](store)
        assert done.stderr.count(NOTICE) == 1, done.stderr
        assert "Traceback" not in done.stderr and "no store" not in done.stderr
        assert leftovers(store.parent) == []
        assert content(store) == states[CONTENT_AFTER[step]]
        assert NOTICE not in pvd_kg("graphs", "--store", str(store)).stderr  # said once


def test_serve_repairs_a_build_killed_between_the_renames(states, crashed, tmp_path):
    with copy_of(crashed["old-moved"], tmp_path) as store:
        with running_server(store, log_dir=tmp_path) as server:
            answer = requests.post(server("/sparql"), data={"query": f"ASK {{ GRAPH <{KEEP}> {{ ?s ?p ?o }} }}"},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=30)
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            assert leftovers(store.parent) == []
        assert server.log.read_text().count(NOTICE) == 1
    # a crash after the renames: serve finds the new content
    with copy_of(crashed["new-moved"], tmp_path / "after") as store:
        with running_server(store, log_dir=tmp_path) as server:
            answer = requests.post(server("/sparql"), data={"query": "ASK { ?c a <https://w3id.org/pvd-kg/def#Commune> }"},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=30)
            assert answer.json()["boolean"] is True
        assert leftovers(store.parent) == []


def test_a_running_server_repairs_a_build_killed_under_it(states, tmp_path):
    folder = tmp_path / "live"
    shutil.copytree(states["base"].parent, folder)
    store = folder / "store"
    with running_server(store, "--watch", "0.2", log_dir=tmp_path) as server:
        done = pvd_kg("build", "--no-validate", "--store", str(store), env={KILL_AT_STEP_VARIABLE: "old-moved"},
                      check=False)
        assert done.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 60
        while leftovers(folder) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert leftovers(folder) == [] and store.exists()
        answer = requests.post(server("/sparql"), data={"query": f"ASK {{ GRAPH <{KEEP}> {{ ?s ?p ?o }} }}"},
                               headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert answer.json()["boolean"] is True
    assert server.log.read_text().count(NOTICE) == 1
    assert content(store) == states["old"]


def test_a_write_command_repairs_too_then_writes(states, crashed, tmp_path):
    with copy_of(crashed["old-moved"], tmp_path) as store:
        done = pvd_kg("build", "--no-validate", "--store", str(store))
        assert done.stderr.count(NOTICE) == 1
        assert content(store) == states["new"] and leftovers(store.parent) == []


@contextlib.contextmanager
def mounted(kind: str, where: Path, *options: str, source: Path | None = None):
    """Mount a tmpfs (``kind="tmpfs"``) or a read-only bind of ``source`` at ``where``; skip
    the test when mounting is not permitted, except in CI (``$CI`` set), where it fails."""
    where.mkdir(parents=True, exist_ok=True)
    if kind == "tmpfs":
        cmds = [["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)]]
    else:
        cmds = [["mount", "--bind", str(source), str(where)], ["mount", "-o", "remount,bind,ro", str(where)]]
    for i, cmd in enumerate(cmds):
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            if i:
                subprocess.run(["umount", str(where)], capture_output=True)
            why = f"cannot mount here ({' '.join(cmd[:3])}: {done.stderr.strip() or done.returncode})"
            if os.environ.get("CI"):  # CI runs as root: a mount that fails there is a failure
                pytest.fail(why)
            pytest.skip(f"{why}; needs root and mount permission")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_read_only_store_folder_reads_and_refuses_writes_in_one_line(states, tmp_path):
    source = tmp_path / "rw"
    shutil.copytree(states["base"].parent, source)
    with mounted("bind", tmp_path / "ro", source=source) as ro:
        store = ro / "store"
        assert "kept" in pvd_kg("export", "--store", str(store), "--format", "nquads").stdout
        assert KEEP in pvd_kg("graphs", "--store", str(store)).stdout
        assert pvd_kg("query", f"ASK {{ GRAPH <{KEEP}> {{ ?s ?p ?o }} }}", "--store", str(store)).returncode == 0
        data = tmp_path / "more.nt"
        data.write_text('<http://example.org/b> <http://example.org/p> "more" .\n', encoding="utf-8")
        for args in (["load", str(data), "--no-validate"], ["drop", "--graph", KEEP], ["build", "--no-validate"]):
            done = pvd_kg(*args, "--store", str(store), check=False)
            assert done.returncode != 0, args
            assert done.stderr.count("\n") == 1 and "read-only" in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
        assert content(store) == states["old"]


def test_a_read_only_folder_left_mid_swap_is_read_from_the_previous_store(states, crashed, tmp_path):
    source = tmp_path / "rw"
    shutil.copytree(crashed["old-moved"], source)
    with mounted("bind", tmp_path / "ro", source=source) as ro:
        done = pvd_kg("graphs", "--store", str(ro / "store"))
        assert "the previous store is read from .store.old" in done.stderr and KEEP in done.stdout
        assert content(ro / "store") == states["old"]


def test_a_full_disk_during_a_build_leaves_the_store_complete(states, tmp_path):
    """The store on a 12 MB tmpfs: the build's new folder (about 27 MB) does not fit."""
    with mounted("tmpfs", tmp_path / "small", "size=12m") as small:
        shutil.copytree(states["base"].parent, small, dirs_exist_ok=True)
        store = small / "store"
        done = pvd_kg("build", "--no-validate", "--store", str(store), check=False)
        assert done.returncode != 0
        error = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(error) == 1 and "nothing was changed" in error[0], done.stderr
        assert "Traceback" not in done.stderr
        assert leftovers(small) == []
        assert content(store) == states["old"]
        more = tmp_path / "more.nt"
        more.write_text('<http://example.org/b> <http://example.org/p> "more" .\n', encoding="utf-8")
        pvd_kg("load", str(more), "--no-validate", "--store", str(store))  # still writable once space is back


def test_a_full_disk_during_a_transaction_leaves_the_store_complete(states, tmp_path):
    """A load below the swap threshold commits in one transaction: its write-ahead log does not
    fit a 2 MB tmpfs."""
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "value {i} with some padding" .\n'
                           for i in range(60_000)), encoding="utf-8")
    with mounted("tmpfs", tmp_path / "small", "size=2m") as small:
        shutil.copytree(states["base"].parent, small, dirs_exist_ok=True)
        store = small / "store"
        done = pvd_kg("load", str(big), "--graph", "http://example.org/big", "--no-validate", "--store", str(store),
                      check=False)
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1 and "No space left on device" in done.stderr, done.stderr
        assert "nothing was written" in done.stderr
        assert content(store) == states["old"]


def test_a_reader_leaves_alone_the_new_folder_of_a_swap_under_way(states, tmp_path):
    from pvd_kg.store.swap import swap_lock

    folder = tmp_path / "busy"
    shutil.copytree(states["base"].parent, folder)
    store = folder / "store"
    (folder / ".store.new").mkdir()  # a swap in another process, writing its new folder
    with swap_lock(store, wait=True):
        done = pvd_kg("graphs", "--store", str(store))
        assert KEEP in done.stdout and NOTICE not in done.stderr
        assert leftovers(folder) == [".store.new"]
    done = pvd_kg("graphs", "--store", str(store))  # the lock is free: a leftover now
    assert done.stderr.count(NOTICE) == 1 and leftovers(folder) == []
