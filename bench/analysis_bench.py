"""Time of every network, metric and chart of pvd_kg.analysis on the whole graph.

The graph is built once in memory (``pvd_kg.graph.build_dataset``) and loaded into a
MemoryStore, or read from an embedded store given as the first argument (a folder filled by
``pvd-kg build --store DIR``).

Run: ``python bench/analysis_bench.py [STORE_DIR]`` (prints one line per step; asserts nothing).
"""

from __future__ import annotations

import io
import sys
import time

from pvd_kg.analysis import METRICS, NETWORKS, build_network, metric
from pvd_kg.analysis.charts import CHARTS, chart
from pvd_kg.analysis.export import network_bytes
from pvd_kg.analysis.source import open_analysis_store


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{time.perf_counter() - start:7.2f} s  {label}", flush=True)
    return result


def main() -> None:
    if len(sys.argv) > 1:
        store = timed(f"open the embedded store {sys.argv[1]}", lambda: open_analysis_store("store", path=sys.argv[1]))
    else:
        store = timed("build the whole graph in memory", lambda: open_analysis_store("build"))
    for kind in NETWORKS:
        g = timed(f"network {kind}", lambda: build_network(store, kind))
        print(f"{'':10} {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
        for fmt in ("graphml", "json", "png"):
            data = timed(f"  write {fmt}", lambda: network_bytes(g, fmt))
            print(f"{'':10} {len(data):,} bytes")
    for name in METRICS:
        table = timed(f"metric {name}", lambda: metric(store, name))
        print(f"{'':10} {len(table)} rows")
    for kind in CHARTS:
        timed(f"chart {kind}", lambda: chart(store, kind, io.BytesIO()))


if __name__ == "__main__":
    main()
