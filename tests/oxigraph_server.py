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
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {proc.stderr.read().decode()[-500:]}")
            try:
                if requests.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve did not answer within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
