"""Run untrusted parsing in a child process (``_child.py``) that can be killed: pyoxigraph does
not survive some hostile inputs. Queries run in :mod:`.query_worker`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ..errors import InputError, RdfSyntaxError

CHILD = Path(__file__).with_name("_child.py")
PARSE_MEMORY_MB = 4096  # address-space cap of the parser process
PARSE_TIMEOUT = 3600.0


def _python() -> list[str]:
    # -I: isolated mode, so the child imports nothing from the working directory
    return [sys.executable, "-I", str(CHILD)]


def parse_to_nquads(src: Path, dst: Path, fmt, *, base_iri: str | None = None, graph: str | None = None,
                    memory_mb: int = PARSE_MEMORY_MB, timeout: float = PARSE_TIMEOUT) -> dict[str, int]:
    """Parse ``src`` (a :class:`pvd_kg.formats.RdfFormat`) into the N-Quads file ``dst`` in a child
    process; triples in the default graph go to ``graph`` when given. Returns the number of quads
    per graph (``""``: the default graph).

    :raises RdfSyntaxError: the file does not parse (message: ``file:line:column: why``).
    :raises InputError: the parser ran out of memory or time, or died.
    """
    cmd = _python() + ["parse", str(src), str(dst), fmt.media_type, base_iri or "", graph or "", str(memory_mb)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise InputError(f"{src}: parsing took more than {timeout:.0f} s and was stopped") from exc
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not line:
        why = f"signal {-done.returncode}" if done.returncode < 0 else f"status {done.returncode}"
        raise InputError(f"{src}: the parser died ({why}): the file is too large for {memory_mb} MB "
                         f"or built to exhaust the parser (entity expansion, deep nesting)")
    answer = json.loads(line)
    if not answer["ok"]:
        where = f"{src}"
        if answer.get("line"):
            where += f":{answer['line']}"
            if answer.get("column"):
                where += f":{answer['column']}"
        message = answer["message"].split(": ", 1)[-1] if answer.get("line") else answer["message"]
        err = RdfSyntaxError(f"{where}: {message}")
        err.line, err.column, err.source = answer.get("line"), answer.get("column"), str(src)
        raise err
    return {g: int(n) for g, n in answer["counts"].items()}
