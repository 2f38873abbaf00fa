"""Progress on a terminal line, within a redraw budget: a line redrawn thousands of times a
second costs more than the work it reports and flickers.

``PVD_KG_PROGRESS_INTERVAL`` (seconds) sets how often a load reports the quads parsed so far.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

LOAD_INTERVAL = 1.0  # seconds between two "quads so far" of a load
REDRAW_INTERVAL = 0.1  # at most ten redraws a second


def load_interval() -> float:
    try:
        return max(0.01, float(os.environ.get("PVD_KG_PROGRESS_INTERVAL", LOAD_INTERVAL)))
    except ValueError:
        return LOAD_INTERVAL


class Throttle:
    """Passes values on to ``show`` at most once per ``interval`` seconds; :meth:`close` shows
    the last one held back."""

    def __init__(self, show: Callable, interval: float = REDRAW_INTERVAL):
        self.show, self.interval = show, interval
        self.shown_at: float | None = None
        self.held = None

    def __call__(self, value) -> None:
        now = time.monotonic()
        if self.shown_at is None or now - self.shown_at >= self.interval:
            self.show(value)
            self.shown_at, self.held = now, None
        else:
            self.held = value

    def close(self) -> None:
        if self.held is not None:
            self.show(self.held)
            self.held = None


class StatusLine:
    """One line of stderr, rewritten in place (``\\r``), ended by :meth:`close`."""

    def __init__(self):
        self.width = 0

    def __call__(self, text: str) -> None:
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.width:
            sys.stderr.write("\n")
            self.width = 0


@contextlib.contextmanager
def counting_lines(path: Path, report: Callable[[int], None], interval: float):
    """While the body runs, every ``interval`` seconds, count the lines another process has
    written to ``path`` so far and ``report`` the count (one N-Quads line is one quad)."""
    stop = threading.Event()

    def watch() -> None:
        lines, offset = 0, 0
        while not stop.wait(interval):
            try:
                with open(path, "rb") as f:
                    f.seek(offset)
                    while chunk := f.read(1 << 20):
                        offset += len(chunk)
                        lines += chunk.count(b"\n")
            except FileNotFoundError:
                continue
            report(lines)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
