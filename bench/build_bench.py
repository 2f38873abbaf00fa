"""Time and peak memory of building (and validating) the whole graph from the shipped sources.

Each step runs in a fresh subprocess, so its peak RSS (``ru_maxrss``) is its own. The baseline is
rdflib parsing the same quads as N-Quads: what "just loading the triples" costs with rdflib.
Target (issue #3): build + validation <= 3 s and <= 500 MB on the 2-core machine.

Run: ``python bench/build_bench.py`` (prints one line per step).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = {
    "baseline: rdflib parse of the same quads (N-Quads)": """
ds = Dataset(); ds.parse(NQ, format="nquads"); n = sum(1 for _ in ds.quads((None, None, None, None)))
""",
    "build_quads (ingest + curated, list of quads)": """
quads, report = build_quads(); n = len(quads)
""",
    "build_quads without the derived stage (parties by rule, tenures)": """
import pvd_kg.graph as kg
kg._derived_quads = lambda quads: []
quads, report = build_quads(); n = len(quads)
""",
    "build_quads without the derived stage + validate (fast engine)": """
import pvd_kg.graph as kg
kg._derived_quads = lambda quads: []
quads, report = build_quads(); v = validate([q[:3] for q in quads]); n = len(quads)
""",
    "build_quads + to_nquads + pyoxigraph bulk_load": """
import pyoxigraph as ox
quads, report = build_quads(); st = ox.Store(); st.bulk_load(to_nquads(quads), ox.RdfFormat.N_QUADS); n = len(st)
""",
    "build_quads + validate (fast engine)": """
quads, report = build_quads(); v = validate([q[:3] for q in quads]); n = len(quads)
""",
    "build_dataset (rdflib Dataset)": """
ds, report = build_dataset(); n = sum(1 for _ in ds.quads((None, None, None, None)))
""",
    "build_dataset + validate (fast engine)": """
ds, report = build_dataset(); v = validate(ds); n = sum(1 for _ in ds.quads((None, None, None, None)))
""",
}

PRELUDE = """
import json, resource, sys, time
t0 = time.perf_counter()
from rdflib import Dataset
from pvd_kg.graph import build_dataset, build_quads, to_nquads
from pvd_kg.validate import validate
NQ = sys.argv[1]
t1 = time.perf_counter()
"""
CODA = """
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "quads": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, nq: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PRELUDE + code + CODA, str(nq)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from pvd_kg.graph import build_quads, to_nquads

    with tempfile.TemporaryDirectory() as tmp:
        nq = Path(tmp) / "all.nq"
        nq.write_bytes(to_nquads(build_quads()[0]))
        print(f"{'step':55} {'seconds':>8} {'peak MB':>8} {'quads':>8}")
        for name, code in STEPS.items():
            r = run(code, nq)
            print(f"{name:55} {r['run_s']:8.2f} {r['peak_mb']:8.0f} {r['quads']:8}")
    print("(seconds exclude imports; target: build + validation <= 3 s, <= 500 MB)")


if __name__ == "__main__":
    main()
