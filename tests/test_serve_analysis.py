"""The analysis views over HTTP (pvd_kg/serve/analysis.py, computed in the query workers by
pvd_kg/serve/analysis_jobs.py), against a real `pvd-kg serve` on the curated Libercourt store:
networks re-open in networkx with the same nodes as the library builds, metric tables parse as
JSON and CSV, PNGs are real pictures of the documented size, unknown names are 404 in the one
error shape, an update rebuilds the cached views, and Chromium draws the network from its JSON
(screenshot in tests/artifacts/analysis-page.png)."""

from __future__ import annotations

import csv
import io

import matplotlib.image as mpimg
import networkx as nx
import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from pvd_kg.analysis import METRICS, NETWORKS, build_network
from pvd_kg.analysis.charts import CHARTS
from pvd_kg.graph import curated_dataset
from pvd_kg.serve.analysis_jobs import CHART_KINDS
from pvd_kg.store import MemoryStore
from serve_server import build_store, running_server
from chromium import ARTIFACTS, wait

ID = "https://w3id.org/pvd-kg/id/"
MAYOR = ID + "person/62907/maciejasz"
LIBERCOURT = ID + "commune/62907"
TOKEN = "analysis-test-token-0123456789"

# nodes each network must hold on the curated graph
EXPECTED_NODES = {
    "signing": {MAYOR, LIBERCOURT, ID + "signing/adhesion/62907", ID + "signing/ort/62907"},
    "cosignature": {MAYOR, LIBERCOURT, ID + "epci/246200299"},
    "hierarchy": {LIBERCOURT, ID + "epci/246200299", ID + "departement/62"},
    "programmes": {LIBERCOURT, ID + "programme/pvd"},
    "programmes-projection": {ID + "programme/pvd"},
}


@pytest.fixture(scope="module")
def server(curated_server):
    return curated_server


@pytest.fixture(scope="module")
def curated():
    """The same data as the served store (build_store: Libercourt, without the press graphs)."""
    return MemoryStore.from_dataset(curated_dataset(press=False))


def get(server, path, **kwargs):
    r = requests.get(server(path), timeout=300, **kwargs)
    return r


def test_chart_names_match_the_library():
    assert set(CHART_KINDS) == set(CHARTS)


@pytest.mark.parametrize("kind", NETWORKS)
def test_network_json_reopens_in_networkx(server, curated, kind):
    r = get(server, f"/analysis/network/{kind}.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*"
    g = nx.node_link_graph(r.json(), edges="links")
    assert EXPECTED_NODES[kind] <= set(g.nodes)
    expected = build_network(curated, kind)
    assert set(g.nodes) == set(expected.nodes)
    assert g.number_of_edges() == expected.number_of_edges()
    assert g.is_directed() == expected.is_directed()


def test_signing_and_cosignature_figures(server):
    signing = nx.node_link_graph(get(server, "/analysis/network/signing.json").json(), edges="links")
    assert (signing.number_of_nodes(), signing.number_of_edges()) == (22, 28)
    assert signing.nodes[MAYOR]["label"] == "M. Maciejasz"
    cosig = nx.node_link_graph(get(server, "/analysis/network/cosignature.json").json(), edges="links")
    assert (cosig.number_of_nodes(), cosig.number_of_edges()) == (12, 66)


def test_one_signing(server):
    r = get(server, "/analysis/network/signing.json", params={"signing": "id:signing/ort/62907"})
    g = nx.node_link_graph(r.json(), edges="links")
    assert (g.number_of_nodes(), g.number_of_edges()) == (20, 26)
    assert MAYOR in g and ID + "signing/adhesion/62907" not in g
    r = get(server, "/analysis/network/signing.json", params={"signing": "id:signing/nowhere"},
            headers={"Accept": "application/json"})
    assert r.status_code == 404 and "no signing" in r.json()["error"]
    r = get(server, "/analysis/network/hierarchy.json", params={"signing": "id:signing/ort/62907"})
    assert r.status_code == 400


@pytest.mark.parametrize("ext,read", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_network_files_match_the_json(server, ext, read):
    doc = get(server, "/analysis/network/cosignature.json").json()
    r = get(server, f"/analysis/network/cosignature.{ext}")
    assert r.status_code == 200 and "xml" in r.headers["content-type"]
    g = read(io.BytesIO(r.content))
    assert set(g.nodes) == {n["id"] for n in doc["nodes"]}
    assert g.number_of_edges() == len(doc["links"])


@pytest.mark.parametrize("name", METRICS)
def test_metric_json_and_csv_parse(server, curated, name):
    doc = get(server, f"/analysis/metrics/{name}.json").json()
    assert doc["metric"] == name and doc["rows"]
    r = get(server, f"/analysis/metrics/{name}.csv")
    assert r.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(r.text))
    rows = list(reader)
    assert reader.fieldnames == doc["columns"]
    assert len(rows) == len(doc["rows"])
    assert [r[doc["columns"][0]] for r in rows] == [str(x[doc["columns"][0]]) for x in doc["rows"]]


def test_metric_values(server):
    centrality = get(server, "/analysis/metrics/centrality.json").json()
    mayor = next(r for r in centrality["rows"] if r["iri"] == MAYOR)
    assert (mayor["degree"], mayor["betweenness"]) == (11, 0.0)
    epci = get(server, "/analysis/metrics/epci-pvd.json").json()["rows"]
    assert [(r["siren"], r["pvd_communes"]) for r in epci] == [("246200299", 1)]


def _picture(content: bytes):
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return mpimg.imread(io.BytesIO(content), format="png")


@pytest.mark.parametrize("path,size", [("/analysis/network/signing.png", (900, 1200)),
                                       ("/analysis/network/hierarchy.png", (900, 1200)),
                                       ("/analysis/chart/timeline.png", (700, 1200)),
                                       ("/analysis/chart/map.png", (1000, 1000))])
def test_pictures(server, path, size):
    r = get(server, path)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    img = _picture(r.content)
    assert img.shape[:2] == size
    rgb = img[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05  # not blank
    assert len({tuple(p) for p in rgb[:: 97].round(2)}) > 20  # drawn in colour, not a flat fill


@pytest.mark.parametrize("path", ["/analysis/network/nope.json", "/analysis/network/signing.svg",
                                  "/analysis/metrics/nope.json", "/analysis/metrics/centrality.xlsx",
                                  "/analysis/chart/nope.png", "/analysis/chart/timeline.jpg"])
def test_unknown_names_are_404(server, path):
    r = get(server, path, headers={"Accept": "application/json"})
    assert r.status_code == 404
    body = r.json()
    assert body["ok"] is False and body["status"] == 404
    plain = get(server, path)
    assert plain.status_code == 404 and plain.text.startswith("404 ")


def test_page_links_every_view(server):
    r = get(server, "/analysis")
    assert r.status_code == 200
    page = r.text
    for kind in NETWORKS:
        for ext in ("json", "png", "graphml", "gexf"):
            assert f'href="/analysis/network/{kind}.{ext}"' in page
    for name in METRICS:
        assert f'href="/analysis/metrics/{name}.csv"' in page and f'id="metric-{name}"' in page
    for kind in CHART_KINDS:
        assert f'src="/analysis/chart/{kind}.png"' in page
    assert "M. Maciejasz" in page  # the centrality table's head
    assert '<a href="/id/epci/246200299">' in page  # IRIs link to their pages
    assert 'href="/analysis">Analyse</a>' in get(server, "/").text  # in the site navigation


def test_update_rebuilds_the_views(tmp_path):
    new = ID + "commune/99999"
    update = f"""PREFIX pvd: <https://w3id.org/pvd-kg/def#>
INSERT DATA {{ GRAPH <urn:test> {{ <{new}> pvd:inProgramme <{ID}programme/pvd> ;
                                        pvd:memberOfEPCI <{ID}epci/246200299> }} }}"""
    with running_server(build_store(tmp_path / "store"), "--allow-update", "--update-token", TOKEN,
                        log_dir=tmp_path) as srv:
        before = get(srv, "/analysis/metrics/epci-pvd.json").json()["rows"]
        programmes = nx.node_link_graph(get(srv, "/analysis/network/programmes.json").json(), edges="links")
        assert new not in programmes
        r = requests.post(srv("/sparql"), data=update.encode(), timeout=60,
                          headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        assert r.status_code in (200, 204), r.text
        after = get(srv, "/analysis/metrics/epci-pvd.json").json()["rows"]
        programmes = nx.node_link_graph(get(srv, "/analysis/network/programmes.json").json(), edges="links")
    assert before[0]["pvd_communes"] == 1 and after[0]["pvd_communes"] == 2
    assert new in programmes


def test_browser_draws_the_network(server, browser):
    browser.get(server("/analysis"))
    net = browser.find_element(By.ID, "network")
    wait(browser).until(lambda d: net.get_attribute("data-ready") == "true")
    circles = browser.find_elements(By.CSS_SELECTOR, "#network svg circle.node")
    lines = browser.find_elements(By.CSS_SELECTOR, "#network svg line.link")
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#network svg text.label")]
    assert (len(circles), len(lines)) == (22, 28)
    assert "M. Maciejasz" in labels
    assert {c.get_attribute("data-kind") for c in circles} >= {"person", "signing", "commune", "convention"}
    inside = browser.execute_script(
        "var b = document.querySelector('#network svg').viewBox.baseVal;"
        "return Array.from(document.querySelectorAll('#network circle.node')).every(function (c) {"
        " var x = +c.getAttribute('cx'), y = +c.getAttribute('cy');"
        " return x >= 0 && y >= 0 && x <= b.width && y <= b.height; });")
    assert inside
    browser.execute_script("document.getElementById('network').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "analysis-page.png"))
    Select(browser.find_element(By.ID, "network-kind")).select_by_value("/analysis/network/cosignature.json")
    wait(browser).until(lambda d: net.get_attribute("data-ready") == "true"
                        and len(d.find_elements(By.CSS_SELECTOR, "#network svg circle.node")) == 12)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#network svg line.link")) == 66
    browser.save_screenshot(str(ARTIFACTS / "analysis-page-cosignature.png"))


def test_browser_shows_the_pictures_and_tables(server, browser):
    browser.get(server("/analysis"))
    images = browser.find_elements(By.CSS_SELECTOR, ".pictures img")
    assert len(images) == len(NETWORKS) + len(CHART_KINDS)
    for img in images:  # lazy images load once scrolled to
        browser.execute_script("arguments[0].scrollIntoView()", img)
        wait(browser).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img))
    sizes = {img.get_attribute("alt"): browser.execute_script("return [arguments[0].naturalWidth, arguments[0].naturalHeight]", img)
             for img in images}
    assert sizes["network signing"] == [1200, 900] and sizes["chart map"] == [1000, 1000]
    browser.execute_script("document.querySelector('.pictures').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "analysis-page-pictures.png"))
    table = browser.find_element(By.CSS_SELECTOR, "#metric-centrality table")
    assert "M. Maciejasz" in table.text
    browser.execute_script("arguments[0].scrollIntoView()", table)
    browser.save_screenshot(str(ARTIFACTS / "analysis-page-metrics.png"))
