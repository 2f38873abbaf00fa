"""The one way untrusted RDF is parsed (``load``, ``validate``, and any later entry): pyoxigraph,
which never touches the network, in a child process (``_child.py``) under an address-space cap
and a time cap, after a scan of the document (:mod:`.scan`) that refuses deep nesting, oversized
tokens, JSON-LD contexts given by IRI and XML DTDs other than short internal entities.

Every refusal is one line naming the file (and the line and column when known) and the reason;
the calling process is never at risk. The limits are :class:`ParseLimits`, read from the
environment (``PVD_KG_PARSE_*``, see ``docs/security.md``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..errors import InputError, RdfSyntaxError

CHILD = Path(__file__).with_name("_child.py")
_SYNTAX = {"turtle": "turtle", "trig": "turtle", "nt": "ntriples", "nquads": "ntriples",
           "jsonld": "jsonld", "rdfxml": "rdfxml"}


@dataclass(frozen=True)
class ParseLimits:
    """What one parse may take. Each has an environment variable, ``PVD_KG_PARSE_`` + its name
    in capitals (e.g. ``PVD_KG_PARSE_MEMORY_MB=8192``)."""

    max_bytes: int = 2 << 30  # the file's size
    max_literal: int = 1 << 20  # one literal, IRI, XML tag or comment, as written
    max_depth: int = 100  # nesting: JSON objects/arrays, XML elements, Turtle [ ] ( ), triple terms
    memory_mb: int = 4096  # the child's address space (RLIMIT_AS)
    timeout: float = 600.0  # seconds, scan and parse

    @classmethod
    def from_env(cls, environ=os.environ) -> "ParseLimits":
        """The defaults, overridden by ``PVD_KG_PARSE_<NAME>`` variables.

        :raises InputError: a variable that is not a positive number.
        """
        values = {}
        for f in fields(cls):
            name = f"PVD_KG_PARSE_{f.name.upper()}"
            if environ.get(name):
                try:
                    values[f.name] = (float if f.type in ("float", float) else int)(environ[name])
                except ValueError:
                    values[f.name] = -1
                if values[f.name] <= 0:
                    raise InputError(f"{name}={environ[name]!r} is not a positive number")
        return replace(cls(), **values)


def checked_iri(iri: str | None, what: str) -> str | None:
    """``iri`` if it is a valid absolute IRI (or None).

    :raises InputError: it is not; the message says which option it came from (``what``).
    """
    if iri is None:
        return None
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"the {what} {iri!r} is not a valid IRI: {exc}",
                         hint="give an absolute IRI such as https://example.org/g") from exc
    return iri


def parse_to_nquads(src: Path, dst: Path, fmt, *, base_iri: str | None = None, graph: str | None = None,
                    limits: ParseLimits | None = None) -> dict[str, int]:
    """Parse the untrusted file ``src`` (a :class:`pvd_kg.formats.RdfFormat`) into the N-Quads
    file ``dst``; triples in the default graph go to ``graph`` when given. Returns the number of
    quads per graph (``""``: the default graph).

    :raises RdfSyntaxError: the file does not parse or is refused (``file:line:column: why``).
    :raises InputError: a bad graph or base IRI, a file over the size cap, or a parser past its
        memory or time cap.
    """
    limits = limits or ParseLimits.from_env()
    checked_iri(graph, "graph IRI")
    checked_iri(base_iri, "base IRI")
    try:
        size = src.stat().st_size
    except OSError as exc:
        raise InputError(f"{src}: cannot read it: {exc.strerror}") from exc
    if size > limits.max_bytes:
        raise InputError(f"{src}: {size} bytes, over the input cap of {limits.max_bytes} bytes",
                         hint="raise PVD_KG_PARSE_MAX_BYTES to load it")
    cmd = [sys.executable, "-I", str(CHILD), str(src), str(dst), fmt.media_type, _SYNTAX[fmt.name],
           base_iri or "", graph or "", str(limits.memory_mb), str(limits.max_depth), str(limits.max_literal)]
    env = dict(os.environ, RUST_BACKTRACE="0")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limits.timeout, env=env)
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise InputError(f"{src}: parsing ran past the time cap of {limits.timeout:g} s and was stopped",
                         hint="raise PVD_KG_PARSE_TIMEOUT if the file is sound") from exc
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not line:
        raise InputError(f"{src}: {_death(done, limits)}")
    answer = json.loads(line)
    if not answer["ok"]:
        raise _syntax_error(src, answer)
    return {g: int(n) for g, n in answer["counts"].items()}


def _death(done: subprocess.CompletedProcess, limits: ParseLimits) -> str:
    """Why the child died, from its status and its last words."""
    err = done.stderr or ""
    if "memory allocation of" in err or "MemoryError" in err:
        return (f"the parser reached its memory cap of {limits.memory_mb} MB and was stopped "
                "(raise PVD_KG_PARSE_MEMORY_MB if the file is sound)")
    if "overflowed its stack" in err or done.returncode == -11:
        return "the parser overflowed its stack (nesting too deep for it) and was stopped"
    why = f"signal {-done.returncode}" if done.returncode < 0 else f"status {done.returncode}"
    last = err.strip().splitlines()[-1] if err.strip() else "no message"
    return f"the parser died ({why}): {last}"


def _syntax_error(src: Path, answer: dict) -> RdfSyntaxError:
    where = f"{src}"
    if answer.get("line"):
        where += f":{answer['line']}"
        if answer.get("column"):
            where += f":{answer['column']}"
    message = answer["message"]
    if answer.get("line") and message.startswith("Parser error "):
        message = message.split(": ", 1)[-1]
    err = RdfSyntaxError(f"{where}: {message}")
    err.line, err.column, err.source = answer.get("line"), answer.get("column"), str(src)
    return err


__all__ = ["ParseLimits", "parse_to_nquads", "checked_iri"]
