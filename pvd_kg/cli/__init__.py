"""The ``pvd-kg`` command: thin commands, one per stage. Each parses options, calls one
library function and prints its result. Library errors (:class:`PvdKgError`) become one
line on stderr and a non-zero exit; anything else is a bug and keeps its traceback."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import PvdKgError


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


# The commands, one module per stage (imported for their @cli.command registrations).
from . import analysis, extract, serve, sources, store  # noqa: E402,F401


def main():
    cli(prog_name="pvd-kg")
