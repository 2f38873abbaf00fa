"""Query catalog benchmark: every ``queries/*.rq`` (default parameters) run on the full built graph
in a pyoxigraph store; prints the best of ``--runs`` wall times (ms) and the row count per query.
With ``--store``, runs them on that on-disk store (read-only, as ``pvd-kg query``'s worker does)
and on its in-memory copy (as ``pvd-kg serve``'s workers do, :func:`pvd_kg.serve.worker.mirror`),
and prints the median of ``--runs`` of each. Nothing is asserted.

    python bench/queries_bench.py
    python bench/queries_bench.py --runs 10 --only who-signed-what,commune-timeline
    python bench/queries_bench.py --store /tmp/fullstore --runs 11
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
    parser.add_argument("--store", help="an on-disk store (e.g. written by `pvd-kg build`): disk vs in-memory copy")
    parser.add_argument("--queries", help="with --store: another catalog folder (e.g. an older copy of queries/)")
    args = parser.parse_args()
    if args.store:
        return compare(args.store, args.runs, {n for n in args.only.split(",") if n},
                       Path(args.queries) if args.queries else None)

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


def compare(path: str, runs: int, wanted: set[str], catalog_dir: Path | None = None) -> None:
    """Median ms of each catalog query (of ``catalog_dir``, default ``queries/``) on the on-disk store
    at ``path`` and on its in-memory copy."""
    import statistics

    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.serve.worker import mirror

    disk = ox.Store.read_only(path)
    t0 = time.perf_counter()
    memory = mirror(disk, 10**9)
    print(f"in-memory copy: {time.perf_counter() - t0:.2f} s, {len(memory)} quads")
    print(f"{'query':30} {'disk ms':>8} {'memory ms':>10} {'rows':>6}  answer")
    for query in queries.catalog(catalog_dir):
        if (wanted and query.name not in wanted) or any(p.default is None for p in query.params):
            continue
        text, medians, n = queries.render(query), [], 0
        for store in (disk, memory):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                n = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
                times.append(time.perf_counter() - start)
            medians.append(statistics.median(times) * 1000)
        print(f"{query.name:30} {medians[0]:8.1f} {medians[1]:10.1f} {n:6d}  {answer_hash(disk, text)}")


def answer_hash(store, text: str) -> str:
    """A short hash of the answer's rows in order (blank nodes as ``_:b``): equal hashes on the
    same store mean that two versions of a query give the same answer."""
    import hashlib

    import pyoxigraph as ox

    answer = store.query(text, use_default_graph_as_union=True)
    if isinstance(answer, ox.QueryBoolean):
        return str(bool(answer))
    names = answer.variables
    rows = [tuple("_:b" if isinstance(s[v], ox.BlankNode) else str(s[v]) if s[v] is not None else "" for v in names)
            for s in answer]
    return hashlib.sha1(repr(rows).encode()).hexdigest()[:12]


if __name__ == "__main__":
    main()
