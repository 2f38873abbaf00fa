"""Sources as plug-ins: a module of :mod:`pvd_kg.ingest` that declares ``PLUGINS`` (a tuple of
:class:`SourcePlugin`) adds its sources to the build, the fetch registry and the shipped table,
with no other edit.

A plug-in gives its registry entry (:class:`~pvd_kg.sources_registry.Source`, the live file),
its shipped snapshot (:class:`~pvd_kg.ingest.shipped.Shipped`), and three steps that the build
runs for every source in turn: ``read`` (parse and check rows), ``check`` (against the other
sources, once all are read) and ``emit`` (the triples of its named graph). Each step gets the
:class:`Run`, where it finds what the other sources read.

>>> [p.key for p in registered()][:2]
['anct-pvd-2021', 'anct-pvd-2026']
>>> reading_order()[0]
'insee-cog-2024'
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Callable

from ..errors import SourceDataError
from ..sources_registry import Source
from .emit import GraphOut
from .shipped import Shipped
from .tables import Tally

#: in ``needs``: every source whose data lists communes (``lists_communes``)
COMMUNE_LISTS = "*commune-lists"


@dataclass
class Run:
    """One build in progress: per source key, what its reader returned (``data``), its
    :class:`Tally`, its graph (:class:`GraphOut`) and its file."""

    data: dict[str, Any] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    outputs: dict[str, GraphOut] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def communes(self) -> set[str]:
        """The commune codes the programme graph describes: those of every source that
        ``lists_communes`` (its data maps a commune code to its row)."""
        return {code for p in registered() if p.lists_communes and p.key in self.data for code in self.data[p.key]}


@dataclass(frozen=True)
class SourcePlugin:
    """One source.

    :param fetch: the registry entry ``pvd-kg fetch`` uses, or None (no live table is known).
    :param shipped: the snapshot under ``graph/sources/``, or None (fetch only: not ingested).
    :param read: ``read(path, tally, run)`` returns the source's data (kept in ``run.data[key]``).
    :param check: ``check(data, tally, run)``, cross-source checks once every source is read
        (``data`` is what ``read`` returned).
    :param emit: ``emit(data, out, tally, run)``, the triples of the source's graph ``out``.
    :param needs: keys whose data ``read`` uses (they are read first); :data:`COMMUNE_LISTS`
        stands for every source that ``lists_communes``.
    :param lists_communes: the data is ``{commune code: row}`` and those communes are in the graph.
    """

    fetch: Source | None = None
    shipped: Shipped | None = None
    read: Callable[[Path, Tally, Run], Any] | None = None
    check: Callable[[Any, Tally, Run], None] | None = None
    emit: Callable[[Any, GraphOut, Tally, Run], None] | None = None
    needs: tuple[str, ...] = ()
    lists_communes: bool = False

    def __post_init__(self):
        keys = {s.key for s in (self.fetch, self.shipped) if s is not None}
        if len(keys) != 1:
            raise ValueError(f"a source plug-in names one key, not {sorted(keys)}")
        if (self.shipped is None) != (self.read is None):
            raise ValueError(f"source {self.key}: a shipped snapshot and a reader go together")

    @property
    def key(self) -> str:
        return (self.shipped or self.fetch).key


@cache
def registered() -> tuple[SourcePlugin, ...]:
    """Every plug-in of the modules of :mod:`pvd_kg.ingest`, by module name then as declared.

    :raises ValueError: two plug-ins have the same key.
    """
    from .. import ingest

    found: dict[str, SourcePlugin] = {}
    for info in sorted(pkgutil.iter_modules(ingest.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{ingest.__name__}.{info.name}")
        for plugin in getattr(module, "PLUGINS", ()):
            if plugin.key in found:
                raise ValueError(f"source {plugin.key} is registered twice (second in {module.__name__})")
            found[plugin.key] = plugin
    return tuple(found.values())


def ingested() -> dict[str, SourcePlugin]:
    """The plug-ins the build reads (those with a shipped snapshot), by key."""
    return {p.key: p for p in registered() if p.shipped is not None}


def reading_order() -> tuple[str, ...]:
    """The keys of :func:`ingested` in an order where each source comes after those it
    ``needs``; ties go to the source more others depend on, then by key.

    :raises SourceDataError: a source needs an unknown key, or the needs form a cycle.
    """
    plugins = ingested()
    needs = {key: _needs(p, plugins) for key, p in plugins.items()}
    weight = {key: sum(key in n for n in needs.values()) for key in plugins}
    order: list[str] = []
    while len(order) < len(plugins):
        ready = [k for k in plugins if k not in order and needs[k] <= set(order)]
        if not ready:
            raise SourceDataError("the sources' needs form a cycle: " + ", ".join(k for k in plugins if k not in order))
        order.append(min(ready, key=lambda k: (-weight[k], k)))
    return tuple(order)


def _needs(plugin: SourcePlugin, plugins: dict[str, SourcePlugin]) -> set[str]:
    found = set()
    for key in plugin.needs:
        if key == COMMUNE_LISTS:
            found |= {k for k, p in plugins.items() if p.lists_communes and k != plugin.key}
        elif key in plugins:
            found.add(key)
        else:
            raise SourceDataError(f"source {plugin.key} needs {key!r}, which no plug-in registers")
    return found
