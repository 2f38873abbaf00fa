"""Values anyone can store come out harmless: a literal that begins like a spreadsheet formula
gets the quote prefix in every CSV/TSV result (CLI, served, the query page's download) and stays
raw in JSON; an IRI that is not http(s) (``javascript:``, ``data:``, ``file:``, ``vbscript:``,
``mailto:``) is never a link, on the server's pages nor in the query page's results table.
Against a real store, a real ``pvd-kg serve`` and headless Chromium."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
import requests
from click.testing import CliRunner

from pvd_kg.analysis.common import Table
from pvd_kg.cli import cli
from serve_server import build_store, running_server

THING = "https://w3id.org/pvd-kg/id/test/unsafe"
FORMULAS = {"=HYPERLINK(\"http://127.0.0.1/\",\"x\")": "fr", "+1+cmd|' /C calc'!A0": None, "-2+3+cmd": None,
            "@SUM(A1:A9)": None, "\t=1+1": None, "\r=1+1": None}
BAD_IRIS = ["javascript:alert(1)", "JavaScript:alert(2)", "data:text/html,%3Cscript%3Ealert(3)%3C/script%3E",
            "file:///etc/passwd", "vbscript:msgbox(4)", "mailto:someone@example.org"]
BAD_GRAPH = "javascript:alert(5)"


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r") + '"'


def _data() -> str:
    lines = [f"<{THING}> <http://www.w3.org/2000/01/rdf-schema#label> \"Unsafe\"@fr ."]
    for i, (text, lang) in enumerate(FORMULAS.items()):
        lines.append(f"<{THING}> <http://example.org/text{i}> {_turtle_string(text)}{'@' + lang if lang else ''} .")
    lines.append(f"<{THING}> <http://example.org/negative> \"-2.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> .")
    for i, iri in enumerate(BAD_IRIS):
        lines.append(f"<{THING}> <http://example.org/link{i}> <{iri}> .")
        lines.append(f"<{iri}> <http://example.org/points> <{THING}> .")  # "Linked from"
    lines.append(f"<{THING}> <{BAD_IRIS[0]}> \"a javascript: property\" .")
    lines.append(f"<{THING}> <http://example.org/web> <https://example.org/fine> .")
    return "\n".join(lines) + "\n"


SELECT_TEXTS = f"SELECT ?p ?o WHERE {{ <{THING}> ?p ?o FILTER(isLiteral(?o)) }}"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unsafe")
    data = tmp / "unsafe.nt"
    data.write_text(_data(), encoding="utf-8")
    return build_store(tmp / "store", graphs={"https://w3id.org/pvd-kg/graph/unsafe": data, BAD_GRAPH: data})


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    with running_server(store, log_dir=tmp_path_factory.mktemp("unsafe-log")) as srv:
        yield srv


def _formula_cells(values) -> None:
    """Every stored formula text comes back with the quote prefix; the negative number as it is."""
    values = list(values)
    for text in FORMULAS:
        assert "'" + text in values, (text, values)
        assert text not in values
    assert "-2.5" in values


def _csv_values(text: str) -> list[str]:
    return [cell for row in list(csv.reader(io.StringIO(text, newline="")))[1:] for cell in row]


def _tsv_literal_texts(text: str) -> list[str]:
    """The text of each quoted literal of a SPARQL TSV answer, escapes undone."""
    out = []
    for line in text.splitlines()[1:]:
        for cell in line.split("\t"):
            if cell.startswith('"'):
                body = cell[1:cell.rindex('"')]
                out.append(body.replace("\\t", "\t").replace("\\r", "\r").replace('\\"', '"').replace("\\\\", "\\"))
            else:
                out.append(cell)
    return out


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_cli_results_are_spreadsheet_safe(store, tmp_path, fmt):
    out = tmp_path / f"answer.{fmt}"
    result = CliRunner().invoke(cli, ["query", SELECT_TEXTS, "--format", fmt, "--store", str(store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    values = _csv_values(text) if fmt == "csv" else _tsv_literal_texts(text)
    _formula_cells(values)


@pytest.mark.parametrize("fmt,media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_served_results_are_spreadsheet_safe(server, fmt, media):
    r = requests.post(server("/sparql"), data={"query": SELECT_TEXTS}, headers={"Accept": media}, timeout=30)
    assert r.status_code == 200, r.text
    r.encoding = "utf-8"
    _formula_cells(_csv_values(r.text) if fmt == "csv" else _tsv_literal_texts(r.text))


def test_json_keeps_the_raw_value(server):
    r = requests.post(server("/sparql"), data={"query": SELECT_TEXTS},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    values = {b["o"]["value"] for b in r.json()["results"]["bindings"]}
    assert set(FORMULAS) <= values


def test_metric_table_csv_is_spreadsheet_safe():
    text = Table("t", ["label", "n"], [{"label": text, "n": -3} for text in FORMULAS]).to_csv()
    values = _csv_values(text)
    assert all("'" + t in values for t in FORMULAS) and "-3" in values


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k in ("href", "src", "action", "formaction") and v is not None]


def _hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return parser.hrefs


def _not_web(hrefs) -> list[str]:
    """Links that are neither a path of this site nor an http(s) URL."""
    return [h for h in hrefs if not (h.startswith(("/", "#", "?")) or h.lower().startswith(("http://", "https://")))]


@pytest.mark.parametrize("path", ["/id/test/unsafe.html", "/"])
def test_pages_link_only_web_iris(server, path):
    r = requests.get(server(path), headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200, r.text
    hrefs = _hrefs(r.text)
    assert _not_web(hrefs) == []
    shown = r.text if path != "/" else r.text.replace("&#34;", '"')
    if path == "/":
        assert BAD_GRAPH in shown  # the graph is listed, as text
    else:
        assert "https://example.org/fine" in hrefs  # an http(s) IRI still is a link
        for iri in BAD_IRIS:
            assert iri.replace("&", "&amp;") in r.text  # shown as text


def test_query_page_links_and_download(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    from chromium import ARTIFACTS, wait

    browser.get(server("/query"))
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    query = f"SELECT ?p ?o WHERE {{ <{THING}> ?p ?o }}"
    browser.execute_script("var y = window.PVD.yasgui.getTab().getYasqe(); y.setValue(arguments[0]); y.query();", query)
    rows = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr"))
    browser.save_screenshot(str(ARTIFACTS / "query-page-unsafe.png"))
    assert len(rows) >= len(BAD_IRIS)
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".yasr table a[href]")]
    assert "https://example.org/fine" in hrefs
    assert _not_web(hrefs) == []
    shown = browser.find_element(By.CSS_SELECTOR, ".yasr table").text
    assert "javascript:alert(1)" in shown and "vbscript:msgbox(4)" in shown
    download = browser.execute_script(
        "return window.PVD.yasgui.getTab().getYasr().plugins.table.download('x').getData();")
    _formula_cells(_csv_values(download))


@pytest.mark.parametrize("fmt,media", [("json", "application/sparql-results+json"),
                                       ("xml", "application/sparql-results+xml"),
                                       ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_cli_and_server_write_the_same_answer(store, server, tmp_path, fmt, media):
    """One results writer: ``pvd-kg query`` and ``pvd-kg serve`` give the same bytes."""
    out = tmp_path / f"answer.{fmt}"
    text = SELECT_TEXTS + " ORDER BY ?p"
    result = CliRunner().invoke(cli, ["query", text, "--format", fmt, "--store", str(store),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    r = requests.post(server("/sparql"), data={"query": text}, headers={"Accept": media}, timeout=30)
    assert r.status_code == 200, r.text
    assert out.read_bytes() == r.content


def test_served_turtle_writes_whole_iris(server):
    """No ``id:test\\/unsafe``: the whole IRI, and the Turtle reads back as the N-Triples answer."""
    from rdflib import Graph

    query = {"query": f"CONSTRUCT WHERE {{ <{THING}> ?p ?o }}"}
    turtle = requests.post(server("/sparql"), data=query, headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 200, turtle.text
    assert "\\/" not in turtle.text and f"<{THING}>" in turtle.text
    nt = requests.post(server("/sparql"), data=query, headers={"Accept": "application/n-triples"}, timeout=30)
    assert set(Graph().parse(data=turtle.text, format="turtle")) == set(Graph().parse(data=nt.text, format="nt"))
