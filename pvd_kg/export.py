"""Dump the store (or one graph) in any RDF format of :mod:`pvd_kg.formats`, streamed: memory
does not grow with the dump. JSON-LD dumps carry full IRIs; the ``context.jsonld`` written
beside them (built from :data:`pvd_kg.vocab.PREFIXES`) lets a reader compact them."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InputError
from .formats import not_xml, rdf_format
from .store.base import Store
from .vocab import PREFIXES

CONTEXT_FILE = "context.jsonld"


def context_document() -> dict:
    """The JSON-LD context of the project's prefixes.

    >>> context_document()["@context"]["pvd"]
    'https://w3id.org/pvd-kg/def#'
    """
    return {"@context": dict(PREFIXES)}


@dataclass
class ExportResult:
    output: Path | None  # None: standard output
    format: str
    bytes: int
    context: Path | None = None


class _Counted:
    """A binary sink that reports how many bytes went through it (for a progress display)."""

    def __init__(self, sink, progress: Callable[[int], None]):
        self.sink, self.progress = sink, progress

    def write(self, data) -> int:
        n = self.sink.write(data)
        self.progress(len(data))
        return n

    def flush(self) -> None:
        self.sink.flush()


# Characters XML 1.0 cannot carry, as pyoxigraph writes them (raw, UTF-8): C0 controls but TAB,
# LF and CR, and U+FFFE/U+FFFF (a Python string's lone surrogate cannot reach the store).
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_NOT_XML_SPARQL = r"[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]"


class _XmlGuard:
    """A binary sink that stops the dump at the first character XML 1.0 cannot carry."""

    def __init__(self, sink):
        self.sink, self.tail, self.refused = sink, b"", False

    def write(self, data) -> int:
        if _NOT_XML.search(self.tail + bytes(data)):
            self.refused = True
            raise ValueError("a character XML 1.0 cannot carry")
        self.tail = bytes(data[-2:])
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()


def _not_xml(store: Store, graph: str | None) -> InputError:
    """The error naming the first literal XML 1.0 cannot carry."""
    pattern = f"?s ?p ?o FILTER(isLiteral(?o) && REGEX(STR(?o), \"{_NOT_XML_SPARQL}\"))"
    where = f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ {where} }} LIMIT 1").rows
    if not rows:
        return InputError("the store holds a character XML 1.0 cannot carry: RDF/XML cannot be written",
                          hint="export as N-Triples or Turtle")
    s, p, o = rows[0]
    return not_xml_error(s, p, not_xml(str(o)))


def not_xml_error(subject, predicate, char: str) -> InputError:
    return InputError(f"the literal of <{subject}> <{predicate}> holds {char}, which XML 1.0 cannot carry: "
                      "RDF/XML cannot be written", hint="export as N-Triples or Turtle, or correct the literal")


def export(store: Store, output: Path | str | None = None, *, fmt: str = "turtle", graph: str | None = None,
           progress: Callable[[int], None] | None = None) -> ExportResult:
    """Write the store (or ``graph``) to ``output`` (a file, written then renamed into place, so a
    failed export never leaves half a file; None for standard output).

    :param fmt: a format name of the registry (``turtle``, ``nt``, ``nquads``, ``trig``, ``jsonld``, ``rdfxml``).
    :param progress: called with the number of bytes of each chunk written.
    :raises UnknownFormat: not an RDF format.
    :raises InputError: ``graph`` is not in the store, the output cannot be written, or (RDF/XML)
        a literal holds a character XML 1.0 cannot carry (the error names it; no file is left).
    """
    rdf = rdf_format(fmt)
    if graph is not None and graph not in store.graphs():
        raise InputError(f"no graph {graph} in the store", hint="`pvd-kg graphs` lists them")

    guard = None

    def dump(sink) -> None:
        nonlocal guard
        if rdf.name == "rdfxml":
            sink = guard = _XmlGuard(sink)
        try:
            store.dump(_Counted(sink, progress) if progress else sink, rdf, graph=graph, prefixes=PREFIXES)
        except Exception:
            if guard is not None and guard.refused:
                raise _not_xml(store, graph) from None
            raise

    if output is None:
        sink = sys.stdout.buffer
        dump(sink)
        sink.flush()
        return ExportResult(None, rdf.name, 0)
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    try:
        with open(partial, "wb") as sink:
            dump(sink)
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write {output}: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    context = None
    if rdf.name == "jsonld":
        context = output.with_name(CONTEXT_FILE)
        context.write_text(json.dumps(context_document(), indent=2) + "\n", encoding="utf-8")
    return ExportResult(output, rdf.name, output.stat().st_size, context)
