"""The JSON contract of ``pvd-kg extract`` (``schema.json`` beside this module) and the checks
no schema can state: every evidence's text is the slice of the output's text it points to."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("schema.json")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def problems(doc: dict) -> list[str]:
    """What is wrong with one output object: schema errors, then evidence that does not slice the text."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    out = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(doc)]
    text = doc.get("text", "")
    for path, ev in evidences(doc):
        if text[ev["start"]:ev["end"]] != ev["text"]:
            out.append(f"{path}: evidence {ev['start']}:{ev['end']} does not slice the text")
    return out


def evidences(node, path="") -> list[tuple[str, dict]]:
    """Every ``{start, end, text}`` object under ``node`` with its JSON path."""
    found = []
    if isinstance(node, dict):
        if set(node) == {"start", "end", "text"}:
            return [(path, node)]
        for k, v in node.items():
            if k != "text" or not isinstance(v, str):
                found += evidences(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += evidences(v, f"{path}/{i}")
    return found
