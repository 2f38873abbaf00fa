"""pvd_kg.fetch_records: atomic writes and reading a download's record."""

from __future__ import annotations

import pytest

from pvd_kg.errors import FetchError
from pvd_kg.fetch_records import atomic_write, previous_record, read_record, record_path_for, sha256_file, write_record


def test_a_failed_rename_leaves_the_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "anct-pvd-2026.csv"
    target.mkdir()  # a rename over a directory fails
    (target / "keep").write_text("x")
    with pytest.raises(FetchError, match="cannot write"):
        atomic_write(target, b"insee_com\n")
    assert [p.name for p in tmp_path.iterdir()] == ["anct-pvd-2026.csv"]
    assert (target / "keep").read_text() == "x"


def test_record_round_trip_and_previous_record_checks_the_file(tmp_path):
    path = tmp_path / "anct-pvd-2026.csv"
    atomic_write(path, "insee_com\n01033\n".encode())
    record = {"url": "https://example.org/pvd.csv", "sha256": sha256_file(path), "etag": '"v1"'}
    write_record(record_path_for(path), record)
    assert read_record(path) == record
    assert previous_record(path, record_path_for(path), "https://example.org/pvd.csv") == (record, record["sha256"])
    assert previous_record(path, record_path_for(path), "https://example.org/other.csv")[0] is None
    path.write_text("edited\n")
    assert previous_record(path, record_path_for(path), "https://example.org/pvd.csv")[0] is None


def test_read_record_without_record_and_with_a_broken_one(tmp_path):
    path = tmp_path / "x.csv"
    assert read_record(path) is None
    record_path_for(path).write_text("[1, 2]")
    with pytest.raises(FetchError, match="not a JSON object"):
        read_record(path)
    record_path_for(path).write_text("{broken")
    with pytest.raises(FetchError, match="cannot read the fetch record"):
        read_record(path)
