"""A real Oxigraph SPARQL server (the ``oxigraph`` CLI from the ``oxigraph`` PyPI package) on a
free loopback port, for the tests that run the same cases on the embedded store and an endpoint."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server CLI is missing: pip install oxigraph (the test extra)")
    return found


@contextlib.contextmanager
def oxigraph_server(location: Path, *, server_timeout: int = 10):
    """Start ``oxigraph serve`` with a union default graph; yield its base URL; stop it."""
    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph", "--timeout-s", str(server_timeout)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    with running(proc, f"{base}/query", "oxigraph serve", 30,
                 lambda: proc.stderr.read().decode()[-500:]):
        yield base


@contextlib.contextmanager
def running(proc: subprocess.Popen, url: str, name: str, seconds: float, log=lambda: ""):
    """Wait until ``url`` answers ``ASK {}`` (``log()`` explains an early exit); stop ``proc`` after."""
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {log()}")
            try:
                if requests.get(url, params={"query": "ASK {}"}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer within {seconds:g} s")
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
