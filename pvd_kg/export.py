"""Dump the store (or one graph) in any RDF format of :mod:`pvd_kg.formats`, streamed: memory
does not grow with the dump. JSON-LD dumps carry full IRIs; the ``context.jsonld`` written
beside them (built from :data:`pvd_kg.vocab.PREFIXES`) lets a reader compact them."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InputError
from .formats import rdf_format
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


def export(store: Store, output: Path | str | None = None, *, fmt: str = "turtle", graph: str | None = None,
           progress: Callable[[int], None] | None = None) -> ExportResult:
    """Write the store (or ``graph``) to ``output`` (a file, written then renamed into place, so a
    failed export never leaves half a file; None for standard output).

    :param fmt: a format name of the registry (``turtle``, ``nt``, ``nquads``, ``trig``, ``jsonld``, ``rdfxml``).
    :param progress: called with the number of bytes of each chunk written.
    :raises UnknownFormat: not an RDF format.
    :raises InputError: ``graph`` is not in the store, or the output cannot be written.
    """
    rdf = rdf_format(fmt)
    if graph is not None and graph not in store.graphs():
        raise InputError(f"no graph {graph} in the store", hint="`pvd-kg graphs` lists them")

    def dump(sink) -> None:
        store.dump(_Counted(sink, progress) if progress else sink, rdf, graph=graph, prefixes=PREFIXES)

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
