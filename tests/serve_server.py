"""Helpers for the tests of ``pvd_kg.serve``: build an on-disk store, run ``pvd-kg serve`` as a
real subprocess on a free loopback port, and stop it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import requests

from pvd_kg.graph import curated_dataset

DATA = Path(__file__).with_name("data")
W3C = DATA / "w3c" / "sparql"


def build_store(path: Path, *, curated: bool = True, press: bool = False,
                graphs: dict[str, Path] | None = None) -> Path:
    """A pyoxigraph store at ``path`` with the curated dataset (ontology + graph/*.ttl: the
    Libercourt figures the serving tests check; ``press`` adds graph/press/*.ttl) and each file of
    ``graphs`` loaded into the named graph given as its key."""
    store = ox.Store(str(path))
    if curated:
        store.load(_curated_nquads(press), format=ox.RdfFormat.N_QUADS)
    for name, file in (graphs or {}).items():
        fmt = ox.RdfFormat.N_TRIPLES if file.suffix == ".nt" else ox.RdfFormat.TURTLE
        store.load(path=str(file), format=fmt, to_graph=ox.NamedNode(name), base_iri=file.as_uri())
    store.flush()
    del store
    return path


@lru_cache(maxsize=None)
def _curated_nquads(press: bool) -> bytes:
    """The curated dataset as N-Quads, serialised once per test session."""
    return curated_dataset(press=press).serialize(format="nquads", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``pvd-kg serve``; ``url`` is its root without the trailing slash."""

    def __init__(self, proc: subprocess.Popen, port: int, log: Path):
        self.proc, self.port, self.log = proc, port, log
        self.url = f"http://127.0.0.1:{port}"

    def __call__(self, path: str) -> str:
        return self.url + path


@contextlib.contextmanager
def running_server(store: Path, *args: str, log_dir: Path, preexec_fn=None):
    """Start the server on ``store`` with extra CLI ``args``; wait until it answers; stop it after.
    ``preexec_fn`` runs in the server process before it starts (e.g. to set a memory limit)."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    cmd = [sys.executable, "-m", "pvd_kg.cli", "serve", "--store", str(store), "--port", str(port), *args]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
    server = Server(proc, port, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()}")
            try:
                if requests.get(server("/sparql"), timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
