"""The web interface's own pages (home, query, programme map) and the dataset's descriptions
(VoID + DCAT at ``/.well-known/void``) and dumps (``/dumps/pvd-kg.nq`` ...)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..formats import rdf_format
from ..vocab import BASE, PREFIXES, PVD
from . import data, geo
from .negotiation import rdf_format_for
from .responses import CORS_HEADERS, error_response, graph_body

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
DUMP_FORMATS = ("nq", "trig", "jsonld")  # quad formats: the named graphs are kept
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")


def render(request: Request, template: str, context: dict, headers: dict | None = None,
           status_code: int = 200) -> HTMLResponse:
    """A page from ``templates/``; every template gets ``urls`` (the one URL builder)."""
    context = {"urls": request.app.state.urls, **context}
    return TEMPLATES.TemplateResponse(request, template, context, headers=headers, status_code=status_code)


async def figures(app) -> dict:
    """Dataset figures (cached until the next update)."""
    key = ("figures", app.state.generation)
    if key not in app.state.cache:
        counts = {r["what"]["value"]: int(r["n"]["value"]) for r in await data.select(app, data.FIGURES_QUERY)}
        graphs = [(r["g"]["value"], int(r["n"]["value"])) for r in await data.select(app, data.GRAPHS_QUERY)]
        # void:triples is "the total number of triples contained in the dataset": a triple held
        # by two graphs counts once (each graph's own count is its subset's void:triples)
        triples = int((await data.select(app, data.DISTINCT_TRIPLES_QUERY))[0]["n"]["value"])
        app.state.cache[key] = {"counts": counts, "graphs": graphs, "triples": triples}
    return app.state.cache[key]


async def home(request: Request) -> Response:
    return render(request, "home.html", {"figures": await figures(request.app), "dumps": DUMP_FORMATS})


def catalog_examples() -> list[dict]:
    """The query catalog as ready examples: name, title, description and runnable text."""
    from .. import queries

    out = []
    for q in queries.catalog():
        try:
            text = queries.render(q)
        except Exception:  # a required parameter without default: show the text as written
            text = queries.with_prologue(q.text)
        out.append({"name": q.name, "title": q.title, "description": q.description, "query": text,
                    "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description,
                                "optional": p.optional} for p in q.params]})
    return out


async def query_page(request: Request) -> Response:
    examples = catalog_examples()
    urls = request.app.state.urls
    config = {"examples": examples, "base": BASE, "root": urls.url(""), "communes": urls.communes_geojson(),
              "render": urls.url("/query/catalog/")}
    return render(request, "query.html", {"examples": examples, "config": config})


async def catalog_query_text(request: Request) -> Response:
    """``/query/catalog/{name}?PARAM=VALUE...``: the catalog question with these parameter values
    (defaults for the others), as the SPARQL text the CLI would run; a bad value is a 400 naming it."""
    from .. import queries
    from ..errors import PvdKgError

    accept = request.headers.get("accept")
    try:
        q = queries.get(request.path_params["name"])
        text = queries.render(q, {k: v for k, v in request.query_params.items() if v.strip()})
    except PvdKgError as exc:
        return error_response(404 if isinstance(exc, queries.UnknownQuery) else 400, exc.message,
                              hint=exc.hint, accept=accept)
    return Response(text, media_type="application/sparql-query; charset=utf-8", headers=CORS_HEADERS)


async def map_page(request: Request) -> Response:
    return render(request, "map.html", {})


async def communes_collection(app) -> str:
    """Every PVD commune as a GeoJSON point with its région and département (cached until the
    next update)."""
    urls = app.state.urls
    key = ("communes-geojson", app.state.generation)
    cache = app.state.cache
    if key not in cache:
        features, seen = [], set()
        for r in await data.select(app, data.PROGRAMME_COMMUNES_QUERY):
            v = {k: t["value"] for k, t in r.items()}
            if v["code"] in seen:
                continue
            seen.add(v["code"])
            point = geo.point_for(v["code"], v.get("depcode"))
            if point is None:
                continue
            inset = geo.on_inset(point[0], point[1], v.get("depcode"))  # drawn on the overseas insets
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": list(inset or point[:2])},
                             "properties": {"code": v["code"], "label": v.get("label", v["code"]),
                                            "href": urls.document(v["c"], "html"),
                                            "departement": v.get("depcode"), "departement_label": v.get("deplabel"),
                                            "region": v.get("regcode"), "region_label": v.get("reglabel"),
                                            "point_from": point[2], "inset": inset is not None}})
        cache[key] = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return cache[key]


async def communes_geojson(request: Request) -> Response:
    return Response(await communes_collection(request.app), media_type="application/geo+json", headers=CORS_HEADERS)


async def void_description(request: Request) -> Response:
    """VoID and DCAT description of the dataset, in the RDF format asked for (Turtle by default)."""
    urls, app = request.app.state.urls, request.app
    accept = request.headers.get("accept")
    fmt = rdf_format_for(accept)
    if fmt is None:
        return error_response(406, "the dataset description is RDF", accept=accept)
    base = str(request.base_url)
    ds = URIRef(urls.absolute("/.well-known/void", base) + "#dataset")
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    fig = await figures(app)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("Petites villes de demain : graphe de connaissances", lang="fr")))
    g.add((ds, DCTERMS.title, Literal("Small Towns of Tomorrow knowledge graph", lang="en")))
    g.add((ds, DCTERMS.license, LICENCE))
    g.add((ds, VOID.uriSpace, Literal(BASE + "id/")))
    g.add((ds, VOID.vocabulary, URIRef(str(PVD))))
    g.add((ds, VOID.triples, Literal(fig["triples"], datatype=XSD.integer)))
    sparql = URIRef(urls.absolute("/sparql", base))
    g.add((ds, VOID.sparqlEndpoint, sparql))
    service = BNode()
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, sparql))
    g.add((service, DCAT.servesDataset, ds))
    for ext in DUMP_FORMATS:
        f = rdf_format(ext)
        dump = URIRef(urls.absolute(f"/dumps/pvd-kg.{ext}", base))
        g.add((ds, VOID.dataDump, dump))
        dist = BNode()
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dump))
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + f.media_type)))
        g.add((dist, DCTERMS.license, LICENCE))
    for graph_iri, n in fig["graphs"]:
        subset = URIRef(graph_iri)
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(n, datatype=XSD.integer)))
    return Response(graph_body(g, fmt), media_type=fmt.media_type,
                    headers={**CORS_HEADERS, "Vary": "Accept"})


async def dump(request: Request) -> Response:
    """``/dumps/pvd-kg.{nq,trig,jsonld}``: the whole store, written by a worker, then streamed."""
    ext = request.path_params["ext"]
    if ext not in DUMP_FORMATS:
        return error_response(404, f"no dump in format {ext!r}", hint="one of " + ", ".join(DUMP_FORMATS),
                              accept=request.headers.get("accept"))
    app = request.app
    fmt = rdf_format(ext)
    path = app.state.cache_dir / f"pvd-kg-{app.state.generation}.{ext}"
    locks = app.state.cache.setdefault("dump-locks", {})
    async with locks.setdefault(ext, asyncio.Lock()):
        if not path.exists():
            tmp = path.with_suffix(".part")
            reply = await app.state.pool.run({"op": "dump", "path": str(tmp), "media_type": fmt.media_type,
                                              "prefixes": PREFIXES}, timeout=max(app.state.config.timeout, 300))
            if not reply["ok"]:
                return error_response(500, f"the dump failed: {reply['message']}")
            tmp.rename(path)
    return FileResponse(path, media_type=fmt.media_type, filename=f"pvd-kg.{ext}", headers=CORS_HEADERS)


async def dumps_index(request: Request) -> Response:
    """``/dumps/``: the dump URLs, one a line."""
    urls = request.app.state.urls
    return Response("".join(urls.dump(e) + "\n" for e in DUMP_FORMATS), media_type="text/plain; charset=utf-8",
                    headers=CORS_HEADERS)


async def status(request: Request) -> Response:
    """``/status``: the worker pool's process ids and counters, and the result cache's, as JSON."""
    state = request.app.state
    return Response(json.dumps({"ok": True, **state.pool.status(), "result_cache": state.result_cache.status(),
                                  "store_watch": state.store_watch.status()}),
                    media_type="application/json",
                    headers=CORS_HEADERS)


def routes() -> list[Route]:
    return [
        Route("/status", status),
        Route("/", home),
        Route("/query", query_page),
        Route("/query/catalog/{name}", catalog_query_text),
        Route("/map", map_page),
        Route("/map/communes.geojson", communes_geojson),
        Route("/.well-known/void", void_description),
        Route("/dumps/", dumps_index),
        Route("/dumps/pvd-kg.{ext}", dump),
    ]

