"""Which store the analysis commands read: the embedded store that ``pvd-kg build`` fills (the
default), or a graph assembled in memory on the spot."""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError
from ..store import MemoryStore, Store, open_store

SOURCES = ("store", "curated", "build")


def open_analysis_store(source: str = "store", store: Store | None = None,
                        path: str | Path | None = None) -> Store:
    """Open the store to analyse.

    :param source: ``store``: ``store`` if given, else the embedded store at ``path`` (default
        :func:`pvd_kg.paths.default_store_path`) opened read-only; ``curated``: the ontology and
        the curated graphs (``graph/*.ttl``) loaded in memory; ``build``: the whole graph built
        in memory by :func:`pvd_kg.graph.build_dataset`.
    :raises StoreError: no store there, or it is empty, or ``source`` is unknown.
    """
    if source == "store":
        store = store if store is not None else open_store(path, read_only=True)
        if not store.query("ASK { ?s ?p ?o }").boolean:
            where = getattr(store, "path", None) or getattr(store, "url", None) or "the store"
            raise StoreError(f"{where} is empty",
                             hint="run `pvd-kg build`, or analyse the curated graph with --from curated")
        return store
    if source == "curated":
        from ..graph import curated_dataset

        return MemoryStore.from_dataset(curated_dataset())
    if source == "build":
        from .. import graph

        if not hasattr(graph, "build_dataset"):
            raise StoreError("this installation cannot build the whole graph in memory yet",
                             hint="use --from curated, or `pvd-kg build` then the default --from store")
        dataset, _report = graph.build_dataset()
        return MemoryStore.from_dataset(dataset)
    raise StoreError(f"unknown store source {source!r}", hint="one of: " + ", ".join(SOURCES))
