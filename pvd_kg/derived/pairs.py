"""The graph as ``(subject, object)`` pairs per predicate, read once for every derived stage."""

from __future__ import annotations

from collections import defaultdict


def index(quads: list, predicates) -> dict:
    """``predicate -> [(s, o), ...]`` for ``predicates`` only: one pass over the graph for every
    stage (a dict look-up per quad: comparing each quad's predicate with every wanted term, rdflib's Python __eq__ each time, cost twice as much).

    >>> index([("s", "p", "o", "g"), ("s", "q", "o", "g")], ["p"])
    {'p': [('s', 'o')]}
    """
    by: dict = {p: [] for p in predicates}
    get = by.get
    for s, p, o, _ in quads:
        bucket = get(p)
        if bucket is not None:
            bucket.append((s, o))
    return by


def grouped(pairs) -> defaultdict:
    """``s -> {o, ...}`` of ``(s, o)`` pairs.

    >>> dict(grouped([("a", 1), ("a", 2)]))
    {'a': {1, 2}}
    """
    found: defaultdict = defaultdict(set)
    for s, o in pairs:
        found[s].add(o)
    return found
