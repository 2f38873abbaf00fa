"""The orchestrator: read every source, check rows and sources against each other, and produce
one named graph per source plus the catalog graph, with a :class:`~pvd_kg.report.Report`.

>>> result = ingest()
>>> result.tallies["anct-pvd-2026"].loaded
1646
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..report import ERROR, WARNING, Issue, Report
from .catalog import describe_graph, describe_publishers, describe_source
from .emit import GraphOut
from .plugin import Run, ingested, reading_order
from .shipped import source_path
from .tables import Tally

CATALOG_KEY = "catalog"


@dataclass
class IngestResult:
    """Every source's graph (``outputs``), tally and file, and the catalog graph, with the
    sources in reading ``order``."""

    outputs: dict[str, GraphOut] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    catalog: GraphOut | None = None
    extra_issues: list[Issue] = field(default_factory=list)
    order: tuple[str, ...] = ()

    def issues(self) -> list[Issue]:
        found = [i for key in self.order for i in self.tallies[key].issues]
        return found + self.extra_issues

    def quads(self):
        for out in self.outputs.values():
            yield from out.quads()
        if self.catalog is not None:
            yield from self.catalog.quads()

    def summary(self) -> dict:
        return {key: {**self.tallies[key].summary(), "graph": str(self.outputs[key].iri),
                      "triples": len(self.outputs[key].triples)} for key in self.order}


def ingest(folder: str | Path | None = None) -> IngestResult:
    """Read and check every registered source (:mod:`pvd_kg.ingest.plugin`) of ``folder``
    (``graph/sources/`` by default): all are read, then checked against each other, then emitted.

    :param folder: where the source files are (shipped names or ``{key}.csv`` downloads).
    :raises SourceDataError: a source file is missing or cannot be read at all.
    """
    plugins = ingested()
    res = IngestResult(order=reading_order())
    run = Run(tallies=res.tallies, outputs=res.outputs, files=res.files)
    for key in res.order:
        res.files[key] = source_path(key, folder)
        res.tallies[key] = Tally(key, res.files[key].name)
        res.outputs[key] = GraphOut(key)
    for key in res.order:
        run.data[key] = plugins[key].read(res.files[key], res.tallies[key], run)
    for key in res.order:
        if plugins[key].check is not None:
            plugins[key].check(run.data[key], res.tallies[key], run)
    for key in res.order:
        if plugins[key].emit is not None:
            plugins[key].emit(run.data[key], res.outputs[key], res.tallies[key], run)

    res.catalog = GraphOut(CATALOG_KEY)
    describe_publishers(res.catalog)
    for key in res.order:
        describe_source(res.catalog, key, res.files[key], res.tallies[key].read)
        describe_graph(res.catalog, res.outputs[key].iri, plugins[key].shipped.title, len(res.outputs[key].triples), key)
    return res


def to_report(result: IngestResult, *, strict: bool = False) -> Report:
    """The issues of ``result`` as a :class:`Report` whose summary gives, per source, rows read,
    loaded, rejected and warned and the triples of its graph. With ``strict``, warnings become
    errors."""
    issues = result.issues()
    if strict:
        issues = [Issue(ERROR, f"{i.message} (strict)", i.source, i.line, i.column, i.field, i.value, i.code)
                  if i.severity == WARNING else i for i in issues]
    return Report(issues, summary={"sources": result.summary()})


__all__ = ["ingest", "to_report", "IngestResult", "CATALOG_KEY"]


def summary_text(report: Report) -> str:
    """The build report's counts as a table: rows read, loaded, rejected and warned per source,
    and triples per named graph.

    >>> r = Report(summary={"sources": {"k": {"file": "f.csv", "read": 3, "loaded": 2, "rejected": 1,
    ...     "warned": 1, "triples": 9}}, "graphs": {"https://w3id.org/pvd-kg/graph/k": 9}})
    >>> print(summary_text(r))  # doctest: +NORMALIZE_WHITESPACE
    source  file   read  loaded  rejected  warned  triples
    k       f.csv     3       2         1       1        9
    <BLANKLINE>
    graph                              triples
    https://w3id.org/pvd-kg/graph/k          9
    """
    sources = report.summary.get("sources", {})
    rows = [("source", "file", "read", "loaded", "rejected", "warned", "triples")]
    rows += [(k, v["file"], v["read"], v["loaded"], v["rejected"], v["warned"], v["triples"]) for k, v in sources.items()]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    graphs = report.summary.get("graphs", {})
    if graphs:
        gw = max(len("graph"), *(len(g) for g in graphs))
        lines += ["", f"{'graph'.ljust(gw)}  triples"] + [f"{g.ljust(gw)}  {n:>7}" for g, n in graphs.items()]
    return "\n".join(lines)
