"""SPARQL 1.1 Protocol at ``/sparql``: query by GET, form POST or direct POST; update by form
or direct POST (only when switched on, with a Bearer token); dataset parameters; results by
Accept; a service description at ``GET /sparql`` without a query. Answers are kept in a
bounded cache (:mod:`.result_cache`) that every update empties; ``X-Cache`` says hit or miss."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..errors import QueryError, QueryStopped, StoreError
from ..formats import RDF_FORMATS
from ..store.sparql import check, syntax_message
from ..vocab import PREFIXES
from .admission import Overloaded
from .app import new_generation
from .negotiation import rdf_format_for, result_format_for
from .responses import CORS_HEADERS, error_response, graph_body, preflight_headers
from .result_cache import deterministic

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


class ProtocolError(Exception):
    """A request the protocol refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, hint: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.hint, self.headers = status, message, hint, headers


@dataclass
class Operation:
    kind: str  # "query" or "update"
    text: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)


def _charset_ok(content_type: str) -> bool:
    m = re.search(r"charset\s*=\s*\"?([\w-]+)", content_type, re.I)
    return m is None or m.group(1).lower() in ("utf-8", "utf8")


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused past ``max_bytes``.

    :raises ProtocolError: 413 when it is larger.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ProtocolError(413, f"the request body is larger than {max_bytes} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ProtocolError(413, f"the request body is larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise ProtocolError(400, f"more than one {name!r} parameter")
    return values[0] if values else None


def _many(params, name) -> list[str]:
    return [v for k, v in params if k == name]


async def parse_operation(request: Request, max_bytes: int) -> Operation | None:
    """Read a protocol request. None means a plain ``GET /sparql``: the service description.

    :raises ProtocolError: a request the protocol does not allow (4xx).
    """
    url_params = parse_qsl(request.url.query, keep_blank_values=True)
    if len(request.url.query) > max_bytes:
        raise ProtocolError(414, f"the query string is longer than {max_bytes} bytes")
    if request.method in ("GET", "HEAD"):  # HEAD: the GET answer without its body
        if _one(url_params, "update") is not None:
            raise ProtocolError(400, "updates must be sent with POST", hint="POST update=... or application/sparql-update")
        text = _one(url_params, "query")
        if text is None:
            return None
        return _operation("query", text, url_params)
    if request.method != "POST":
        raise ProtocolError(405, f"method {request.method} is not allowed", hint="use GET or POST",
                            headers={"Allow": "GET, HEAD, POST, OPTIONS"})
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if not media:
        raise ProtocolError(415, "a POST needs a Content-Type",
                            hint=f"{FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    if not _charset_ok(content_type):
        raise ProtocolError(415, "only UTF-8 request bodies are accepted")
    body = await read_body(request, max_bytes)
    try:
        text_body = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not valid UTF-8") from None
    if media == FORM:
        form = parse_qsl(text_body, keep_blank_values=True)
        params = url_params + form
        query, update = _one(form, "query"), _one(form, "update")
        if (query is None) == (update is None):
            raise ProtocolError(400, "a form POST needs exactly one of 'query' or 'update'")
        return _operation("query" if query is not None else "update", query if query is not None else update, params)
    if media == QUERY_TYPE:
        return _operation("query", text_body, url_params)
    if media == UPDATE_TYPE:
        return _operation("update", text_body, url_params)
    raise ProtocolError(415, f"unsupported Content-Type {media!r}", hint=f"{FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")


def _operation(kind: str, text: str, params) -> Operation:
    if kind == "query":
        return Operation("query", text, _many(params, "default-graph-uri") or None,
                         _many(params, "named-graph-uri") or None)
    return Operation("update", text, using=_many(params, "using-graph-uri"),
                     using_named=_many(params, "using-named-graph-uri"))


# -- USING clauses from the protocol's using-graph-uri / using-named-graph-uri ----------------

_TOKEN = re.compile(r"""
    (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<comment>\#[^\n]*)
  | (?P<open>\{) | (?P<close>\})
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
""", re.X | re.S)


_IRI_TEXT = re.compile(r"[^<>\"{}|^`\\\x00-\x20]+")


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Write the protocol's dataset into the update as ``USING`` / ``USING NAMED`` clauses,
    before each top-level ``WHERE`` of an INSERT/DELETE operation.

    :raises ProtocolError: 400 when the update names its own dataset (``USING``, ``WITH``).

    >>> with_using("INSERT { ?s a <x> } WHERE { ?s a <y> }", ["http://g"], [])
    'INSERT { ?s a <x> } USING <http://g> WHERE { ?s a <y> }'
    >>> with_using("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g"], [])
    Traceback (most recent call last):
    ...
    pvd_kg.serve.sparql_protocol.ProtocolError: the update names its own dataset (USING or WITH) and the request gives using-graph-uri or using-named-graph-uri
    """
    if not using and not using_named:
        return update
    for graph in using + using_named:
        if not _IRI_TEXT.fullmatch(graph):
            raise ProtocolError(400, f"using-graph-uri {graph!r} is not an IRI")
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    depth, inserts, previous = 0, [], None
    for m in _TOKEN.finditer(update):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            word = m.group().upper()
            if word in ("USING", "WITH"):
                raise ProtocolError(400, "the update names its own dataset (USING or WITH) and the request gives "
                                         "using-graph-uri or using-named-graph-uri")
            if word == "WHERE" and previous != "DELETE":
                inserts.append(m.start())
            previous = word
    for pos in reversed(inserts):
        update = update[:pos] + clause + update[pos:]
    return update


# -- service description ----------------------------------------------------------------------

def service_description(endpoint_url: str, updates: bool = False) -> Graph:
    """An ``sd:Service`` describing the endpoint at ``endpoint_url`` (SPARQL Update listed only
    when ``updates`` are switched on)."""
    g = Graph()
    g.bind("sd", SD)
    service, dataset, default = URIRef(endpoint_url + "#service"), BNode(), BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint_url)))
    for lang in ("SPARQL11Query", "SPARQL11Update") if updates else ("SPARQL11Query",):
        g.add((service, SD.supportedLanguage, SD[lang]))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for media in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values") + tuple(f.media_type for f in RDF_FORMATS):
        g.add((service, SD.resultFormat, Literal(media)))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    return g


# -- the endpoint -----------------------------------------------------------------------------

STATUS_FOR_ERROR = {"syntax": 400, "not_acceptable": 406, "too_large": 400, "failed": 500}


async def sparql_endpoint(request: Request) -> Response:
    """``/sparql``: run one protocol operation through the worker pool."""
    state = request.app.state
    config, pool, urls = state.config, state.pool, state.urls
    accept = request.headers.get("accept")
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=preflight_headers(request.headers.get("access-control-request-headers")))
    try:
        op = await parse_operation(request, config.max_request_bytes)
    except ProtocolError as exc:
        return error_response(exc.status, exc.message, hint=exc.hint, accept=accept, headers=exc.headers)
    if op is None:
        fmt = rdf_format_for(accept) or RDF_FORMATS[0]
        graph = service_description(urls.absolute("/sparql", str(request.base_url)), config.allow_update)
        body = graph_body(graph, fmt)
        return Response(body, media_type=fmt.media_type, headers={**CORS_HEADERS, "Vary": "Accept"})
    base_iri = urls.absolute("/sparql", str(request.base_url))
    cache = state.result_cache
    if op.kind == "query":
        rdf = rdf_format_for(accept)
        result_format = result_format_for(accept)
        key = cache.key(op.text, base_iri, op.default_graphs, op.named_graphs,
                        (result_format, rdf.media_type if rdf else None))
        # before the check: only texts that passed it were kept
        cached = _from_cache(request, cache, key) if cache.enabled else None
        if cached is not None:
            return cached
    if op.kind == "update":
        refusal = _update_refusal(request, config)
        if refusal is not None:
            return refusal
    try:
        # in a thread: parsing a long text takes a while, and the event loop serves the others
        checked, text = await run_in_threadpool(checked_operation, op, base_iri)
    except QueryError as exc:
        return error_response(400, exc.message, accept=accept)
    except ProtocolError as exc:
        return error_response(exc.status, exc.message, hint=exc.hint, accept=accept)
    try:
        if op.kind == "update":
            try:
                reply = await pool.update({"op": "update", "update": text, "base_iri": base_iri})
            finally:
                # a failed or killed update leaves the store as it was, but a dead writer might
                # not have: every update that reached the pool starts a new generation
                new_generation(state)
        else:
            default_graphs, named_graphs = dataset(op, checked)
            job = {"op": "query", "query": op.text, "base_iri": base_iri, "default_graphs": default_graphs,
                   "named_graphs": named_graphs, "result_format": result_format,
                   "rdf_media_type": rdf.media_type if rdf else None, "prefixes": PREFIXES,
                   "row_cap": config.row_cap, "byte_cap": config.byte_cap}
            reply = await pool.run(job, client=request.client.host if request.client else None)
    except ProtocolError as exc:
        return error_response(exc.status, exc.message, hint=exc.hint, accept=accept)
    except Overloaded as exc:
        return error_response(503, exc.message, hint=exc.hint, accept=accept,
                              headers={"Retry-After": str(exc.retry_after)})
    except QueryStopped as exc:  # over its time or memory limit: retrying the same query will not help
        return error_response(503, exc.message, hint=exc.hint, accept=accept)
    except StoreError as exc:
        return error_response(503, exc.message, hint=exc.hint, accept=accept)
    if not reply["ok"]:
        message = reply["message"]
        if reply["error"] == "syntax":
            message = syntax_message(checked, message)
        return error_response(STATUS_FOR_ERROR[reply["error"]], message, accept=accept)
    headers = {**CORS_HEADERS, "Vary": "Accept"}
    if reply.get("truncated"):
        headers["X-Pvd-Kg-Truncated"] = f"rows capped at {config.row_cap}"
    if op.kind == "update":
        return Response(status_code=204, headers=headers)
    headers["X-Cache"] = "miss"
    if cache.enabled and not reply.get("truncated") and deterministic(op.text):
        cache.put(key, reply["body"], reply["media_type"])
        if request.method == "GET":
            headers["ETag"] = cache.etag(key)
    return Response(reply["body"], media_type=reply["media_type"], headers=headers)


def checked_operation(op: Operation, base_iri: str):
    """The library's one check of the operation (no SERVICE, no LOAD: the endpoint never makes
    requests of its own), and the text to run (an update with the protocol's USING clauses).

    :raises QueryError: refused or not SPARQL; :raises ProtocolError: a bad using-graph-uri."""
    checked = check(op.text, updates=op.kind == "update", base=base_iri)
    text = with_using(op.text, op.using, op.using_named) if op.kind == "update" else op.text
    if text != op.text:
        check(text, updates=True, base=base_iri)
    return checked, text


def dataset(op: Operation, checked) -> tuple[list[str] | None, list[str] | None]:
    """The graphs a query runs over (None, None: the union of the stored graphs, every named
    graph). The protocol's ``default-graph-uri`` / ``named-graph-uri`` win over the query's
    ``FROM`` / ``FROM NAMED`` (SPARQL 1.1 Protocol, 2.1.4); a part left out of either is empty."""
    if op.default_graphs is not None or op.named_graphs is not None:
        return op.default_graphs or [], op.named_graphs or []
    if checked.has_dataset:
        return list(checked.default_graphs), list(checked.named_graphs)
    return None, None


def _from_cache(request: Request, cache, key: tuple) -> Response | None:
    """The answer for ``key`` without running the query: 304 when a GET's ``If-None-Match``
    names its ETag, the kept body on a hit, else None. ETags are given on GET only (a POST
    with a matching precondition would need 412, so POST answers carry none). Only answers of
    deterministic queries are kept or tagged, so the lookup needs no :func:`deterministic`."""
    headers = {**CORS_HEADERS, "Vary": "Accept", "X-Cache": "hit"}
    if request.method == "GET":
        headers["ETag"] = etag = cache.etag(key)
        if etag_matches(request.headers.get("if-none-match"), etag) and deterministic(key[1]):
            cache.hits += 1
            return Response(status_code=304, headers=headers)
    answer = cache.get(key)
    if answer is None:
        return None
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def etag_matches(header: str | None, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` with ``etag`` (RFC 9110, 13.1.2).

    >>> etag_matches('"a", W/"b"', '"b"')
    True
    >>> etag_matches("*", 'W/"x"'), etag_matches(None, 'W/"x"'), etag_matches('"c"', 'W/"x"')
    (True, False, False)
    """
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _update_refusal(request: Request, config) -> Response | None:
    accept = request.headers.get("accept")
    if not config.allow_update:
        return error_response(403, "updates are switched off on this endpoint",
                              hint="start the server with --allow-update --update-token TOKEN", accept=accept)
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), config.update_token.encode()):
        return error_response(401, "updates need the server's token", hint="send Authorization: Bearer TOKEN",
                              accept=accept, headers={"WWW-Authenticate": 'Bearer realm="pvd-kg"'})
    return None
