"""Any SPARQL 1.1 server as a store: Query and Update protocols, and the Graph Store HTTP
Protocol for dumps. Tested against a real Oxigraph server; Fuseki works the same way.

Every request has a TOTAL deadline: requests' own timeout bounds each socket read, not the
exchange, so bodies are streamed and the clock is checked between chunks.

The server should treat its default graph as the union of the named graphs (Oxigraph:
``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``), like the embedded store.
Every query and update is checked here (:func:`.sparql.check`) before it is sent. A query's
``FROM`` / ``FROM NAMED`` graphs are also sent as the protocol's ``default-graph-uri`` /
``named-graph-uri``: the same dataset for a server that honours both, and the only one that an
Oxigraph server with ``--union-default-graph`` does not override with the union.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import BinaryIO, Iterable

import pyoxigraph as ox
import requests
import urllib3
from rdflib import XSD, BNode, Literal, URIRef

from ..errors import QueryError, QueryTimeout, StoreError
from ..oxterms import from_oxigraph
from .base import ASK, GRAPH, SELECT, QueryResult, Store
from .sparql import CheckedQuery, check
from .sparql_insert import DEFAULT, insert_batches, insert_update, read_quads

DEFAULT_TIMEOUT = 30.0
WRITE_TIMEOUT = 3600.0
CHUNK = 1 << 16
# Virtuoso refuses a request body over 10 MB ("HT057"), and its SPARQL compiler runs out of parser
# stack ("SP030 memory exhausted") on a few thousand triples in one INSERT DATA: larger writes are
# sent in parts
MAX_REQUEST_BYTES = 256 << 10


class EndpointStore(Store):
    """A remote SPARQL 1.1 endpoint.

    :param query_url: the SPARQL query endpoint.
    :param update_url: the update endpoint (default: ``query_url``, as Fuseki and Oxigraph accept).
    :param gsp_url: the Graph Store Protocol endpoint, used by :meth:`dump`.
    :param user, password: HTTP basic authentication.
    :param token: a bearer token (instead of basic authentication).
    :param timeout: default total deadline of a read request, in seconds.
    :param max_request_bytes: a write larger than this is sent in parts (:meth:`_staged_write`).
    """

    def __init__(self, query_url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 user: str | None = None, password: str | None = None, token: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, max_request_bytes: int = MAX_REQUEST_BYTES):
        self.query_url = query_url
        self.max_request_bytes = max_request_bytes
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = timeout
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        elif user:
            self.session.auth = (user, password or "")

    # --- HTTP with a total deadline ---

    def _request(self, method: str, url: str, timeout: float, sink: BinaryIO | None = None, **kwargs) -> bytes:
        deadline = time.monotonic() + timeout

        def left() -> float:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout(f"{url} did not answer within {timeout:g} s", hint="raise --timeout")
            return remaining

        try:
            with self.session.request(method, url, stream=True, timeout=(min(left(), 10.0), left()), **kwargs) as r:
                body = bytearray()
                sock = getattr(getattr(r.raw, "connection", None), "sock", None)
                while True:
                    # read1 returns after ONE socket read (iter_content would loop until it has a
                    # full chunk), and each read may wait only for what is left of the deadline
                    if sock is not None:
                        sock.settimeout(left())
                    chunk = r.raw.read1(CHUNK, decode_content=True)
                    if not chunk:
                        break
                    left()
                    if sink is not None and r.ok:
                        sink.write(chunk)
                    else:
                        body.extend(chunk)
                if not r.ok:
                    text = bytes(body[:500]).decode("utf-8", "replace").strip()
                    err = QueryError if r.status_code in (400, 404, 406, 415) and method != "GET" else StoreError
                    raise err(f"{url} answered {r.status_code} {r.reason}: {text}")
                return bytes(body)
        except (requests.Timeout, TimeoutError, urllib3.exceptions.TimeoutError) as exc:
            raise QueryTimeout(f"{url} did not answer within {timeout:g} s", hint="raise --timeout") from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StoreError(f"cannot reach {url}: {exc}", hint="check --endpoint and that the server runs") from exc

    # --- reads ---

    def query(self, sparql: str | CheckedQuery, *, timeout: float | None = None,
              limit: int | None = None) -> QueryResult:
        q = check(sparql)
        form = q.form
        accept = "application/sparql-results+json" if form in ("select", "ask") else "application/n-triples"
        data = [("query", q.runnable())]
        if q.has_dataset:
            data += [("default-graph-uri", g) for g in q.default_graphs]
            data += [("named-graph-uri", g) for g in q.named_graphs]
        body = self._request("POST", self.query_url, timeout or self.timeout, data=data,
                             headers={"Accept": accept})
        if form in ("select", "ask"):
            return _from_json(json.loads(body), limit, ask=form == "ask")
        triples = [tuple(from_oxigraph(t) for t in (q.subject, q.predicate, q.object))
                   for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        truncated = limit is not None and len(triples) > limit
        return QueryResult(GRAPH, triples=triples[:limit] if truncated else triples, truncated=truncated)

    def graphs(self) -> list[str]:
        # GROUP BY, not DISTINCT: the same answer, and Virtuoso runs DISTINCT over every quad
        # (over 60 s at 170 k quads, against 0.2 s)
        answer = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(str(g) for (g,) in answer.rows if isinstance(g, URIRef))

    def __len__(self) -> int:
        """Quads in the named graphs (what a union-default-graph server can count unambiguously)."""
        return int(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0])

    # --- writes: one SPARQL Update request each, which the server runs as one transaction ---

    def update(self, sparql: str, timeout: float = WRITE_TIMEOUT) -> None:
        """Send a SPARQL update, checked first (:func:`.sparql.check`: no ``SERVICE``, no ``LOAD``)."""
        self._post_update(check(sparql, updates=True).runnable(), timeout)

    def _post_update(self, sparql: str, timeout: float = WRITE_TIMEOUT) -> None:
        """Send an update this class wrote itself from parsed quads (not checked: parsing a large
        ``INSERT DATA`` with the checker's grammar would cost more than the write)."""
        self._request("POST", self.update_url, timeout, data=sparql.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def add_nquads(self, path: Path) -> None:
        self._write([], path)

    def replace_graphs(self, drop: Iterable[str], path: Path) -> None:
        self._write(list(drop), path)

    def _write(self, drop: list[str], path: Path) -> None:
        """Drop ``drop`` and add the quads of ``path``: one request when it is small enough, which
        the server runs as one transaction; else :meth:`_staged_write`."""
        quads = read_quads(path)
        inserts = insert_update(quads)
        if len(inserts) > self.max_request_bytes:
            self._staged_write(drop, quads)
            return
        parts = [f"DROP SILENT GRAPH <{g}>" for g in drop] + ([inserts] if inserts else [])
        if parts:
            self._post_update(" ;\n".join(parts))

    def _staged_write(self, drop: list[str], quads) -> None:
        """The quads go in parts into staging graphs of their own, then one request drops the
        replaced graphs and adds each staging graph to its target. A part the server refuses
        leaves the store's graphs as they were (the staging graphs are dropped)."""
        token = uuid.uuid4().hex
        staging: dict[str, str] = {}

        def graph_of(g: str) -> str:
            return staging.setdefault(g, f"<urn:pvd-kg:staging:{token}:{len(staging)}>")

        try:
            for update in insert_batches(quads, self.max_request_bytes, graph_of):
                self._post_update(update)
            final = [f"DROP SILENT GRAPH <{g}>" for g in drop]
            final += [f"ADD {st} TO {'DEFAULT' if g == DEFAULT else g}" for g, st in staging.items()]
            final += [f"DROP SILENT GRAPH {st}" for st in staging.values()]
            self._post_update(" ;\n".join(final))
        except BaseException:
            if staging:
                try:
                    self._post_update(" ;\n".join(f"DROP SILENT GRAPH {st}" for st in staging.values()))
                except (StoreError, QueryError):
                    pass  # the first error is the one to report
            raise

    def drop_graph(self, graph: str) -> bool:
        if graph not in self.graphs():
            return False
        # SILENT: Virtuoso refuses DROP of a graph it holds triples of but was not CREATEd
        self._post_update(f"DROP SILENT GRAPH <{graph}>")
        return True

    def dump(self, output: BinaryIO, fmt, graph: str | None = None, prefixes: dict | None = None,
             timeout: float = WRITE_TIMEOUT) -> None:
        """Stream a graph (or, through the Graph Store Protocol, the whole dataset) to ``output``."""
        headers = {"Accept": fmt.media_type}
        if self.gsp_url:
            if graph is not None:
                params = {"graph": graph}
            elif fmt.quads:
                params = {}  # the whole dataset (Oxigraph, Fuseki)
            else:
                params = {"default": ""}  # the default graph: the union on a union-default-graph server
            self._request("GET", self.gsp_url, timeout, sink=output, params=params, headers=headers)
            return
        if fmt.quads and graph is None:
            raise StoreError("dumping every named graph of an endpoint needs the Graph Store Protocol",
                             hint="pass --gsp URL, or --graph IRI, or a triples format")
        if fmt.quads:  # one graph, with its name: its triples are fetched, then written as quads
            body = self._request("POST", self.query_url, timeout, headers={"Accept": "application/n-triples"},
                                 data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
            name = ox.NamedNode(graph)
            quads = (ox.Quad(t.subject, t.predicate, t.object, name)
                     for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            ox.serialize(quads, output, fmt.pyoxigraph_format())
            return
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        self._request("POST", self.query_url, timeout, sink=output, headers=headers,
                      data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"})

    def close(self) -> None:
        self.session.close()


def _term(binding: dict):
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    # a simple literal is an xsd:string, as the embedded store returns it
    return Literal(value, datatype=URIRef(binding.get("datatype") or XSD.string))


def _from_json(doc: dict, limit: int | None, ask: bool = False) -> QueryResult:
    if "boolean" in doc:
        return QueryResult(ASK, boolean=bool(doc["boolean"]))
    if ask:
        # Virtuoso answers ASK with one row of one integer (1 or 0) instead of a boolean
        values = [b for row in doc["results"]["bindings"] for b in row.values()]
        return QueryResult(ASK, boolean=bool(values) and values[0].get("value") not in ("0", "false"))
    variables = doc["head"].get("vars", [])
    bindings = doc["results"]["bindings"]
    truncated = limit is not None and len(bindings) > limit
    bindings = bindings[:limit] if truncated else bindings
    rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in bindings]
    return QueryResult(SELECT, variables, rows, truncated=truncated)
