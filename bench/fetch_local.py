"""Throughput of pvd_kg.fetch on a loopback server: streaming, checks, UTF-8 re-encoding, sha256, atomic write.

Run: python bench/fetch_local.py   (prints figures; asserts nothing)
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pvd_kg.fetch import fetch_source
from pvd_kg.sources_registry import SOURCES

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "fetch"


def make_body(name: str, size: int) -> bytes:
    text = (FIXTURE / name).read_bytes()
    header, rows = text.split(b"\n", 1)
    return header + b"\n" + rows * (size // len(rows) + 1)


class Handler(BaseHTTPRequestHandler):
    bodies: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        body, ctype = self.bodies[self.path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    cases = [("utf-8 declared", "pvd_iso.csv", "text/csv; charset=utf-8"),
             ("latin-1 undeclared (detected)", "pvd_latin1.csv", "text/csv")]
    print(f"{'case':32} {'MB':>6} {'seconds':>8} {'MB/s':>7}")
    for label, name, ctype in cases:
        for size in (1_000_000, 10_000_000):
            path = f"/{name}/{size}"
            Handler.bodies[path] = (make_body(name, size), ctype)
            source = dataclasses.replace(SOURCES["anct-pvd-2026"], url=base + path)
            with tempfile.TemporaryDirectory() as dest:
                start = time.perf_counter()
                result = fetch_source(source, dest, allow_private_hosts=("127.0.0.1",))
                took = time.perf_counter() - start
            mb = result.record["received_bytes"] / 1e6
            print(f"{label:32} {mb:6.1f} {took:8.3f} {mb / took:7.1f}")
    httpd.shutdown()


if __name__ == "__main__":
    main()
