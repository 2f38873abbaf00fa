"""Property tests of the CSV readers: random rows (real rows of the shipped tables with random
cells) and random bytes under the real header never crash a reader (only the project's own
errors), every data row is counted and ends stored or rejected, and a load either replaces
the table's graph whole or leaves the store as it was."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pvd_kg import paths
from pvd_kg.errors import PvdKgError
from pvd_kg.ingest import insee
from pvd_kg.ingest.shipped import SHIPPED
from pvd_kg.ingest.tables import Tally

from csv_readers import run_reader

LISTS = ("anct-pvd-2021", "anct-pvd-2026", "anct-acv-2024", "dgaln-ort-2024")
# cells that reach the odd paths: quotes, delimiters, line breaks, NUL, non-ASCII digits, spaces
NASTY = st.sampled_from(['"', '""', ",", ";", "\n", "\r\n", "\x00", "٣٤", "０１", "²", " 78003", "62907 ", "NA", "",
                         "2021-07-23", "31/02/2021", "999999", "2A004", "200067221", "acv-001", "pvd-32-62-22"])
CELL = st.one_of(NASTY, NASTY, st.text(max_size=8), st.lists(NASTY, max_size=3).map("".join))


@pytest.fixture(scope="module")
def cog():
    return insee.read_cog(paths.SOURCES_DIR / SHIPPED["insee-cog-2024"].file, Tally("insee-cog-2024", "cog"))


def shipped_lines(key: str, n: int = 40) -> list[str]:
    with open(paths.SOURCES_DIR / SHIPPED[key].file, encoding="utf-8-sig", newline="") as f:
        return [next(f) for _ in range(n)]


HEADS = {key: shipped_lines(key) for key in SHIPPED}
# a superscript digit passes str.isdigit() but not int(): the 2021 reader once crashed on it
SEEN = {"anct-pvd-2021": HEADS["anct-pvd-2021"][0] + HEADS["anct-pvd-2021"][1].replace('"3439"', '"²"')}


@st.composite
def table(draw, key: str) -> bytes:
    """A table under ``key``'s real header: real rows with random cells, random rows written
    as CSV or joined raw (broken quoting included), or random bytes."""
    lines = HEADS[key]
    delimiter = SHIPPED[key].delimiter
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    kind = draw(st.sampled_from(["mutated", "raw", "bytes"]))
    if kind == "bytes":
        return lines[0].encode("utf-8") + draw(st.binary(max_size=120))
    rows = [next(csv.reader([line], delimiter=delimiter)) for line in draw(st.lists(st.sampled_from(lines[1:]),
                                                                                       max_size=5))]
    for row in rows:
        for _ in range(draw(st.integers(0, 6))):
            row[draw(st.integers(0, len(row) - 1))] = draw(CELL)
        if draw(st.integers(0, 9)) == 0:
            del row[draw(st.integers(0, len(row) - 1))]
    rows += draw(st.lists(st.lists(CELL, min_size=len(header) - 1, max_size=len(header) + 1), max_size=2))
    out = io.StringIO()
    if kind == "mutated":
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    else:
        out.write("".join(delimiter.join(row) + "\n" for row in rows))
    return lines[0].encode("utf-8") + out.getvalue().encode("utf-8")


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_a_reader_never_crashes_and_counts_every_row(key, cog):
    folder = Path(tempfile.mkdtemp(prefix="pvd-kg-prop-"))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=table(key))
    def check(data):
        path = folder / SHIPPED[key].file
        path.write_bytes(data)
        tally = Tally(key, path.name)
        try:
            rows = run_reader(key, path, tally, cog, set(cog.communes))
        except PvdKgError:
            return
        if key in LISTS:  # every data row read is kept or rejected, never lost
            assert tally.read == len(rows) + tally.rejected
            assert tally.rejected == sum(1 for i in tally.issues if i.severity == "error")

    if key in SEEN:
        check = example(data=SEEN[key].encode("utf-8"))(check)
    check()


@pytest.mark.parametrize("key", ["anct-pvd-2026", "dgaln-ort-2024"])
def test_a_load_replaces_the_graph_whole_or_leaves_the_store_as_it_was(key, tmp_path):
    from pvd_kg.load import load_files
    from pvd_kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "store")
    graph = f"https://w3id.org/pvd-kg/graph/{key}"
    load_files(store, [paths.SOURCES_DIR / SHIPPED[key].file], validate=False)

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
    @given(data=table(key))
    def check(data):
        before = set(store.ox)
        path = tmp_path / SHIPPED[key].file
        path.write_bytes(data)
        try:
            result = load_files(store, [path], validate=False)
        except PvdKgError:
            assert set(store.ox) == before
            return
        after = set(store.ox)
        assert {q for q in after if q.graph_name.value != graph} == {q for q in before if q.graph_name.value != graph}
        assert sum(1 for q in after if q.graph_name.value == graph) == result.counts[graph] > 0
        summary = result.tables[path.name].summary
        assert summary["read"] == summary["loaded"] + summary["rejected"] and summary["loaded"] > 0

    try:
        check()
    finally:
        store.close()
