"""Store benchmark: the built graph replicated at several scales (copies with renamed IRIs),
loaded, validated, queried and exported through the embedded store, with raw pyoxigraph
``Store.load`` and an rdflib in-memory Dataset as baselines in the same run.

    python bench/store_bench.py --scales 1,10          # quick run
    python bench/store_bench.py --scales 1,10,100 --runs 5
    python bench/store_bench.py --scales 27 --runs 1 --steps load   # the issue's "100x": 4.3 M quads

Every measured step runs in a fresh child process (this script, ``step`` mode), so its wall time
and its peak memory (``ru_maxrss`` from ``os.wait4``) are its own. The 1x graph is the built
graph (about 160 k quads), so the issue's 43 k / 430 k / 4.3 M triples are roughly scales
1, 3 and 27. Loads: raw pyoxigraph ``Store.load`` (one transaction) and raw ``bulk_load`` (not
atomic) as baselines, then ``pvd-kg load --no-validate`` into an empty store, which commits
large loads by folder swap (:func:`pvd_kg.store.embedded.commits_by_swap`). ``Store.load``
holds the whole file in memory: when its estimate (:data:`TX_MB_PER_MQUAD` per million quads)
exceeds the available memory it is skipped with the reason, and a step killed for lack of
memory is reported as such. The ``crossover`` step (not run by default) loads as many quads
again onto a store of the scale's size, by ``Store.load`` and by ``pvd-kg load``: the point
where the swap's copy of the store starts to cost more than one transaction. The ``validated``
step (with ``load``, not run by default) also times ``pvd-kg load`` as a user runs it, validated
against the shapes, into an empty store. rdflib runs only
up to ``--rdflib-max`` (10x). Prints one table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
SCHEMES = ("role", "legal-form", "status", "qualifier", "axes")  # shared by every copy
TX_MB_PER_MQUAD = 1700  # Store.load's peak: 2 574 MB for 1.6 M quads (docs/benchmarks.md)
STEPS = ("load", "validate", "rdflib", "commune", "queries", "export")  # + "crossover", "validated" on demand


def available_mb() -> float:
    """MemAvailable from /proc/meminfo, in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


# --- data ---------------------------------------------------------------------------------

def base_nquads(path: Path) -> int:
    """The built graph (1x) as N-Quads."""
    from pvd_kg.graph import build_quads, to_nquads

    quads, _ = build_quads()
    path.write_bytes(to_nquads(quads))
    return len(quads)


def replicate(src: Path, dst: Path, scale: int, first: int = 0) -> int:
    """``scale`` copies of ``src`` (copies ``first`` to ``first + scale - 1``); copy k > 0 has
    every instance IRI and blank node renamed, except the concept schemes and their concepts
    (:data:`SCHEMES`), which the shapes name: the copies are valid data, so a validated load of
    them is a real one."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        for k in range(first, first + scale):
            for line in lines:
                if k:
                    line = line.replace(f"<{ID}", f"<{ID}r{k}/").replace("_:", f"_:r{k}x")
                    for scheme in SCHEMES:
                        for end in (">", "/"):
                            line = line.replace(f"<{ID}r{k}/{scheme}{end}", f"<{ID}{scheme}{end}")
                out.write(line)
                n += 1
    return n


def commune_file(src: Path, dst: Path, scale: int) -> int:
    """One commune's statements (subjects mentioning its INSEE code) as a NEW commune for the
    ``scale``x store: subjects renamed into copy ``scale``, and so are the objects that are the
    commune's own nodes (its agreements, signings...: a signing of copy 0's agreement would be
    that agreement's second one, which the shapes refuse); other objects (its EPCI, its
    département, source rows) point at copy 0."""
    own = re.compile(f"<{re.escape(ID)}([^>]*{COMMUNE}[^>]*)>")
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        for line in src.read_text(encoding="utf-8").splitlines(keepends=True):
            subject, rest = line.split(" ", 1)
            if subject.startswith(f"<{ID}") and COMMUNE in subject:
                out.write(own.sub(f"<{ID}r{scale}/\\1>", line))
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

        store = ox.Store(args[1])
        store.bulk_load(path=args[0], format=ox.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()  # as the swap commit does
    elif name == "pvd-load":
        from pvd_kg.load import load_files
        from pvd_kg.store.embedded import EmbeddedStore, commits_by_swap

        with EmbeddedStore(args[1]) as store:
            stored = len(store)
            result = load_files(store, [Path(args[0])], validate=args[2] == "validate")
            out["swap"] = commits_by_swap(result.total, stored)
    elif name == "validate":
        import pyoxigraph as ox

        from pvd_kg.oxterms import from_oxigraph
        from pvd_kg.validate import validate

        triples = [tuple(from_oxigraph(t) for t in (q.subject, q.predicate, q.object))
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
        return {"failed": status, "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "peak_mb": usage.ru_maxrss / 1024}
    result = json.loads(output.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


# --- main ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--runs", type=int, default=5, help="runs per catalog query (median)")
    parser.add_argument("--rdflib-max", type=int, default=10, help="largest scale for the rdflib baseline")
    parser.add_argument("--validate-max", type=int, default=10,
                        help="largest scale for full validation, and for running the catalog queries in-process "
                             "too, --runs times each (above it: once each, through the worker process only)")
    parser.add_argument("--query-timeout", type=float, default=60.0, help="seconds per catalog query run")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help="comma-separated steps to run, among " + ", ".join(STEPS + ("crossover", "validated")))
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
    if "skipped" in r:
        print(f"  {label:<34} not run: {r['skipped']}", flush=True)
        return
    if "failed" in r:
        why = "killed (SIGKILL: out of memory?)" if r.get("signal") == 9 else f"status {r['failed']}"
        print(f"  {label:<34} FAILED, {why}, peak {r['peak_mb']:.0f} MB", flush=True)
        return
    print(f"  {label:<34} {r['seconds']:9.2f} s  peak {r['peak_mb']:8.0f} MB  {extra}", flush=True)


def run_scale(work: Path, base: Path, scale: int, opts) -> None:
    data = work / f"x{scale}.nq"
    n = replicate(base, data, scale)
    print(f"\n== {scale}x: {n} quads, {data.stat().st_size / 1e6:.0f} MB of N-Quads", flush=True)
    steps = set(opts.steps.split(","))
    if "load" in steps:
        need, have = TX_MB_PER_MQUAD * n / 1e6, available_mb()
        if need > 0.9 * have:  # Store.load holds the whole file in memory
            raw = {"skipped": f"needs ~{need:.0f} MB (Store.load holds the whole file), {have:.0f} MB available"}
        else:
            raw = measure("raw-load", data, work / f"raw{scale}")
        show("raw pyoxigraph Store.load", raw)
        shutil.rmtree(work / f"raw{scale}", ignore_errors=True)
        bulk = measure("bulk-load", data, work / f"raw{scale}")
        show("raw pyoxigraph bulk_load", bulk, "(not atomic)")
        shutil.rmtree(work / f"raw{scale}", ignore_errors=True)
        ours = measure("pvd-load", data, work / f"store{scale}", "no-validate")
        ratios = [f"{ours['seconds'] / r['seconds']:.2f}x {name}" for name, r in (("Store.load", raw), ("bulk_load", bulk))
                  if "seconds" in ours and "seconds" in r]
        how = "" if "swap" not in ours else ("(swap) " if ours["swap"] else "(transaction) ")
        show("pvd-kg load --no-validate", ours, how + " / ".join(ratios))
        if "validated" in steps:
            shutil.rmtree(work / f"store{scale}", ignore_errors=True)
            checked = measure("pvd-load", data, work / f"store{scale}", "validate")
            ratios = [f"{checked['seconds'] / r['seconds']:.2f}x {name}"
                      for name, r in (("Store.load", raw), ("bulk_load", bulk)) if "seconds" in checked and "seconds" in r]
            show("pvd-kg load (validated)", checked, " / ".join(ratios))
    elif steps & {"commune", "queries", "export"}:  # they need a store
        show("setup: pyoxigraph bulk_load", measure("bulk-load", data, work / f"store{scale}"), "(not atomic)")
    if "crossover" in steps:
        crossover(work, base, data, scale)
    if not steps - {"load", "crossover", "validated"}:
        shutil.rmtree(work / f"store{scale}", ignore_errors=True)
        data.unlink()
        return
    if "validate" in steps and scale <= opts.validate_max:
        v = measure("validate", data)
        show("validate (fast engine)", v, f"{v.get('issues', '?')} issues")
    if "rdflib" in steps and scale <= opts.rdflib_max:
        show("rdflib Dataset.parse (baseline)", measure("rdflib", data))
    if "commune" in steps:
        commune = work / f"commune{scale}.nq"
        m = commune_file(base, commune, scale)
        c = measure("commune", commune, work / f"store{scale}")
        show(f"load one commune ({m} quads)", c,
             f"committed {c['committed']}" if "committed" in c else f"refused, {c.get('refused')} violations")
    if "queries" in steps:
        run_queries(work / f"store{scale}", scale, opts)
    if "export" in steps:
        for fmt in ("nquads", "turtle"):
            e = measure("export", work / f"store{scale}", work / f"dump{scale}.{fmt}", fmt)
            size = (work / f"dump{scale}.{fmt}").stat().st_size / 1e6 if "failed" not in e else 0
            show(f"export {fmt}", e, f"{size:.0f} MB")
            (work / f"dump{scale}.{fmt}").unlink(missing_ok=True)
    for folder in (work / f"raw{scale}", work / f"store{scale}"):
        shutil.rmtree(folder, ignore_errors=True)
    data.unlink()


def crossover(work: Path, base: Path, data: Path, scale: int) -> None:
    """Load ``scale`` more copies into a store that already holds ``scale`` copies (the rule's
    crossover, load = store): one ``Store.load`` transaction against ``pvd-kg load``'s swap."""
    second = work / f"x{scale}-second.nq"
    replicate(base, second, scale, first=scale)
    setup = measure("bulk-load", data, work / f"cross{scale}")
    show(f"setup: bulk_load {scale}x", setup)
    shutil.copytree(work / f"cross{scale}", work / f"cross{scale}-b")
    raw = measure("raw-load", second, work / f"cross{scale}")
    show(f"{scale}x more by Store.load", raw)
    ours = measure("pvd-load", second, work / f"cross{scale}-b", "no-validate")
    how = "(swap) " if ours.get("swap") else "(transaction) "
    show(f"{scale}x more by pvd-kg load", ours,
         how + (f"{ours['seconds'] / raw['seconds']:.2f}x Store.load" if "seconds" in ours and "seconds" in raw else ""))
    for folder in (work / f"cross{scale}", work / f"cross{scale}-b"):
        shutil.rmtree(folder, ignore_errors=True)
    second.unlink()


def run_queries(store: Path, scale: int, opts) -> None:
    both = scale <= opts.validate_max  # in-process runs too (slow at large scales)
    q = measure("queries", store, opts.runs if both else 1, "both" if both else "worker",
                opts.query_timeout)
    if "failed" not in q:
        print(f"  catalog queries (median of {opts.runs if both else 1}; in-process / through the worker process):")

        for name, r in q.items():
            if isinstance(r, dict):
                worker = f"{r['worker_median_ms']:8.1f} ms" if r["worker_median_ms"] is not None else \
                    f" > {opts.query_timeout:g} s"
                inproc = f"{r['median_ms']:8.1f} ms" if r["median_ms"] is not None else "        -   "
                print(f"    {name:<32} {inproc}  {worker}  {r['rows']} rows")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "step":
        print(json.dumps(step(sys.argv[2], sys.argv[3:])))
    else:
        main()
