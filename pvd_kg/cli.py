"""The ``pvd-kg`` command: thin commands, one per stage. Each parses options, calls one
library function and prints its result. Library errors (:class:`PvdKgError`) become one
line on stderr and a non-zero exit; anything else is a bug and keeps its traceback."""

from __future__ import annotations

import contextlib
import sys

import click

from . import __version__
from .errors import PvdKgError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PvdKgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_code", 2))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pvd-kg")
def cli():
    """pvd-kg: build, check, query and publish the Petites villes de demain knowledge graph."""


# Commands are added below, one per stage, in data-flow order:
# fetch, build, validate, load, graphs, drop, stats, query, queries, export, diff, serve, network, chart.


@cli.command("fetch")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--dest", type=click.Path(file_okay=False), default=None,
              help="Download folder [default: $XDG_DATA_HOME/pvd-kg/downloads, not graph/sources].")
@click.option("--deadline", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
              help="Total seconds per source, retries included.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=50 * 1024 * 1024, show_default=True,
              help="Refuse a file larger than this.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Further attempts after a 5xx, 429 or connection failure.")
@click.pass_context
def fetch_cmd(ctx, sources, dest, deadline, max_bytes, retries):
    """Download the live source lists (all known sources, or the SOURCE keys given).

    Prints one line per source: key, status (downloaded / unchanged / failed / no live URL),
    bytes and sha256 prefix. Exits with status 1 if any source failed. This is the only
    command that uses the network.
    """
    from .fetch import fetch_sources

    results = fetch_sources(list(sources) or None, dest, deadline=deadline, max_bytes=max_bytes, retries=retries)
    for result in results:
        click.echo(result.line())
    if any(r.failed for r in results):
        ctx.exit(1)


# --- store commands: build, load, graphs, drop, stats, query, export ---

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


def _open_store(opts: dict, read_only: bool = False):
    from .store import open_store

    return open_store(opts.pop("store_path"), endpoint=opts.pop("endpoint"), update_endpoint=opts.pop("update_endpoint"),
                      gsp_endpoint=opts.pop("gsp_endpoint"), user=opts.pop("user"), password=opts.pop("password"),
                      token=opts.pop("token"), read_only=read_only)


def _counts(counts: dict) -> None:
    for graph, n in sorted(counts.items()):
        click.echo(f"{n:>10}  {graph or '(default graph)'}")


def _refused(exc) -> None:
    """Print the report of a refused write on stderr; the caller re-raises."""
    report = getattr(exc, "report", None)
    if report is not None:
        shown = sorted(report.issues, key=lambda i: i.severity != "error")[:50]
        for issue in shown:
            click.echo(str(issue), err=True)
        if len(report) > len(shown):
            click.echo(f"... and {len(report) - len(shown)} more (`pvd-kg validate` lists them all)", err=True)
    exc.exit_code = 1


@contextlib.contextmanager
def _writing(bar=None):
    """Around a store write: a refused write prints its report (then fails with exit status 1),
    and a progress bar is closed whatever happens."""
    from .errors import ValidationFailed

    try:
        yield
    except ValidationFailed as exc:
        _refused(exc)
        raise
    finally:
        if bar:
            bar.render_finish()


@cli.command("build")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--engine", default="fast", show_default=True, help="Validation engine (see `pvd-kg validate`).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL shapes.")
@store_options
def build_cmd(strict, engine, no_validate, **opts):
    """Build the whole graph into the store, validate it, and replace the graphs it owns
    (every graph in the pvdg: namespace) in one atomic write. Re-running gives the same store."""
    from .load import BUILD_STAGES, build

    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=len(BUILD_STAGES), label="building", file=sys.stderr,
                                item_show_func=lambda stage: stage)
    done = []

    def stage(name: str) -> None:
        if bar:
            bar.update(1 if done else 0, name)
        done.append(name)

    with _open_store(opts) as store, _writing(bar):
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
        click.echo("(`pvd-kg build-report` lists the source issues one by one, `pvd-kg validate` the shapes')",
                   err=True)


@cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--graph", "graph_iri", help="Named graph for triples [default: the default graph].")
@click.option("--format", "fmt", help="RDF format of every FILE [default: from the extension].")
@click.option("--base", "base_iri", help="Base IRI for relative IRIs [default: each file's file: URI].")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL shapes (data outside the PVD model).")
@click.option("--strict", is_flag=True, help="Refuse on warnings too.")
@store_options
def load_cmd(files, graph_iri, fmt, base_iri, no_validate, strict, **opts):
    """Parse, validate (with what is already stored) and add FILEs in one atomic write;
    or refuse with the report and leave the store as it was. Turtle, N-Triples, N-Quads,
    TriG, JSON-LD, RDF/XML."""
    from pathlib import Path

    from .load import load_files

    bar = None
    if len(files) > 1 and sys.stderr.isatty():
        bar = click.progressbar(length=len(files), label="parsing", file=sys.stderr)
    with _open_store(opts) as store, _writing(bar):
        result = load_files(store, [Path(f) for f in files], fmt=fmt, graph=graph_iri, base_iri=base_iri,
                            validate=not no_validate, strict=strict,
                            progress=(lambda _: bar.update(1)) if bar else None)
    _counts(result.counts)
    click.echo(f"{result.total:>10}  quads written")


@cli.command("graphs")
@store_options
def graphs_cmd(**opts):
    """List the named graphs, with their number of triples."""
    with _open_store(opts, read_only=True) as store:
        _counts(store.graph_sizes())


@cli.command("drop")
@click.option("--graph", "graph_iri", required=True, help="The named graph to remove.")
@store_options
def drop_cmd(graph_iri, **opts):
    """Remove a named graph (one atomic write)."""
    from .errors import InputError

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

    from .results import short
    from rdflib import URIRef

    with _open_store(opts, read_only=True) as store:
        stats = store.stats()
    if as_json:
        click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    click.echo(f"{stats['quads']} quads")
    for title, key in (("triples per graph", "graphs"), ("instances per class", "classes"),
                       ("uses per property", "properties")):
        click.echo(f"\n{title}:")
        for iri, n in stats[key].items():
            click.echo(f"{n:>10}  {short(URIRef(iri))}")


@cli.command("query")
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A catalog query parameter (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, csv, tsv, json, xml for SELECT/ASK; an RDF format for CONSTRUCT/DESCRIBE.")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              help="Seconds before the query is stopped.")
@click.option("--limit", type=click.IntRange(min=1), default=10_000, show_default=True, help="At most this many rows.")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE (federated query) to reach other hosts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file [default: stdout].")
@store_options
def query_cmd(query, params, fmt, timeout, limit, allow_remote, output, **opts):
    """Run QUERY (a catalog name, a .rq file or SPARQL text) over the store."""
    from pathlib import Path

    from . import queries
    from .errors import InputError
    from .results import serialize
    from .store.sparql import check_query

    values = {}
    for p in params:
        if "=" not in p:
            raise InputError(f"--param {p!r}: expected NAME=VALUE")
        key, value = p.split("=", 1)
        values[key.strip()] = value
    path = Path(query)
    if query.endswith(".rq") and path.is_file():
        parsed = queries.parse_query(path.read_text(encoding="utf-8"), name=path.stem, path=path)
    else:
        parsed = queries.resolve(query)
    text = queries.render(parsed, values)
    check_query(text, allow_remote=allow_remote)
    with _open_store(opts, read_only=True) as store:
        result = store.query(text, timeout=timeout, limit=limit)
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
@store_options
def export_cmd(fmt, graph_iri, output, **opts):
    """Dump the store (or one graph), streamed. A JSON-LD dump gets a context.jsonld beside it."""
    from .export import export

    shown = {"bytes": 0}

    def written(n: int) -> None:  # a byte counter on the terminal: the dump's length is not known ahead
        shown["bytes"] += n
        click.echo(f"\rexporting: {shown['bytes'] / 1e6:,.1f} MB", err=True, nl=False)

    progress = written if output is not None and sys.stderr.isatty() else None
    with _open_store(opts, read_only=True) as store:
        result = export(store, output, fmt=fmt, graph=graph_iri, progress=progress)
    if progress:
        click.echo("", err=True)
    if result.output is not None:
        click.echo(f"wrote {result.bytes} bytes to {result.output}" +
                   (f" (and {result.context})" if result.context else ""), err=True)


@cli.command("queries")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def queries_cmd(as_json):
    """List the question catalog (queries/*.rq): name, title and parameters.

    Run one with `pvd-kg query NAME --param NAME=VALUE`.
    """
    from . import queries

    if as_json:
        import json

        click.echo(json.dumps([q.to_dict() for q in queries.catalog()], ensure_ascii=False, indent=2))
    else:
        click.echo(queries.catalog_text())


@cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the report.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="fast: pyshacl-turbo + pyoxigraph; pyshacl: the pure-Python reference engine.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def validate_cmd(files, fmt, engine, strict):
    """Check FILEs (the union of all of them), or the shipped graph when no FILE is given,
    against the SHACL shapes. One line per problem; exit 1 on violations (and on warnings
    with --strict), 0 otherwise."""
    from . import graph
    from .validate import load_files, validate

    data = load_files(files) if files else graph.curated_dataset()
    report = validate(data, engine=engine)
    click.echo(report.to_json() if fmt == "json" else report.to_text())
    if report.errors or (strict and report.warnings):
        sys.exit(1)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--base", "public_base", default=None, metavar="URL",
              help="Public URL the site is reached at (behind a reverse proxy), e.g. https://example.org/pvd/.")
@click.option("--store", "store_path", default=None, type=click.Path(file_okay=False),
              help="Store folder (default: $PVD_KG_STORE or the user data folder).")
@click.option("--workers", default=2, show_default=True, type=int, help="Query worker processes (at least 2).")
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Wall-clock limit of one query, seconds.")
@click.option("--max-rows", default=100_000, show_default=True, type=int, help="Cap on result rows (or triples).")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL updates (with --update-token).")
@click.option("--update-token", default=None, metavar="TOKEN", help="Bearer token that updates must carry.")
def serve_cmd(host, port, public_base, store_path, workers, timeout, max_rows, allow_update, update_token):
    """Serve the SPARQL endpoint, linked-data pages and the web interface."""
    from . import paths
    from .serve.app import ServeConfig, serve

    config = ServeConfig(store_path=paths.Path(store_path) if store_path else paths.default_store_path(),
                         host=host, port=port, public_base=public_base, allow_update=allow_update,
                         update_token=update_token, workers=workers, timeout=timeout, row_cap=max_rows)
    config.check()
    click.echo(f"pvd-kg: serving {config.store_path} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    serve(config)


# --- analysis: network, metrics, chart (who works with whom) ---

def analysis_options(f):
    """``--from`` (which graph to analyse) and the store options."""
    f = click.option("--from", "source", type=click.Choice(["store", "curated", "build"]), default="store",
                     show_default=True,
                     help="store: the store `pvd-kg build` filled (or --endpoint); curated: the curated "
                          "graphs in memory; build: build the whole graph in memory.")(f)
    return store_options(f)


def _analysis_store(source: str, opts: dict):
    from .analysis.source import open_analysis_store

    if source == "store":
        return open_analysis_store("store", store=_open_store(opts, read_only=True))
    return open_analysis_store(source)


def _write_output(output: str, data: bytes) -> None:
    from pathlib import Path

    from .errors import InputError

    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from exc


@cli.command("network")
@click.argument("kind", metavar="KIND")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json", "png"]),
              help="Output format [default: from -o's extension, else json].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file [default: stdout].")
@click.option("--signing", metavar="IRI", help="For KIND signing: one signing [default: every signing].")
@click.option("--actors", type=click.Choice(["all", "people", "organisations"]), default="all", show_default=True,
              help="For KIND cosignature: which actors are nodes.")
@click.option("--ties", type=click.Choice(["all", "signature"]), default="all", show_default=True,
              help="For KIND cosignature: link every two participants, or only pairs with a signatory.")
@analysis_options
def network_cmd(kind, fmt, output, signing, actors, ties, source, **opts):
    """Write a network of the graph. KIND: signing (the actors of a signing), cosignature (who takes
    part in the same signings), hierarchy (commune-EPCI-département-région), programmes (the bipartite
    commune-programme graph), programmes-projection (programmes linked by shared communes).
    GraphML and GEXF open in Gephi and Cytoscape; json is node-link JSON (d3)."""
    from .analysis.export import format_for_output, network_bytes
    from .analysis.networks import build_network
    from .errors import InputError

    fmt = format_for_output(output, fmt)
    if fmt == "png" and not output:
        raise InputError("a PNG picture needs a file to go to", hint="add -o FILE.png")
    with _analysis_store(source, opts) as store:
        g = build_network(store, kind, signing=signing, actors=actors, ties=ties)
    data = network_bytes(g, fmt)
    if output:
        _write_output(output, data)
        click.echo(f"{kind}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges -> {output}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@cli.command("metrics")
@click.argument("name", metavar="NAME")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "table"]), default="table", show_default=True,
              help="Output as an aligned table, CSV or JSON.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N rows (tables are sorted best first).")
@click.option("--actors", type=click.Choice(["all", "people", "organisations"]), default="all", show_default=True,
              help="Network metrics: the co-signature network's actors.")
@click.option("--ties", type=click.Choice(["all", "signature"]), default="all", show_default=True,
              help="Network metrics: the co-signature network's ties.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file [default: stdout].")
@analysis_options
def metrics_cmd(name, fmt, limit, actors, ties, output, source, **opts):
    """Print a metric table. NAME: centrality (degree and betweenness of people and organisations in
    the co-signature network), components, communities (Louvain, fixed seed), epci-pvd and
    departements-pvd (most PVD communes), ort-share (share of PVD communes with a signed ORT, per région)."""
    from .analysis.metrics import metric

    with _analysis_store(source, opts) as store:
        table = metric(store, name, limit=limit, actors=actors, ties=ties)
    text = table.render(fmt)
    if output:
        _write_output(output, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    else:
        click.echo(text.rstrip("\n"))


@cli.command("chart")
@click.argument("kind", metavar="KIND")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="The PNG file to write.")
@analysis_options
def chart_cmd(kind, output, source, **opts):
    """Draw a chart as PNG. KIND: timeline (convention signings per month, by kind of convention),
    map (PVD communes per département)."""
    import io

    from .analysis.charts import chart

    buf = io.BytesIO()
    with _analysis_store(source, opts) as store:
        table = chart(store, kind, buf)
    _write_output(output, buf.getvalue())
    click.echo(f"{kind}: {len(table)} rows drawn -> {output}" + (f" ({table.note})" if table.note else ""), err=True)


@cli.command("build-report")
@click.option("--strict", is_flag=True, help="Warnings in the sources are failures.")
@click.option("--issues/--no-issues", default=True, show_default=True, help="List every issue after the counts.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output as text lines or JSON.")
def build_report_cmd(strict, issues, fmt):
    """Read and check every source of graph/sources/ (nothing is stored): rows read, loaded,
    rejected and warned per source, triples per graph, then one line per issue."""
    from .graph import build_quads
    from .ingest.build import summary_text

    _quads, report = build_quads(strict=strict)
    if fmt == "json":
        click.echo(report.to_json())
        return
    click.echo(summary_text(report))
    if issues:
        click.echo("")
        click.echo(report.to_text())


@cli.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--key", default=None, help="INSEE code column (guessed: insee_com, Code commune...).")
@click.option("--field", "fields", multiple=True, help="Compare only this field (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output as text lines or JSON.")
def diff_cmd(old, new, key, fields, fmt):
    """Compare two snapshots of a commune list (e.g. the PVD lists of 2021 and 2026): communes
    added, removed, and changed with the fields that changed."""
    from .diff import diff_lists

    result = diff_lists(old, new, key=key, fields=list(fields) or None)
    click.echo(result.to_json() if fmt == "json" else result.to_text())


def main():
    cli(prog_name="pvd-kg")


if __name__ == "__main__":
    main()
