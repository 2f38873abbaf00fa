"""Store commands: build, load, graphs, drop, stats, query, export (embedded store or a SPARQL
1.1 endpoint)."""

from __future__ import annotations

import contextlib
import sys

import click

from . import cli


def progress_option(f):
    """``--progress/--no-progress``: a status line on stderr [default: when stderr is a terminal]."""
    return click.option("--progress/--no-progress", default=None,
                        help="Show progress on stderr [default: when stderr is a terminal].")(f)


def store_options(f):
    """The options that choose the store: the embedded one (``--store``) or a SPARQL endpoint."""
    options = [
        click.option("--store", "store_path", type=click.Path(file_okay=False), envvar="PVD_KG_STORE",
                     help="Embedded store folder [default: $PVD_KG_STORE, else $XDG_DATA_HOME/pvd-kg/store]."),
        click.option("--endpoint", help="Use this SPARQL 1.1 query endpoint instead of the embedded store."),
        click.option("--update-endpoint", help="SPARQL update endpoint [default: --endpoint]."),
        click.option("--gsp", "gsp_endpoint", help="Graph Store Protocol endpoint (for export from --endpoint)."),
        click.option("--user", envvar="PVD_KG_USER", help="HTTP basic auth user for --endpoint."),
        click.option("--password", envvar="PVD_KG_PASSWORD", help="HTTP basic auth password [env PVD_KG_PASSWORD]."),
        click.option("--token", envvar="PVD_KG_TOKEN", help="HTTP bearer token [env PVD_KG_TOKEN]."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _open_store(opts: dict, read_only: bool = False, query_memory_mb: int | None = None):
    from pathlib import Path

    from ..errors import InputError
    from ..store import open_store

    folder = opts.get("store_path")
    if read_only and not opts.get("endpoint") and folder and Path(folder).is_dir() and not any(Path(folder).iterdir()):
        raise InputError(f"no pvd-kg store at {folder} (empty folder)", hint="run `pvd-kg build`")

    return open_store(opts.pop("store_path"), endpoint=opts.pop("endpoint"), update_endpoint=opts.pop("update_endpoint"),
                      gsp_endpoint=opts.pop("gsp_endpoint"), user=opts.pop("user"), password=opts.pop("password"),
                      token=opts.pop("token"), read_only=read_only, query_memory_mb=query_memory_mb)


def _counts(counts: dict) -> None:
    for graph, n in sorted(counts.items()):
        click.echo(f"{n:>10}  {graph or '(default graph)'}")


def _refused(exc, lister: str) -> None:
    """Print the report of a refused write on stderr; the caller re-raises."""
    report = getattr(exc, "report", None)
    if report is not None and "file" in report.summary:
        _table_report(report, err=True)
    elif report is not None:
        shown = sorted(report.issues, key=lambda i: i.severity != "error")[:50]
        for issue in shown:
            click.echo(str(issue), err=True)
        if len(report) > len(shown):
            click.echo(f"... and {len(report) - len(shown)} more ({lister} lists them all)", err=True)
    exc.exit_code = 1


@contextlib.contextmanager
def _writing(bar=None, lister: str = "`pvd-kg validate FILE...`", line=None):
    """Around a store write: a refused write prints its report (then fails with exit status 1),
    and a progress bar or status line is closed whatever happens."""
    from ..errors import ValidationFailed

    try:
        yield
    except ValidationFailed as exc:
        if line:
            line.close()
        _refused(exc, lister)
        raise
    finally:
        if bar:
            bar.render_finish()
        if line:
            line.close()


@cli.command("build")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--engine", default="fast", show_default=True, help="Validation engine (see `pvd-kg validate`).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL shapes.")
@store_options
def build_cmd(strict, engine, no_validate, **opts):
    """Build the whole graph into the store, validate it, and replace the graphs it owns
    (every graph in the pvdg: namespace) in one atomic write. Re-running gives the same store."""
    from ..load import BUILD_STAGES, build

    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=len(BUILD_STAGES), label="building", file=sys.stderr,
                                item_show_func=lambda stage: stage)

    def stage(name: str) -> None:
        if bar:  # no step for the first stage: the bar counts finished stages
            bar.update(0 if name == BUILD_STAGES[0] else 1, name)

    with _open_store(opts) as store, _writing(bar, "`pvd-kg build-report`"):
        result = build(store, strict=strict, engine=engine, validate=not no_validate, progress=stage)
    _counts(result.counts)
    click.echo(f"{result.total:>10}  quads in {len(result.counts)} graph(s)")
    for graph in result.dropped:
        click.echo(f"dropped {graph} (no longer built)")
    _issue_summary(result.report)


def _issue_summary(report) -> None:
    """Errors in full (at most 50), then warnings and notes counted by kind: a build of the real
    sources has hundreds of warnings, which `pvd-kg build-report` lists one by one."""
    from collections import Counter

    errors = report.errors
    for issue in errors[:50]:
        click.echo(str(issue), err=True)
    for severity in ("error", "warning", "info"):
        kinds = Counter(i.code or "other" for i in report if i.severity == severity)
        if kinds:
            detail = ", ".join(f"{n} {code}" for code, n in kinds.most_common())
            click.echo(f"{sum(kinds.values())} {severity}(s): {detail}", err=True)
    if len(report):
        click.echo("(`pvd-kg build-report` lists the source issues one by one)", err=True)


def _table_report(report, err: bool = False) -> None:
    """A source table's counts, then every rejected row and every warning, one line each
    (``[ERROR] [file:line:column] field='value': why``); notes are counted by kind."""
    from collections import Counter

    s = report.summary
    notes = Counter(i.code or "other" for i in report if i.severity == "info")
    click.echo(f"{s['file']}: {s['read']} rows read, {s['loaded']} stored, {s['rejected']} rejected, "
               f"{report.count('warning')} warning(s) on {s['warned']} row(s), {sum(notes.values())} note(s)", err=err)
    for issue in sorted((i for i in report if i.severity != "info"), key=lambda i: (i.severity != "error", i.line or 0)):
        click.echo(str(issue), err=True)
    if notes:
        click.echo("notes: " + ", ".join(f"{n} {code}" for code, n in notes.most_common()), err=True)


@cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--graph", "graph_iri", help="Named graph for triples [default: the default graph].")
@click.option("--format", "fmt", help="RDF format of every FILE [default: from the extension].")
@click.option("--base", "base_iri", help="Base IRI for relative IRIs [default: each file's file: URI].")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL shapes (data outside the PVD model).")
@click.option("--strict", is_flag=True, help="Refuse on warnings too.")
@progress_option
@store_options
def load_cmd(files, graph_iri, fmt, base_iri, no_validate, strict, progress, **opts):
    """Parse, validate (with what is already stored) and add FILEs in one atomic write;
    or refuse with the report and leave the store as it was. Turtle, N-Triples, N-Quads,
    TriG, JSON-LD, RDF/XML, and the source tables (CSV) the ingest knows.

    A table replaces its graph. Its report follows: rows read, stored, rejected, then each
    rejected row and each warning as file:line, field, value and reason. By default the
    rejected rows are left out and the rest is stored (exit 0): the official lists carry
    known bad rows, such as a placeholder commune. With --strict a rejected row or a warning
    refuses the whole table (exit 1, store unchanged). A table that is empty, has only its
    header, repeats a column or has broken quoting is always refused, as is one none of whose
    rows can be stored."""
    from pathlib import Path

    from ..load import load_files
    from ..progress import StatusLine

    bar = line = None
    if progress is None and len(files) > 1 and sys.stderr.isatty():
        bar = click.progressbar(length=len(files), label="parsing", file=sys.stderr)
    elif progress or (progress is None and sys.stderr.isatty()):
        line = StatusLine()  # the quads parsed so far, then each stage
    with _open_store(opts) as store, _writing(bar, line=line):
        result = load_files(store, [Path(f) for f in files], fmt=fmt, graph=graph_iri, base_iri=base_iri,
                            validate=not no_validate, strict=strict,
                            progress=(lambda _: bar.update(1)) if bar else None, status=line)
    _counts(result.counts)
    click.echo(f"{result.total:>10}  quads written")
    for report in result.tables.values():
        _table_report(report)


@cli.command("graphs")
@store_options
def graphs_cmd(**opts):
    """List the named graphs (and the default graph when it holds triples), with their number of triples."""
    with _open_store(opts, read_only=True) as store:
        _counts(_sizes_with_default(store, store.graph_sizes()))


def _sizes_with_default(store, sizes: dict) -> dict:
    """Triples per named graph, and under ``""`` the default graph's when it holds any (quads not
    in a named graph), so that the lines add up to the store's count."""
    default = len(store) - sum(sizes.values())
    return {"": default, **sizes} if default > 0 else sizes


@cli.command("drop")
@click.option("--graph", "graph_iri", required=True, help="The named graph to remove.")
@store_options
def drop_cmd(graph_iri, **opts):
    """Remove a named graph (one atomic write)."""
    from ..errors import InputError

    with _open_store(opts) as store:
        if not store.drop_graph(graph_iri):
            raise InputError(f"no graph {graph_iri} in the store", hint="`pvd-kg graphs` lists them")
    click.echo(f"dropped {graph_iri}")


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
def stats_cmd(as_json, **opts):
    """Triples per graph, instances per class, uses per property."""
    import json

    from ..results import table_cell
    from rdflib import URIRef

    with _open_store(opts, read_only=True) as store:
        stats = store.stats()
        stats["graphs"] = _sizes_with_default(store, stats["graphs"])
    if as_json:
        click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    click.echo(f"{stats['quads']} quads")
    for title, key in (("triples per graph", "graphs"), ("instances per class", "classes"),
                       ("uses per property", "properties")):
        click.echo(f"\n{title}:")
        for iri, n in stats[key].items():
            click.echo(f"{n:>10}  {table_cell(URIRef(iri)) if iri else '(default graph)'}")


@cli.command("query")
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A catalog query parameter (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, csv, tsv, json, xml for SELECT/ASK; an RDF format for CONSTRUCT/DESCRIBE.")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              envvar="PVD_KG_QUERY_TIMEOUT", help="Seconds before the query is stopped [env PVD_KG_QUERY_TIMEOUT].")
@click.option("--memory-mb", type=click.IntRange(min=0), default=2048, show_default=True,
              envvar="PVD_KG_QUERY_MEMORY_MB",
              help="Memory cap of the query process, MB; 0: none [env PVD_KG_QUERY_MEMORY_MB].")
@click.option("--limit", type=click.IntRange(min=1), default=10_000, show_default=True, help="At most this many rows.")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE <https://...> (federated query) to reach other hosts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file [default: stdout].")
@store_options
def query_cmd(query, params, fmt, timeout, memory_mb, limit, allow_remote, output, **opts):
    """Run QUERY (a catalog name, a .rq file or SPARQL text) over the store."""
    from pathlib import Path

    if not opts.get("endpoint"):  # the query process starts while this one imports what it needs
        from .. import paths
        from ..store.query_worker import prestart

        prestart(Path(opts["store_path"]) if opts.get("store_path") else paths.default_store_path(),
                 memory_mb=memory_mb, follow=True, fork=True)  # this process has one thread here
    from .. import queries
    from ..errors import InputError
    from ..results import serialize

    values = {}
    for p in params:
        if "=" not in p:
            raise InputError(f"--param {p!r}: expected NAME=VALUE")
        key, value = p.split("=", 1)
        values[key.strip()] = value
    path = Path(query)
    looks_like_path = not any(c.isspace() for c in query) and (
        query.endswith((".rq", ".sparql")) or "/" in query or "\\" in query)
    if looks_like_path and not path.exists():
        raise InputError(f"no such file: {query}")
    if query.endswith((".rq", ".sparql")) and path.is_file():
        parsed = queries.parse_query(path.read_text(encoding="utf-8"), name=path.stem, path=path)
    else:
        parsed = queries.resolve(query)
    checked = queries.checked(parsed, values, allow_remote=allow_remote)
    with _open_store(opts, read_only=True, query_memory_mb=memory_mb) as store:
        result = store.query(checked, timeout=timeout, limit=limit)
    data = serialize(result, fmt)
    if output:
        with open(output, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.flush()
    if result.truncated:
        click.echo(f"(truncated at {limit} rows; raise --limit)", err=True)


@cli.command("export")
@click.option("--format", "fmt", default="turtle", show_default=True,
              help="turtle, nt, nquads, trig, jsonld or rdfxml.")
@click.option("--graph", "graph_iri", help="Only this named graph [default: everything].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file [default: stdout].")
@progress_option
@store_options
def export_cmd(fmt, graph_iri, output, progress, **opts):
    """Dump the store (or one graph), streamed. A JSON-LD dump gets a context.jsonld beside it."""
    from ..export import export
    from ..progress import StatusLine, Throttle

    shown, line = {"bytes": 0}, StatusLine()
    redraw = Throttle(lambda n: line(f"exporting: {n / 1e6:,.1f} MB"))

    def written(n: int) -> None:  # a byte counter on the terminal: the dump's length is not known ahead
        shown["bytes"] += n
        redraw(shown["bytes"])

    show = progress if progress is not None else sys.stderr.isatty()
    try:
        with _open_store(opts, read_only=True) as store:
            result = export(store, output, fmt=fmt, graph=graph_iri,
                            progress=written if output is not None and show else None)
        redraw.close()
    finally:
        line.close()
    if result.output is not None:
        click.echo(f"wrote {result.bytes} bytes to {result.output}" +
                   (f" (and {result.context})" if result.context else ""), err=True)
