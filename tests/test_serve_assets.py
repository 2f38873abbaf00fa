"""`pvd-kg serve` says in one line when the web assets `npm ci` installs are missing (the /query
page and the maps would be blank), and says nothing when they are there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import requests

from pvd_kg.serve.assets import STATIC_DIR, VENDOR_FILES
from serve_server import build_store, free_port, running_server


def _serve_output(store, env: dict, tmp_path) -> str:
    """What `pvd-kg serve` printed until it answered, then stopped."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pvd_kg.cli", "serve", "--store", str(store), "--port",
                                 str(port)], stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if requests.get(f"http://127.0.0.1:{port}/query", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return log.read_text(encoding="utf-8")


def test_serve_warns_in_one_line_when_the_web_assets_are_missing(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static, ignore=shutil.ignore_patterns("vendor"))
    (static / "vendor").mkdir()
    store = build_store(tmp_path / "store")
    text = _serve_output(store, {"PVD_KG_STATIC_DIR": str(static)}, tmp_path)
    warnings = [line for line in text.splitlines() if "web assets" in line]
    assert len(warnings) == 1, text
    assert "npm ci" in warnings[0] and all(name in warnings[0] for name in VENDOR_FILES)


def test_serve_is_quiet_when_the_web_assets_are_there(tmp_path):
    assert all((STATIC_DIR / "vendor" / name).is_file() for name in VENDOR_FILES), "run `npm ci` first"
    with running_server(build_store(tmp_path / "store"), log_dir=tmp_path) as server:
        assert requests.get(server("/static/vendor/yasgui/yasgui.min.js"), timeout=10).status_code == 200
        text = server.log.read_text(encoding="utf-8")
    assert "web assets" not in text and "serving" in text
