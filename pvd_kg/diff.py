"""Compare two snapshots of a commune list (e.g. the PVD lists of 2021 and 2026) by INSEE code:
communes added, removed, and changed with the fields that changed (only fields both files have).

Dates are compared as days, so ``2021-03-12`` and ``12/03/2021`` are the same value. Rows whose
key is not an INSEE commune code (placeholder rows) are listed apart, not counted as removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .ingest import cleaners
from .ingest.tables import read_csv

KEY_COLUMNS = ("insee_com", "Code commune", "COM", "com_code", "code_insee")


@dataclass
class ListDiff:
    """The result of :func:`diff_lists`."""

    old: str
    new: str
    key: str
    fields: list[str]
    added: list[dict] = field(default_factory=list)  # {"insee", "line", "values"}
    removed: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"insee", "old_line", "new_line", "changes": {f: [old, new]}}
    skipped: list[dict] = field(default_factory=list)  # {"file", "line", "value", "reason"}

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "key": self.key, "fields": self.fields,
                "counts": {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                           "skipped": len(self.skipped)},
                "added": self.added, "removed": self.removed, "changed": self.changed, "skipped": self.skipped}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        label = "lib_com" if "lib_com" in self.fields else None
        lines = [f"{self.old} -> {self.new} (by {self.key}; fields compared: {', '.join(self.fields) or 'none'})",
                 f"added {len(self.added)}, removed {len(self.removed)}, changed {len(self.changed)}, "
                 f"skipped {len(self.skipped)}"]
        for r in self.added:
            lines.append(f"+ {r['insee']} {r['values'].get(label, '') if label else ''}".rstrip())
        for r in self.removed:
            lines.append(f"- {r['insee']} {r['values'].get(label, '') if label else ''}".rstrip())
        for r in self.changed:
            what = "; ".join(f"{f}: {o!r} -> {n!r}" for f, (o, n) in r["changes"].items())
            lines.append(f"~ {r['insee']} {what}")
        for r in self.skipped:
            lines.append(f"! {r['file']}:{r['line']} {r['value']!r}: {r['reason']}")
        return "\n".join(lines)


def _normal(value: str) -> str:
    text = value.strip()
    if cleaners.is_missing(text):
        return ""
    try:
        return cleaners.parse_date(text).isoformat()
    except cleaners.CleanError:
        return text


def _read(path: Path, key: str | None, diff_skipped: list) -> tuple[str, list[str], dict]:
    rows: dict[str, tuple[int, dict]] = {}
    columns: list[str] = []
    for rec in read_csv(path):
        if not columns:
            columns = list(rec.values)
            if key is None:
                key = next((c for c in KEY_COLUMNS if c in columns), None)
                if key is None:
                    raise InputError(f"{path.name}: no INSEE code column ({', '.join(KEY_COLUMNS)})",
                                     hint="name it with --key")
            elif key not in columns:
                raise InputError(f"{path.name}: no column {key!r}", hint="columns: " + ", ".join(columns))
        value = rec[key].strip()
        try:
            code = cleaners.insee_commune(value)
        except cleaners.CleanError as exc:
            diff_skipped.append({"file": path.name, "line": rec.line, "value": value, "reason": str(exc)})
            continue
        if code in rows:
            diff_skipped.append({"file": path.name, "line": rec.line, "value": value,
                                 "reason": f"duplicate of line {rows[code][0]}"})
            continue
        rows[code] = (rec.line, rec.values)
    return key, columns, rows


def diff_lists(old: str | Path, new: str | Path, *, key: str | None = None,
               fields: list[str] | None = None) -> ListDiff:
    """Compare two CSV snapshots of a list.

    :param old: the earlier file.
    :param new: the later file.
    :param key: the INSEE code column; guessed from :data:`KEY_COLUMNS` if None.
    :param fields: the fields to compare; by default every column both files have but the key.
    :raises InputError: no key column, or a requested field missing from a file.
    :raises SourceDataError: a file cannot be read.
    """
    old, new = Path(old), Path(new)
    skipped: list[dict] = []
    key_old, cols_old, rows_old = _read(old, key, skipped)
    key_new, cols_new, rows_new = _read(new, key or key_old, skipped)
    common = [c for c in cols_old if c in cols_new and c not in (key_old, key_new)]
    if fields:
        missing = [f for f in fields if f not in common]
        if missing:
            raise InputError(f"field(s) not in both files: {', '.join(missing)}", hint="common: " + ", ".join(common))
        common = list(fields)
    result = ListDiff(old.name, new.name, key_old, common, skipped=skipped)
    for code in sorted(set(rows_new) - set(rows_old)):
        line, values = rows_new[code]
        result.added.append({"insee": code, "line": line, "values": {f: values.get(f, "") for f in cols_new}})
    for code in sorted(set(rows_old) - set(rows_new)):
        line, values = rows_old[code]
        result.removed.append({"insee": code, "line": line, "values": {f: values.get(f, "") for f in cols_old}})
    for code in sorted(set(rows_old) & set(rows_new)):
        (lo, vo), (ln, vn) = rows_old[code], rows_new[code]
        changes = {f: [vo[f], vn[f]] for f in common if _normal(vo[f]) != _normal(vn[f])}
        if changes:
            result.changed.append({"insee": code, "old_line": lo, "new_line": ln, "changes": changes})
    return result
