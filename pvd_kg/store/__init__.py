"""Stores: the interface (:mod:`.base`) and its backends."""

from .base import ASK, GRAPH, SELECT, QueryResult, Store
from .memory import MemoryStore

__all__ = ["ASK", "GRAPH", "SELECT", "QueryResult", "Store", "MemoryStore"]
