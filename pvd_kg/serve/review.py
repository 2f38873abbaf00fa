"""The review page of ``pvd-kg extract`` (``/review``): paste or upload an article, see each
evidence span highlighted beside the candidate statements, accept, reject or correct them, and
save the accepted graph: loaded into the store when the server allows updates and the request
carries its token, a TriG download otherwise.

The page never fetches a URL on the server's behalf (the URL field only names the source); the
article is the request body, under the same size cap as the command (``--max-bytes`` default,
``$PVD_KG_EXTRACT_MAX_BYTES``)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import InputError
from .responses import error_response


async def review_page(request: Request) -> Response:
    from ..extract.inputs import max_bytes
    from .pages import render

    return render(request, "review.html", {"allow_update": request.app.state.config.allow_update,
                                           "max_bytes": max_bytes()})


def _day(value: str | None) -> str | None:
    import re

    if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InputError("published: write it YYYY-MM-DD")
    return value or None


async def review_extract(request: Request) -> Response:
    """POST the article (plain text or HTML, UTF-8) as the body; ``url``, ``title``,
    ``published`` as query parameters. Answers the JSON of ``pvd-kg extract``."""
    from starlette.concurrency import run_in_threadpool

    from ..extract import extract_document
    from ..extract.inputs import decode, document_from_text, max_bytes

    accept = request.headers.get("accept")
    cap = max_bytes()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            return error_response(413, f"article over the size cap of {cap} bytes", accept=accept)
    params = request.query_params
    try:
        text = decode(body, "article", cap)
        doc = document_from_text(text, params.get("file") or None)
        out = await run_in_threadpool(extract_document, doc, url=params.get("url") or None,
                                      title=params.get("title") or None, published=_day(params.get("published")))
    except InputError as exc:
        return error_response(400, exc.message, hint=exc.hint, accept=accept)
    return JSONResponse(out)


def insert_data(ds) -> str:
    """A SPARQL ``INSERT DATA`` of every quad of ``ds``, grouped by named graph."""
    graphs: dict = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        graphs.setdefault(g, []).append(f"{s.n3()} {p.n3()} {o.n3()} .")
    blocks = [f"GRAPH {g.n3()} {{\n" + "\n".join(lines) + "\n}" for g, lines in graphs.items() if g is not None]
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


async def review_apply(request: Request) -> Response:
    """POST the reviewed JSON. With ``Authorization: Bearer TOKEN`` (and a server started with
    ``--allow-update``), the accepted graph is loaded into the store; without it, it is returned
    as a TriG download."""
    from ..extract.rdf import serialize, to_dataset
    from ..extract.review import accepted_counts
    from ..extract.schema import problems
    from .app import new_generation
    from .sparql_protocol import _update_refusal

    accept = request.headers.get("accept")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "the review is not JSON", accept=accept)
    docs = body if isinstance(body, list) else [body]
    for doc in docs:
        found = problems(doc) if isinstance(doc, dict) else ["not an object"]
        if found:
            return error_response(400, f"the review breaks the contract: {found[0]}", accept=accept)
    events, people = accepted_counts(docs)
    if not events:
        return error_response(400, 'no event has "accepted": true; nothing to save', accept=accept)
    if request.headers.get("authorization"):
        refusal = _update_refusal(request, request.app.state.config)
        if refusal is not None:
            return refusal
        ds = to_dataset(docs, accepted_only=True)
        try:
            await request.app.state.pool.update({"op": "update", "update": insert_data(ds), "base_iri": None})
        finally:
            new_generation(request.app.state)
        return JSONResponse({"ok": True, "loaded": True, "events": events, "people": people, "quads": len(ds)})
    return Response(serialize(docs, "trig", accepted_only=True), media_type="application/trig",
                    headers={"Content-Disposition": 'attachment; filename="accepted.trig"'})


def routes() -> list[Route]:
    return [Route("/review", review_page), Route("/review/extract", review_extract, methods=["POST"]),
            Route("/review/apply", review_apply, methods=["POST"])]
