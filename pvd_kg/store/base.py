"""The store interface every backend implements (embedded pyoxigraph, in-memory, remote SPARQL 1.1
endpoint), and the neutral query result they all return (rdflib terms)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

SELECT, ASK, GRAPH = "select", "ask", "graph"


@dataclass
class QueryResult:
    """The answer to a SPARQL query.

    ``kind`` is ``select`` (``variables`` and ``rows``, each row a tuple of rdflib terms or None
    for unbound), ``ask`` (``boolean``) or ``graph`` (CONSTRUCT/DESCRIBE: ``triples``).
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)
    truncated: bool = False  # True when a row limit cut the answer

    def dicts(self) -> list[dict[str, Node]]:
        """Rows as dicts, unbound variables left out.

        >>> QueryResult("select", ["a"], [(Literal(1),), (None,)]).dicts()
        [{'a': rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))}, {}]
        """
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def values(self, variable: str) -> list[Node | None]:
        """One column."""
        i = self.variables.index(variable)
        return [row[i] for row in self.rows]

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == SELECT else len(self.triples)


class Store(ABC):
    """What every backend offers. Writes are atomic: all of a call's data or none of it."""

    @abstractmethod
    def query(self, sparql: str, *, timeout: float | None = None, limit: int | None = None) -> QueryResult:
        """Run a SPARQL query over the union of all graphs (default graph = union).

        :raises QueryError: malformed query; :raises QueryTimeout: past ``timeout`` seconds.
        """

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the named graphs."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

    def close(self) -> None:  # pragma: no cover - default no-op
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def term_from_oxigraph(term) -> Node | None:
    """Convert a pyoxigraph term to the rdflib term with the same value."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def result_from_oxigraph(answer, limit: int | None = None) -> QueryResult:
    """Turn a pyoxigraph query answer (solutions, boolean or triples) into a :class:`QueryResult`."""
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(ASK, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows, truncated = [], False
        for solution in answer:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(term_from_oxigraph(solution[v]) for v in variables))
        return QueryResult(SELECT, variables, rows, truncated=truncated)
    triples = [tuple(term_from_oxigraph(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in answer]
    return QueryResult(GRAPH, triples=triples)
