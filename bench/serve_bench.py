"""Bounded load test of ``pvd-kg serve`` against a bare ``oxigraph serve-read-only`` on the same
store, in the same run.

N client threads on loopback send the catalog queries (``queries/*.rq`` with their default
parameters) round-robin, as form POSTs asking for SPARQL JSON, for T seconds each server; then
the script stops both servers and prints throughput and latency percentiles.

    python bench/serve_bench.py --store /path/to/store --clients 4 --seconds 20

Without ``--store`` it builds a store from the curated dataset in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pvd_kg import queries  # noqa: E402
from serve_server import build_store, free_port  # noqa: E402


def catalog_queries() -> list[tuple[str, str]]:
    out = []
    for q in queries.catalog():
        try:
            out.append((q.name, queries.render(q)))
        except Exception:  # a required parameter without default
            continue
    return out


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.returncode}")
        try:
            if requests.post(url, data={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def load(url: str, work: list[tuple[str, str]], clients: int, seconds: float) -> dict:
    """Run ``clients`` threads for ``seconds``; return counts and latencies (ms)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int):
        nonlocal errors
        session = requests.Session()
        i = offset
        mine, bad = [], 0
        while time.monotonic() < stop:
            _, text = work[i % len(work)]
            i += 1
            t0 = time.perf_counter()
            r = session.post(url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            _ = r.content
            mine.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] if latencies else float("nan")

    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50": pct(50), "p90": pct(90), "p99": pct(99), "mean": statistics.fmean(latencies) if latencies else 0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="store folder (default: build the curated dataset)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--workers", type=int, default=2, help="pvd-kg serve query workers")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="pvd-kg-bench-")
    store = args.store or build_store(Path(tmp.name) / "store")
    work = catalog_queries()
    print(f"store: {store}\nqueries: {len(work)} catalog queries, {args.clients} clients, {args.seconds:g} s per server")

    results = {}
    port = free_port()
    oxi = subprocess.Popen(["oxigraph", "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                            "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}/query", oxi)
        load(f"http://127.0.0.1:{port}/query", work, args.clients, 2)  # warm-up
        results["oxigraph serve-read-only"] = load(f"http://127.0.0.1:{port}/query", work, args.clients, args.seconds)
    finally:
        oxi.terminate()
        oxi.wait(15)

    port = free_port()
    pvd = subprocess.Popen([sys.executable, "-m", "pvd_kg.cli", "serve", "--store", str(store), "--port", str(port),
                            "--workers", str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}/sparql", pvd)
        load(f"http://127.0.0.1:{port}/sparql", work, args.clients, 2)
        results["pvd-kg serve"] = load(f"http://127.0.0.1:{port}/sparql", work, args.clients, args.seconds)
    finally:
        pvd.terminate()
        pvd.wait(15)

    print(f"{'server':28} {'requests':>9} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        print(f"{name:28} {r['requests']:9d} {r['errors']:6d} {r['rps']:8.1f} {r['p50']:8.1f} {r['p90']:8.1f} {r['p99']:8.1f}")
    ratio = results["pvd-kg serve"]["rps"] / results["oxigraph serve-read-only"]["rps"]
    print(f"throughput ratio pvd-kg / oxigraph: {ratio:.2f} (target >= 0.8); "
          f"pvd-kg p99 {results['pvd-kg serve']['p99']:.1f} ms (target < 100 ms)")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
