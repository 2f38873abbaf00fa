"""The store interface every backend implements (embedded pyoxigraph, in-memory, remote SPARQL 1.1
endpoint), and the neutral query result they all return (rdflib terms)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rdflib is imported where it is used: `pvd-kg query` may not need it
    from rdflib.term import Node

SELECT, ASK, GRAPH = "select", "ask", "graph"


class QueryResult:
    """The answer to a SPARQL query.

    ``kind`` is ``select`` (``variables`` and rows), ``ask`` (``boolean``) or ``graph``
    (CONSTRUCT/DESCRIBE: triples). The rows and triples stay the terms the store gave,
    pyoxigraph terms for the pyoxigraph stores, until a caller asks: ``terms`` and
    ``triple_terms`` give pyoxigraph terms (what :mod:`pvd_kg.results` writes), ``rows``,
    ``triples``, :meth:`dicts` and iteration give rdflib terms, converted on first use
    (None for an unbound variable). Either kind of term may be given.
    """

    def __init__(self, kind: str, variables: list[str] | None = None, rows: list[tuple] | None = None,
                 boolean: bool | None = None, triples: list[tuple] | None = None, truncated: bool = False):
        self.kind = kind
        self.variables = list(variables or [])
        self.boolean = boolean
        self.truncated = truncated  # True when a row limit cut the answer
        self._given_rows, self._given_triples = list(rows or []), list(triples or [])
        self._converted: dict[str, list[tuple]] = {}

    def _as(self, name: str, given: list[tuple], convert: str) -> list[tuple]:
        """``given`` as the kind of terms ``name`` says, converted by :mod:`pvd_kg.oxterms`'s
        ``convert`` only if they are the other kind (which imports rdflib: a CLI call that
        writes pyoxigraph terms never pays for it)."""
        if name not in self._converted:
            if _all_of_kind(given, name.startswith("ox")):
                self._converted[name] = given
            else:
                from .. import oxterms

                to = getattr(oxterms, convert)
                self._converted[name] = [tuple(to(t) for t in row) for row in given]
        return self._converted[name]

    @property
    def terms(self) -> list[tuple]:
        """The rows as pyoxigraph terms (None for an unbound variable)."""
        return self._as("ox rows", self._given_rows, "to_oxigraph")

    @property
    def triple_terms(self) -> list[tuple]:
        """The triples as pyoxigraph terms."""
        return self._as("ox triples", self._given_triples, "to_oxigraph")

    @property
    def rows(self) -> list[tuple[Node | None, ...]]:
        """The rows as rdflib terms (None for an unbound variable)."""
        return self._as("rdflib rows", self._given_rows, "from_oxigraph")

    @property
    def triples(self) -> list[tuple[Node, Node, Node]]:
        """The triples as rdflib terms."""
        return self._as("rdflib triples", self._given_triples, "from_oxigraph")

    def dicts(self) -> list[dict[str, Node]]:
        """Rows as dicts of rdflib terms, unbound variables left out.

        >>> from rdflib import Literal
        >>> QueryResult("select", ["a"], [(Literal(1),), (None,)]).dicts()
        [{'a': rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))}, {}]
        """
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def values(self, variable: str) -> list[Node | None]:
        """One column (rdflib terms)."""
        i = self.variables.index(variable)
        return [row[i] for row in self.rows]

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self._given_rows) if self.kind == SELECT else len(self._given_triples)

    def __repr__(self) -> str:
        return f"QueryResult({self.kind!r}, {len(self)} rows)" if self.kind != ASK else f"QueryResult(ask, {self.boolean})"


def _all_of_kind(rows: list[tuple], pyoxigraph: bool) -> bool:
    """Whether the terms of ``rows`` are pyoxigraph terms (``pyoxigraph``) or rdflib ones: a
    result holds one kind, so the first bound term tells."""
    import pyoxigraph as ox

    for row in rows:
        for term in row:
            if term is not None:
                return isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)) is pyoxigraph
    return True


class Store(ABC):
    """What every backend offers. Writes are atomic: all of a call's data or none of it."""

    @abstractmethod
    def query(self, sparql: str, *, timeout: float | None = None, limit: int | None = None) -> QueryResult:
        """Run a SPARQL query (a text, or a :class:`~.sparql.CheckedQuery`) after the one check of
        :func:`.sparql.check`. The default graph is the union of all graphs, unless the query's
        ``FROM`` / ``FROM NAMED`` select stored graphs.

        :raises QueryError: refused or malformed query; :raises QueryTimeout: past ``timeout`` seconds.
        """

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the named graphs."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

    # --- writes: each call is atomic (all of its data or none of it) ---

    @abstractmethod
    def add_nquads(self, path: Path) -> None:
        """Add the quads of an N-Quads file in ONE atomic call.

        :raises StoreError: the store refused the write; nothing was written.
        """

    @abstractmethod
    def replace_graphs(self, drop: Iterable[str], path: Path) -> None:
        """Drop the graphs ``drop`` and add the quads of the N-Quads file ``path``, in ONE atomic call.

        :raises StoreError: the store refused the write; nothing was changed.
        """

    def replace_graphs_checked(self, drop: Iterable[str], path: Path, check) -> None:
        """:meth:`replace_graphs`, committed only if ``check()`` returns: whatever it raises
        refuses the write and leaves the store as it was. Here it runs first; a backend that can
        write the new content where nobody sees it yet runs it meanwhile (the embedded store)."""
        check()
        self.replace_graphs(drop, path)

    @abstractmethod
    def drop_graph(self, graph: str) -> bool:
        """Remove a named graph and its triples; False if there was no such graph."""

    @abstractmethod
    def dump(self, output: BinaryIO, fmt, graph: str | None = None, prefixes: dict | None = None) -> None:
        """Stream the store (or one graph) to ``output`` in :class:`pvd_kg.formats.RdfFormat` ``fmt``.
        Formats without named graphs get the union of all graphs when ``graph`` is None."""

    # --- reads with a default implementation in SPARQL (backends may do better) ---

    def describe(self, nodes: Iterable[Node], without: Iterable[str] = ()) -> list[tuple[Node, Node, Node]]:
        """The stored triples (any graph but those ``without``) whose subject is one of ``nodes``."""
        from rdflib import URIRef

        out: list = []
        nodes = [n for n in nodes if isinstance(n, URIRef)]
        skip = ", ".join(URIRef(g).n3() for g in without)
        skip = f"FILTER (?g NOT IN ({skip}))" if skip else ""
        for i in range(0, len(nodes), 200):
            values = " ".join(n.n3() for n in nodes[i:i + 200])
            answer = self.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {skip} }}")
            out.extend(answer.rows)
        return out

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        answer = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        return {str(g): int(n) for g, n in answer.rows}

    def stats(self) -> dict:
        """Triples per graph, instances per class, uses per property (over all named graphs)."""
        classes = self.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } "
                             "GROUP BY ?c ORDER BY DESC(?n) ?c")
        props = self.query("SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY DESC(?n) ?p")
        return {
            "quads": len(self),
            "graphs": self.graph_sizes(),
            "classes": {str(c): int(n) for c, n in classes.rows},
            "properties": {str(p): int(n) for p, n in props.rows},
        }

    def close(self) -> None:  # pragma: no cover - default no-op
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def result_from_oxigraph(answer, limit: int | None = None, text: str = "") -> QueryResult:
    """Turn a pyoxigraph query answer (solutions, boolean or triples) into a :class:`QueryResult`
    that keeps its pyoxigraph terms; a ``SELECT *`` of the query ``text`` gets its columns in
    the order the query names them (:func:`pvd_kg.results.projection_order`)."""
    import pyoxigraph as ox

    from ..results import solution_rows

    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(ASK, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables, rows, truncated = solution_rows(answer, text, limit)
        return QueryResult(SELECT, variables, rows, truncated=truncated)
    triples = [(tr.subject, tr.predicate, tr.object) for tr in answer]
    return QueryResult(GRAPH, triples=triples)
