"""The review page of ``pvd-kg extract`` in headless Chromium against a real ``pvd-kg serve``
(``--allow-update`` with a token): an article in, candidates shown with their evidence, one
corrected, the accepted graph downloaded without the token, then loaded into the store with it;
and the page's HTTP endpoints refuse bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from chromium import ARTIFACTS, wait
from serve_server import build_store, running_server

ARTICLE = Path(__file__).parent / "data" / "extract" / "04-la-ferte-milon-representative.txt"
TOKEN = "review-test-token-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    with running_server(build_store(tmp / "store"), "--allow-update", "--update-token", TOKEN, log_dir=tmp) as srv:
        yield srv


def test_review_round_trip(server, browser):
    browser.get(server("/review"))
    browser.execute_script("document.getElementById('article').value = arguments[0]",
                           ARTICLE.read_text(encoding="utf-8"))
    browser.find_element(By.ID, "extract").click()
    events = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "fieldset.event"))
    assert len(events) == 1
    marks = browser.find_elements(By.CSS_SELECTOR, "#text mark.ev-signatory")
    assert [m.text for m in marks][:1] == ["préfète de l'Aisne"]  # the represented official
    assert any("BRIFFAUT" in m.text for m in marks)
    text = browser.find_element(By.ID, "text").text
    assert text.startswith("Trois collectivités du Retz-en-Valois")
    event = events[0]
    event.find_element(By.CSS_SELECTOR, ".accept-event").click()
    rows = event.find_elements(By.CSS_SELECTOR, ".person.signatories")
    briffaut = next(r for r in rows if "BRIFFAUT" in r.text)
    briffaut.find_element(By.CSS_SELECTOR, ".accept-person").click()
    name = briffaut.find_element(By.CSS_SELECTOR, ".family-name")
    name.clear()
    name.send_keys("Briffaut")  # the correction
    browser.save_screenshot(str(ARTIFACTS / "review-page.png"))
    # without the token: a download
    browser.find_element(By.ID, "save").click()
    link = wait(browser).until(lambda d: d.find_element(By.ID, "download")
                               if d.find_element(By.ID, "download").is_displayed() else False)
    assert int(link.get_attribute("data-size")) > 1000
    # with the token: loaded into the store
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "save").click()
    wait(browser).until(lambda d: "Chargé dans le store" in d.find_element(By.ID, "status").text)
    answer = requests.post(server("/sparql"), data={"query": (
        "SELECT ?name WHERE { GRAPH <https://w3id.org/pvd-kg/graph/extract-input> { "
        "<https://w3id.org/pvd-kg/id/signing/ort/02307> <https://w3id.org/pvd-kg/def#signature> ?s . "
        "?s <https://w3id.org/pvd-kg/def#agent> ?p . ?p <http://xmlns.com/foaf/0.1/familyName> ?name } }")},
        headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert [b["name"]["value"] for b in answer["results"]["bindings"]] == ["Briffaut"]


def test_review_endpoints_refuse_bad_input(server):
    r = requests.post(server("/review/extract"), data=b"\x00\x01binary", headers={"Accept": "application/json"})
    assert r.status_code == 400 and "binary" in r.json()["error"]
    r = requests.post(server("/review/extract"), data=b"x" * 2_000_001, headers={"Accept": "application/json"})
    assert r.status_code == 413
    r = requests.post(server("/review/extract?url=http://127.0.0.1:1/never"),
                      data="Le marché de Noël revient.".encode(), headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["events"] == []  # the URL only names the source
    doc = requests.post(server("/review/extract"), data=ARTICLE.read_bytes()).json()
    doc["events"][0]["accepted"] = True
    r = requests.post(server("/review/apply"), data=json.dumps(doc), headers={"Authorization": "Bearer wrong",
                                                                             "Accept": "application/json"})
    assert r.status_code == 401
    doc["events"][0]["accepted"] = None
    r = requests.post(server("/review/apply"), data=json.dumps(doc), headers={"Accept": "application/json"})
    assert r.status_code == 400 and "nothing to save" in r.json()["error"]
