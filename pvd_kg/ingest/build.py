"""The orchestrator: read every source, check rows and sources against each other, and produce
one named graph per source plus the catalog graph, with a :class:`~pvd_kg.report.Report`.

>>> result = ingest()
>>> result.tallies["anct-pvd-2026"].loaded
1646
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal

from .. import iris
from ..report import ERROR, WARNING, Issue, Report
from . import anct, checks, epci, insee, ort
from .catalog import describe_graph, describe_publishers, describe_source
from .emit import A, GraphOut, PROV, PVD, RDFS
from .shipped import SHIPPED, source_path
from .tables import Tally

CATALOG_KEY = "catalog"
#: reading order (the COG first: every list is checked against it)
ORDER = ("insee-cog-2024", "insee-arr-2025", "insee-departements", "anct-pvd-2021", "anct-pvd-2026", "anct-acv-2024",
         "dgaln-ort-2024", "epci-com-2023", "epci-list-2023")


@dataclass
class IngestResult:
    """Every source's graph (``outputs``), tally and file, and the catalog graph."""

    outputs: dict[str, GraphOut] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    catalog: GraphOut | None = None
    extra_issues: list[Issue] = field(default_factory=list)

    def issues(self) -> list[Issue]:
        found = [i for key in ORDER for i in self.tallies[key].issues]
        return found + self.extra_issues

    def quads(self):
        for out in self.outputs.values():
            yield from out.quads()
        if self.catalog is not None:
            yield from self.catalog.quads()

    def summary(self) -> dict:
        return {key: {**self.tallies[key].summary(), "graph": str(self.outputs[key].iri),
                      "triples": len(self.outputs[key].triples)} for key in ORDER}


def ingest(folder: str | Path | None = None) -> IngestResult:
    """Read and check every source of ``folder`` (``graph/sources/`` by default).

    :param folder: where the source files are (shipped names or ``{key}.csv`` downloads).
    :raises SourceDataError: a source file is missing or cannot be read at all.
    """
    res = IngestResult()
    for key in ORDER:
        res.files[key] = source_path(key, folder)
        res.tallies[key] = Tally(key, res.files[key].name)
        res.outputs[key] = GraphOut(key)
    t, f, o = res.tallies, res.files, res.outputs

    cog = insee.read_cog(f["insee-cog-2024"], t["insee-cog-2024"])
    arrs = insee.read_arrondissements(f["insee-arr-2025"], t["insee-arr-2025"])
    deps = insee.read_departements(f["insee-departements"], t["insee-departements"])
    pvd21 = anct.read_pvd_2021(f["anct-pvd-2021"], t["anct-pvd-2021"], cog)
    pvd26 = anct.read_pvd_2026(f["anct-pvd-2026"], t["anct-pvd-2026"], cog)
    acv = anct.read_acv(f["anct-acv-2024"], t["anct-acv-2024"], cog)
    orts = ort.read_ort(f["dgaln-ort-2024"], t["dgaln-ort-2024"], cog)
    codes = set(pvd21) | set(pvd26) | set(acv) | set(orts)
    members = epci.read_memberships(f["epci-com-2023"], t["epci-com-2023"], codes)
    epcis = epci.read_epci_list(f["epci-list-2023"], t["epci-list-2023"])

    # across sources
    checks.list_membership(pvd21, pvd26, t["anct-pvd-2021"], t["anct-pvd-2026"], "PVD")
    membership = {code: (m.epci, m.line) for code, m in members.items()}
    checks.epci_claims(pvd21, t["anct-pvd-2021"], membership, epcis)
    checks.epci_claims(acv, t["anct-acv-2024"], membership, epcis)
    checks.ort_flags(orts, t["dgaln-ort-2024"], pvd26, acv)
    checks.ort_remark_dates(orts, t["dgaln-ort-2024"], pvd26)
    for code, m in members.items():
        if m.epci != epci.NO_EPCI and m.epci not in epcis:
            t["epci-com-2023"].warn(None, f"EPCI of commune {code} absent from the EPCI list", "epci_siren", m.epci,
                                    "epci-not-in-reference")

    # graphs
    insee.emit_communes(cog, codes, o["insee-cog-2024"], t["insee-cog-2024"])
    insee.emit_arrondissements(arrs, cog, codes, o["insee-arr-2025"], t["insee-arr-2025"])
    insee.emit_departements(deps, o["insee-departements"], t["insee-departements"])
    anct.emit_pvd_2021(pvd21, o["anct-pvd-2021"], t["anct-pvd-2021"], cog,
                       {c: r.programme_id for c, r in pvd26.items() if r.programme_id})
    anct.emit_pvd_2026(pvd26, o["anct-pvd-2026"], t["anct-pvd-2026"], cog)
    anct.emit_left(o["anct-pvd-2026"], "pvd", pvd21, pvd26)
    _describe_acv_programme(o["anct-acv-2024"])
    anct.emit_acv(acv, o["anct-acv-2024"], t["anct-acv-2024"], cog)
    ort.emit_ort(orts, o["dgaln-ort-2024"], t["dgaln-ort-2024"], cog)
    epci.emit_memberships(members, o["epci-com-2023"], t["epci-com-2023"])
    epci.emit_epcis(epcis, {m.epci for m in members.values()}, o["epci-list-2023"], t["epci-list-2023"],
                    {d.label: d.code for d in deps.values()})

    res.catalog = GraphOut(CATALOG_KEY)
    describe_publishers(res.catalog)
    for key in ORDER:
        describe_source(res.catalog, key, f[key], t[key].read)
        describe_graph(res.catalog, o[key].iri, SHIPPED[key].title, len(o[key].triples), key)
    return res


def _describe_acv_programme(out: GraphOut) -> None:
    prog = iris.programme("acv")
    out.add(prog, A, PVD.Programme)
    out.add(prog, RDFS.label, Literal("Action cœur de ville", lang="fr"))
    out.add(prog, PROV.wasDerivedFrom, iris.source("anct-acv-2024"))


def to_report(result: IngestResult, *, strict: bool = False) -> Report:
    """The issues of ``result`` as a :class:`Report` whose summary gives, per source, rows read,
    loaded, rejected and warned and the triples of its graph. With ``strict``, warnings become
    errors."""
    issues = result.issues()
    if strict:
        issues = [Issue(ERROR, f"{i.message} (strict)", i.source, i.line, i.column, i.field, i.value, i.code)
                  if i.severity == WARNING else i for i in issues]
    return Report(issues, summary={"sources": result.summary()})


__all__ = ["ingest", "to_report", "IngestResult", "CATALOG_KEY", "ORDER"]


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
