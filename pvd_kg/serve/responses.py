"""The one helper that builds every error response, and the CORS headers every response carries."""

from __future__ import annotations

import json
import re

from starlette.responses import Response

from .negotiation import choose

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, If-None-Match",
    "Access-Control-Expose-Headers": "Content-Location, ETag, Link, Vary, X-Cache, X-Pvd-Kg-Truncated",
    "Access-Control-Max-Age": "86400",
}

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110, 5.6.2)

# a graph of triples asked for in a quad format: N-Triples is N-Quads, Turtle is TriG (default graph)
_TRIPLES_AS = {"nquads": "nt", "trig": "turtle"}


def graph_body(graph, fmt) -> bytes:
    """An rdflib graph of triples in ``fmt`` (a :class:`pvd_kg.formats.RdfFormat`); in a quad
    format its triples are the default graph."""
    return graph.serialize(format=_TRIPLES_AS.get(fmt.name, fmt.rdflib_name), encoding="utf-8")


def preflight_headers(requested: str | None) -> dict:
    """CORS headers of a preflight: the fixed list plus the request headers the browser asks
    for (``Access-Control-Request-Headers``), those that are well-formed header names."""
    headers = dict(CORS_HEADERS)
    allowed = [h.strip() for h in CORS_HEADERS["Access-Control-Allow-Headers"].split(",")]
    known = {h.lower() for h in allowed}
    names = [h.strip() for h in (requested or "").split(",") if h.strip()]
    if all(_HEADER_NAME.match(n) for n in names):
        allowed += [n for n in names if n.lower() not in known]
    headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
    return headers


_POSITION = re.compile(r"error at (\d+):(\d+)|at line (\d+), column (\d+)")


def error_payload(status: int, message: str, hint: str | None = None) -> dict:
    """The shape of every error: ``{"ok": false, "status", "error", "hint"?, "line"?, "column"?}``.
    A SPARQL syntax message's ``error at L:C`` (Oxigraph) or ``at line L, column C`` (the check)
    becomes ``line`` and ``column``.

    >>> error_payload(400, "SPARQL syntax error: error at 1:6: expected ...")["column"]
    6
    >>> error_payload(400, "SPARQL syntax error at line 2, column 3, before ')'")["line"]
    2
    """
    payload: dict = {"ok": False, "status": status, "error": message}
    if hint:
        payload["hint"] = hint
    m = _POSITION.search(message)
    if m:
        line, column = (g for g in m.groups() if g is not None)
        payload["line"], payload["column"] = int(line), int(column)
    return payload


def error_response(status: int, message: str, *, hint: str | None = None, accept: str | None = None,
                   headers: dict | None = None) -> Response:
    """An error as JSON (when the client takes JSON or SPARQL JSON results) or as one text line.

    :param accept: the request's Accept header.
    """
    payload = error_payload(status, message, hint)
    all_headers = dict(CORS_HEADERS)
    if status == 406:  # another Accept would get another answer
        all_headers["Vary"] = "Accept"
    all_headers.update(headers or {})
    wants = choose(accept, ["text/plain", "application/json", "application/sparql-results+json", "text/html"])
    if wants in ("application/json", "application/sparql-results+json"):
        return Response(json.dumps(payload, ensure_ascii=False) + "\n", status_code=status,
                        media_type="application/json", headers=all_headers)
    text = f"{status} {message}"
    if "line" in payload:
        text += f" (line {payload['line']}, column {payload['column']})"
    if hint:
        text += f"\nhint: {hint}"
    return Response(text + "\n", status_code=status, media_type="text/plain; charset=utf-8", headers=all_headers)
