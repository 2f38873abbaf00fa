"""The web interface in headless Chromium (Debian's `chromium` + `chromium-driver`, driven by
selenium) against a real `pvd-kg serve`: the query page runs a catalog query and shows its rows;
a commune page draws its map (vector layers, no tiles) and timeline; the programme map filters;
the ontology page reads as one finished document. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from chromium import ARTIFACTS, wait
from pvd_kg import paths
from pvd_kg.vocab import ONTOLOGY_IRI
from serve_server import build_store, running_server


@pytest.fixture(scope="module")
def server(curated_server):
    return curated_server


def test_query_page_runs_a_catalog_query(server, browser):
    browser.get(server("/query"))
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    select = Select(browser.find_element(By.ID, "example"))
    select.select_by_index(next(i for i, o in enumerate(select.options) if o.get_attribute("data-name") == "who-signed-what"))
    assert "Who signed what" in browser.find_element(By.ID, "example-description").text
    browser.find_element(By.ID, "run-example").click()
    rows = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr"))
    text = " ".join(r.text for r in rows)
    browser.execute_script("document.querySelector('.yasr').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "query-page.png"))
    assert len(rows) >= 3
    assert "Maciejasz" in text


def test_commune_page_shows_map_and_timeline(server, browser):
    browser.get(server("/id/commune/62907"))  # 303 to the HTML page
    assert browser.current_url.endswith("/id/commune/62907.html")
    wait(browser).until(lambda d: d.find_element(By.ID, "map").get_attribute("data-ready") == "true")
    shapes = browser.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")
    events = browser.find_elements(By.CSS_SELECTOR, "#timeline li.event")
    browser.save_screenshot(str(ARTIFACTS / "commune-page.png"))
    assert len(shapes) >= 3  # département, EPCI, and the commune's point
    assert len(events) >= 4
    assert "2023-01-18" in browser.find_element(By.ID, "timeline").text


def test_programme_map_filters(server, browser):
    browser.get(server("/map"))
    el = wait(browser).until(lambda d: d.find_element(By.ID, "map") if d.find_element(By.ID, "map")
                             .get_attribute("data-ready") == "true" else False)
    total = int(el.get_attribute("data-count"))
    assert total >= 1
    region = Select(browser.find_element(By.ID, "filter-region"))
    assert any(o.get_attribute("value") == "32" for o in region.options)
    region.select_by_value("32")
    assert int(el.get_attribute("data-count")) >= 1
    Select(browser.find_element(By.ID, "filter-departement")).select_by_value("62")
    markers = browser.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")
    browser.save_screenshot(str(ARTIFACTS / "programme-map.png"))
    assert len(markers) == int(el.get_attribute("data-count"))


@pytest.fixture(scope="module")
def programme_server(tmp_path_factory):
    """A server whose store holds every commune with shipped coordinates as a PVD commune
    (metropolitan and overseas), so that the programme map is as crowded as the real one."""
    from pvd_kg.serve import geo

    tmp = tmp_path_factory.mktemp("programme")
    lines = ["@prefix pvd: <https://w3id.org/pvd-kg/def#> . @prefix igeo: <http://rdf.insee.fr/def/geo#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix id: <https://w3id.org/pvd-kg/id/> ."]
    for code in sorted(geo.commune_points()):
        dep = code[:3] if code.startswith("97") else code[:2]
        lines.append(f'id:commune\\/{code} pvd:inProgramme id:programme\\/pvd ; igeo:codeINSEE "{code}" ; '
                     f'rdfs:label "Commune {code}" ; pvd:inDepartement id:departement\\/{dep} .\n'
                     f'id:departement\\/{dep} igeo:codeINSEE "{dep}" .')
    ttl = tmp / "communes.ttl"
    ttl.write_text("\n".join(lines), encoding="utf-8")
    store = build_store(tmp / "store", curated=False, graphs={"https://w3id.org/pvd-kg/graph/test-communes": ttl})
    with running_server(store, log_dir=tmp) as srv:
        yield srv


def test_programme_map_frames_france_with_small_markers_and_overseas_insets(programme_server, browser):
    browser.get(programme_server("/map"))
    el = wait(browser).until(lambda d: d.find_element(By.ID, "map") if d.find_element(By.ID, "map")
                             .get_attribute("data-ready") == "true" else False)
    box, markers = browser.execute_script("""
        var r = document.getElementById('map').getBoundingClientRect();
        var ms = Array.from(document.querySelectorAll('#map path.leaflet-interactive'))
          .map(function (p) { var b = p.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; });
        return [[r.left, r.top, r.right, r.bottom], ms];""")
    browser.save_screenshot(str(ARTIFACTS / "programme-map-whole.png"))
    count = int(el.get_attribute("data-count"))
    assert count > 1000 and len(markers) == count
    inside = [m for m in markers if m[0] >= box[0] and m[2] <= box[2] and m[1] >= box[1] and m[3] <= box[3]
              and m[2] > m[0]]  # drawn (Leaflet leaves a path out of view empty)
    assert len(inside) == count  # overseas communes too: on their insets, not off in the Atlantic
    spread_x = (max(m[2] for m in markers) - min(m[0] for m in markers)) / (box[2] - box[0])
    spread_y = (max(m[3] for m in markers) - min(m[1] for m in markers)) / (box[3] - box[1])
    assert max(spread_x, spread_y) >= 0.85, (spread_x, spread_y)  # France fills the frame
    assert max(m[2] - m[0] for m in markers) <= 8  # small markers


def _labels(graph, subject: str, prop, language: str) -> list[str]:
    from rdflib import URIRef

    return [str(o) for o in graph.objects(URIRef(subject), prop) if getattr(o, "language", None) == language]


def test_ontology_page_looks_finished(server, browser):
    """/def as a reader sees it: one heading, the ontology's title; the ontology's own IRI in the
    metadata; each term headed by its French label alone, not glued to its English one."""
    from rdflib import Graph
    from rdflib.namespace import DCTERMS, RDFS

    ontology = Graph().parse(paths.ONTOLOGY_FILE, format="turtle")
    browser.set_window_size(1280, 1600)
    browser.get(server("/def"))
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#metadata h1")))
    browser.save_screenshot(str(ARTIFACTS / "def-page.png"))
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h1") if h.is_displayed()]
    assert headings == _labels(ontology, ONTOLOGY_IRI, DCTERMS.title, "fr")
    metadata = {row.find_element(By.TAG_NAME, "dt").text: row.find_element(By.TAG_NAME, "dd").text
                for row in browser.find_elements(By.CSS_SELECTOR, "#metadata dl > div")}
    assert metadata["IRI"] == ONTOLOGY_IRI
    terms = browser.execute_script("""
        return Array.from(document.querySelectorAll('div.entity')).map(function (e) {  // the terms
          var h = e.querySelector('h3'), sup = h.querySelector('sup'), text = h.innerText.trim();
          if (sup && text.endsWith(sup.innerText.trim())) text = text.slice(0, -sup.innerText.trim().length);
          return [text.trim(), e.querySelector('code').innerText];
        });""")
    ours = [(heading, iri) for heading, iri in terms if iri.startswith(ONTOLOGY_IRI + "#")]
    assert len(ours) > 40
    assert [(h, iri) for h, iri in ours if [h] != _labels(ontology, iri, RDFS.label, "fr")] == []
    glued = {fr + en for _, iri in ours for fr in _labels(ontology, iri, RDFS.label, "fr")
             for en in _labels(ontology, iri, RDFS.label, "en")}
    text = browser.find_element(By.TAG_NAME, "body").text
    assert [g for g in glued if g in text] == []


def _choose(browser, name: str) -> None:
    select = Select(browser.find_element(By.ID, "example"))
    select.select_by_index(next(i for i, o in enumerate(select.options) if o.get_attribute("data-name") == name))


def test_query_page_shows_a_parameter_form_and_plain_values(server, browser):
    browser.get(server("/query"))
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    _choose(browser, "commune-timeline")
    field = browser.find_element(By.CSS_SELECTOR, "#example-params input[name=commune]")
    assert field.get_attribute("value") == "62907" and field.get_attribute("list") == "commune-list"
    assert browser.find_element(By.CSS_SELECTOR, "#example-params input[name=lang]").get_attribute("value") == "fr"
    codes = wait(browser).until(lambda d: [o.get_attribute("value") for o in
                                           d.find_elements(By.CSS_SELECTOR, "#commune-list option")] or False)
    assert "62907" in codes  # communes to pick from
    field.clear()
    field.send_keys("zz")
    browser.find_element(By.ID, "run-example").click()
    error = wait(browser).until(lambda d: d.find_element(By.ID, "example-error")
                                if d.find_element(By.ID, "example-error").is_displayed() else False)
    assert "not a valid INSEE commune code" in error.text
    field.clear()
    field.send_keys("62907")
    browser.find_element(By.ID, "run-example").click()
    rows = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr"))
    assert "62907" in browser.execute_script("return window.PVD.yasgui.getTab().getYasqe().getValue()")
    browser.execute_script("document.querySelector('.examples').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "query-page-form.png"))
    text = " ".join(r.text for r in rows)
    assert len(rows) >= 3 and "@fr" not in text and "^^" not in text and '"' not in text
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".yasr table a.iri")]
    assert server("/id/commune/62907") in links or server("/id/signing/adhesion/62907") in links, links

    _choose(browser, "conventions-by-kind")
    browser.find_element(By.ID, "run-example").click()
    numbers = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table .value.num"))
    assert all(n.text.replace("\u202f", "").replace("\u00a0", "").isdigit() for n in numbers)


def test_catalog_question_rendered_with_parameters(server):
    import requests

    r = requests.get(server("/query/catalog/commune-timeline"), params={"commune": "2a004"}, timeout=10)
    assert r.status_code == 200 and "<https://w3id.org/pvd-kg/id/commune/2A004>" in r.text
    bad = requests.get(server("/query/catalog/commune-timeline"), params={"commune": '1"} DROP ALL'}, timeout=10,
                       headers={"Accept": "text/plain"})
    assert bad.status_code == 400 and "not a valid INSEE commune code" in bad.text and "DROP" not in r.text
    assert requests.get(server("/query/catalog/no-such-question"), timeout=10).status_code == 404
