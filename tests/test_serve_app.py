"""`pvd-kg serve` options are checked before anything starts; bad ones are one-line errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.errors import InputError
from pvd_kg.serve.app import ServeConfig


def test_missing_store_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "nothing")])
    assert result.exit_code != 0
    assert "no store at" in result.output and "pvd-kg build" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kwargs,message", [
    ({"allow_update": True}, "--allow-update needs --update-token"),
    ({"workers": 1}, "at least 2"),
    ({"public_base": "example.org/pvd"}, "not an absolute http(s) URL"),
])
def test_inconsistent_options(tmp_path, kwargs, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ServeConfig(store_path=tmp_path, **kwargs).check()
