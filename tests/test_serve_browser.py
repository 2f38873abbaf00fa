"""The web interface in headless Chromium (Debian's `chromium` + `chromium-driver`, driven by
selenium) against a real `pvd-kg serve`: the query page runs a catalog query and shows its rows;
a commune page draws its map (vector layers, no tiles) and timeline; the programme map filters.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from chromium import ARTIFACTS, wait
from serve_server import build_store, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    with running_server(build_store(tmp / "store"), log_dir=tmp) as srv:
        yield srv


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
