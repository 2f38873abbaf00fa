"""Shared CSV reading: records that know their file and physical line, and the per-source
tally (rows read, loaded, rejected, warned) with its issues.

Line numbers are physical: the header is line 1, and a record whose quoted field spans
several lines is numbered by its first line (so an editor jumps to it).
"""

from __future__ import annotations

import csv
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import SourceDataError
from ..report import ERROR, INFO, WARNING, Issue


@dataclass(frozen=True)
class Record:
    """One data row: ``values`` maps column name to the text as written.

    :param source: the file name (no folder), as reported in issues.
    :param line: 1-based physical line where the row starts (header = 1).
    """

    source: str
    line: int
    values: dict

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


def read_csv(path: str | Path, *, delimiter: str = ",", required: tuple[str, ...] = ()) -> Iterator[Record]:
    """Yield the rows of a UTF-8 CSV file as :class:`Record` s.

    :param path: the file.
    :param delimiter: the field separator (``;`` for the EPCI file).
    :param required: columns that must be in the header.
    :raises SourceDataError: the file is missing, not UTF-8, looks like HTML, or lacks a
        required column.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write('a,b\\n1,"two\\nlines"\\n3,4\\n')
    >>> [(r.line, r["a"]) for r in read_csv(p, required=("a",))]
    [(2, '1'), (4, '3')]
    """
    path = Path(path)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceDataError(f"cannot open {path}: {exc.strerror}") from None
    with handle:
        try:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise SourceDataError(f"{path.name}: the file is empty")
            if header and header[0].lstrip().lower().startswith(("<!doctype", "<html")):
                raise SourceDataError(f"{path.name}: this is an HTML page, not a CSV file",
                                      hint="download the file again")
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise SourceDataError(f"{path.name}: missing column(s) {', '.join(missing)}",
                                      hint=f"columns found: {', '.join(header)}; check --delimiter")
            width = len(header)
            previous = reader.line_num
            for cells in reader:
                start = previous + 1
                previous = reader.line_num
                if not cells:
                    continue
                if len(cells) != width:
                    cells = (cells + [""] * width)[:width] if len(cells) < width else cells
                yield Record(path.name, start, dict(zip(header, cells)))
        except UnicodeDecodeError as exc:
            raise SourceDataError(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})",
                                  hint="convert the file to UTF-8") from None
        except csv.Error as exc:
            raise SourceDataError(f"{path.name}:{reader.line_num}: {exc}") from None


def read_rows(path: str | Path, columns: tuple[str, ...], *, delimiter: str = ",") -> Iterator[tuple]:
    """Lean reading for the big reference tables: yield ``(line, value, value, ...)`` with the
    values of ``columns`` in that order (no per-row dict).

    :raises SourceDataError: as :func:`read_csv`.
    """
    path = Path(path)
    records = read_csv(path, delimiter=delimiter, required=columns)
    try:
        first = next(records)
    except StopIteration:
        return
    yield (first.line, *(first.values[c] for c in columns))
    records.close()
    header = list(first.values)
    idx = [header.index(c) for c in columns]
    pick = operator.itemgetter(*idx) if len(idx) > 1 else (lambda cells: (cells[idx[0]],))
    width = len(header)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            next(reader)
            next(reader)
            previous = reader.line_num
            for cells in reader:
                start = previous + 1
                previous = reader.line_num
                if len(cells) < width:
                    if not cells:
                        continue
                    cells = cells + [""] * width
                yield (start, *pick(cells))
    except UnicodeDecodeError as exc:
        raise SourceDataError(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})",
                              hint="convert the file to UTF-8") from None


@dataclass
class Tally:
    """What happened to one source's rows, and the issues found in them.

    >>> t = Tally("anct-pvd-2021", "pvd.csv")
    >>> t.read = 2
    >>> t.warn(Record("pvd.csv", 2, {}), "big", "pop", "25000", "population-above-ceiling")
    >>> t.loaded += 1
    >>> t.summary()["warned"]
    1
    """

    key: str
    file: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    _warned_lines: set = field(default_factory=set)

    def issue(self, severity: str, record: Record | None, message: str, column: str | None = None,
              value: str | None = None, code: str | None = None) -> None:
        line = record.line if record is not None else None
        col = None
        if record is not None and column in record.values:
            col = list(record.values).index(column) + 1
        self.issues.append(Issue(severity, message, source=self.file, line=line, column=col,
                                 field=column, value=value, code=code))
        if severity == WARNING and line is not None:
            self._warned_lines.add(line)

    def reject(self, record: Record, message: str, column: str | None = None, value: str | None = None,
               code: str | None = None) -> None:
        """Report an error and count the row as rejected (it loads nothing)."""
        self.issue(ERROR, record, message + " (row rejected)", column, value, code)
        self.rejected += 1

    def warn(self, record, message, column=None, value=None, code=None) -> None:
        self.issue(WARNING, record, message, column, value, code)

    def info(self, record, message, column=None, value=None, code=None) -> None:
        self.issue(INFO, record, message, column, value, code)

    def summary(self) -> dict:
        return {"file": self.file, "read": self.read, "loaded": self.loaded, "rejected": self.rejected,
                "warned": len(self._warned_lines),
                "issues": {s: sum(1 for i in self.issues if i.severity == s) for s in (ERROR, WARNING, INFO)}}
