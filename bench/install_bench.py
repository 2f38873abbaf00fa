"""What the install weighs, and what moving heavy dependencies into extras would save (issue #14):
each variant is a fresh venv and ``pip install -e`` of a copy of the committed tree whose
``pyproject.toml`` moves the named packages out of ``dependencies`` into extras. Prints wall
time, venv size and package count per variant and run, and the load average.

    python bench/install_bench.py                   # every variant, 2 runs
    python bench/install_bench.py --runs 3 --variants today,core

Variants: ``today`` (the tree as committed), ``core`` (without any of :data:`EXTRAS`), and
``core`` plus each extra, the two a complete web interface needs, and all three. Figures and the
decision: docs/benchmarks.md, "Install weight". Downloads whatever pip does not have at hand.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# extra -> the dependency lines (as written in pyproject.toml) it would take out of the core
EXTRAS = {
    "charts": ['"matplotlib>=3.8"', '"networkx>=3.4"'],
    "ontology-docs": ['"pylode==3.3.4"'],
    "speed": ['"uvloop>=0.19; sys_platform != \'win32\'"'],
}
VARIANTS = {"today": None, "core": [], "charts": ["charts"], "ontology-docs": ["ontology-docs"],
            "speed": ["speed"], "web": ["charts", "ontology-docs"], "all": list(EXTRAS)}


def variant_pyproject(text: str) -> str:
    """``pyproject.toml`` with every :data:`EXTRAS` line moved into its extra."""
    for requirements in EXTRAS.values():
        for req in requirements:
            text, n = re.subn(rf"\n    {re.escape(req)},[^\n]*", "", text)
            if n != 1:
                sys.exit(f"pyproject.toml has no dependency line {req}: update EXTRAS")
    extras = "".join(f"{name} = [{', '.join(reqs)}]\n" for name, reqs in EXTRAS.items())
    return text.replace("[project.optional-dependencies]\n", "[project.optional-dependencies]\n" + extras, 1)


def tree(dest: Path, core: bool) -> Path:
    """A copy of the committed tree (``git archive HEAD``) in ``dest``."""
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    if core:
        pyproject = dest / "pyproject.toml"
        pyproject.write_text(variant_pyproject(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
    return dest


def megabytes(path: Path) -> int:
    return int(subprocess.run(["du", "-sm", str(path)], check=True, capture_output=True, text=True).stdout.split()[0])


def install(src: Path, extras: list[str] | None, venv: Path) -> tuple[float, int, int]:
    """Wall seconds of venv + install, venv MB, installed packages."""
    spec = str(src) + (f"[{','.join(extras)}]" if extras else "")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-e", spec], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    listed = subprocess.run([str(venv / "bin" / "pip"), "list", "--format=freeze"], check=True,
                            capture_output=True, text=True).stdout.split()
    return wall, megabytes(venv), len(listed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    names = args.variants.split(",")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s) {unknown}: one of {', '.join(VARIANTS)}")
    with tempfile.TemporaryDirectory(prefix="pvd-kg-install-") as tmp:
        trees = {core: tree(Path(tmp) / ("core" if core else "today"), core) for core in (False, True)}
        print("| variant | run | wall s | venv MB | packages |\n|---|---|---|---|---|")
        for run in range(1, args.runs + 1):
            for name in names:
                extras = VARIANTS[name]
                venv = Path(tmp) / f"venv-{name}-{run}"
                wall, size, count = install(trees[extras is not None], extras, venv)
                print(f"| {name} | {run} | {wall:.1f} | {size} | {count} |", flush=True)
                subprocess.run(["rm", "-rf", str(venv)], check=True)
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
