"""The documentation keeps up with the code: every command has help and is in the CLI
reference, the reference is current, and the README's links resolve."""

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from pvd_kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(cli.list_commands(click.Context(cli)))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name):
    command = cli.get_command(click.Context(cli), name)
    assert command.help and len(command.help.strip()) > 20, f"pvd-kg {name} has no real help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"pvd-kg {name} {param.opts[0]} has no help"


def test_cli_reference_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from cli_reference import TARGET, render
    finally:
        sys.path.pop(0)
    def words(text):  # compares the words: whitespace-only differences (e.g. trailing spaces) are not staleness
        return re.sub(r"\s+", " ", text)

    assert words(TARGET.read_text(encoding="utf-8")) == words(render()), \
        "docs/cli.md is out of date: run python scripts/cli_reference.py"


def test_readme_links_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert links
    missing = [link for link in links if not link.startswith("http") and not (ROOT / link).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert "pvd-kg build" in blocks[0] and "pvd-kg query" in blocks[0]
    assert blocks[1].strip() == "bash .ci/run"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci


def test_cli_help_runs_in_a_fresh_process():
    out = subprocess.run([sys.executable, "-m", "pvd_kg.cli", "--help"], capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert name in out.stdout
