"""Store benchmark: the built graph replicated at several scales (copies with renamed IRIs),
loaded, validated, queried and exported through the embedded store, with raw pyoxigraph
``Store.load`` and an rdflib in-memory Dataset as baselines in the same run.

    python bench/store_bench.py --scales 1,10          # quick run
    python bench/store_bench.py --scales 1,10,100 --runs 5

Every measured step runs in a fresh child process (this script, ``step`` mode), so its wall time
and its peak memory (``ru_maxrss`` from ``os.wait4``) are its own. rdflib runs only up to 10x
(at 100x it needs minutes and several GB). Above ``--load-max`` (10) the atomic loads are not
run, as ``Store.load`` holds the whole file in memory (2.6 GB at 10x): the store is set up with
``bulk_load`` for the other measurements. Prints one table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ID = "https://w3id.org/pvd-kg/id/"
COMMUNE = "62907"


# --- data ---------------------------------------------------------------------------------

def base_nquads(path: Path) -> int:
    """The built graph (1x) as N-Quads."""
    from pvd_kg.load import _write_nquads, built_quads

    quads, _ = built_quads()
    _write_nquads(quads, path)
    return len(quads)


def replicate(src: Path, dst: Path, scale: int) -> int:
    """``scale`` copies of ``src``; copy k > 0 has every instance IRI and blank node renamed."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        for k in range(scale):
            for line in lines:
                if k:
                    line = line.replace(f"<{ID}", f"<{ID}r{k}/").replace("_:", f"_:r{k}x")
                out.write(line)
                n += 1
    return n


def commune_file(src: Path, dst: Path, scale: int) -> int:
    """One commune's statements (subjects mentioning its INSEE code) as a NEW commune for the
    ``scale``x store: subjects renamed into copy ``scale``, objects left pointing at copy 0."""
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        for line in src.read_text(encoding="utf-8").splitlines(keepends=True):
            subject = line.split(" ", 1)[0]
            if subject.startswith(f"<{ID}") and COMMUNE in subject:
                out.write(f"<{ID}r{scale}/" + line[len(ID) + 1:])
                n += 1
    return n


# --- steps (each in its own process) ------------------------------------------------------

def step(name: str, args: list[str]) -> dict:
    t0 = time.perf_counter()
    out: dict = {}
    if name == "raw-load":
        import pyoxigraph as ox

        ox.Store(args[1]).load(path=args[0], format=ox.RdfFormat.N_QUADS)
    elif name == "bulk-load":  # benchmark setup only: fast, not atomic, never used by pvd-kg
        import pyoxigraph as ox

        ox.Store(args[1]).bulk_load(path=args[0], format=ox.RdfFormat.N_QUADS)
    elif name == "pvd-load":
        from pvd_kg.load import load_files
        from pvd_kg.store.embedded import EmbeddedStore

        with EmbeddedStore(args[1]) as store:
            load_files(store, [Path(args[0])], validate=args[2] == "validate")
    elif name == "validate":
        import pyoxigraph as ox

        from pvd_kg.store.base import term_from_oxigraph
        from pvd_kg.validate import validate

        triples = [tuple(term_from_oxigraph(t) for t in (q.subject, q.predicate, q.object))
                   for q in ox.parse(path=args[0], format=ox.RdfFormat.N_QUADS)]
        t0 = time.perf_counter()  # validation only
        report = validate(triples)
        out["issues"] = len(report)
    elif name == "rdflib":
        from rdflib import Dataset

        Dataset().parse(args[0], format="nquads")
    elif name == "commune":
        from pvd_kg.errors import ValidationFailed
        from pvd_kg.load import load_files
        from pvd_kg.store.embedded import EmbeddedStore

        with EmbeddedStore(args[1]) as store:
            store.graphs()  # open before the clock starts: opening is not the load
            t0 = time.perf_counter()
            try:
                result = load_files(store, [Path(args[0])])
                out["committed"] = result.total
            except ValidationFailed as exc:
                out["refused"] = exc.report.count("error")
    elif name == "queries":
        from pvd_kg import queries
        from pvd_kg.store.embedded import EmbeddedStore

        from pvd_kg.errors import QueryTimeout

        args = args + ["both", "60"][len(args) - 2:]  # defaults: both ways, 60 s per run
        runs, in_process = int(args[1]), args[2] == "both"
        with EmbeddedStore(args[0], read_only=True) as store:
            for q in queries.catalog():
                text = queries.render(q)
                inproc, worker, rows = [], [], 0
                for _ in range(runs):
                    if in_process:
                        t = time.perf_counter()
                        rows = len(store.query(text, limit=10_000))
                        inproc.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    try:
                        rows = len(store.query(text, timeout=float(args[3]), limit=10_000))
                    except QueryTimeout:
                        worker = None
                        break
                    worker.append(time.perf_counter() - t)
                out[q.name] = {"rows": rows, "median_ms": 1000 * statistics.median(inproc) if inproc else None,
                               "worker_median_ms": 1000 * statistics.median(worker) if worker else None}
    elif name == "export":
        from pvd_kg.export import export
        from pvd_kg.store.embedded import EmbeddedStore

        with EmbeddedStore(args[0], read_only=True) as store:
            export(store, args[1], fmt=args[2])
    else:
        raise SystemExit(f"unknown step {name}")
    out["seconds"] = time.perf_counter() - t0
    return out


def measure(name: str, *args) -> dict:
    """Run one step in a child process; its own timing, wall time and peak memory (MB)."""
    proc = subprocess.Popen([sys.executable, __file__, "step", name, *map(str, args)], stdout=subprocess.PIPE,
                            cwd=ROOT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    if status != 0:
        return {"failed": status}
    result = json.loads(output.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


# --- main ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--runs", type=int, default=5, help="runs per catalog query (median)")
    parser.add_argument("--rdflib-max", type=int, default=10, help="largest scale for the rdflib baseline")
    parser.add_argument("--validate-max", type=int, default=10, help="largest scale for full validation")
    parser.add_argument("--query-timeout", type=float, default=60.0, help="seconds per catalog query run")
    parser.add_argument("--load-max", type=int, default=10,
                        help="largest scale loaded with Store.load / pvd-kg load (larger: set up by bulk_load)")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pvd-kg-bench-"))
    try:
        base = work / "x1-base.nq"
        quads = base_nquads(base)
        print(f"built graph: {quads} quads; work folder {work}", flush=True)
        for scale in (int(s) for s in opts.scales.split(",")):
            run_scale(work, base, scale, opts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def show(label: str, r: dict, extra: str = "") -> None:
    if "failed" in r:
        print(f"  {label:<34} FAILED (status {r['failed']})", flush=True)
        return
    print(f"  {label:<34} {r['seconds']:9.2f} s  peak {r['peak_mb']:8.0f} MB  {extra}", flush=True)


def run_scale(work: Path, base: Path, scale: int, opts) -> None:
    data = work / f"x{scale}.nq"
    n = replicate(base, data, scale)
    print(f"\n== {scale}x: {n} quads, {data.stat().st_size / 1e6:.0f} MB of N-Quads", flush=True)
    if scale <= opts.load_max:
        raw = measure("raw-load", data, work / f"raw{scale}")
        show("raw pyoxigraph Store.load", raw)
        ours = measure("pvd-load", data, work / f"store{scale}", "no-validate")
        show("pvd-kg load --no-validate", ours,
             f"= {ours['seconds'] / raw['seconds']:.2f}x raw" if "seconds" in ours and "seconds" in raw else "")
    else:  # Store.load holds the whole file in memory: too big here; set the store up in bulk
        show("setup: pyoxigraph bulk_load", measure("bulk-load", data, work / f"store{scale}"), "(not atomic)")
    if scale <= opts.validate_max:
        v = measure("validate", data)
        show("validate (fast engine)", v, f"{v.get('issues', '?')} issues")
    if scale <= opts.rdflib_max:
        show("rdflib Dataset.parse (baseline)", measure("rdflib", data))
    commune = work / f"commune{scale}.nq"
    m = commune_file(base, commune, scale)
    c = measure("commune", commune, work / f"store{scale}")
    show(f"load one commune ({m} quads)", c,
         f"committed {c['committed']}" if "committed" in c else f"refused, {c.get('refused')} violations")
    both = scale <= opts.load_max
    q = measure("queries", work / f"store{scale}", opts.runs if both else 1, "both" if both else "worker",
                opts.query_timeout)
    if "failed" not in q:
        print(f"  catalog queries (median of {opts.runs if both else 1}; in-process / through the worker process):")

        for name, r in q.items():
            if isinstance(r, dict):
                worker = f"{r['worker_median_ms']:8.1f} ms" if r["worker_median_ms"] is not None else \
                    f" > {opts.query_timeout:g} s"
                inproc = f"{r['median_ms']:8.1f} ms" if r["median_ms"] is not None else "        -   "
                print(f"    {name:<32} {inproc}  {worker}  {r['rows']} rows")
    for fmt in ("nquads", "turtle"):
        e = measure("export", work / f"store{scale}", work / f"dump{scale}.{fmt}", fmt)
        size = (work / f"dump{scale}.{fmt}").stat().st_size / 1e6 if "failed" not in e else 0
        show(f"export {fmt}", e, f"{size:.0f} MB")
        (work / f"dump{scale}.{fmt}").unlink(missing_ok=True)
    for folder in (work / f"raw{scale}", work / f"store{scale}"):
        shutil.rmtree(folder, ignore_errors=True)
    data.unlink()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "step":
        print(json.dumps(step(sys.argv[2], sys.argv[3:])))
    else:
        main()
