"""Write docs/cli.md, the CLI reference, from the commands' own --help.

Run ``python scripts/cli_reference.py`` after changing a command; tests/test_docs.py fails
while docs/cli.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pvd_kg.cli import cli  # noqa: E402

TARGET = ROOT / "docs" / "cli.md"


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    # the group's context settings (help_option_names) as the real command line has them
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=100, max_content_width=100,
                        **(cli.context_settings if parent is None else {}))
    return command.get_help(ctx)


def render() -> str:
    """The whole reference, as Markdown."""
    root = click.Context(cli, info_name="pvd-kg", terminal_width=100, max_content_width=100, **cli.context_settings)
    parts = ["# CLI reference", "",
             "Generated from `--help` by `python scripts/cli_reference.py`; do not edit by hand.", "",
             "```", _help(cli, "pvd-kg", None), "```", ""]
    for name in sorted(cli.list_commands(root)):
        parts += [f"## pvd-kg {name}", "", "```", _help(cli.get_command(root, name), name, root), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
