"""The analysis views on the web: networks as node-link JSON (drawn in the browser), GraphML, GEXF
and PNG; metric tables as JSON and CSV; the timeline and département charts as PNG; and the
``/analysis`` page that shows them all.

Every artefact is computed by a query worker (:mod:`.analysis_jobs`), once per store generation:
it is cached in ``app.state.cache`` until an update bumps ``app.state.generation``. One lock per
artefact makes concurrent first requests share one computation.
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..analysis.metrics import METRICS
from ..analysis.networks import NETWORKS
from ..vocab import BASE
from .analysis_jobs import CHART_KINDS, NETWORK_MEDIA_TYPES
from .pages import render
from .responses import CORS_HEADERS, error_response

METRIC_FORMATS = ("json", "csv")
PAGE_ROWS = 10  # rows of each metric shown on the page; the JSON and CSV have them all
ANALYSIS_TIMEOUT = 300.0  # seconds: the whole programme's networks take a while on a busy machine
NETWORK_TITLES = {
    "signing": "Signatures : qui a signé quoi, pour qui",
    "cosignature": "Co-signature : acteurs présents aux mêmes signatures",
    "hierarchy": "Hiérarchie territoriale : commune → EPCI → département → région",
    "programmes": "Communes et programmes (PVD, ACV, ORT)",
    "programmes-projection": "Programmes liés par leurs communes communes",
}


class AnalysisUnavailable(Exception):
    """A worker could not compute an artefact; ``status`` and ``message`` say why."""

    def __init__(self, status: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


async def artefact(app, key: tuple, job: dict) -> tuple[bytes, str]:
    """The bytes and media type of one artefact, from the cache or computed by a worker.

    :param key: what names the artefact within a store generation.
    :raises AnalysisUnavailable: the worker refused the job (404: it names nothing in the store).
    :raises QueryTimeout: past :data:`ANALYSIS_TIMEOUT` (the worker was stopped).
    """
    cache = app.state.cache
    full = ("analysis", app.state.generation, *key)
    if full in cache:
        return cache[full]
    locks = cache.setdefault("analysis-locks", {})
    try:
        async with locks.setdefault(full, asyncio.Lock()):
            if full not in cache:
                reply = await app.state.pool.run({"op": "analysis", **job},
                                                 timeout=max(app.state.config.timeout, ANALYSIS_TIMEOUT))
                if not reply["ok"]:
                    status = 404 if reply.get("error") == "input" else 500
                    raise AnalysisUnavailable(status, reply["message"], reply.get("hint"))
                for old in [k for k in cache if isinstance(k, tuple) and k[:1] == ("analysis",) and k[1] != full[1]]:
                    del cache[old]  # a previous generation's artefacts
                cache[full] = (reply["body"], reply["media_type"])
    finally:
        locks.pop(full, None)
    return cache[full]


async def metric_document(app, name: str) -> dict:
    """A metric table as its JSON document (``metric``, ``columns``, ``rows``, ``note``?)."""
    body, _ = await artefact(app, ("metric", name), {"what": "metric", "name": name})
    return json.loads(body)


def _csv(doc: dict) -> str:
    from ..analysis.common import Table

    return Table(doc["metric"], doc["columns"], doc["rows"], doc.get("note")).to_csv()


def _not_found(request: Request, what: str, known) -> Response:
    return error_response(404, f"no {what}", hint="one of: " + ", ".join(known), accept=request.headers.get("accept"))


def _refused(request: Request, exc: AnalysisUnavailable) -> Response:
    return error_response(exc.status, exc.message, hint=exc.hint, accept=request.headers.get("accept"))


async def network(request: Request) -> Response:
    """``/analysis/network/{kind}.{json,png,graphml,gexf}``; ``?signing=IRI`` narrows the signing network."""
    kind, ext = request.path_params["kind"], request.path_params["ext"]
    if kind not in NETWORKS:
        return _not_found(request, f"network {kind!r}", NETWORKS)
    if ext not in NETWORK_MEDIA_TYPES:
        return _not_found(request, f"network format {ext!r}", NETWORK_MEDIA_TYPES)
    signing = request.query_params.get("signing") or None
    if signing is not None and kind != "signing":
        return error_response(400, "the signing parameter only applies to the signing network",
                              accept=request.headers.get("accept"))
    try:
        body, media_type = await artefact(request.app, ("network", kind, ext, signing),
                                          {"what": "network", "kind": kind, "format": ext, "signing": signing})
    except AnalysisUnavailable as exc:
        return _refused(request, exc)
    return Response(body, media_type=media_type, headers=CORS_HEADERS)


async def metric(request: Request) -> Response:
    """``/analysis/metrics/{name}.{json,csv}``: the whole table."""
    name, ext = request.path_params["name"], request.path_params["ext"]
    if name not in METRICS:
        return _not_found(request, f"metric {name!r}", METRICS)
    if ext not in METRIC_FORMATS:
        return _not_found(request, f"metric format {ext!r}", METRIC_FORMATS)
    try:
        doc = await metric_document(request.app, name)
    except AnalysisUnavailable as exc:
        return _refused(request, exc)
    if ext == "csv":
        return Response(_csv(doc), media_type="text/csv; charset=utf-8", headers=CORS_HEADERS)
    return Response(json.dumps(doc, ensure_ascii=False, indent=2), media_type="application/json",
                    headers=CORS_HEADERS)


async def chart(request: Request) -> Response:
    """``/analysis/chart/{timeline,map}.png``."""
    kind = request.path_params["kind"]
    if kind not in CHART_KINDS:
        return _not_found(request, f"chart {kind!r}", CHART_KINDS)
    try:
        body, media_type = await artefact(request.app, ("chart", kind), {"what": "chart", "kind": kind})
    except AnalysisUnavailable as exc:
        return _refused(request, exc)
    return Response(body, media_type=media_type, headers=CORS_HEADERS)


def _cell(urls, value) -> dict:
    """A metric cell for the page: ``text``, ``num`` (right-aligned) and ``href`` (an IRI of ours,
    shown without the base).

    >>> from .urls import Urls
    >>> c = _cell(Urls(None), "https://w3id.org/pvd-kg/id/epci/246200299")
    >>> c["href"], c["text"]
    ('/id/epci/246200299', 'id/epci/246200299')
    >>> _cell(Urls(None), 0.123456)["text"]
    '0.1235'
    """
    if isinstance(value, float):
        return {"text": f"{value:.4f}", "num": True}
    if isinstance(value, (int, bool)):
        return {"text": str(value), "num": True}
    text = "" if value is None else str(value)
    if text.startswith(BASE):  # one of our IRIs: a short link to its page
        return {"text": text[len(BASE):], "num": False, "href": urls.href(text), "iri": True}
    return {"text": text, "num": False, "href": None}


async def analysis_page(request: Request) -> Response:
    """``/analysis``: links to every view, the pictures, the head of each metric table, and a
    network drawn in the browser from its JSON."""
    urls = request.app.state.urls
    docs = await asyncio.gather(*(metric_document(request.app, n) for n in METRICS), return_exceptions=True)
    metrics = []
    for name, doc in zip(METRICS, docs):
        if isinstance(doc, BaseException):
            metrics.append({"name": name, "error": getattr(doc, "message", None) or str(doc) or "failed"})
            continue
        rows = [[_cell(urls, r.get(c)) for c in doc["columns"]] for r in doc["rows"][:PAGE_ROWS]]
        metrics.append({"name": name, "columns": doc["columns"], "rows": rows, "total": len(doc["rows"]),
                        "note": doc.get("note")})
    networks = [{"kind": k, "title": NETWORK_TITLES.get(k, k)} for k in NETWORKS]
    return render(request, "analysis.html", {"metrics": metrics, "networks": networks, "charts": CHART_KINDS,
                                             "network_formats": list(NETWORK_MEDIA_TYPES),
                                             "metric_formats": METRIC_FORMATS, "iri_base": BASE,
                                             "site_root": urls.url("/")})


def routes() -> list[Route]:
    return [
        Route("/analysis", analysis_page),
        Route("/analysis/network/{kind}.{ext}", network),
        Route("/analysis/metrics/{name}.{ext}", metric),
        Route("/analysis/chart/{kind}.png", chart),
    ]
