"""``pvd-kg extract --apply REVIEWED.json``: keep what a steward accepted.

The JSON that ``pvd-kg extract`` writes is a list of candidates: each event and each person
carries ``accepted: null``. A steward sets ``true`` or ``false`` (and may correct any field:
a family name, a role, a commune's INSEE code, a date). Only events with ``accepted: true``
are written, and in them only the signatories and others present with ``accepted: true``;
the corrections are kept as written. The file must still follow the JSON contract
(``schema.json``) and its evidence must still slice its text: a broken review is refused in
one line, nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from .rdf import serialize
from .schema import problems


def read_reviewed(path: str | Path) -> list[dict]:
    """The documents of a reviewed JSON file (one object or a list), checked against the contract."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    try:
        body = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{p}: not a JSON file written by pvd-kg extract ({exc})") from None
    docs = body if isinstance(body, list) else [body]
    for n, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise InputError(f"{p}: item {n} is not an object")
        found = problems(doc)
        if found:
            where = f" (document {n})" if len(docs) > 1 else ""
            raise InputError(f"{p}{where}: {found[0]}" + (f" (and {len(found) - 1} more)" if len(found) > 1 else ""))
    return docs


def accepted_counts(docs: list[dict]) -> tuple[int, int]:
    """(events accepted, people accepted in them)."""
    events = [e for d in docs for e in d["events"] if e.get("accepted") is True]
    people = [p for e in events for p in e["signatories"] + e["present"] if p.get("accepted") is True]
    return len(events), len(people)


def apply_file(path: str | Path, fmt: str = "trig") -> str:
    """TriG (or Turtle) of the accepted events of a reviewed file; refuses a review that accepts nothing."""
    docs = read_reviewed(path)
    if accepted_counts(docs)[0] == 0:
        raise InputError(f"{path}: no event has \"accepted\": true; nothing to write")
    return serialize(docs, fmt, accepted_only=True)
