"""Headless Chromium for the browser tests: Debian's `chromium` and `chromium-driver`, driven by
selenium (nothing is downloaded). The `browser` fixture in conftest.py uses it; screenshots go
to tests/artifacts/."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).with_name("artifacts")
# without the background-networking flags Chromium keeps trying hosts this closed machine cannot reach
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1000"]


@contextlib.contextmanager
def chromium():
    """A Chromium driver with a fresh profile, quit and cleaned up afterwards."""
    profile = tempfile.mkdtemp(prefix="pvd-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver, seconds=60):
    return WebDriverWait(driver, seconds)
