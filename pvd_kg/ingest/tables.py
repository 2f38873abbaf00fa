"""Shared CSV reading: records that know their file and physical line, and the per-source
tally (rows read, loaded, rejected, warned) with its issues.

Line numbers are physical: the header is line 1, and a record whose quoted field spans
several lines is numbered by its first line (so an editor jumps to it).

Nothing is lost or fixed in silence. A table without data rows, a duplicated header column
and broken quoting (which makes the rows after it impossible to tell apart) refuse the whole
file; a row with too many or too few cells, or a NUL byte, is rejected with an issue naming
its line, field and value. Every data row is counted in ``Tally.read``.
"""

from __future__ import annotations

import csv
import io
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


def read_csv(path: str | Path, *, delimiter: str = ",", required: tuple[str, ...] = (),
             multiline: tuple[str, ...] = (), tally: "Tally | None" = None) -> Iterator[Record]:
    """Yield the sound rows of a UTF-8 CSV file as :class:`Record` s.

    :param path: the file.
    :param delimiter: the field separator (``;`` for the EPCI file).
    :param required: columns that must be in the header.
    :param multiline: columns whose quoted text may hold line breaks (a line break anywhere
        else is taken for an unbalanced quote).
    :param tally: counts every data row in ``tally.read`` and rejects there the rows with too
        many or too few cells or a NUL byte; without a tally such a row raises.
    :raises SourceDataError: the file is missing, empty, header-only, not UTF-8, looks like
        HTML, lacks a required column, repeats a column, or has broken quoting.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write('a,b\\n1,"two\\nlines"\\n3,4\\n')
    >>> [(r.line, r["a"]) for r in read_csv(p, required=("a",), multiline=("b",))]
    [(2, '1'), (4, '3')]
    """
    path = Path(path)
    rows = _rows(path, delimiter, required, multiline, tally)
    header = next(rows)
    for start, cells in rows:
        yield Record(path.name, start, dict(zip(header, cells)))


def read_rows(path: str | Path, columns: tuple[str, ...], *, delimiter: str = ",",
              multiline: tuple[str, ...] = (), tally: "Tally | None" = None) -> Iterator[tuple]:
    """Lean reading for the big reference tables: yield ``(line, value, value, ...)`` with the
    values of ``columns`` in that order (no per-row dict), with the checks of :func:`read_csv`.

    :raises SourceDataError: as :func:`read_csv`.
    """
    rows = _rows(Path(path), delimiter, columns, multiline, tally)
    header = next(rows)
    idx = [header.index(c) for c in columns]
    pick = operator.itemgetter(*idx) if len(idx) > 1 else (lambda cells: (cells[idx[0]],))
    for start, cells in rows:
        yield (start, *pick(cells))


class _Lines:
    """The file's lines as the csv reader takes them, keeping those of the current record
    (to name the field where broken quoting starts)."""

    def __init__(self, handle):
        self.handle = handle
        self.record: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.record.append(line)
        return line


def _rows(path: Path, delimiter: str, required, multiline, tally) -> Iterator:
    """The checked header (first item), then ``(line, cells)`` for each sound data row."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceDataError(f"cannot open {path}: {exc.strerror}") from None
    name, read = path.name, 0
    with handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header, previous = [], 0  # previous: the last line of the last record read
        try:
            header = _header(name, next(reader, None), reader.line_num, required)
            yield header
            width, free = len(header), {header.index(c) for c in multiline if c in header}
            previous = reader.line_num
            lines.record = []
            for cells in reader:
                start, end = previous + 1, reader.line_num
                previous, lines.record = end, []
                if not cells:
                    if tally is not None:
                        tally.info(Record(name, start, {}), "blank line, no data", code="blank-line")
                    continue
                read += 1
                if tally is not None:
                    tally.read += 1
                if end > start:
                    _line_breaks(name, start, end, header, cells, free, delimiter)
                defect = _defect(header, cells, width, delimiter)
                if defect is None:
                    yield start, cells
                elif tally is None:
                    column, value, message, _code = defect
                    raise SourceDataError(_where(name, start, column, value, message))
                else:
                    column, value, message, code = defect
                    tally.reject(Record(name, start, dict(zip(header, cells))), message, column, value, code)
        except UnicodeDecodeError as exc:
            raise SourceDataError(f"{name}: not UTF-8 ({exc.reason} at byte {exc.start})",
                                  hint="convert the file to UTF-8") from None
        except csv.Error as exc:
            column, value = _culprit("".join(lines.record), delimiter, header)
            if "field limit" in str(exc):
                why = f"a value longer than {csv.field_size_limit():,} characters (an unbalanced quote, or not a table?)"
            else:
                why = f"broken quoting ({exc}, at line {reader.line_num}): an unbalanced quote? the rows after it " \
                      "cannot be told apart"
            raise SourceDataError(_where(name, previous + 1, column, value, why + "; nothing was read from this file"),
                                  ) from None
    if read == 0:
        raise SourceDataError(f"{name}: no data rows, only the header",
                              hint="nothing was loaded: a table without rows would empty its graph; check the download")


def _header(name: str, header: list[str] | None, end: int, required) -> list[str]:
    if header is None:
        raise SourceDataError(f"{name}: the file is empty")
    if header and header[0].lstrip().lower().startswith(("<!doctype", "<html")):
        raise SourceDataError(f"{name}: this is an HTML page, not a CSV file", hint="download the file again")
    header = [h.strip() for h in header]
    if end > 1 or any("\x00" in h for h in header):
        raise SourceDataError(f"{name}:1: the header " + ("runs over several lines (an unbalanced quote?)"
                                                          if end > 1 else "holds a NUL byte"))
    seen: dict[str, int] = {}
    for i, column in enumerate(header, 1):
        if column in seen:
            raise SourceDataError(f"{name}:1: column {column!r} appears twice (columns {seen[column]} and {i}); "
                                  "which one holds the data cannot be told")
        seen[column] = i
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceDataError(f"{name}: missing column(s) {', '.join(missing)}",
                              hint=f"columns found: {', '.join(header)}; check --delimiter")
    return header


def _defect(header: list[str], cells: list[str], width: int, delimiter: str) -> tuple | None:
    """Why the row cannot be read as the header says, as (field, value, message, code), or None."""
    if len(cells) > width:
        return (f"column {width + 1}", delimiter.join(cells[width:]),
                f"{len(cells)} cells where the header has {width}: which value belongs to which column cannot be told",
                "too-many-cells")
    if len(cells) < width:
        return (header[len(cells)], None,
                f"{len(cells)} cells where the header has {width}: {header[len(cells)]} and after are missing",
                "too-few-cells")
    if "\x00" not in "".join(cells):  # one look at the whole row: nearly every row is clean
        return None
    for column, value in zip(header, cells):
        if "\x00" in value:
            return column, value, "holds a NUL byte (a binary or corrupted file?)", "nul-byte"
    return None


def _line_breaks(name: str, start: int, end: int, header, cells, free: set, delimiter: str) -> None:
    """A record over several lines is sound only when its line breaks sit in a column that may
    hold them, and no line there looks like a whole row (a quote left open swallows the rows
    after it)."""
    width = len(header)
    for i, value in enumerate(cells):
        if "\n" not in value and "\r" not in value:
            continue
        column = header[i] if i < width else f"column {i + 1}"
        swallowed = i in free and any(line.count(delimiter) >= width - 1 for line in value.splitlines()[1:])
        if i not in free or swallowed:
            raise SourceDataError(_where(name, start, column, value,
                                         f"a quoted value runs over lines {start}-{end}: an unbalanced quote? "
                                         "the rows after it cannot be told apart; nothing was read from this file"))


def _culprit(raw: str, delimiter: str, header: list[str]) -> tuple[str | None, str | None]:
    """The field where the broken quoting of the record ``raw`` starts, and its text."""
    try:
        cells = next(csv.reader(io.StringIO(raw), delimiter=delimiter), None) or [""]
    except csv.Error:  # a field past the csv module's size limit: say where, not what
        return None, None
    i = next((i for i, c in enumerate(cells) if "\n" in c or "\r" in c or '"' in c), len(cells) - 1)
    return (header[i] if i < len(header) else f"column {i + 1}"), cells[i]


def _where(name: str, line: int, column: str | None, value: str | None, message: str) -> str:
    """``file:line: field='value': why`` (a long value cut), for the errors that refuse a file."""
    if value is not None and len(value) > 60:
        value = value[:60] + "…"
    what = f" {column}" + (f"={value!r}" if value is not None else "") + ":" if column else ""
    return f"{name}:{line}:{what} {message}"


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
