"""What a user waits for, each figure beside its floor in the same run (issue #15): every command
runs as a whole process, the way a user runs it; wall time is the median of ``--runs`` runs,
CPU time (user + system, its child processes included) the median too, peak memory the largest
``ru_maxrss`` of the process (``os.wait4``), the floor the same work on bare pyoxigraph in a
minimal Python process, run in turn with the command so that both see the same load. Prints one
table and the load average; on a busy host, the CPU times still compare. The package is
compiled first (``compileall``), as an installed one is: ``PYTHONDONTWRITEBYTECODE`` would
otherwise make every run compile it again.

    python bench/user_bench.py              # every row; the 10x store takes a minute to make
    python bench/user_bench.py --runs 5 --rows build,query

Rows: ``build`` (``pvd-kg build`` into a fresh store; floor: ``Store.bulk_load`` of the same
quads into a fresh folder), ``query`` (``pvd-kg query commune-timeline``; floor: the same text
read-only on bare pyoxigraph), ``commune`` (one commune, validated, into the 10x store with
``pvd-kg load``; floor: ``Store.load`` of the same file), ``load`` (validated ``pvd-kg load``
of the 1x graph into an empty store; floor: ``Store.load``). The data comes from
:mod:`store_bench` (the built graph, copies with renamed IRIs, one renamed commune).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from store_bench import ROOT, base_nquads, commune_file, replicate  # noqa: E402

PVD_KG = [sys.executable, "-m", "pvd_kg.cli"]
FLOOR_LOAD = "import pyoxigraph as ox, sys; ox.Store(sys.argv[2]).{how}(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)"
FLOOR_QUERY = ("import pyoxigraph as ox, sys; s = ox.Store.read_only(sys.argv[1]); "
               "print(len(list(s.query(sys.argv[2], use_default_graph_as_union=True))))")
ROWS = ("build", "query", "commune", "load")


def run(argv: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (its children included) and peak MB of one process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, **(env or {})})
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"{' '.join(map(str, argv))} failed: {err.decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def side_by_side(runs: int, ours: list[str], floor: list[str], before=None) -> tuple[tuple, tuple]:
    """``(wall, cpu, peak)`` of ``ours`` and of ``floor``, each run ``runs`` times in turn (after
    ``before()``): medians of wall and CPU, the largest peak."""
    found: dict = {"ours": [], "floor": []}
    for _ in range(runs):
        for key, argv in (("ours", ours), ("floor", floor)):
            if before:
                before()
            found[key].append(run(argv))
    return tuple((statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs))
                 for rs in (found["ours"], found["floor"]))


def fresh(*folders: Path):
    def clear() -> None:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
            for leftover in folder.parent.glob(f".{folder.name}.*"):
                shutil.rmtree(leftover, ignore_errors=True)
    return clear


def copy_of(src: Path, dst: Path):
    def copy() -> None:
        fresh(dst)()
        shutil.copytree(src, dst)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--scale", type=int, default=10, help="the large store of the commune row")
    opts = parser.parse_args()
    rows = opts.rows.split(",")
    compileall.compile_dir(ROOT / "pvd_kg", quiet=1)
    table = []
    with tempfile.TemporaryDirectory(prefix="pvd-kg-user-bench-") as tmp:
        work = Path(tmp)
        base = work / "x1.nq"
        n = base_nquads(base)
        store = work / "store"
        if "build" in rows:
            ours, floor = side_by_side(opts.runs, PVD_KG + ["build", "--store", str(store)],
                                       [sys.executable, "-c", FLOOR_LOAD.format(how="bulk_load"), base, store],
                                       fresh(store))
            table.append(("pvd-kg build (fresh store)", ours, f"bulk_load of the {n} quads", floor))
        if "query" in rows:
            fresh(store)()
            run([sys.executable, "-c", FLOOR_LOAD.format(how="bulk_load"), base, store])
            sys.path.insert(0, str(ROOT))
            from pvd_kg import queries

            from pvd_kg.vocab import sparql_prologue

            text = sparql_prologue() + queries.checked(queries.resolve("commune-timeline"), {"commune": "62907"}).text
            ours, floor = side_by_side(opts.runs, PVD_KG + ["query", "commune-timeline", "--param", "commune=62907",
                                                           "--store", str(store)],
                                       [sys.executable, "-c", FLOOR_QUERY, store, text])
            table.append(("pvd-kg query commune-timeline", ours, "the same text on bare pyoxigraph", floor))
        if "commune" in rows:
            big, data, commune = work / "big", work / f"x{opts.scale}.nq", work / "commune.nq"
            replicate(base, data, opts.scale)
            run([sys.executable, "-c", FLOOR_LOAD.format(how="bulk_load"), data, big])
            data.unlink()
            m = commune_file(base, commune, opts.scale)
            ours, floor = side_by_side(opts.runs, PVD_KG + ["load", str(commune), "--store", str(store)],
                                       [sys.executable, "-c", FLOOR_LOAD.format(how="load"), commune, store],
                                       copy_of(big, store))
            table.append((f"pvd-kg load: one commune ({m} quads) into the {opts.scale}x store", ours,
                          "Store.load of the same file", floor))
            fresh(big)()
        if "load" in rows:
            ours, floor = side_by_side(opts.runs, PVD_KG + ["load", str(base), "--store", str(store)],
                                       [sys.executable, "-c", FLOOR_LOAD.format(how="load"), base, store],
                                       fresh(store))
            table.append(("pvd-kg load (validated), 1x into an empty store", ours, "Store.load of the same file",
                          floor))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; medians of {opts.runs} runs\n")
    print("| command | wall | cpu | peak memory | floor | floor wall | floor cpu | floor memory | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (wall, cpu, peak), what, (fwall, fcpu, fpeak) in table:
        print(f"| {name} | {wall:.3f} s | {cpu:.3f} s | {peak:.0f} MB | {what} | {fwall:.3f} s | {fcpu:.3f} s | "
              f"{fpeak:.0f} MB | {wall / fwall:.2f}x (+{wall - fwall:.3f} s), cpu {cpu / fcpu:.2f}x, "
              f"{peak / fpeak:.2f}x memory |")


if __name__ == "__main__":
    main()
