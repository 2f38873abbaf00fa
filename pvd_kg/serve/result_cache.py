"""A bounded in-process cache of ``/sparql`` query answers, emptied by every update.

An entry is keyed by everything the answer depends on: the store generation, the exact query
text, the base IRI it was resolved against, the ``default-graph-uri`` and ``named-graph-uri``
lists and the negotiated result format; its value is the response body and media type. The
cache holds at most ``max_bytes`` (bodies, query texts and a fixed overhead per entry), evicting
the least recently used entries; an answer larger than an eighth of the budget is not kept. The
endpoint (:mod:`.sparql_protocol`) decides what may be cached: successful, complete answers of
queries without non-deterministic functions (:func:`deterministic`).

The event loop is single-threaded, so the cache needs no lock.

>>> cache = ResultCache(64 * 1024)
>>> key = cache.key("ASK {}", "http://x/sparql", None, None, ("json", "text/turtle"))
>>> cache.get(key) is None
True
>>> cache.put(key, b'{"boolean":true}', "application/sparql-results+json").body
b'{"boolean":true}'
>>> cache.get(key).media_type
'application/sparql-results+json'
>>> cache.new_generation(1)
>>> cache.get(cache.key("ASK {}", "http://x/sparql", None, None, ("json", "text/turtle"))) is None
True
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass

ENTRY_OVERHEAD = 256  # rough bytes of a key tuple, an entry object and the dict slot
_NON_DETERMINISTIC = re.compile(r"\b(RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.I)
_NAMES = ("rand", "now", "uuid", "bnode")  # substrings of the names above, for a fast first pass


def deterministic(query: str) -> bool:
    """False when the query may call a function whose value changes between runs (``RAND``,
    ``NOW``, ``UUID``, ``STRUUID``, ``BNODE``); a match inside a string or comment errs on the
    side of not caching.

    >>> deterministic("SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    True
    >>> deterministic("SELECT (now() AS ?t) {}")
    False
    """
    lowered = query.lower()
    if not any(name in lowered for name in _NAMES):  # the regex alone costs ~0.2 ms on a 3 kB query
        return True
    return _NON_DETERMINISTIC.search(query) is None


@dataclass(frozen=True)
class CachedAnswer:
    """One kept answer."""

    body: bytes
    media_type: str


class ResultCache:
    """LRU cache of query answers bounded by total bytes.

    :param max_bytes: the budget; 0 switches the cache off (every lookup misses, nothing is kept).
    """

    def __init__(self, max_bytes: int):
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self.generation = 0
        self.size = 0
        self.hits = self.misses = self.evictions = 0
        self._run = secrets.token_hex(4)  # tells this server run's ETags from a previous run's
        self._entries: OrderedDict[tuple, tuple[CachedAnswer, int]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def key(self, query: str, base_iri: str, default_graphs: list[str] | None, named_graphs: list[str] | None,
            result_format: tuple) -> tuple:
        """The key of an answer in the current store generation.

        :param result_format: what content negotiation chose, e.g. ``("json", "text/turtle")``
            (the SELECT/ASK format and the CONSTRUCT/DESCRIBE one: the query form is not known yet).
        """
        return (self.generation, query, base_iri, tuple(default_graphs) if default_graphs is not None else None,
                tuple(named_graphs) if named_graphs is not None else None, tuple(result_format))

    def etag(self, key: tuple) -> str:
        """A weak ETag for ``key``: server run, generation and a hash of the rest. Weak, because
        an answer computed again may name its blank nodes differently.

        >>> c = ResultCache(10)
        >>> c.etag(c.key("ASK {}", "b", None, None, ("json",))).startswith('W/"')
        True
        """
        digest = hashlib.blake2b(repr(key[1:]).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
        return f'W/"{self._run}-{key[0]}-{digest}"'

    def get(self, key: tuple) -> CachedAnswer | None:
        """The kept answer for ``key`` (now the most recently used), or None; counts hits and misses."""
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found[0]

    def put(self, key: tuple, body: bytes, media_type: str) -> CachedAnswer | None:
        """Keep an answer, evicting the least recently used ones to stay within budget.

        Nothing is kept (None) when the cache is off, when the answer is larger than an eighth
        of the budget, or when ``key`` belongs to an older generation (an update ran meanwhile).

        >>> c = ResultCache(8 * (ENTRY_OVERHEAD + 101))
        >>> c.put(c.key("q", "", None, None, ("json",)), b"x" * 200, "text/csv") is None
        True
        """
        if not self.enabled or key[0] != self.generation:
            return None
        cost = len(body) + len(key[1].encode("utf-8")) + len(key[2]) + ENTRY_OVERHEAD \
            + sum(len(g) for part in key[3:5] if part for g in part)
        if cost > self.max_bytes // 8:
            return None
        answer = CachedAnswer(body, media_type)
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self._entries[key] = (answer, cost)
        self.size += cost
        while self.size > self.max_bytes:
            _, (_, freed) = self._entries.popitem(last=False)
            self.size -= freed
            self.evictions += 1
        return answer

    def new_generation(self, generation: int) -> None:
        """The store changed (or may have): forget every answer; new keys use ``generation``."""
        self.generation = generation
        self._entries.clear()
        self.size = 0

    def status(self) -> dict:
        """Counters for ``/status``."""
        return {"max_bytes": self.max_bytes, "bytes": self.size, "entries": len(self._entries),
                "generation": self.generation, "hits": self.hits, "misses": self.misses,
                "evictions": self.evictions}
