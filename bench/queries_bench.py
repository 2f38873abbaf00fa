"""Query catalog benchmark: every ``queries/*.rq`` (default parameters) run on the full built graph
in a pyoxigraph store; prints the best of ``--runs`` wall times (ms) and the row count per query.
Nothing is asserted.

    python bench/queries_bench.py
    python bench/queries_bench.py --runs 10 --only who-signed-what,commune-timeline
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated query names")
    args = parser.parse_args()

    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.graph import build_quads, to_nquads
    from pvd_kg.store import MemoryStore

    t0 = time.perf_counter()
    raw = ox.Store()
    raw.bulk_load(to_nquads(build_quads()[0]), ox.RdfFormat.N_QUADS)
    store = MemoryStore(raw)
    print(f"build + load: {time.perf_counter() - t0:.1f} s, {len(raw)} quads")
    wanted = {n for n in args.only.split(",") if n}
    print(f"{'query':40} {'best ms':>9} {'rows':>6}")
    for query in queries.catalog():
        if wanted and query.name not in wanted:
            continue
        if any(p.default is None for p in query.params):
            print(f"{query.name:40} {'(required parameter)':>16}")
            continue
        best, n = float("inf"), 0
        for _ in range(args.runs):
            start = time.perf_counter()
            n = len(queries.run(query.name, store, {}).dicts())
            best = min(best, time.perf_counter() - start)
        print(f"{query.name:40} {best * 1000:9.1f} {n:6d}")


if __name__ == "__main__":
    main()
