"""The quads of an N-Quads file as SPARQL updates: one update, or, past a size a server takes in
one request, several updates that each keep every blank node with all the quads that use it.

N-Triples term syntax is valid SPARQL. Quads with a blank node go in an ``INSERT`` template with an
empty ``WHERE`` (run once, it makes one new node per label, as ``INSERT DATA`` does): Virtuoso
refuses blank nodes in ``INSERT DATA``. A label names the same node only within one request, so the
split never separates two quads that share one."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from ..errors import StoreError

DEFAULT = ""  # the key of the default graph


def read_quads(path: Path) -> list[ox.Quad]:
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"cannot read the quads to write, nothing was written: {exc}") from exc


def graph_key(quad: ox.Quad) -> str:
    return DEFAULT if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)


def insert_update(quads: list[ox.Quad], graph_of: Callable[[str], str] = lambda g: g) -> str:
    """One SPARQL update inserting ``quads``; ``graph_of`` maps each graph (``"<iri>"`` or
    :data:`DEFAULT`) to the graph written into (e.g. a staging graph)."""
    by_graph: dict[str, list[str]] = {}
    blank = False
    for quad in quads:
        blank = blank or isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
        by_graph.setdefault(graph_of(graph_key(quad)), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    if not by_graph:
        return ""
    blocks = []
    for g, triples in by_graph.items():
        body = "\n".join(triples)
        blocks.append(f"GRAPH {g} {{\n{body}\n}}" if g else body)
    if blank:
        return "INSERT {\n" + "\n".join(blocks) + "\n} WHERE {}"
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def insert_data(path: Path) -> str:
    """One SPARQL update inserting the quads of an N-Quads file."""
    return insert_update(read_quads(path))


def _blank_groups(quads: list[ox.Quad]) -> Iterator[list[ox.Quad]]:
    """The quads in groups: one per quad without blank nodes, one per set of quads joined by a
    shared blank node (union-find on the labels)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    joined: list[tuple[str, ox.Quad]] = []
    for quad in quads:
        labels = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if not labels:
            yield [quad]
            continue
        root = find(labels[0])
        for other in labels[1:]:
            parent[find(other)] = root
        joined.append((labels[0], quad))
    groups: dict[str, list[ox.Quad]] = {}
    for label, quad in joined:
        groups.setdefault(find(label), []).append(quad)
    yield from groups.values()


def insert_batches(quads: list[ox.Quad], max_bytes: int, graph_of: Callable[[str], str]) -> Iterator[str]:
    """Updates of at most about ``max_bytes`` each (a group larger than that goes alone)."""
    batch: list[ox.Quad] = []
    size = 0
    for group in _blank_groups(quads):
        group_size = sum(len(str(q)) for q in group)
        if batch and size + group_size > max_bytes:
            yield insert_update(batch, graph_of)
            batch, size = [], 0
        batch.extend(group)
        size += group_size
    if batch:
        yield insert_update(batch, graph_of)
