"""Stores: the interface (:mod:`.base`) and its backends (in-memory, embedded on-disk,
remote SPARQL 1.1 endpoint)."""

from __future__ import annotations

_LAZY = {"ASK": ".base", "GRAPH": ".base", "SELECT": ".base", "QueryResult": ".base", "Store": ".base",
         "MemoryStore": ".memory"}


def __getattr__(name: str):
    # imported on first use: ``pvd-kg query`` reaches pvd_kg.store.query_worker without rdflib
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(path=None, *, endpoint: str | None = None, update_endpoint: str | None = None,
               gsp_endpoint: str | None = None, user: str | None = None, password: str | None = None,
               token: str | None = None, read_only: bool = False, query_memory_mb: int | None = None) -> "Store":
    """The store the user named: a remote endpoint when ``endpoint`` is given, else the embedded
    store at ``path`` (default :func:`pvd_kg.paths.default_store_path`), whose query worker gets
    ``query_memory_mb`` (see :class:`.embedded.EmbeddedStore`)."""
    if endpoint:
        from .endpoint import EndpointStore

        return EndpointStore(endpoint, update_url=update_endpoint, gsp_url=gsp_endpoint,
                             user=user, password=password, token=token)
    from .embedded import EmbeddedStore

    return EmbeddedStore(path, read_only=read_only, query_memory_mb=query_memory_mb)


__all__ = ["ASK", "GRAPH", "SELECT", "QueryResult", "Store", "MemoryStore", "open_store"]
