"""Back-pressure and fairness for the worker pool (:mod:`.pool`): how many jobs one client and
all clients may have waiting or running in a lane, and which query texts are known to finish
fast (they go to the fast lane, where a slow query never waits in front of them).
docs/decisions/0004-query-lanes.md says why it is done this way.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict

from ..errors import PvdKgError

FAST_SECONDS = 0.25  # a text whose run took at most this long becomes known to be fast...
SLOW_SECONDS = 1.0  # ...until a run takes longer than this
FAST_LANE_LIMIT = 2.0  # a query in the fast lane is stopped past this and goes to the general lane
REMEMBERED_TEXTS = 4096


class Overloaded(PvdKgError):
    """Too many jobs waiting: the client should try again after ``retry_after`` seconds (503)."""

    def __init__(self, message: str, retry_after: int, hint: str | None = None):
        super().__init__(message, hint)
        self.retry_after = retry_after


class Admission:
    """The bounds of one lane: at most ``per_client`` jobs of one client and ``total`` jobs in
    all, each waiting or running. Jobs with no client (the server's own pages) count only in
    the total."""

    def __init__(self, name: str, per_client: int, total: int, workers: int):
        self.name, self.per_client, self.total, self.workers = name, per_client, total, workers
        self.by_client: dict[str, int] = {}
        self.count = 0
        self.rejected = 0
        self.mean_seconds = 1.0  # moving average of a job's time in this lane

    def enter(self, client: str | None) -> None:
        """:raises Overloaded: past either bound."""
        mine = self.by_client.get(client, 0) if client is not None else 0
        if self.count >= self.total or (client is not None and mine >= self.per_client):
            self.rejected += 1
            whose = "this client's" if client is not None and mine >= self.per_client else "the server's"
            raise Overloaded(f"too many queries waiting: {whose} queue is full", self.retry_after(),
                             hint="try again after the Retry-After delay")
        self.count += 1
        if client is not None:
            self.by_client[client] = mine + 1

    def leave(self, client: str | None, seconds: float | None = None) -> None:
        self.count -= 1
        if client is not None:
            left = self.by_client.pop(client) - 1
            if left:
                self.by_client[client] = left
        if seconds is not None:
            self.mean_seconds = 0.8 * self.mean_seconds + 0.2 * seconds

    def retry_after(self) -> int:
        """Seconds until the queue has probably drained, from the mean job time: 1 to 60.

        >>> a = Admission("general", 2, 4, 2); a.count = 4; a.mean_seconds = 3.0; a.retry_after()
        6
        """
        return max(1, min(60, math.ceil(self.count * self.mean_seconds / max(1, self.workers))))

    def status(self) -> dict:
        return {"queued": self.count, "clients": len(self.by_client), "rejected": self.rejected,
                "per_client": self.per_client, "total": self.total}


class Timings:
    """Which query texts seen lately (at most :data:`REMEMBERED_TEXTS`) are known to be fast: a
    text becomes fast when a run finishes within :data:`FAST_SECONDS`, and stops being fast
    when a run takes more than :data:`SLOW_SECONDS` or is stopped. Between the two, it stays
    as it was, so one run slowed by a busy machine does not move a light query out of the fast lane."""

    def __init__(self):
        self._fast: OrderedDict[bytes, bool] = OrderedDict()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def known_fast(self, text: str) -> bool:
        """Whether ``text`` is known to finish fast.

        >>> t = Timings(); t.record("ASK {}", 0.01); t.known_fast("ASK {}"), t.known_fast("ASK { ?s ?p ?o }")
        (True, False)
        >>> t.record("ASK {}", 0.6); t.known_fast("ASK {}")
        True
        >>> t.record("ASK {}", 1.5); t.known_fast("ASK {}")
        False
        """
        return self._fast.get(self._key(text), False)

    def record(self, text: str, seconds: float) -> None:
        """``seconds``: how long a run took (``math.inf``: it was stopped)."""
        key = self._key(text)
        if seconds <= FAST_SECONDS:
            self._fast[key] = True
        elif seconds > SLOW_SECONDS:
            self._fast[key] = False
        elif key not in self._fast:
            return
        self._fast.move_to_end(key)
        while len(self._fast) > REMEMBERED_TEXTS:
            self._fast.popitem(last=False)
