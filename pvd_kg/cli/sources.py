"""Commands of the first stages: fetch the live lists, read and check the shipped sources,
compare two snapshots, validate RDF files, list the question catalog."""

from __future__ import annotations

import sys

import click

from . import cli


@cli.command("fetch")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--url", default=None, metavar="URL",
              help="Fetch one list from this http(s) URL instead of the known sources.")
@click.option("--as", "kind", default=None, metavar="KEY",
              help="With --url: the kind of list (a source key) [default: recognised from its header].")
@click.option("--dest", type=click.Path(file_okay=False), default=None,
              help="Download folder [default: $XDG_DATA_HOME/pvd-kg/downloads, not graph/sources].")
@click.option("--deadline", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
              help="Total seconds per source, redirects, retries and waits included.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=50 * 1024 * 1024, show_default=True,
              help="Refuse a file larger than this.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Further attempts after a 5xx, 429 or connection failure.")
@click.option("--max-wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Total seconds of waiting between attempts (Retry-After included); a server asking more is given up.")
@click.option("--max-redirects", type=click.IntRange(min=0), default=5, show_default=True,
              help="Redirects followed at most.")
@click.option("--allow-redirect-host", "redirect_hosts", multiple=True, metavar="HOST",
              help="A redirect may go to HOST (repeatable); by default only the start host.")
@click.option("--allow-private-host", "private_hosts", multiple=True, metavar="HOST",
              help="HOST may be at a loopback/private/link-local address (repeatable), e.g. a local mirror.")
@click.pass_context
def fetch_cmd(ctx, sources, url, kind, dest, deadline, max_bytes, retries, max_wait, max_redirects, redirect_hosts,
              private_hosts):
    """Download the live source lists (all known sources, or the SOURCE keys given), or one list
    from --url.

    Prints one line per source: key, status (downloaded / unchanged / failed / no live URL),
    bytes and sha256 prefix. Exits with status 1 if any source failed. This is the only
    command that uses the network.
    """
    from ..errors import FetchError, InputError
    from ..fetch import FetchResult, fetch_sources, fetch_url

    options = dict(deadline=deadline, max_bytes=max_bytes, retries=retries, max_wait=max_wait,
                   max_redirects=max_redirects, allow_redirect_hosts=redirect_hosts, allow_private_hosts=private_hosts)
    if url is None:
        if kind is not None:
            raise InputError("--as names the kind of the list given with --url")
        results = fetch_sources(list(sources) or None, dest, **options)
    else:
        if sources:
            raise InputError("give either SOURCE keys or --url, not both")
        from ..fetch_targets import check_scheme
        from ..sources_registry import get_source

        check_scheme(url)  # a bad URL or kind is bad usage (exit 2), not a failed download
        if kind is not None:
            get_source(kind)
        try:
            results = [fetch_url(url, dest, kind=kind, **options)]
        except FetchError as exc:
            results = [FetchResult(kind or url, "failed", reason=str(exc).removeprefix(f"{kind or url}: "))]
    for result in results:
        click.echo(result.line())
    if any(r.failed for r in results):
        ctx.exit(1)


@cli.command("build-report")
@click.option("--strict", is_flag=True, help="Warnings in the sources are failures.")
@click.option("--issues/--no-issues", default=True, show_default=True, help="List every issue after the counts.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output as text lines or JSON.")
def build_report_cmd(strict, issues, fmt):
    """Read and check every source of graph/sources/ (nothing is stored): rows read, loaded,
    rejected and warned per source, triples per graph, then one line per issue."""
    from ..graph import build_quads
    from ..ingest.build import summary_text

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
    from ..diff import diff_lists

    result = diff_lists(old, new, key=key, fields=list(fields) or None)
    click.echo(result.to_json() if fmt == "json" else result.to_text())


@cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the report.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="fast: pyshacl-turbo + pyoxigraph; pyshacl: the pure-Python reference engine.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--rdf-format", "rdf_fmt", help="RDF format of every FILE [default: from the extension].")
def validate_cmd(files, fmt, engine, strict, rdf_fmt):
    """Check FILEs (the union of all of them), or the shipped graph when no FILE is given,
    against the SHACL shapes. One line per problem; exit 1 on violations (and on warnings
    with --strict), 0 otherwise."""
    from .. import graph
    from ..validate import load_files, validate

    data = load_files(files, fmt=rdf_fmt) if files else graph.curated_dataset()
    report = validate(data, engine=engine)
    click.echo(report.to_json() if fmt == "json" else report.to_text())
    if report.errors or (strict and report.warnings):
        sys.exit(1)


@cli.command("queries")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def queries_cmd(as_json):
    """List the question catalog (queries/*.rq): name, title and parameters.

    Run one with `pvd-kg query NAME --param NAME=VALUE`.
    """
    from .. import queries

    if as_json:
        import json

        click.echo(json.dumps([q.to_dict() for q in queries.catalog()], ensure_ascii=False, indent=2))
    else:
        click.echo(queries.catalog_text())
