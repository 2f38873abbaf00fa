"""Parse benchmark: what the safe parse path (:mod:`pvd_kg.parsing`: the scan, the per-literal
checks, the child process) costs over a bare pyoxigraph parse of the same file into N-Quads,
run in a child process too, in the same run. The data is the built graph replicated
``--scale`` times (``bench/store_bench.py``), written as N-Quads, Turtle, JSON-LD and RDF/XML.

    python bench/parse_bench.py --scale 10

Prints one row per format: seconds for the bare parse, for the safe parse, and their ratio.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BARE = """import sys, pyoxigraph as ox
with open(sys.argv[3], "wb") as out:
    ox.serialize(ox.parse(path=sys.argv[1], format=ox.RdfFormat.from_media_type(sys.argv[2]),
                          rename_blank_nodes=True), out, ox.RdfFormat.N_QUADS)
"""


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--formats", default="nquads,turtle,jsonld,rdfxml")
    opts = parser.parse_args()

    import pyoxigraph as ox

    from pvd_kg.formats import rdf_format
    from pvd_kg.parsing import parse_to_nquads
    from store_bench import base_nquads, replicate

    with tempfile.TemporaryDirectory(prefix="pvd-kg-parse-bench-") as tmp:
        work = Path(tmp)
        base, data = work / "base.nq", work / "data.nq"
        base_nquads(base)
        quads = replicate(base, data, opts.scale)
        print(f"{quads} quads (scale {opts.scale})")
        print(f"{'format':<8} {'MB':>8} {'bare s':>8} {'safe s':>8} {'ratio':>6}")
        for name in opts.formats.split(","):
            fmt = rdf_format(name)
            src = work / f"data.{fmt.extension}"
            if name == "nquads":
                src = data
            else:
                graph = ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS)
                triples = (ox.Triple(q.subject, q.predicate, q.object) for q in graph)
                with open(src, "wb") as out:
                    ox.serialize(triples if not fmt.quads else ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS),
                                 out, fmt.pyoxigraph_format())
            bare = timed(lambda: subprocess.run([sys.executable, "-I", "-c", BARE, str(src), fmt.media_type,
                                                 str(work / "bare.nq")], check=True))
            safe = timed(lambda: parse_to_nquads(src, work / "safe.nq", fmt))
            print(f"{name:<8} {src.stat().st_size / 1e6:>8.1f} {bare:>8.2f} {safe:>8.2f} {safe / bare:>6.2f}")


if __name__ == "__main__":
    main()
