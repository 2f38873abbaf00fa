"""An in-memory pyoxigraph store: for tests, analysis of a freshly built graph, and benchmarks."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import QueryError
from .base import QueryResult, Store, result_from_oxigraph


class MemoryStore(Store):
    """A pyoxigraph in-memory store. Queries run in-process (trusted callers only: no timeout).

    >>> from pvd_kg.graph import curated_dataset
    >>> s = MemoryStore.from_dataset(curated_dataset())
    >>> s.query("ASK { ?s ?p ?o }").boolean
    True
    """

    def __init__(self, store: ox.Store | None = None):
        self.ox = store if store is not None else ox.Store()

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> "MemoryStore":
        """Copy an rdflib Dataset (named graphs kept) into a new in-memory store."""
        store = cls()
        data = dataset.serialize(format="nquads", encoding="utf-8")
        store.ox.load(data, format=ox.RdfFormat.N_QUADS)
        return store

    def query(self, sparql: str, *, timeout: float | None = None, limit: int | None = None) -> QueryResult:
        try:
            answer = self.ox.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from exc
        return result_from_oxigraph(answer, limit)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.ox)
