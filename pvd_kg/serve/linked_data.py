"""Dereferenceable IRIs: ``/id/...`` and ``/graph/...`` (303 See Other to a document chosen by
Accept, documents by suffix: ``.html``, ``.ttl``, ``.jsonld``, ``.nt``, ...) and the ontology at
``/def`` (200 with ``Content-Location`` and ``Vary: Accept``; HTML made by pyLODE)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import paths
from ..formats import RDF_FORMATS
from ..vocab import ONTOLOGY_IRI, PREFIXES
from . import data, geo, ontology_page
from .negotiation import HTML, choose
from .pages import render
from .responses import CORS_HEADERS, error_response
from .urls import DOCUMENT_SUFFIXES, HTML_SUFFIX, Urls

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
COMMUNE_CLASS = "https://w3id.org/pvd-kg/def#Commune"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
ID_BASE = "https://w3id.org/pvd-kg/id/"
OFFERED = [HTML] + [f.media_type for f in RDF_FORMATS] + ["application/json"]


def _ext_for(accept: str | None) -> str | None:
    media = choose(accept, OFFERED)
    if media is None:
        return None
    if media == HTML:
        return HTML_SUFFIX
    if media == "application/json":
        return "jsonld"
    return next(f.extension for f in RDF_FORMATS if media in f.media_types)


def compact(iri: str) -> str:
    """``pvd:Commune`` for a known namespace, else the IRI.

    >>> compact("https://w3id.org/pvd-kg/def#Commune")
    'pvd:Commune'
    """
    best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
    if best and "/" not in iri[len(best[1]):] and "#" not in iri[len(best[1]):]:
        return f"{best[0]}:{iri[len(best[1]):]}"
    return iri


async def resource(request: Request) -> Response:
    """A resource under ``/id/`` or ``/graph/``."""
    urls: Urls = request.app.state.urls
    accept = request.headers.get("accept")
    stem, ext = Urls.split_suffix(request.url.path)
    iri = Urls.iri_for_path(stem)
    merged = await _merged_into(request.app, iri)
    if merged is not None:
        # an IRI retired when acts were merged (docs/decisions/0005-acts-and-membership.md)
        target = urls.document(merged, ext) if ext else urls.href(merged)
        return RedirectResponse(target, status_code=301, headers={**CORS_HEADERS, "Vary": "Accept"})
    if ext is None:
        ext = _ext_for(accept)
        if ext is None:
            return error_response(406, "no acceptable representation",
                                  hint="text/html, " + ", ".join(f.media_type for f in RDF_FORMATS), accept=accept)
        if not await _exists(request.app, iri):
            return error_response(404, f"nothing is known about {iri}", accept=accept)
        return RedirectResponse(urls.document(iri, ext), status_code=303, headers={**CORS_HEADERS, "Vary": "Accept"})
    if ext == HTML_SUFFIX:
        return await _page(request, iri)
    fmt = DOCUMENT_SUFFIXES[ext]
    # N-Quads and TriG name each statement's graph; JSON-LD stays one plain graph for its readers
    body, count = await _rdf(request.app, data.resource_rdf_query(iri), fmt.media_type,
                             with_graphs=fmt.name in ("nquads", "trig"))
    if count == 0 and not await _exists(request.app, iri):
        return error_response(404, f"nothing is known about {iri}", accept=accept)
    return Response(body, media_type=fmt.media_type, headers={**CORS_HEADERS, "Link": _alternates(urls, iri)})


async def _rdf(app, query: str, media_type: str, with_graphs: bool = False) -> tuple[bytes, int]:
    """A CONSTRUCT's answer; ``with_graphs``: in a quad format, each statement in its graph(s)."""
    config = app.state.config
    reply = await app.state.pool.run({"op": "query", "query": data.sparql_prologue() + query, "result_format": None,
                                      "rdf_media_type": media_type, "prefixes": PREFIXES, "with_graphs": with_graphs,
                                      "row_cap": config.row_cap, "byte_cap": config.byte_cap})
    if not reply["ok"]:
        raise data.QueryError(reply["message"])
    return reply["body"], reply["rows"]


async def _exists(app, iri: str) -> bool:
    rows = await data.select(app, f"SELECT ?x WHERE {{ {{ {data.iri_term(iri)} ?p ?x }} UNION {{ ?x ?p {data.iri_term(iri)} }} }} LIMIT 1")
    return bool(rows)


async def _merged_into(app, iri: str) -> str | None:
    """The act an old IRI now names: the IRI has an ``owl:sameAs`` under the base and no type of
    its own (a retired alias, not a node that merely links out), else None."""
    rows = await data.select(app, f"SELECT ?new WHERE {{ {data.iri_term(iri)} <{OWL_SAME_AS}> ?new "
                                  f"FILTER (isIRI(?new) && STRSTARTS(STR(?new), \"{ID_BASE}\")) "
                                  f"FILTER NOT EXISTS {{ {data.iri_term(iri)} a ?type }} }} LIMIT 1")
    return str(rows[0]["new"]["value"]) if rows else None


def _alternates(urls: Urls, iri: str) -> str:
    links = [f'<{urls.document(iri, HTML_SUFFIX)}>; rel="alternate"; type="text/html"']
    links += [f'<{urls.document(iri, f.extension)}>; rel="alternate"; type="{f.media_type}"' for f in RDF_FORMATS]
    return ", ".join(links)


def _value(term: dict, label: str | None, urls: Urls) -> dict:
    if term["type"] == "uri":
        return {"iri": term["value"], "href": urls.href(term["value"]), "label": label or compact(term["value"])}
    if term["type"] == "bnode":
        return {"text": "_:" + term["value"]}
    dt = term.get("datatype")
    return {"text": term["value"], "lang": term.get("xml:lang"), "datatype": compact(dt) if dt else None}


def _group(rows: list[dict], urls: Urls) -> list[dict]:
    """Rows of (p, o, labels) -> one entry per property with its distinct values."""
    props: dict[str, dict] = {}
    for row in rows:
        p = row["p"]["value"]
        entry = props.setdefault(p, {"iri": p, "href": urls.href(p), "labels": [], "values": {}, "graphs": set()})
        if "plabel" in row:
            entry["labels"].append(row["plabel"])
        if "g" in row:
            entry["graphs"].add(row["g"]["value"])
        key = (row["o"]["type"], row["o"]["value"], row["o"].get("xml:lang"))
        value = entry["values"].setdefault(key, {"term": row["o"], "labels": []})
        if "olabel" in row:
            value["labels"].append(row["olabel"])
    out = []
    for p, entry in props.items():
        values = [_value(v["term"], data.pick_label(v["labels"]), urls) for v in entry["values"].values()]
        values.sort(key=lambda v: (v.get("label") or v.get("text") or ""))
        out.append({"iri": p, "href": entry["href"], "label": data.pick_label(entry["labels"]) or compact(p),
                    "objects": values, "graphs": sorted(entry["graphs"])})
    out.sort(key=lambda e: (e["iri"] != RDF_TYPE, e["label"]))
    return out


async def _page(request: Request, iri: str) -> Response:
    app, urls = request.app, request.app.state.urls
    rows = await data.select(app, data.describe_query(iri))
    if not rows:
        return error_response(404, f"nothing is known about {iri}", accept=request.headers.get("accept"))
    out = [r for r in rows if r["dir"]["value"] == "out"]
    inbound = [r for r in rows if r["dir"]["value"] == "in"]
    sources = {}
    for r in rows:
        if r["dir"]["value"] == "src":
            s = sources.setdefault(r["o"]["value"], {"iri": r["o"]["value"], "href": urls.href(r["o"]["value"])})
            for k in ("quote", "line", "doc", "doclabel"):
                if k in r:
                    s[k] = r[k]["value"]
            if "doc" in s:
                s["dochref"] = urls.href(s["doc"])
    labels = [r["o"] for r in out if r["p"]["value"] in data.LABEL_PROPS]
    types = [r["o"]["value"] for r in out if r["p"]["value"] == RDF_TYPE]
    context = {"iri": iri, "label": data.pick_label(labels) or compact(iri), "properties": _group(out, urls),
               "inbound": _group(inbound, urls), "sources": list(sources.values()),
               "types": sorted({compact(t) for t in types}),
               "formats": [(f.name, f.media_type, urls.document(iri, f.extension)) for f in RDF_FORMATS]}
    if COMMUNE_CLASS in types:
        context["commune"] = await _commune_extras(app, iri, urls)
    return render(request, "resource.html", context, headers={"Vary": "Accept", "Link": _alternates(urls, iri)})


async def _commune_extras(app, iri: str, urls: Urls) -> dict:
    places = await data.select(app, data.commune_places_query(iri))
    place = {k: v["value"] for k, v in places[0].items()} if places else {}
    geoms = geo.geometries()
    layers = []
    if place.get("depcode") in geoms["departement"]:
        layers.append({"kind": "departement", "url": urls.geometry("departement", place["depcode"])})
    if place.get("siren") in geoms["epci"]:
        layers.append({"kind": "epci", "url": urls.geometry("epci", place["siren"])})
    # overseas outlines are insets near metropolitan France: a true-place point would not sit in them
    point = None if place.get("code", "").startswith("97") else geo.point_for(place.get("code", ""), place.get("depcode"))
    grouped: dict[str, dict] = {}
    for r in await data.select(app, data.timeline_query(iri)):
        e = grouped.setdefault(r["item"]["value"], {"item": r["item"]["value"], "kind": r["kind"]["value"],
                                                    "href": urls.href(r["item"]["value"]), "labels": {}})
        for k in ("label", "status", "programme"):
            if k in r:
                e["labels"].setdefault(k, []).append(r[k])
        for k in ("date", "inferred"):
            if k in r:
                e[k] = r[k]["value"]
    events = []
    for e in grouped.values():
        for k, values in e.pop("labels").items():
            e[k] = data.pick_label(values)
        e["best"] = e.get("inferred") or e.get("date")
        e["date_source"] = "inferred" if e.get("inferred") else ("stated" if e.get("date") else None)
        events.append(e)
    events.sort(key=lambda e: (e.get("best") is None, (e.get("best") or "").lstrip("-"), e["kind"]))
    return {"layers": layers, "point": point, "events": events, "code": place.get("code")}


# -- the ontology -----------------------------------------------------------------------------

ONTOLOGY_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/pvd-kg/graph/ontology> { ?s ?p ?o } }"


async def ontology_turtle(app) -> bytes:
    """The ontology as Turtle: from the store's ``pvdg:ontology`` graph, else the shipped file."""
    cache = app.state.cache
    key = ("ontology-ttl", app.state.generation)
    if key not in cache:
        body, count = await _rdf(app, ONTOLOGY_QUERY, "text/turtle")
        if count == 0 and paths.ONTOLOGY_FILE.exists():
            body = paths.ONTOLOGY_FILE.read_bytes()
        cache[key] = body if (count or paths.ONTOLOGY_FILE.exists()) else None
    return cache[key]


async def ontology_html(app) -> str | None:
    """pyLODE documentation of the ontology, made once per store generation (in a thread)."""
    key = ("ontology-html", app.state.generation)
    cache = app.state.cache
    if key not in cache:
        turtle = await ontology_turtle(app)
        if turtle is None:
            return None
        cache[key] = await asyncio.get_running_loop().run_in_executor(None, ontology_page.ontology_html, turtle)
    return cache[key]


async def ontology(request: Request) -> Response:
    """``/def`` and its documents ``/def.html``, ``/def.ttl``, ``/def.jsonld``..."""
    urls: Urls = request.app.state.urls
    accept = request.headers.get("accept")
    _, ext = Urls.split_suffix(request.url.path)
    if ext is None and request.url.path != "/def":
        return error_response(404, f"no document {request.url.path}", accept=accept)
    negotiated = ext is None
    ext = ext or _ext_for(accept)
    if ext is None:
        return error_response(406, "no acceptable representation of the ontology", accept=accept)
    headers = {**CORS_HEADERS, "Link": _alternates(urls, ONTOLOGY_IRI)}
    if negotiated:
        headers.update({"Vary": "Accept", "Content-Location": urls.ontology(ext)})
    if ext == HTML_SUFFIX:
        html = await ontology_html(request.app)
        if html is None:
            return error_response(404, "the store holds no ontology", accept=accept)
        return HTMLResponse(html, headers=headers)
    fmt = DOCUMENT_SUFFIXES[ext]
    turtle = await ontology_turtle(request.app)
    if turtle is None:
        return error_response(404, "the store holds no ontology", accept=accept)
    if fmt.name == "turtle":
        body = turtle
    else:
        body, _ = await _rdf(request.app, ONTOLOGY_QUERY, fmt.media_type)
    return Response(body, media_type=fmt.media_type, headers=headers)


async def geometry(request: Request) -> Response:
    """``/geo/{departement|epci}/{code}.geojson``: one shipped polygon."""
    kind, code = request.path_params["kind"], request.path_params["code"]
    feature = geo.geometries().get(kind, {}).get(code)
    if feature is None:
        return error_response(404, f"no {kind} geometry {code!r} is shipped", accept=request.headers.get("accept"))
    import json

    return Response(json.dumps({"type": "FeatureCollection", "features": [feature]}),
                    media_type="application/geo+json", headers=CORS_HEADERS)


async def geometries_all(request: Request) -> Response:
    """``/geo/departements.geojson``: every shipped département outline (the maps' background)."""
    import json

    features = list(geo.geometries()["departement"].values())
    return Response(json.dumps({"type": "FeatureCollection", "features": features}),
                    media_type="application/geo+json", headers=CORS_HEADERS)


def routes() -> list[Route]:
    return [
        Route("/def", ontology),
        Route("/def.{ext}", ontology),
        Route("/geo/departements.geojson", geometries_all),
        Route("/geo/{kind}/{code}.geojson", geometry),
        Route("/id/{rest:path}", resource),
        Route("/graph/{rest:path}", resource),
    ]
