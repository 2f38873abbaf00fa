"""Progress of the long commands on stderr: `load` of one large file says how many quads it has
parsed so far, then each stage; `export` redraws its byte counter at most ten times a second.
Both only on a terminal, or when asked with --progress (never in a pipe otherwise)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

TRIPLES = 300_000


@pytest.fixture(scope="module")
def big_nt(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.nt"
    with path.open("w", encoding="utf-8") as f:
        for i in range(TRIPLES):
            f.write(f'<https://example.org/s/{i // 10}> <https://example.org/p/{i % 10}> "value {i}" .\n')
    return path


def _pvd_kg(*args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run the CLI; its stderr as a string with its carriage returns (no newline translation)."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pvd_kg.cli", *args], capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=600)
    done.stderr = done.stderr.decode("utf-8")
    return done, time.monotonic() - start


def test_load_of_one_large_file_shows_quads_so_far_then_stages(big_nt, tmp_path):
    store = str(tmp_path / "store")
    done, _ = _pvd_kg("load", str(big_nt), "--no-validate", "--progress", "--store", store,
                      env={"PVD_KG_PROGRESS_INTERVAL": "0.05"})
    assert done.returncode == 0, done.stderr
    states = [s.strip() for s in done.stderr.split("\r") if s.strip()]
    so_far = [int(s.split(": ")[1].split()[0].replace(",", "")) for s in states if s.startswith("parsing big.nt: ")]
    assert so_far and so_far == sorted(so_far) and 0 < so_far[0] <= TRIPLES, states
    assert f"parsed big.nt: {TRIPLES:,} quads" in states
    assert any(s.startswith(f"writing {TRIPLES:,} quads to the store") for s in states), states


def test_load_in_a_pipe_is_quiet_unless_asked(big_nt, tmp_path):
    done, _ = _pvd_kg("load", str(big_nt), "--no-validate", "--store", str(tmp_path / "store"))
    assert done.returncode == 0, done.stderr
    assert "parsing" not in done.stderr and "\r" not in done.stderr


def test_export_byte_counter_redraws_at_most_ten_times_a_second(big_nt, tmp_path):
    store = str(tmp_path / "store")
    assert _pvd_kg("load", str(big_nt), "--no-validate", "--store", store)[0].returncode == 0
    out = tmp_path / "dump.nt"
    done, elapsed = _pvd_kg("export", "--format", "nt", "-o", str(out), "--progress", "--store", store)
    assert done.returncode == 0, done.stderr
    redraws = done.stderr.count("exporting: ")
    assert redraws >= 1  # it is shown
    assert redraws <= 10 * elapsed + 2, (redraws, elapsed)
    assert f"exporting: {out.stat().st_size / 1e6:,.1f} MB" in done.stderr  # the last count is the total
