"""The ontology page ``/def`` of a real ``pvd-kg serve``: one heading (the ontology's title), the
ontology's own IRI in its metadata (not a concept scheme's), and each term headed by its French
label alone (not the French and English labels glued together), French definitions first, the
term IRI's fragment as its anchor. Headless Chromium draws the page opened at /def#Departement
into tests/artifacts/def-term.png; what a reader sees of the whole page is checked with the
other pages in test_serve_browser.py (def-page.png)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from chromium import ARTIFACTS, wait
from pvd_kg import paths

ONTOLOGY = "https://w3id.org/pvd-kg/def"
DEF = ONTOLOGY + "#"


@pytest.fixture(scope="module")
def server(curated_server):
    return curated_server


@pytest.fixture(scope="module")
def page(server) -> "_Outline":
    r = requests.get(server("/def"), headers={"Accept": "text/html"}, timeout=120)
    assert r.status_code == 200, r.text[:300]
    outline = _Outline()
    outline.feed(r.text)
    return outline


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(paths.ONTOLOGY_FILE, format="turtle")


class _Outline(HTMLParser):
    """The texts of the page's ``h1``, ``h3`` and ``code`` elements in document order, without
    the type marks (``<sup>``) pyLODE puts in term headings."""

    def __init__(self):
        super().__init__()
        self.items: list[list[str]] = []
        self._open: str | None = None
        self._in_sup = False

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h3", "code"):
            self._open = tag
            self.items.append([tag, ""])
        self._in_sup = self._in_sup or tag == "sup"

    def handle_endtag(self, tag):
        if tag == self._open:
            self.items[-1][1] = self.items[-1][1].strip()
            self._open = None
        self._in_sup = self._in_sup and tag != "sup"

    def handle_data(self, data):
        if self._open and not self._in_sup:
            self.items[-1][1] += data

    def texts(self, tag: str) -> list[str]:
        return [text for t, text in self.items if t == tag]

    def after(self, tag: str) -> list[tuple[str, str]]:
        """Each ``tag`` element's text with the first ``code`` text after it (its IRI)."""
        pairs = []
        for i, (t, text) in enumerate(self.items):
            if t == tag:
                iri = next((c for u, c in self.items[i + 1:] if u == "code"), "")
                pairs.append((text, iri))
        return pairs


def _french_label(graph: Graph, iri: str) -> str:
    labels = [o for o in graph.objects(URIRef(iri), RDFS.label) if isinstance(o, Literal) and o.language == "fr"]
    return str(labels[0])


def test_one_heading_the_ontology_title(page, ontology):
    french_title = next(str(t) for t in ontology.objects(URIRef(ONTOLOGY), DCTERMS.title) if t.language == "fr")
    assert page.texts("h1") == [french_title]


def test_metadata_shows_the_ontology_iri(page):
    [(_, iri)] = page.after("h1")
    assert iri == ONTOLOGY


@pytest.mark.parametrize("term, label", [("Departement", "département"), ("Region", "région"),
                                         ("qualifiedBy", "qualifié par")])
def test_terms_headed_by_their_french_label(page, term, label):
    headings = {iri: text for text, iri in page.after("h3") if iri.startswith(DEF)}
    assert headings[DEF + term] == label


def test_no_term_heading_glues_two_labels(page, ontology):
    headings = [(text, iri) for text, iri in page.after("h3") if iri.startswith(DEF)]
    assert len(headings) > 40
    assert [(h, iri) for h, iri in headings if h != _french_label(ontology, iri)] == []
    assert "départementdépartement" not in " ".join(page.texts("h3"))


def test_french_definition_before_the_english_one(server):
    html = requests.get(server("/def.html"), timeout=120).text
    french = html.index("Département français (ou collectivité d'outre-mer codée comme tel par l'Insee).")
    assert french < html.index("A French département (or an overseas collectivity that INSEE codes as one).")


@pytest.mark.parametrize("term, label", [("Departement", "département"), ("commune", "commune"),
                                         ("Commune", "commune")])
def test_term_anchor_is_the_iri_fragment(server, term, label):
    html = requests.get(server("/def.html"), timeout=120).text
    assert re.search(rf'<div class="[^"]*entity" id="{term}">\s*<h3>{label}\s*<sup', html)


def test_term_iri_fragment_scrolls_to_the_term(server, browser):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    browser.get(server("/def#Departement"))
    heading = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "#Departement h3"))
    browser.save_screenshot(str(ARTIFACTS / "def-term.png"))
    assert heading.text.split() == ["département", "c"]
    assert 0 <= browser.execute_script("return arguments[0].getBoundingClientRect().top", heading) < 100
