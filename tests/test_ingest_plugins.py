"""pvd_kg/ingest/plugin.py: a source is one module under pvd_kg/ingest/, and the build, the fetch
registry and the shipped table pick it up with no other edit."""

from __future__ import annotations

import sys
import textwrap

import pytest

import pvd_kg.ingest as ingest_pkg
from pvd_kg import iris, paths
from pvd_kg.errors import SourceDataError
from pvd_kg.graph import build_quads
from pvd_kg.ingest.plugin import registered, reading_order
from pvd_kg.ingest.shipped import SHIPPED
from pvd_kg.sources_registry import SOURCES, get_source
from pvd_kg.vocab import RDFS

SHIPPED_KEYS = {"anct-pvd-2021", "anct-pvd-2026", "anct-acv-2024", "dgaln-ort-2024", "insee-cog-2024",
                "insee-arr-2025", "insee-departements", "epci-com-2023", "epci-list-2023"}

DEMO = '''
from pvd_kg import iris
from pvd_kg.ingest.emit import RDFS, fr
from pvd_kg.ingest.plugin import SourcePlugin
from pvd_kg.ingest.shipped import Shipped
from pvd_kg.ingest.tables import read_csv
from pvd_kg.sources_registry import Source


def read(path, tally, run):
    rows = {}
    for rec in read_csv(path, required=("insee_com", "devise"), tally=tally):
        if rec["insee_com"] not in run.data["insee-cog-2024"].communes:
            tally.reject(rec, "not a current commune", "insee_com", rec["insee_com"], "not-in-cog")
            continue
        rows[rec["insee_com"]] = (rec.line, rec["devise"])
    return rows


def emit(rows, out, tally, run):
    for code, (line, motto) in rows.items():
        out.add(iris.commune(code), RDFS.comment, fr(motto))
        out.derived(iris.commune(code), line)
        tally.loaded += 1


PLUGINS = (SourcePlugin(
    fetch=Source(key="demo-devises", title="Devises des communes", url=None, publisher="démo",
                 columns=("insee_com", "devise"), note="A test table; no live URL."),
    shipped=Shipped("demo-devises", "devises.csv", "anct", "Devises des communes", "2026", "tests"),
    read=read, emit=emit, needs=("insee-cog-2024",), lists_communes=True),)
'''


@pytest.fixture
def add_module(tmp_path, monkeypatch):
    """Put a module under pvd_kg.ingest (a folder added to the package's path), as a new file
    in pvd_kg/ingest/ would be."""
    folder = tmp_path / "modules"
    folder.mkdir()
    names = []

    def add(name: str, text: str) -> None:
        (folder / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
        names.append(name)
        monkeypatch.setattr(ingest_pkg, "__path__", [*ingest_pkg.__path__, str(folder)])
        registered.cache_clear()

    yield add
    registered.cache_clear()
    for name in names:
        sys.modules.pop(f"pvd_kg.ingest.{name}", None)


def test_each_shipped_source_is_registered_exactly_once():
    keys = [p.key for p in registered()]
    assert len(keys) == len(set(keys))
    assert set(SHIPPED) == SHIPPED_KEYS
    assert set(reading_order()) == SHIPPED_KEYS
    shipped_files = {f.name for f in paths.SOURCES_DIR.glob("*.csv")}
    assert sorted(spec.file for spec in SHIPPED.values()) == sorted(shipped_files)
    assert set(SOURCES) == SHIPPED_KEYS - {"insee-arr-2025"} | {"anct-ngeo-2023"}


def test_the_reading_order_puts_a_source_after_those_it_needs():
    order = reading_order()
    assert order[0] == "insee-cog-2024"
    lists = ("anct-pvd-2021", "anct-pvd-2026", "anct-acv-2024", "dgaln-ort-2024")
    assert all(order.index(k) < order.index("epci-com-2023") for k in lists)


def test_a_new_source_module_is_built_with_no_other_edit(add_module, tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    for f in paths.SOURCES_DIR.iterdir():
        (folder / f.name).symlink_to(f.resolve())
    (folder / "devises.csv").write_text("insee_com,devise\n75056,Fluctuat nec mergitur\n99999,Nulle part\n",
                                        encoding="utf-8")
    add_module("demo_devises", DEMO)

    assert get_source("demo-devises").title == "Devises des communes"
    quads, report = build_quads(sources_dir=folder)
    graph = iris.graph("demo-devises")
    paris = iris.commune("75056")
    assert (paris, RDFS.comment) in {(s, p) for s, p, o, g in quads if g == graph}
    # it lists communes: Paris (in no programme list) is now described by the COG graph
    assert (paris, RDFS.label) in {(s, p) for s, p, o, g in quads if g == iris.graph("insee-cog-2024")}
    assert any(s == iris.source("demo-devises") for s, p, o, g in quads if g == iris.graph("catalog"))
    summary = report.summary["sources"]["demo-devises"]
    assert (summary["read"], summary["loaded"], summary["rejected"]) == (2, 1, 1)
    assert [i.line for i in report.issues if i.source == "devises.csv"] == [3]


def test_a_key_registered_twice_is_refused(add_module):
    add_module("demo_twice", '''
        from pvd_kg.ingest.plugin import SourcePlugin
        from pvd_kg.sources_registry import Source
        PLUGINS = (SourcePlugin(fetch=Source(key="anct-pvd-2026", title="x", url=None, publisher="x")),)
    ''')
    with pytest.raises(ValueError, match="source anct-pvd-2026 is registered twice"):
        registered()


def test_a_source_needing_an_unknown_one_is_refused(add_module):
    add_module("demo_needs", DEMO.replace('needs=("insee-cog-2024",)', 'needs=("insee-cog-2099",)'))
    with pytest.raises(SourceDataError, match="source demo-devises needs 'insee-cog-2099'"):
        reading_order()
