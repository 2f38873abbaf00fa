"""``pvd-kg extract``: articles and convention documents in, candidate events out (JSON for
review, or TriG/Turtle in the project's model); ``--apply`` keeps what a steward accepted."""

from __future__ import annotations

import json
import re
import sys

import click

from . import cli
from .store import _open_store, store_options


def _day(ctx, param, value):
    if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise click.BadParameter("write it YYYY-MM-DD")
    return value


@cli.command("extract")
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("--url", help="The page's URL (cited as the source).")
@click.option("--title", help="The page's title [default: the HTML title, if any].")
@click.option("--published", callback=_day, help="Publication day YYYY-MM-DD (to infer a missing year).")
@click.option("--format", "fmt", type=click.Choice(["json", "trig", "turtle"]), default="json", show_default=True,
              help="json: candidates for review; trig/turtle: the project's model (one named graph per input).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@click.option("--max-bytes", type=int, default=None,
              help="Size cap per input [default: $PVD_KG_EXTRACT_MAX_BYTES, else 2000000].")
@click.option("--apply", "reviewed", type=click.Path(dir_okay=False),
              help="A reviewed JSON file: write only the accepted events and people as TriG.")
@click.option("--reconcile", is_flag=True,
              help="Check each event against the store (PVD/ACV/ORT lists, the tables' dates, two sources of one event).")
@store_options
def extract_cmd(inputs, url, title, published, fmt, output, max_bytes, reviewed, reconcile, **opts):
    """Find the convention signings that French articles or convention documents (FILE or
    FOLDER of .txt/.html) report. Exit 0 with the events (an empty list and its reason when
    none), 2 on bad input (one line on stderr: empty, binary, not UTF-8, over the size cap)."""
    from ..errors import InputError
    from ..extract import extract_file
    from ..extract.inputs import collect_paths

    if reviewed:
        from ..extract.review import apply_file

        text = apply_file(reviewed, fmt="turtle" if fmt == "turtle" else "trig")
        _write(text, output)
        return
    if not inputs:
        raise InputError("give at least one FILE or FOLDER (or --apply REVIEWED.json)")
    paths = collect_paths(inputs)
    if not paths:
        raise InputError(f"{', '.join(inputs)}: no .txt or .html file")
    if (url or title) and len(paths) > 1:
        raise InputError("--url and --title describe one input; give one FILE with them")
    docs = [extract_file(p, url=url, title=title, published=published, max_bytes=max_bytes) for p in paths]
    if reconcile:
        from ..extract.reconcile import reconcile_documents

        with _open_store(opts, read_only=True) as store:
            reconcile_documents(docs, store)
    if fmt == "json":
        body = docs[0] if len(docs) == 1 else docs
        _write(json.dumps(body, ensure_ascii=False, indent=2) + "\n", output)
    else:
        from ..extract.rdf import serialize

        _write(serialize(docs, fmt), output)
    for d in docs:
        if not d["events"]:
            click.echo(f"{d['source']['file']}: no events ({d['reason']})", err=True)


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
