"""Fixtures shared by several test modules.

The whole programme graph is built once per test session (``whole_build``, ``whole_nquads``,
``whole_store_folder``): the tests that only read it share it, the ones that write copy it first
(``copy_store``). The shipped curated dataset is parsed, and validated by each engine, once
(``shipped_dataset``, ``shipped_report``): pyshacl takes about a minute on it.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Dataset

from pvd_kg import iris
from pvd_kg.paths import GRAPH_DIR
from pvd_kg.store import MemoryStore

SMALL_PROGRAMME = Path(__file__).parent / "data" / "analysis" / "small-programme.ttl"

# Under pytest-xdist (`-n 2`, .ci/run) a module's tests run in one worker, so that its module-scoped
# servers and stores are made once; the modules that use the session's Virtuoso server share a
# worker, so that it starts once. The slowest modules go first (pyproject.toml keeps xdist from
# reordering them): a worker is not left alone with one of them at the end.
SAME_WORKER = {"tests/test_virtuoso.py": "tests/test_store_backends.py"}
SLOWEST_FIRST = ("tests/test_store_recovery.py", "tests/test_hostile.py", "tests/test_ingest_hostile.py",
                 "tests/test_store_backends.py", "tests/test_virtuoso.py", "tests/test_ingest_build.py",
                 "tests/test_ingest_properties.py", "tests/test_load.py", "tests/test_safe_parse.py",
                 "tests/test_derived.py", "tests/test_w3c_syntax.py")


def _module(nodeid: str) -> str:
    return nodeid.split("::")[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        """One unit of work per test module (``--dist loadfile``), with the SAME_WORKER merges."""

        def _split_scope(self, nodeid: str) -> str:
            return SAME_WORKER.get(_module(nodeid), _module(nodeid))

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(items):
    rank = {module: i for i, module in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module(item.nodeid), len(rank)))


def store_of(path: Path) -> MemoryStore:
    """An in-memory store holding one Turtle file, in the named graph its file name gives."""
    ds = Dataset()
    ds.graph(iris.graph(path.stem)).parse(path, format="turtle")
    return MemoryStore.from_dataset(ds)


@lru_cache(maxsize=None)
def shipped_dataset() -> Dataset:
    """``graph.curated_dataset()`` (ontology, Libercourt, press graphs), parsed once; never change it."""
    from pvd_kg.graph import curated_dataset

    return curated_dataset()


@lru_cache(maxsize=None)
def shipped_report(engine: str):
    """``validate(shipped_dataset(), engine=engine)``, once per engine and session. Read only."""
    from pvd_kg.validate import validate

    return validate(shipped_dataset(), engine=engine)


@pytest.fixture(scope="session")
def built_quads(whole_build) -> list:
    """The quads of the whole build (``graph.build_quads``), built once per test session."""
    return whole_build[0]


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
def whole_build():
    """``build_quads()`` of the shipped sources, once per session: ``(quads, report)``. Read only."""
    from pvd_kg.graph import build_quads

    return build_quads()


@pytest.fixture(scope="session")
def whole_nquads(whole_build) -> bytes:
    """The whole build as N-Quads (``to_nquads``), for ``pyoxigraph.Store.bulk_load``."""
    from pvd_kg.graph import to_nquads

    return to_nquads(whole_build[0])


@pytest.fixture(scope="session")
def whole_ox_store(whole_nquads):
    """An in-memory pyoxigraph store of the whole build, shared: only for tests that never write to it."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(whole_nquads, ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def whole_store_build(tmp_path_factory) -> tuple:
    """``(folder, result)``: a store folder as ``build(store, validate=False)`` leaves it, built
    once per session and closed, and the build's ``LoadResult``. Open the folder read-only, or
    :func:`copy_store` it first."""
    from pvd_kg.load import build
    from pvd_kg.store.embedded import EmbeddedStore

    folder = tmp_path_factory.mktemp("whole-build") / "store"
    with EmbeddedStore(folder) as store:
        result = build(store, validate=False)
    return folder, result


@pytest.fixture(scope="session")
def whole_store_folder(whole_store_build) -> Path:
    """The folder of :func:`whole_store_build`."""
    return whole_store_build[0]


def copy_store(folder: Path, dest: Path) -> Path:
    """A copy of the closed store ``folder`` at ``dest`` (created), for a test that writes."""
    shutil.copytree(folder, dest)
    return dest


@pytest.fixture
def small_swap_threshold(monkeypatch) -> int:
    """Loads from 1,000 quads commit by folder swap, in this test and the processes it starts
    (``$PVD_KG_SWAP_MIN_QUADS``): the swap tested with small files."""
    from pvd_kg.store.swap import MIN_QUADS_VARIABLE

    monkeypatch.setenv(MIN_QUADS_VARIABLE, "1000")
    return 1000


@pytest.fixture(scope="session")
def curated_server(tmp_path_factory):
    """``pvd-kg serve`` with its default options over ``serve_server.build_store``'s store (the
    curated graphs without the press ones), one per session: for the tests that only read from it."""
    from serve_server import build_store, running_server

    tmp = tmp_path_factory.mktemp("curated-server")
    with running_server(build_store(tmp / "store"), log_dir=tmp) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A real Virtuoso Open Source server (tests/virtuoso_server.py), one per test session."""
    from pvd_kg.store.endpoint import EndpointStore
    from virtuoso_server import virtuoso_server

    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        own = EndpointStore(f"{server.base}/sparql")  # its own graphs (virtrdf#, ...) are not data
        server.graphs, server.quads = set(own.graphs()), len(own)
        yield server
