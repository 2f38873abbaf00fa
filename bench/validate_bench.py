"""Time the validation engines on the curated graph replicated N times with renamed IRIs.

    python bench/validate_bench.py [--copies 100] [--repeat 3] [--no-pyshacl]

Prints wall-clock and CPU seconds per engine (best of --repeat) and CPU ratios to the fast engine:

- fast: pvd_kg.validate (pyshacl-turbo for core shapes, one pyoxigraph query per SPARQL shape);
- turbo-native: pyshacl-turbo alone, running the SHACL-SPARQL constraints itself (per focus node);
- pyshacl: the pure-Python reference engine (slow; skip it with --no-pyshacl).

No assertion: figures only.
"""

from __future__ import annotations

import argparse
import re
import time

from rdflib import Graph, URIRef

from pvd_kg import graph
from pvd_kg.validate import _default_ontology, _default_shapes, validate
from pvd_kg.vocab import ID

# The vocabulary (ontology concepts) keeps its IRIs in every copy.
_SHARED = re.compile(re.escape(str(ID)) + r"(role|status|legal-form|qualifier)/")


def replicated(copies: int) -> Graph:
    """The curated graph's union, ``copies`` times, instance IRIs renamed ``id:copy{n}/...``."""
    base = graph.union_graph(graph.curated_dataset(with_ontology=False))
    out = Graph()

    def rename(term, n):
        if isinstance(term, URIRef) and str(term).startswith(str(ID)) and not _SHARED.match(str(term)):
            return URIRef(f"{ID}copy{n}/{str(term)[len(str(ID)):]}")
        return term

    for n in range(copies):
        for s, p, o in base:
            out.add((rename(s, n), p, rename(o, n)))
    return out


def _time(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock and CPU seconds (CPU is steadier on a shared machine)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def _turbo_native(data: Graph):
    import pyoxigraph as ox
    import pyshacl_turbo

    from pvd_kg.validate import _OxTerms, _triples

    store = ox.Store()
    convert = _OxTerms(ox)
    store.extend([ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in _triples(data)]
                 + [ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in _default_ontology()])
    return pyshacl_turbo.validate(store, shacl_graph=_default_shapes(), inference="none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pyshacl", action="store_true")
    args = parser.parse_args()

    data = replicated(args.copies)
    validate(data)  # warm the shapes cache
    print(f"graph: {len(data)} triples ({args.copies} copies of the curated graph)")
    runs = {"fast": lambda: validate(data, engine="fast"), "turbo-native": lambda: _turbo_native(data)}
    if not args.no_pyshacl:
        runs["pyshacl"] = lambda: validate(data, engine="pyshacl")
    times = {}
    for name, fn in runs.items():
        wall, cpu = times[name] = _time(fn, 1 if name == "pyshacl" else args.repeat)
        print(f"{name:>13}: {wall:8.2f} s wall {cpu:8.2f} s CPU   "
              f"x{cpu / times['fast'][1]:.1f} the fast engine's CPU")
    report = validate(data)
    print(f"issues found: {len(report)} ({report.count('error')} errors, {report.count('warning')} warnings)")


if __name__ == "__main__":
    main()
