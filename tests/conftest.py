"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from pvd_kg import iris
from pvd_kg.paths import GRAPH_DIR
from pvd_kg.store import MemoryStore

SMALL_PROGRAMME = Path(__file__).parent / "data" / "analysis" / "small-programme.ttl"


def store_of(path: Path) -> MemoryStore:
    """An in-memory store holding one Turtle file, in the named graph its file name gives."""
    ds = Dataset()
    ds.graph(iris.graph(path.stem)).parse(path, format="turtle")
    return MemoryStore.from_dataset(ds)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (tests/chromium.py), one per test module."""
    from chromium import chromium

    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def small() -> MemoryStore:
    """The hand-built small programme of tests/data/analysis/ (see tests/data/README.md)."""
    return store_of(SMALL_PROGRAMME)


@pytest.fixture(scope="module")
def libercourt() -> MemoryStore:
    """The curated Libercourt graph alone."""
    return store_of(GRAPH_DIR / "libercourt.ttl")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A real Virtuoso Open Source server (tests/virtuoso_server.py), one per test session."""
    from pvd_kg.store.endpoint import EndpointStore
    from virtuoso_server import virtuoso_server

    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        own = EndpointStore(f"{server.base}/sparql")  # its own graphs (virtrdf#, ...) are not data
        server.graphs, server.quads = set(own.graphs()), len(own)
        yield server
