"""Query catalog benchmark: every ``queries/*.rq`` (default parameters) run on the full built graph
in a pyoxigraph store; prints the best of ``--runs`` wall times (ms) and the row count per query.
With ``--store``, runs them on that on-disk store (read-only, as ``pvd-kg query``'s worker does)
and on its in-memory copy (as ``pvd-kg serve``'s workers do, :func:`pvd_kg.serve.worker.mirror`),
and prints the median of ``--runs`` of each. With ``--store`` and ``--floor``, also writes each
answer into a copy of the store and times reading it back: the least any plan for that question can
cost on this store. With ``--versus-bare``, runs each question in-process through
``queries.run`` (check, run, every row read) and its rendered text on the bare pyoxigraph store
the in-memory store wraps (every row read), and prints the median ratio (issue #15: at most 1.1x).
Nothing is asserted.

    python bench/queries_bench.py
    python bench/queries_bench.py --runs 10 --only who-signed-what,commune-timeline
    python bench/queries_bench.py --store /tmp/fullstore --runs 11
    python bench/queries_bench.py --store /tmp/fullstore --runs 11 --floor
    python bench/queries_bench.py --versus-bare --runs 11
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated query names")
    parser.add_argument("--store", help="an on-disk store (e.g. written by `pvd-kg build`): disk vs in-memory copy")
    parser.add_argument("--queries", help="with --store: another catalog folder (e.g. an older copy of queries/)")
    parser.add_argument("--floor", action="store_true",
                        help="with --store: also time reading each answer precomputed (see floor())")
    parser.add_argument("--versus-bare", action="store_true",
                        help="catalog in-process (queries.run) against the same text on bare pyoxigraph")
    args = parser.parse_args()
    if args.store and args.floor:
        return floor(args.store, args.runs, args.only)
    if args.store:
        return compare(args.store, args.runs, args.only, Path(args.queries) if args.queries else None)

    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.graph import build_quads, to_nquads
    from pvd_kg.store import MemoryStore

    t0 = time.perf_counter()
    raw = ox.Store()
    raw.bulk_load(to_nquads(build_quads()[0]), ox.RdfFormat.N_QUADS)
    store = MemoryStore(raw)
    print(f"build + load: {time.perf_counter() - t0:.1f} s, {len(raw)} quads")
    if args.versus_bare:
        return versus_bare(raw, store, args.runs, args.only)
    print(f"{'query':40} {'best ms':>9} {'rows':>6}")
    for query in selected(args.only):
        if any(p.required for p in query.params):
            print(f"{query.name:40} {'(required parameter)':>16}")
            continue
        best, n = float("inf"), 0
        for _ in range(args.runs):
            start = time.perf_counter()
            n = len(queries.run(query.name, store, {}).dicts())
            best = min(best, time.perf_counter() - start)
        print(f"{query.name:40} {best * 1000:9.1f} {n:6d}")


def selected(only: str, catalog_dir: Path | None = None) -> list:
    """The catalog queries (of ``catalog_dir``, default ``queries/``) named in ``only``, a
    comma-separated list (``--only``); all of them when it is empty."""
    from pvd_kg import queries

    wanted = {n for n in only.split(",") if n}
    return [q for q in queries.catalog(catalog_dir) if not wanted or q.name in wanted]


def compare(path: str, runs: int, only: str, catalog_dir: Path | None = None) -> None:
    """Median ms of each catalog query (of ``catalog_dir``, default ``queries/``) named in ``only``
    (all when empty) that needs no parameter, on the on-disk store at ``path`` and on its
    in-memory copy."""
    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.serve.worker import mirror

    disk = ox.Store.read_only(path)
    t0 = time.perf_counter()
    memory = mirror(disk, 10**9)
    print(f"in-memory copy: {time.perf_counter() - t0:.2f} s, {len(memory)} quads")
    print(f"{'query':30} {'disk ms':>8} {'memory ms':>10} {'rows':>6}  answer")
    for query in selected(only, catalog_dir):
        if any(p.required for p in query.params):
            continue
        text = queries.render(query)
        (disk_ms, n), (memory_ms, _) = (median_ms(store, text, runs) for store in (disk, memory))
        print(f"{query.name:30} {disk_ms:8.1f} {memory_ms:10.1f} {n:6d}  {answer_hash(disk, text)}")


def median_ms(store, text: str, runs: int) -> tuple[float, int]:
    """Median wall time (ms) of ``runs`` runs of ``text`` on ``store``, reading every row; the row count."""
    import statistics

    times, n = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        n = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, n


def versus_bare(raw, store, runs: int, only: str) -> None:
    """Median ms of each parameterless catalog question run in-process by ``queries.run`` on
    ``store`` and of its rendered text on ``raw``, the bare pyoxigraph store under it (every row
    read in both), interleaved run by run; then the median and the largest ratio."""
    import statistics

    from pvd_kg import queries

    print(f"{'query':34} {'bare ms':>8} {'pvd-kg ms':>9} {'ratio':>6} {'rows':>6}")
    ratios = []
    for query in selected(only):
        if any(p.required for p in query.params):
            continue
        text = queries.render(query)
        bare_t, ours_t, n = [], [], 0
        for _ in range(runs):
            start = time.perf_counter()
            answer = raw.query(text, use_default_graph_as_union=True)
            n = len(list(answer)) if not isinstance(answer, bool) and hasattr(answer, "variables") else 1
            bare_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            len(queries.run(query.name, store))
            ours_t.append(time.perf_counter() - start)
        bare, ours = statistics.median(bare_t), statistics.median(ours_t)
        ratios.append(ours / bare)
        print(f"{query.name:34} {bare * 1000:8.1f} {ours * 1000:9.1f} {ours / bare:6.2f} {n:6d}")
    print(f"median ratio {statistics.median(ratios):.2f}x, largest {max(ratios):.2f}x "
          f"({len(ratios)} questions, medians of {runs} runs)")


FLOOR = "urn:x-pvd-kg-floor:"


def floor(path: str, runs: int, only: str) -> None:
    """For each catalog query: the median ms of the query, then of reading its answer back from a
    copy of the store where the answer was written as data, on disk and in memory.

    Each answer row becomes a resource with one property per variable and its row number, in a named
    graph of its own. It is read back with one sub-select per column, hash-joined on the row, and
    sorted by row number, which was the fastest plan measured (per-row look-ups are 4x slower on
    disk). The read-back must give the same answer hash as the query, or the row is flagged.
    No plan for the question can cost less than reading its answer, so this is the floor that
    precomputing answers (a materialised view, a statistics graph) could reach."""
    import shutil
    import tempfile

    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.serve.worker import mirror

    source = ox.Store.read_only(path)
    rows_read: dict[str, str] = {}
    quads = []
    index = ox.NamedNode(FLOOR + "row")
    for query in selected(only):
        if any(p.required for p in query.params):
            continue
        answer = source.query(queries.render(query), use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryBoolean):
            continue
        names = [v.value for v in answer.variables]
        graph = ox.NamedNode(f"{FLOOR}{query.name}")
        for i, solution in enumerate(answer):
            row = ox.NamedNode(f"{FLOOR}{query.name}/{i}")
            quads.append(ox.Quad(row, index, ox.Literal(i), graph))
            quads += [ox.Quad(row, ox.NamedNode(FLOOR + n), solution[n], graph) for n in names if solution[n] is not None]
        columns = " ".join(f"OPTIONAL {{ SELECT ?row ?{n} WHERE {{ ?row <{FLOOR}{n}> ?{n} }} }}" for n in names)
        rows_read[query.name] = (f"SELECT {' '.join('?' + n for n in names)} WHERE {{ GRAPH <{graph.value}> {{ "
                                 f"{{ SELECT ?row ?i WHERE {{ ?row <{index.value}> ?i }} }} {columns} }} }} ORDER BY ?i")
    del source
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(path, copy)
        writer = ox.Store(str(copy))
        writer.extend(quads)
        writer.flush()
        del writer
        disk = ox.Store.read_only(str(copy))
        memory = mirror(disk, 10**9)
        print(f"{len(quads)} quads of answers written; medians of {runs} runs (ms)")
        print(f"{'query':30} {'rows':>5} {'query disk':>10} {'read disk':>9} {'query mem':>9} {'read mem':>8}  same")
        for query in queries.catalog():
            if query.name not in rows_read:
                continue
            text = queries.render(query)
            timed = [median_ms(store, run, runs) for store in (disk, memory) for run in (text, rows_read[query.name])]
            medians, n = [ms for ms, _ in timed], timed[0][1]
            same = answer_hash(disk, text) == answer_hash(disk, rows_read[query.name])
            print(f"{query.name:30} {n:5d} {medians[0]:10.1f} {medians[1]:9.1f} {medians[2]:9.1f} {medians[3]:8.1f}  "
                  f"{'yes' if same else 'NO'}")


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
