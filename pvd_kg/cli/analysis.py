"""Analysis commands: network, metrics, chart (who works with whom)."""

from __future__ import annotations

import click

from . import cli
from .store import _open_store, store_options


def analysis_options(f):
    """``--from`` (which graph to analyse) and the store options."""
    f = click.option("--from", "source", type=click.Choice(["store", "curated", "build"]), default="store",
                     show_default=True,
                     help="store: the store `pvd-kg build` filled (or --endpoint); curated: the curated "
                          "graphs in memory; build: build the whole graph in memory.")(f)
    return store_options(f)


def _analysis_store(source: str, opts: dict):
    from ..analysis.source import open_analysis_store

    if source == "store":
        return open_analysis_store("store", store=_open_store(opts, read_only=True))
    return open_analysis_store(source)


def _write_output(output: str, data: bytes) -> None:
    from pathlib import Path

    from ..errors import InputError

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
    from ..analysis.export import format_for_output, network_bytes
    from ..analysis.networks import build_network
    from ..errors import InputError

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
    from ..analysis.metrics import metric

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

    from ..analysis.charts import chart
    from ..errors import InputError

    if not output.lower().endswith(".png"):
        raise InputError(f"{output}: a chart is written as PNG", hint="name the file .png")
    buf = io.BytesIO()
    with _analysis_store(source, opts) as store:
        table = chart(store, kind, buf)
    _write_output(output, buf.getvalue())
    click.echo(f"{kind}: {len(table)} rows drawn -> {output}" + (f" ({table.note})" if table.note else ""), err=True)
