"""Load RDF files into a store, and build the whole graph into it.

Every load goes the same way: parse each file in a child process that can be killed (hostile
input never runs in this process) into canonical N-Quads; validate the new triples against the
shapes together with the stored neighbourhood they touch; then commit everything in ONE atomic
store call, or refuse with the report and leave the store exactly as it was.

Validation cost grows with the load, not the store: the data checked is the new triples, the
stored description of every node they mention (1 hop) and of the nodes those point to (2nd
hop); only the results about the nodes of the first hop count.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from . import paths
from .errors import InputError, ValidationFailed
from .formats import format_for_path, rdf_format
from .parsing import ParseLimits, parse_to_nquads
from .progress import counting_lines, load_interval
from .report import Issue, Report
from .store.base import Store
from .vocab import PREFIXES

DEFAULT_GRAPH = ""  # key of the default graph in counts


@dataclass
class LoadResult:
    """What a load or build wrote: quads per graph (``""`` = default graph) and the validation report."""

    counts: dict[str, int] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    dropped: list[str] = field(default_factory=list)
    tables: dict[str, Report] = field(default_factory=dict)  # file name -> its rows' issues and counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def parse_files(files: Iterable[Path], out: Path, *, fmt: str | None = None, graph: str | None = None,
                base_iri: str | None = None, limits: ParseLimits | None = None,
                progress: Callable[[Path], None] | None = None,
                status: Callable[[str], None] | None = None) -> dict[str, int]:
    """Parse every file (in a child process each) and write all their quads to the N-Quads file
    ``out``. Returns the number of quads per graph (``""``: the default graph).

    :param fmt: a format name of :mod:`pvd_kg.formats` (default: from each file's extension).
    :param graph: the named graph for triples (default: the default graph).
    :param base_iri: base for relative IRIs (default: each file's ``file:`` URI).
    :param limits: caps on each parse (default: :meth:`ParseLimits.from_env`).
    :param progress: called with each file parsed.
    :param status: called with a line saying how far the parse is (the quads of the file so far,
        every :func:`~pvd_kg.progress.load_interval` seconds).
    :raises RdfSyntaxError: a file does not parse or is refused (``file:line:column: why``).
    :raises InputError: unreadable file, unknown format, bad IRI, or a parser past a cap.
    """
    counts: dict[str, int] = {}
    limits = limits or ParseLimits.from_env()
    partial = out.with_name(out.name + ".partial")  # ``out`` appears only once complete
    with open(partial, "wb") as sink:
        for i, path in enumerate(Path(f) for f in files):
            if not path.is_file():
                raise InputError(f"{path}: no such file")
            rdf = rdf_format(fmt) if fmt else format_for_path(path)
            part = out.with_name(f"part{i}.nq")
            watching = (counting_lines(part, lambda n: status(f"parsing {path.name}: {n:,} quads"), load_interval())
                        if status else contextlib.nullcontext())
            with watching:
                parsed = parse_to_nquads(path, part, rdf, base_iri=base_iri or path.resolve().as_uri(),
                                         graph=graph, limits=limits)
            for g, n in parsed.items():
                counts[g] = counts.get(g, 0) + n
            if status:
                status(f"parsed {path.name}: {sum(parsed.values()):,} quads")
            with open(part, "rb") as src:
                while chunk := src.read(1 << 20):
                    sink.write(chunk)
            part.unlink()
            if progress:
                progress(path)
    partial.rename(out)
    return counts


def neighbourhood(store: Store, mentioned: set, replaced: Iterable[str] = ()) -> list[tuple]:
    """The stored triples needed to validate new data with what is already stored: the
    description of every node it ``mentioned`` (1 hop), and the description of the nodes those
    point to (2nd hop: ``sh:class`` needs their types, SPARQL constraints their links, such as
    the départements of a commune's EPCI). The graphs the load ``replaced`` are not context:
    their old values (a date the new table corrects) would contradict the new ones."""
    from rdflib import BNode, URIRef  # rdflib and the validator are imported only when validating

    hop1 = store.describe(sorted(mentioned), without=replaced)
    targets = {o for _, _, o in hop1 if isinstance(o, (URIRef, BNode))} - mentioned
    return hop1 + store.describe(sorted(targets, key=str), without=replaced)


def validation_data(store: Store, nquads: Path, replaced: Iterable[str] = ()) -> tuple[ox.Store, set[str]]:
    """The data to validate, in an in-memory pyoxigraph store (the validator reads it without
    turning each term into a Python object): the new quads and the stored neighbourhood. Also
    the nodes whose results count, named as reports name them (an IRI, or ``_:label``): those
    the new data describes or mentions. The 2nd-hop nodes are there as context: their own links
    are not followed, so their results are not reliable.

    Blank nodes keep the labels of ``nquads``, so that the reports and the focus name them alike."""
    from rdflib import URIRef

    from . import graph as graph_module
    from .oxterms import add_keeping_labels, from_oxigraph, term_text

    data = ox.Store()
    add_keeping_labels(data, path=str(nquads), format=ox.RdfFormat.N_QUADS)
    nodes = [from_oxigraph(node) for (node,) in data.query(
        "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x FILTER(isIRI(?x)) } }", use_default_graph_as_union=True)]
    mentioned = {node for node in nodes if isinstance(node, URIRef)}
    context = neighbourhood(store, mentioned, replaced)
    if context:
        add_keeping_labels(data, graph_module.ntriples_text(context, blank_prefix=""), format=ox.RdfFormat.N_TRIPLES)
    return data, {term_text(node) for node in nodes}


def check(data, *, engine: str = "fast", strict: bool = False, focus: set[str] | None = None,
          **options) -> Report:
    """Validate ``data`` (what :func:`pvd_kg.validate.validate` takes) against the shapes.

    :param focus: keep only the results about these nodes (None: all).
    :param options: more keywords of :func:`pvd_kg.validate.validate`.
    :raises ValidationFailed: violations (or, with ``strict``, warnings); the report says which.
    """
    from .validate import validate  # imported when needed: the SHACL engines are slow to import

    report = validate(data, engine=engine, **options)
    if focus is not None:
        report.issues = [i for i in report.issues if i.source is None or i.source in focus]
    if not report.ok or (strict and report.warnings):
        what = f"{report.count('error')} violation(s)" + (f", {report.count('warning')} warning(s)" if strict else "")
        raise ValidationFailed(f"the data breaks the shapes: {what}; nothing was written", report=report)
    return report


def csv_source(path: Path) -> tuple[str, list[tuple], Report]:
    """Read a source table the ingest knows (by its shipped name, e.g. ``pvd_communes_2021-01.csv``,
    or its download name ``{key}.csv``) into its named graph ``pvdg:{key}``. The other shipped
    tables are read too, as the ingest checks every list against the COG.

    :returns: the graph IRI, its ``(s, p, o, graph)`` tuples and the ingest's issues for the
        file, with its counts (rows read, loaded, rejected, warned) as the report's summary.
    :raises InputError: not a known source table.
    :raises SourceDataError: the table cannot be read at all (empty, header only, broken quoting...).
    :raises ValidationFailed: none of its rows can be stored (replacing the graph would empty it);
        ``exc.report`` lists the rejected rows.
    """
    from .ingest.build import ingest
    from .ingest.shipped import SHIPPED

    key = next((k for k, spec in SHIPPED.items() if path.name in (spec.file, f"{k}.csv")), None)
    if key is None:
        raise InputError(f"{path}: not a source table the ingest knows",
                         hint="name it as shipped or as KEY.csv, one of: " + ", ".join(sorted(SHIPPED)))
    with tempfile.TemporaryDirectory(prefix=f"pvd-kg-csv-{os.getpid()}-") as tmp:
        for shipped in paths.SOURCES_DIR.iterdir():
            (Path(tmp) / shipped.name).symlink_to(shipped.resolve())
        for name in (f"{key}.csv", SHIPPED[key].file):
            (Path(tmp) / name).unlink(missing_ok=True)
        (Path(tmp) / path.name).symlink_to(path.resolve())  # under its own name, which the issues give
        result = ingest(tmp)
    out, tally = result.outputs[key], result.tallies[key]
    report = Report(list(tally.issues), summary=tally.summary())
    if tally.loaded == 0:
        raise ValidationFailed(f"{path.name}: none of its {tally.read} row(s) can be stored; "
                               f"the graph {out.iri} is kept as it was", report=report)
    return str(out.iri), list(out.quads()), report


def source_rows(quads: list[tuple], file: str) -> dict[str, tuple[str, int]]:
    """Node IRI -> (file, line) of the table row each node of a table's ``quads`` was made from."""
    from .vocab import PROV, PVD

    lines = {s: int(o) for s, p, o, _ in quads if p == PVD.line}
    return {str(s): (file, lines[o]) for s, p, o, _ in quads if p == PROV.wasDerivedFrom and o in lines}


def at_rows(report: Report, rows: dict[str, tuple[str, int]]) -> None:
    """Name, in each issue of ``report`` about a node made from a table row, that file and line
    (the node's IRI stays in the message): the shapes see the node, the user edits the row."""
    for n, issue in enumerate(report.issues):
        if issue.source in rows:
            file, line = rows[issue.source]
            report.issues[n] = Issue(issue.severity, f"{issue.message} (node {issue.source})", file, line,
                                     field=issue.field, value=issue.value, code=issue.code)


_TMP_RE = re.compile(r"^pvd-kg-(?:load|build|csv)-(\d+)-")


def _workdir(kind: str) -> tempfile.TemporaryDirectory:
    """A scratch folder named after this process; those of killed processes are removed first
    (a SIGKILL skips every cleanup)."""
    root = Path(tempfile.gettempdir())
    for entry in root.glob("pvd-kg-*"):
        m = _TMP_RE.match(entry.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"pvd-kg-{kind}-{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_files(store: Store, files: Iterable[Path | str], *, fmt: str | None = None, graph: str | None = None,
               base_iri: str | None = None, validate: bool = True, strict: bool = False, engine: str = "fast",
               limits: ParseLimits | None = None, progress: Callable[[Path], None] | None = None,
               status: Callable[[str], None] | None = None) -> LoadResult:
    """Parse, validate (with the stored neighbourhood) and commit ``files`` in one atomic call.
    RDF files add their triples; a source table (``.csv``, see :func:`csv_source`) replaces its
    named graph.

    :param validate: check the shapes (False for data outside the PVD model, e.g. test suites).
    :param progress: called with each file parsed; ``status`` with a line saying how far the
        load is (the quads parsed so far, then validating, then writing).
    :raises RdfSyntaxError: a file does not parse; the store is unchanged.
    :raises ValidationFailed: the data breaks the shapes; the store is unchanged.
    :raises StoreError: the store refused the write; the store is unchanged.
    """
    files = [Path(f) for f in files]
    tables = [f for f in files if f.suffix.lower() == ".csv" and fmt is None]
    with _workdir("load") as tmp:
        nquads = Path(tmp) / "load.nq"
        warming = _warm_validator() if validate else None
        try:
            counts = parse_files([f for f in files if f not in tables], nquads, fmt=fmt, graph=graph,
                                 base_iri=base_iri, limits=limits, progress=progress, status=status)
        finally:
            if warming is not None:
                warming.join()
        report, replaced, reports, rows = Report(), [], {}, {}
        say = status or (lambda _: None)
        if tables:
            from . import graph as graph_module

            with open(nquads, "ab") as sink:
                for table in tables:
                    iri, quads, issues = csv_source(table)
                    if strict and (issues.errors or issues.warnings):
                        raise ValidationFailed(f"{table}: {issues.summary['rejected']} row(s) rejected, "
                                               f"{issues.count('warning')} warning(s) (--strict); nothing was written",
                                               report=issues)
                    report.extend(issues.issues)
                    reports[table.name] = issues
                    rows.update(source_rows(quads, table.name))
                    sink.write(graph_module.to_nquads(quads))
                    replaced.append(iri)
                    counts[iri] = len(quads)
                    if progress:
                        progress(table)
        if validate:
            say(f"validating {sum(counts.values()):,} quads")
            data, focus = validation_data(store, nquads, replaced)
            try:
                shapes = check(data, engine=engine, strict=strict, focus=focus)
            except ValidationFailed as exc:
                at_rows(exc.report, rows)
                raise
            at_rows(shapes, rows)
            report.extend(shapes.issues)
        say(f"writing {sum(counts.values()):,} quads to the store")
        if replaced:
            store.replace_graphs(replaced, nquads)  # a table is its whole graph: replace it
        else:
            store.add_nquads(nquads)
    return LoadResult(counts, report, tables=reports)


def _warm_validator() -> threading.Thread:
    """Make the validator ready (rdflib and the engines imported, the shapes and the ontology
    parsed, the shapes compiled: :func:`pvd_kg.validate.prepare`) in a thread, while the files
    are parsed in their child processes: most of a small load's time. A failure there is the
    validation's to report, when it does the same work again."""
    def warm() -> None:
        try:
            from .validate import prepare

            prepare()
        except Exception:  # noqa: BLE001 - raised again, in its place, by the validation
            pass

    thread = threading.Thread(target=warm, name="pvd-kg-validator-warm-up", daemon=True)
    thread.start()
    return thread


def owned_graphs(store: Store) -> list[str]:
    """The graphs ``build`` owns and replaces: every graph in the project's ``pvdg:`` namespace."""
    return [g for g in store.graphs() if g.startswith(PREFIXES["pvdg"])]


BUILD_STAGES = ("ingest", "validate", "write")



def build(store: Store, *, strict: bool = False, engine: str = "fast", validate: bool = True,
          progress: Callable[[str], None] | None = None) -> LoadResult:
    """Build the whole graph, validate it, and replace the graphs build owns in ONE atomic call
    (re-running gives the same store).

    :param progress: called with each stage of :data:`BUILD_STAGES` as it starts.
    :raises ValidationFailed: violations, or warnings with ``strict``; the store is unchanged.
    """
    from rdflib import Graph

    from . import graph as graph_module

    stage = progress or (lambda _: None)
    stage("ingest")
    quads, report = graph_module.build_quads(strict=strict)
    counts = dict(report.summary["graphs"])
    with _workdir("build") as tmp:
        nquads = Path(tmp) / "build.nq"
        texts: list[str] | None = [] if validate else None
        with open(nquads, "wb") as sink:  # the store's N-Quads and the validator's N-Triples, terms written once
            graph_module.write_nquads(quads, sink, ntriples=texts)
        del quads  # the store and the validator read the text: the terms (100 MB) can go

        def checked() -> None:  # runs while the store writes the new content where nobody sees it yet
            stage("validate")
            text = "".join(texts)
            texts.clear()
            # the text holds the ontology already (graph pvdg:ontology): none added to a second
            # copy; the store writer has the other core, so the engine's two parts take turns
            report.extend(check(text, engine=engine, strict=strict, ontology=Graph(),
                                concurrent=False).issues)
            stage("write")

        stale = owned_graphs(store)
        replaced = sorted(set(stale) | set(counts) - {DEFAULT_GRAPH})
        if validate:
            store.replace_graphs_checked(replaced, nquads, checked)
        else:
            stage("write")
            store.replace_graphs(replaced, nquads)
    return LoadResult(counts, report, dropped=sorted(set(stale) - set(counts)))


__all__ = ["LoadResult", "load_files", "parse_files", "build", "check", "neighbourhood",
           "validation_data", "owned_graphs", "csv_source"]
