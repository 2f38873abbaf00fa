"""Bounded load test of ``pvd-kg serve`` (result cache on, and ``--cache-mb 0``) against a bare
``oxigraph serve-read-only`` on the same store, in the same run.

N client threads on loopback send form POSTs asking for SPARQL JSON, for T seconds per server
and workload, after 2 s of warm-up with the catalog workload:

- ``catalog``: the catalog queries (``queries/*.rq`` with their default parameters), round-robin;
- ``distinct``: ``commune-timeline`` and ``commune-selection`` in turn, for the store's PVD
  communes in turn, each text ending with a request counter comment, so no two requests are the
  same and a result cache can only miss.

Then it prints throughput, latency percentiles, the share of ``X-Cache: hit`` answers and the
throughput ratio to Oxigraph on the same workload.

    python bench/serve_bench.py --store /path/to/store --clients 4 --seconds 20

Without ``--store`` it builds a store from the curated dataset in a temporary folder.
"""

from __future__ import annotations

import argparse
import itertools
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

import pyoxigraph as ox  # noqa: E402

from pvd_kg import iris, queries  # noqa: E402
from pvd_kg.vocab import PVD  # noqa: E402
from oxigraph_server import oxigraph_binary  # noqa: E402
from serve_server import build_store, free_port  # noqa: E402


def catalog_queries() -> list[tuple[str, str]]:
    """Name and text of each catalog query that needs no parameter, with its defaults."""
    return [(q.name, queries.render(q)) for q in queries.catalog() if not any(p.required for p in q.params)]


def distinct_queries(store: Path):
    """A function giving the i-th request text of the ``distinct`` workload (see the module doc)."""
    pvd = str(iris.programme("pvd"))
    db = ox.Store.read_only(str(store))
    rows = db.query(f"SELECT DISTINCT ?c WHERE {{ ?s a <{PVD}Selection> ; <{PVD}commune> ?c ; "
                    f"<{PVD}programme> <{pvd}> }} ORDER BY ?c", use_default_graph_as_union=True)
    codes = [r["c"].value.rsplit("/", 1)[1] for r in rows]
    del db
    if not codes:
        raise SystemExit(f"no PVD commune in {store}")
    timeline, selection = queries.get("commune-timeline"), queries.get("commune-selection")
    rendered: dict[tuple, str] = {}

    def pick(i: int) -> str:
        key = (i % 2, codes[(i // 2) % len(codes)])
        if key not in rendered:
            rendered[key] = queries.render(timeline if key[0] == 0 else selection, {"commune": key[1]})
        return rendered[key] + f"\n# request {i}\n"

    return pick, len(codes)


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


def load(url: str, pick, clients: int, seconds: float) -> dict:
    """Run ``clients`` threads for ``seconds``, request i sending ``pick(i)``; return counts and
    latencies (ms)."""
    latencies: list[float] = []
    errors = hits = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    counter = itertools.count()

    def client():
        nonlocal errors, hits
        session = requests.Session()
        mine, bad, hit = [], 0, 0
        while time.monotonic() < stop:
            text = pick(next(counter))
            t0 = time.perf_counter()
            r = session.post(url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            _ = r.content
            mine.append((time.perf_counter() - t0) * 1000)
            bad += r.status_code != 200
            hit += r.headers.get("x-cache") == "hit"
        with lock:
            latencies.extend(mine)
            errors += bad
            hits += hit

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] if latencies else float("nan")

    return {"requests": len(latencies), "errors": errors, "hits": hits, "rps": len(latencies) / elapsed,
            "p50": pct(50), "p90": pct(90), "p99": pct(99), "mean": statistics.fmean(latencies) if latencies else 0}


def run_server(name: str, cmd: list[str], url: str, workloads: dict, args) -> dict:
    """Start one server, warm it up with the catalog workload, measure each workload, stop it."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    try:
        wait_ready(url, proc)
        load(url, workloads["catalog"], args.clients, 2)  # warm-up (and, with a cache, filling it)
        for workload, pick in workloads.items():
            results[(name, workload)] = load(url, pick, args.clients, args.seconds)
    finally:
        proc.terminate()
        proc.wait(15)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="store folder (default: build the curated dataset)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15, help="seconds of load per server and workload")
    ap.add_argument("--workers", type=int, default=2, help="pvd-kg serve query workers")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="pvd-kg-bench-")
    store = args.store or build_store(Path(tmp.name) / "store")
    work = catalog_queries()
    distinct, communes = distinct_queries(store)
    workloads = {"catalog": lambda i: work[i % len(work)][1], "distinct": distinct}
    print(f"store: {store}\nworkloads: catalog ({len(work)} catalog queries round-robin), distinct "
          f"(2 commune queries x {communes} PVD communes, every text unique); {args.clients} clients, "
          f"{args.seconds:g} s per server and workload")

    results = {}
    port = free_port()
    results.update(run_server("oxigraph serve-read-only",
                              [oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                               "--union-default-graph"], f"http://127.0.0.1:{port}/query", workloads, args))
    for name, extra in (("pvd-kg serve (cache)", []), ("pvd-kg serve --cache-mb 0", ["--cache-mb", "0"])):
        port = free_port()
        results.update(run_server(name, [sys.executable, "-m", "pvd_kg.cli", "serve", "--store", str(store),
                                         "--port", str(port), "--workers", str(args.workers), *extra],
                                  f"http://127.0.0.1:{port}/sparql", workloads, args))

    print(f"{'server':27} {'workload':9} {'requests':>9} {'errors':>6} {'hits':>5} {'req/s':>8} {'p50 ms':>7} "
          f"{'p90 ms':>7} {'p99 ms':>7} {'x oxigraph':>10}")
    for (name, workload), r in results.items():
        base = results[("oxigraph serve-read-only", workload)]["rps"]
        hits = f"{100 * r['hits'] / r['requests']:.0f}%" if r["requests"] else "-"
        print(f"{name:27} {workload:9} {r['requests']:9d} {r['errors']:6d} {hits:>5} {r['rps']:8.1f} {r['p50']:7.1f} "
              f"{r['p90']:7.1f} {r['p99']:7.1f} {r['rps'] / base:10.2f}")
    for name in ("pvd-kg serve (cache)", "pvd-kg serve --cache-mb 0"):
        r = results[(name, "catalog")]
        ratio = r["rps"] / results[("oxigraph serve-read-only", "catalog")]["rps"]
        met = {True: "met", False: "NOT met"}
        print(f"{name}, catalog: throughput {ratio:.2f}x oxigraph (target >= 0.8: {met[ratio >= 0.8]}), "
              f"p99 {r['p99']:.1f} ms (target < 100 ms: {met[r['p99'] < 100]})")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
