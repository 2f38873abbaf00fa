"""Dereferenceable IRIs, the ontology, the dataset description, dumps and pages, against a real
`pvd-kg serve` subprocess over the curated dataset."""

from __future__ import annotations


import pytest
import requests
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from pvd_kg import iris
from pvd_kg.vocab import PVD, VOID
from serve_server import build_store, running_server

COMMUNE = str(iris.commune("62907"))
CONVENTION = str(iris.convention("ort", "62907"))  # the convention-cadre valant ORT
PERSON = str(iris.person("62907", "Maciejasz"))
TERM = str(PVD.Commune)
PATH = {iri: iri.replace("https://w3id.org/pvd-kg", "") for iri in (COMMUNE, CONVENTION, PERSON)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("ld") / "store")


@pytest.fixture(scope="module")
def server(curated_server):
    return curated_server


@pytest.fixture(scope="module")
def proxied(store, tmp_path_factory):
    """The same store served for https://example.org/pvd/ (as behind a reverse proxy)."""
    with running_server(store, "--base", "https://example.org/pvd/", log_dir=tmp_path_factory.mktemp("ld-log2")) as srv:
        yield srv


def get(url, accept=None, **kw):
    return requests.get(url, headers={"Accept": accept} if accept else {}, timeout=60, **kw)


@pytest.mark.parametrize("iri", [COMMUNE, CONVENTION, PERSON], ids=["commune", "convention", "person"])
@pytest.mark.parametrize("accept,ext,rdflib_format", [
    ("text/turtle", "ttl", "turtle"), ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-triples", "nt", "nt"),
])
def test_content_negotiation_303_to_a_document(server, iri, accept, ext, rdflib_format):
    r = get(server(PATH[iri]), accept, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == PATH[iri] + "." + ext
    assert "Accept" in r.headers["vary"]
    doc = get(server(r.headers["location"]))
    assert doc.status_code == 200 and doc.headers["content-type"].startswith(accept)
    g = Graph().parse(data=doc.content, format=rdflib_format)
    assert (URIRef(iri), RDF.type, None) in g
    assert len(list(g.objects(URIRef(iri), RDFS.label))) >= 1


@pytest.mark.parametrize("iri", [COMMUNE, CONVENTION, PERSON], ids=["commune", "convention", "person"])
def test_browsers_get_html(server, iri):
    r = get(server(PATH[iri]), "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert r.url.endswith(PATH[iri] + ".html")  # followed the 303
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert iri in r.text and 'rel="alternate"' in r.text


def test_commune_page_shows_labels_links_inbound_and_sources(server):
    html = get(server(PATH[COMMUNE] + ".html")).text
    assert "<h1 id=\"label\">Libercourt</h1>" in html
    assert "Pas-de-Calais" in html  # the label of a linked resource, not its IRI
    assert 'id="inbound"' in html and "Revitalisation du Territoire de Libercourt" in html  # inbound links
    assert "retenue au titre du dispositif" in html  # an excerpt quote among the sources
    assert 'id="timeline"' in html and "2023-01-18" in html  # the inferred date of the operational signing
    assert "/geo/departement/62.geojson" in html and "/geo/epci/246200299.geojson" in html


@pytest.mark.parametrize("old,new", [
    ("convention/operationnelle/62907", "convention/ort/62907"),
    ("signing/operationnelle/62907", "signing/ort/62907"),
    ("signing/operationnelle/62907/attendance/3", "signing/ort/62907/attendance/3"),
])
def test_the_operational_conventions_old_iris_redirect_to_the_one_act(server, old, new):
    # Libercourt's convention opérationnelle and ORT are one act: the IRIs of the first are
    # retired (owl:sameAs, no type) and answered with 301 Moved Permanently to the act's nodes
    r = get(server("/id/" + old), "text/turtle", allow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].endswith("/id/" + new)
    r = get(server("/id/" + old + ".html"), allow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].endswith("/id/" + new + ".html")
    doc = Graph().parse(data=get(server("/id/" + old), "text/turtle").text, format="turtle")
    assert (URIRef("https://w3id.org/pvd-kg/id/" + new), RDF.type, None) in doc


def test_person_page_lists_sources(server):
    html = get(server(PATH[PERSON] + ".html")).text
    assert 'id="sources"' in html and "« " in html


def test_unknown_resource_is_404(server):
    assert get(server("/id/commune/99999"), "text/turtle", allow_redirects=True).status_code == 404
    assert get(server("/id/commune/99999.html")).status_code == 404
    r = get(server("/id/commune/62907"), "image/png", allow_redirects=False)
    assert r.status_code == 406
    r = get(server("/no/such/page"), "application/json")
    assert r.status_code == 404 and r.json()["ok"] is False and r.json()["status"] == 404


def test_ontology_negotiated_with_content_location(server):
    r = get(server("/def"), "text/turtle")
    assert r.status_code == 200 and r.headers["content-location"] == "/def.ttl" and "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.content, format="turtle")
    assert (URIRef(TERM), RDF.type, None) in g
    html = get(server("/def"), "text/html")
    assert html.headers["content-location"] == "/def.html"
    assert "pyLODE" in html.text and "Commune" in html.text
    jsonld = get(server("/def.jsonld"))
    assert (URIRef(TERM), RDF.type, None) in Graph().parse(data=jsonld.content, format="json-ld")


def test_ontology_term_dereferences_to_the_ontology(server):
    # a hash IRI: clients strip the fragment and ask for /def
    path = TERM.replace("https://w3id.org/pvd-kg", "").split("#")[0]
    g = Graph().parse(data=get(server(path), "application/n-triples").content, format="nt")
    assert (URIRef(TERM), RDFS.label, None) in g


def test_void_and_dcat(server):
    r = get(server("/.well-known/void"), "text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    ds = next(g.subjects(RDF.type, VOID.Dataset))
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef(server("/sparql"))
    assert int(g.value(ds, VOID.triples)) > 1000
    assert URIRef(server("/dumps/pvd-kg.nq")) in set(g.objects(ds, VOID.dataDump))


def test_dumps_hold_the_whole_store(server):
    triples = int(get(server("/sparql"), params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
                  .json()["results"]["bindings"][0]["n"]["value"])
    for ext, fmt in (("nq", "nquads"), ("trig", "trig")):
        r = get(server(f"/dumps/pvd-kg.{ext}"))
        assert r.status_code == 200
        ds = Dataset()
        ds.parse(data=r.content, format=fmt)
        # quads, not len(ds): a triple stated by two sources is in two graphs
        assert sum(1 for _ in ds.quads((None, None, None, None))) == triples
    assert get(server("/dumps/pvd-kg.xyz")).status_code == 404


def test_home_query_and_map_pages(server):
    home = get(server("/")).text
    assert 'id="fig-communes"' in home and "https://w3id.org/pvd-kg/graph/libercourt" in home
    query = get(server("/query")).text
    assert "who-signed-what" in query and "vendor/yasgui/yasgui.min.js" in query
    gj = get(server("/map/communes.geojson")).json()
    libercourt = next(f for f in gj["features"] if f["properties"]["code"] == "62907")
    assert libercourt["properties"]["region"] == "32" and libercourt["properties"]["point_from"] == "ort"
    dep = get(server("/geo/departement/62.geojson")).json()
    assert dep["features"][0]["properties"]["lib_dep"] == "Pas-de-Calais"
    assert get(server("/static/vendor/leaflet/leaflet.js")).status_code == 200


def test_public_base_behind_a_proxy(proxied):
    r = get(proxied(PATH[COMMUNE]), "text/turtle", allow_redirects=False)
    assert r.headers["location"] == "https://example.org/pvd" + PATH[COMMUNE] + ".ttl"
    html = get(proxied(PATH[COMMUNE] + ".html")).text
    assert 'href="https://example.org/pvd/id/departement/62"' in html
    assert 'href="https://example.org/pvd/static/site.css"' in html
    sd = Graph().parse(data=get(proxied("/sparql"), "text/turtle").content, format="turtle")
    assert URIRef("https://example.org/pvd/sparql") in set(sd.objects())
    # the data keeps its canonical IRIs whatever host serves it
    g = Graph().parse(data=get(proxied(PATH[COMMUNE] + ".ttl")).content, format="turtle")
    assert (URIRef(COMMUNE), RDFS.label, Literal("Libercourt", lang="fr")) in g
