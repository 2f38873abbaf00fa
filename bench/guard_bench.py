"""Cost of the query check (:func:`pvd_kg.store.sparql.check`) against the query itself: for each
catalog question (default parameters) on the full built graph in memory, the median of ``--runs``
of the check parsing the text (its cache emptied), of a check answered from the cache, and of
pyoxigraph running the query (the baseline), with the ratio check / query. Also the cost of
importing the checker's grammar in a fresh interpreter, and the time of each analysis network
(many generated queries) with the check and with a check that does not parse (the baseline).
Nothing is asserted.

    python bench/guard_bench.py
    python bench/guard_bench.py --runs 9 --only who-signed-what,commune-timeline
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries_bench import selected  # noqa: E402


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def import_ms(runs: int) -> tuple[float, float]:
    """Median ms of a fresh interpreter that imports the package's query path, without and with the
    checker's grammar."""
    base = "import pvd_kg.queries, pvd_kg.store.memory"
    with_grammar = base + "; import rdflib.plugins.sparql.parser"
    out = []
    for code in (base, with_grammar):
        out.append(median_ms(lambda: subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT), runs))
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated query names")
    args = parser.parse_args()

    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.graph import build_quads, to_nquads
    from pvd_kg.store import sparql

    without, with_grammar = import_ms(args.runs)
    print(f"fresh interpreter: {without:.0f} ms, with the checker's grammar {with_grammar:.0f} ms "
          f"(+{with_grammar - without:.0f} ms)")
    raw = ox.Store()
    raw.bulk_load(to_nquads(build_quads()[0]), ox.RdfFormat.N_QUADS)
    print(f"{len(raw)} quads")
    print(f"{'query':32} {'bytes':>6} {'parse ms':>9} {'cached ms':>10} {'query ms':>9} {'parse/query':>12}")
    ratios = []
    for query in selected(args.only):
        if any(p.required for p in query.params):
            continue
        text = queries.substitute(query.text, queries.bind(query, {}))

        def parse():
            sparql._check.cache_clear()
            return queries.checked(query)

        checked = parse()
        parse_ms = median_ms(parse, args.runs)
        cached_ms = median_ms(lambda: queries.checked(query), args.runs)

        def run():
            answer = raw.query(checked.text, prefixes=checked.prefixes, use_default_graph_as_union=True)
            if not isinstance(answer, ox.QueryBoolean):
                list(answer)

        query_ms = median_ms(run, args.runs)
        ratios.append(parse_ms / query_ms)
        print(f"{query.name:32} {len(text):6d} {parse_ms:9.1f} {cached_ms:10.3f} {query_ms:9.1f} "
              f"{parse_ms / query_ms:12.2f}")
    print(f"parse/query: median {statistics.median(ratios):.2f}, max {max(ratios):.2f}")
    analysis(raw)


def analysis(raw) -> None:
    """Each network built with the check, then with a check that trusts the text (no parse)."""
    from pvd_kg.analysis import NETWORKS, build_network
    from pvd_kg.store import MemoryStore, memory, sparql

    def unparsed(text, **_):
        return text if isinstance(text, sparql.CheckedQuery) else sparql.CheckedQuery(str(text), "select")

    store = MemoryStore(raw)
    print(f"{'network':32} {'checked s':>10} {'unparsed s':>11} {'ratio':>6}")
    for kind in NETWORKS:
        sparql._check.cache_clear()
        start = time.perf_counter()
        build_network(store, kind)
        checked = time.perf_counter() - start
        memory.check, real = unparsed, memory.check
        try:
            start = time.perf_counter()
            build_network(store, kind)
            bare = time.perf_counter() - start
        finally:
            memory.check = real
        print(f"{kind:32} {checked:10.2f} {bare:11.2f} {checked / bare:6.2f}")


if __name__ == "__main__":
    main()
