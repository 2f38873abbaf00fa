"""Hostile load on a real ``pvd-kg serve`` on loopback: 20 hostile clients at once and a light
query every 100 ms; the light query's latency and the server's peak memory, all processes.

For each server configuration (the default: two general-lane workers and one fast-lane worker;
then ``--fast-workers 0``, the same pool without the fast lane), in the same run:

1. quiet: the light query every 100 ms for ``--quiet-seconds``: its usual latency;
2. hostile: 20 client threads, each sending hostile queries one after the other (a cross product
   that runs into the time limit, a string blow-up that runs into the memory limit, an answer
   past the row cap), every text unique so nothing is cached or known fast, waiting the
   ``Retry-After`` delay after a 503; meanwhile the light query every 100 ms, and a *new* light
   text (never seen by the server) every second, for ``--seconds``.

It prints the light query's p50 and p99 in each phase (target under load: p99 < 1 s), how the
hostile queries ended, and the peak resident memory of the server and all its children (target
< 2 GB). The result cache is off (``--cache-mb 0``), else the light query never reaches a worker.

    python bench/serve_load_bench.py [--store PATH] [--seconds 30]

Bounded: each configuration takes ``--quiet-seconds`` + ``--seconds``, plus the hostile
requests still waiting at the end (at most the per-client queue of 8 times the 30 s time limit
over the two general workers); about 5 minutes in all.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pvd_kg import paths, queries  # noqa: E402
from serve_server import running_server  # noqa: E402

HOSTILE = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT (STRLEN(?x20) AS ?n) WHERE { ?a ?b ?c . BIND(STR(?c) AS ?x0) "
    + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(20)) + " } ORDER BY ?x20",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
]
JSON = {"Accept": "application/sparql-results+json"}


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            pass
    return total


class Peak(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.05)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def every(url: str, text_of, period: float, stop: float, out: list, statuses: collections.Counter) -> None:
    """Send ``text_of(i)`` every ``period`` seconds until ``stop``; latencies (s) into ``out``."""
    session = requests.Session()
    for i in itertools.count():
        start = time.monotonic()
        if start >= stop:
            return
        r = session.post(url, data={"query": text_of(i)}, headers=JSON, timeout=120)
        out.append(time.monotonic() - start)
        statuses[r.status_code] += 1
        time.sleep(max(0.0, period - (time.monotonic() - start)))


def hostile(url: str, n: int, stop: float, ends: collections.Counter) -> None:
    session = requests.Session()
    for i in itertools.count():
        if time.monotonic() >= stop:
            return
        text = HOSTILE[(n + i) % len(HOSTILE)] + f"\n# hostile {n}.{i}\n"
        try:
            r = session.post(url, data={"query": text}, headers=JSON, timeout=120)
        except requests.RequestException as exc:
            ends[f"failed: {exc.__class__.__name__}"] += 1
            continue
        error = r.json().get("error", "") if r.status_code != 200 else ""
        kind = ("queue full" if "queue is full" in error else "time limit" if "time limit" in error
                else "memory limit" if "memory limit" in error else error[:40])
        ends[f"{r.status_code} {kind}".strip()] += 1
        if "Retry-After" in r.headers:
            time.sleep(min(float(r.headers["Retry-After"]), max(0.0, stop - time.monotonic())))


def run(store: Path, extra: list[str], args, light: str, fresh) -> dict:
    with tempfile.TemporaryDirectory(prefix="pvd-kg-bench-") as logs, \
            running_server(store, "--cache-mb", "0", "--watch", "0", *extra, log_dir=Path(logs)) as srv:
        url = srv("/sparql")
        if requests.post(url, data={"query": light}, headers=JSON, timeout=60).status_code != 200:
            raise SystemExit("the light query fails")
        peak = Peak(srv.proc.pid)
        peak.start()
        quiet, quiet_status = [], collections.Counter()
        every(url, lambda i: light, 0.1, time.monotonic() + args.quiet_seconds, quiet, quiet_status)
        quiet_peak = peak.peak
        stop = time.monotonic() + args.seconds
        loaded, loaded_status, new, new_status, ends = [], collections.Counter(), [], collections.Counter(), collections.Counter()
        threads = [threading.Thread(target=hostile, args=(url, n, stop, ends)) for n in range(args.hostile)]
        threads.append(threading.Thread(target=every, args=(url, lambda i: light, 0.1, stop, loaded, loaded_status)))
        threads.append(threading.Thread(target=every, args=(url, fresh, 1.0, stop, new, new_status)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak.running = False
        return {"quiet": quiet, "quiet_status": quiet_status, "loaded": loaded, "loaded_status": loaded_status,
                "new": new, "new_status": new_status, "ends": ends, "quiet_peak": quiet_peak, "peak": peak.peak,
                "alive": srv.proc.poll() is None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=None, help="store folder [default: the user's store]")
    ap.add_argument("--seconds", type=float, default=30, help="seconds of hostile load per configuration")
    ap.add_argument("--quiet-seconds", type=float, default=10)
    ap.add_argument("--hostile", type=int, default=20, help="hostile clients at once")
    args = ap.parse_args()
    store = args.store or paths.default_store_path()
    light = queries.render(queries.get("commune-timeline"), {"commune": "78003"})
    selection = queries.get("commune-selection")
    codes = [str(c) for c in range(62001, 62900)]  # INSEE codes, most not in the programme: new texts, fast
    fresh = lambda i: queries.render(selection, {"commune": codes[i % len(codes)]}) + f"\n# new {i}\n"  # noqa: E731
    print(f"store: {store}; load average {os.getloadavg()[0]:.2f}; {args.hostile} hostile clients, "
          f"{args.seconds:g} s; light query: commune-timeline 78003 every 100 ms; a new light text every 1 s")
    configs = [("default (2 general + 1 fast lane)", []), ("--fast-workers 0", ["--fast-workers", "0"])]
    results = {name: run(store, extra, args, light, fresh) for name, extra in configs}
    ms = lambda s: f"{1000 * s:8.0f}"  # noqa: E731
    print(f"\n{'server':34} {'phase':22} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for name, r in results.items():
        for phase, key in (("quiet, light", "quiet"), ("hostile, light", "loaded"), ("hostile, new light", "new")):
            values = r[key]
            print(f"{name:34} {phase:22} {len(values):5d} {ms(pct(values, 50))} {ms(pct(values, 99))}  "
                  f"{dict(r[key + '_status'])}")
    print()
    for name, r in results.items():
        print(f"{name}: hostile queries ended {dict(r['ends'])}")
        print(f"{name}: peak memory, server + workers: {r['quiet_peak'] / 2**20:.0f} MB quiet, "
              f"{r['peak'] / 2**20:.0f} MB under load (target < 2048 MB); server alive after: {r['alive']}")
    r = results[configs[0][0]]
    p99 = pct(r["loaded"], 99)
    print(f"\ndefault: light p99 under load {1000 * p99:.0f} ms = {p99 / pct(r['quiet'], 99):.1f}x its quiet p99 "
          f"(target < 1000 ms: {'met' if p99 < 1 else 'NOT met'}); peak {r['peak'] / 2**20:.0f} MB "
          f"(target < 2048 MB: {'met' if r['peak'] < 2**31 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
