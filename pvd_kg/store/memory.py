"""An in-memory pyoxigraph store: for tests, analysis of a freshly built graph, and benchmarks.

:class:`OxigraphStore` holds what every pyoxigraph-backed store shares (the embedded on-disk
store subclasses it); :class:`MemoryStore` is the in-memory one."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterable

import pyoxigraph as ox

from ..errors import InputError, QueryError, StoreError
from ..formats import writer_prefixes
from .base import QueryResult, Store, result_from_oxigraph
from .sparql import CheckedQuery, check, syntax_message
from .sparql_insert import insert_data


class OxigraphStore(Store):
    """The operations shared by the pyoxigraph backends; ``self.ox`` is the ``pyoxigraph.Store``."""

    ox: ox.Store

    def query(self, sparql: str | CheckedQuery, *, timeout: float | None = None,
              limit: int | None = None) -> QueryResult:
        q = check(sparql)
        try:
            answer = self.ox.query(q.text, prefixes=q.prefixes or None, **oxigraph_dataset(q))
            return result_from_oxigraph(answer, limit, q.text)
        except SyntaxError as exc:
            raise QueryError(syntax_message(q, str(exc))) from exc
        except (OSError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from exc

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.ox)

    def add_nquads(self, path: Path) -> None:
        try:
            self.ox.load(path=str(path), format=ox.RdfFormat.N_QUADS)  # atomic: one transaction
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"the store refused the write, nothing was written: {exc}") from exc

    def replace_graphs(self, drop: Iterable[str], path: Path) -> None:
        # One SPARQL Update request is one transaction in Oxigraph: the drops and the inserts
        # commit together or not at all (Store.load cannot be combined with a removal).
        parts = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        inserts = insert_data(path)
        if inserts:
            parts.append(inserts)
        if not parts:
            return
        try:
            self.ox.update(" ;\n".join(parts))
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"the store refused the write, nothing was changed: {exc}") from exc

    def drop_graph(self, graph: str) -> bool:
        try:
            node = ox.NamedNode(graph)
        except ValueError as exc:
            raise InputError(f"graph {graph!r} is not an absolute IRI: {exc}") from None
        if not self.ox.contains_named_graph(node):
            return False
        self.ox.update(f"DROP GRAPH <{graph}>")  # one update = one transaction
        return True

    def dump(self, output: BinaryIO, fmt, graph: str | None = None, prefixes: dict | None = None) -> None:
        oxfmt = fmt.pyoxigraph_format()
        kwargs = {"prefixes": writer_prefixes(fmt, prefixes)} if prefixes and writer_prefixes(fmt, prefixes) else {}
        if graph is not None and fmt.name in ("nquads", "trig"):  # the graph keeps its name
            quads = self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            ox.serialize(quads, output, oxfmt, **kwargs)
        elif graph is not None:
            self.ox.dump(output, oxfmt, from_graph=ox.NamedNode(graph), **kwargs)
        elif fmt.quads:
            self.ox.dump(output, oxfmt, **kwargs)
        else:
            # The union of every graph, streamed; a triple stored in two graphs is written twice,
            # which parses back to the same RDF graph.
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self.ox)
            ox.serialize(triples, output, oxfmt, **kwargs)

    def describe(self, nodes, without=()) -> list[tuple]:
        from rdflib import BNode, URIRef

        from ..oxterms import from_oxigraph, to_oxigraph  # rdflib, imported only when asked

        out, without = [], set(without)
        for node in nodes:
            if not isinstance(node, (URIRef, BNode)):
                continue
            for q in self.ox.quads_for_pattern(to_oxigraph(node), None, None, None):
                if getattr(q.graph_name, "value", None) in without:
                    continue
                out.append((node, from_oxigraph(q.predicate), from_oxigraph(q.object)))
        return out


def oxigraph_dataset(q: CheckedQuery) -> dict:
    """The dataset arguments of ``pyoxigraph.Store.query`` for a checked query: the union of the
    stored graphs by default; with ``FROM`` / ``FROM NAMED``, those graphs only (SPARQL 1.1,
    13.2: a query with ``FROM NAMED`` alone has an empty default graph, one with ``FROM`` alone
    no named graphs). A graph that is not stored is empty; nothing is ever read from elsewhere."""
    if not q.has_dataset:
        return {"use_default_graph_as_union": True}
    return {"default_graph": [ox.NamedNode(g) for g in q.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in q.named_graphs]}


class MemoryStore(OxigraphStore):
    """A pyoxigraph in-memory store. Queries run in-process (trusted callers only: no timeout).

    >>> from rdflib import Dataset, URIRef, Literal
    >>> ds = Dataset(); _ = ds.graph(URIRef("http://example.org/g")).add(
    ...     (URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("x")))
    >>> s = MemoryStore.from_dataset(ds)
    >>> s.query("ASK { ?s ?p ?o }").boolean, s.graphs()
    (True, ['http://example.org/g'])
    """

    def __init__(self, store: ox.Store | None = None):
        self.ox = store if store is not None else ox.Store()

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> "MemoryStore":
        """Copy an rdflib Dataset (named graphs kept) into a new in-memory store."""
        store = cls()
        data = dataset.serialize(format="nquads", encoding="utf-8")
        store.ox.load(data, format=ox.RdfFormat.N_QUADS)
        return store
