"""Damaged source tables (tests/data/hostile/csv/, written by scripts/hostile_csv.py from the
shipped files): each damage through its reader, then through `pvd-kg load` against a built
store. Nothing is lost or hidden: a damage refuses the file or rejects the row, with file,
line, field, value and reason; a refused load leaves the store as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pvd_kg import paths
from pvd_kg.cli import cli
from pvd_kg.errors import SourceDataError
from pvd_kg.ingest import insee
from pvd_kg.ingest.shipped import SHIPPED
from pvd_kg.ingest.tables import Tally

from conftest import copy_store
from csv_readers import run_reader

HOSTILE = Path(__file__).parent / "data" / "hostile" / "csv"
KEY = {spec.file: key for key, spec in SHIPPED.items()}


@pytest.fixture(scope="module")
def cog():
    return insee.read_cog(paths.SOURCES_DIR / SHIPPED["insee-cog-2024"].file, Tally("insee-cog-2024", "cog"))


def read(path: Path, cog) -> Tally:
    """Run the reader of ``path``'s table (known by its shipped name); return its tally."""
    key = KEY[path.name]
    tally = Tally(key, path.name)
    run_reader(key, path, tally, cog, {"62907", "78003"})
    return tally


def case(name: str) -> Path:
    (path,) = (HOSTILE / name).iterdir()
    return path


# --- through the readers -------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SHIPPED[k].file for k in SHIPPED))
def test_a_header_only_table_of_every_kind_is_refused(name, cog):
    with pytest.raises(SourceDataError, match=rf"{name}: no data rows, only the header"):
        read(HOSTILE / "header-only" / name, cog)


@pytest.mark.parametrize("name", ["pvd_communes_2026_derived.csv", "cog_communes_2024.csv"])
def test_an_empty_table_is_refused(name, cog):
    with pytest.raises(SourceDataError, match=rf"{name}: the file is empty"):
        read(HOSTILE / "empty" / name, cog)


def test_a_header_and_blank_lines_is_header_only(cog):
    with pytest.raises(SourceDataError, match="no data rows"):
        read(case("blank-lines-only"), cog)


# (case, file:line, field, value, reason): refusals of the whole file
REFUSED = [
    ("duplicate-column", "acv_communes_2024-09.csv:1", "'insee_com'", None, "appears twice (columns 2 and 14)"),
    ("unbalanced-quote", "pvd_communes_2021-01.csv:3", "lib_com", "'Agon-Coutainville,Normandie\"'",
     "broken quoting"),
    ("unbalanced-quote-at-end", "pvd_communes_2026_derived.csv:3", "lib_com", "'Belley,pvd-84-01-2",
     "unexpected end of data"),
    ("line-break-in-field", "pvd_communes_2026_derived.csv:3", "lib_com", r"'Bel\nley'", "runs over lines 3-4"),
    ("swallowed-rows", "ort_conventions_2024-10.csv:2", "Remarques", "'Métropole avec NPNRU", "runs over lines 2-4"),
]


@pytest.mark.parametrize("name, where, field, value, reason", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_structural_damage_refuses_the_file_naming_line_and_field(name, where, field, value, reason, cog):
    with pytest.raises(SourceDataError) as caught:
        read(case(name), cog)
    message = str(caught.value)
    assert message.startswith(where + ":") and field in message and reason in message
    assert value is None or value in message
    assert "\n" not in message  # one line, whatever the value holds


def test_a_value_past_the_csv_size_limit_refuses_the_file(tmp_path, cog):
    """An unbalanced quote near the top of a big file makes one huge value; so does a binary file."""
    rows = (HOSTILE / "unbalanced-quote-at-end" / "pvd_communes_2026_derived.csv").read_text(encoding="utf-8")
    path = tmp_path / "pvd_communes_2026_derived.csv"
    path.write_text(rows + "62907,Libercourt,pvd-32-62-22,2021-07-23,gazetteer\n" * 4000, encoding="utf-8")
    with pytest.raises(SourceDataError, match=r"^pvd_communes_2026_derived.csv:3: a value longer than 131,072 "
                                              r"characters \(an unbalanced quote, or not a table\?\)"):
        read(path, cog)


# (case, line, field, value, code, severity): the row's own issue, never a silent fix
ROW_ISSUES = [
    ("too-many-cells", 3, "column 14", "en trop", "too-many-cells", "error"),
    ("too-few-cells", 3, "insee_dep", None, "too-few-cells", "error"),
    ("nul-byte", 3, "lib_com", "Bel\x00ley", "nul-byte", "error"),
    ("stray-whitespace", 2, "insee_com", " 78003", "invalid-insee", "error"),
    ("fullwidth-code", 2, "insee_com", "０１０３３", "invalid-insee", "error"),
    ("arabic-indic-digits", 2, "pop", "٣٤٣٩", "bad-population", "warning"),
    ("fullwidth-digits", 2, "date_signature", "２０２１-03-12", "bad-date", "warning"),
    ("code-not-in-departement", 3, "DEP", "59", "code-not-in-departement", "error"),
]


@pytest.mark.parametrize("name, line, field, value, code, severity", ROW_ISSUES, ids=[c[0] for c in ROW_ISSUES])
def test_a_bad_row_or_value_is_an_issue_with_line_field_and_value(name, line, field, value, code, severity, cog):
    path = case(name)
    tally = read(path, cog)
    (issue,) = [i for i in tally.issues if i.code == code]
    assert (issue.source, issue.line, issue.field, issue.value, issue.severity) == (path.name, line, field, value,
                                                                                   severity)
    if severity == "error":
        assert tally.rejected == 1 and "row rejected" in issue.message
    if code in ("invalid-insee", "bad-population", "bad-date"):
        reason = "spaces around it" if name == "stray-whitespace" else "non-ASCII digits"
        assert reason in issue.message
    assert tally.read == 3  # every data row counted, the bad one too


# --- through `pvd-kg load` -------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(whole_store_folder, tmp_path_factory):
    """A store holding the whole build (shapes skipped: the same data, built faster), a copy of
    the session's."""
    return copy_store(whole_store_folder, tmp_path_factory.mktemp("hostile") / "store")


@pytest.fixture(scope="module")
def before(built, tmp_path_factory) -> str:
    return export_hash(built, tmp_path_factory.mktemp("export"))


def export_hash(store: Path, tmp_path: Path) -> str:
    out = tmp_path / "export.nq"
    result = CliRunner().invoke(cli, ["export", "--format", "nquads", "-o", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return hashlib.sha256(b"".join(sorted(out.read_bytes().splitlines()))).hexdigest()


def load(store: Path, path: Path, *options: str):
    return CliRunner().invoke(cli, ["load", str(path), "--store", str(store), *options])


def _refused_unchanged(built, before, tmp_path, path, *options) -> str:
    result = load(built, path, *options)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert export_hash(built, tmp_path) == before
    return result.output


@pytest.mark.parametrize("name", ["pvd_communes_2021-01.csv", "acv_communes_2024-09.csv",
                                  "ort_conventions_2024-10.csv", "com_epci_dep_reg_2023.csv",
                                  "cog_communes_2024.csv"])
def test_cli_refuses_a_header_only_table_and_keeps_the_graph(name, built, before, tmp_path):
    for options in (("--no-validate",), ("--strict",)):
        output = _refused_unchanged(built, before, tmp_path, HOSTILE / "header-only" / name, *options)
        assert f"{name}: no data rows, only the header" in output


def test_cli_refuses_an_empty_table(built, before, tmp_path):
    output = _refused_unchanged(built, before, tmp_path, HOSTILE / "empty" / "pvd_communes_2026_derived.csv")
    assert "pvd_communes_2026_derived.csv: the file is empty" in output


@pytest.mark.parametrize("name, where, field, value, reason", REFUSED, ids=[c[0] for c in REFUSED])
def test_cli_refuses_a_structural_damage(name, where, field, value, reason, built, before, tmp_path):
    output = _refused_unchanged(built, before, tmp_path, case(name), "--no-validate")
    assert f"error: {where}:" in output and field in output and reason in output


@pytest.mark.parametrize("name, line, field, value, code, severity", ROW_ISSUES, ids=[c[0] for c in ROW_ISSUES])
def test_cli_strict_refuses_a_bad_row_naming_file_line_and_field(name, line, field, value, code, severity, built,
                                                                 before, tmp_path):
    path = case(name)
    # the shapes are checked only for the value the old reader let through to them
    options = ("--strict",) if name == "code-not-in-departement" else ("--strict", "--no-validate")
    output = _refused_unchanged(built, before, tmp_path, path, *options)
    assert f"[{path.name}:{line}" in output and f" {field}" in output
    assert "(--strict); nothing was written" in output
    assert "https://w3id.org" not in output.split("nothing was written")[0]  # the reader speaks, not the shapes


def test_cli_refuses_a_table_none_of_whose_rows_can_be_stored(built, before, tmp_path):
    output = _refused_unchanged(built, before, tmp_path, case("no-row-storable"), "--no-validate")
    assert "none of its 3 row(s) can be stored" in output
    assert "[pvd_communes_2026_derived.csv:2:1] insee_com='99033'" in output


def test_cli_default_load_stores_the_sound_rows_and_prints_every_reject(built, before, tmp_path):
    result = load(built, case("too-many-cells"), "--no-validate")
    assert result.exit_code == 0, result.output
    assert "pvd_communes_2021-01.csv: 3 rows read, 2 stored, 1 rejected" in result.output
    assert ("[ERROR] [pvd_communes_2021-01.csv:3] column 14='en trop': 14 cells where the header has 13"
            in result.output)
    # restore the shipped list for the other tests
    assert load(built, paths.SOURCES_DIR / "pvd_communes_2021-01.csv", "--no-validate").exit_code == 0
    assert export_hash(built, tmp_path) == before


def test_a_table_that_corrects_a_value_is_validated_without_the_graph_it_replaces(built, before, tmp_path):
    """The stored date of the graph being replaced is not context: it would contradict the new one."""
    shipped = paths.SOURCES_DIR / "pvd_communes_2026_derived.csv"
    text = shipped.read_text(encoding="utf-8")
    assert "01034,Belley,pvd-84-01-2,2021-04-22" in text
    corrected = tmp_path / shipped.name
    corrected.write_text(text.replace("01034,Belley,pvd-84-01-2,2021-04-22", "01034,Belley,pvd-84-01-2,2021-05-03"),
                         encoding="utf-8")
    result = load(built, corrected)
    assert result.exit_code == 0, result.output
    assert load(built, shipped, "--no-validate").exit_code == 0
    assert export_hash(built, tmp_path) == before


def test_a_value_the_shapes_refuse_is_named_by_its_file_and_line(built, before, tmp_path):
    """Libercourt's adhésion dated 2020-06-01 contradicts the curated graph (July 2021): only the
    shapes can tell, and their report names the table row, not only the node."""
    output = _refused_unchanged(built, before, tmp_path, case("contradicts-curated-graph"))
    assert ("[ERROR] [pvd_communes_2026_derived.csv:4] pvd:date='2020-06-01': Two dates of one node disagree"
            in output)
    assert "(node https://w3id.org/pvd-kg/id/signing/adhesion/62907)" in output
