"""The one safe parse path (pvd_kg.parsing): every hostile file of tests/data/hostile/parse/
through `pvd-kg validate`, `pvd-kg load` and the Python API ends in one clear line naming the
file (and line), a non-zero exit, no connection to a loopback listener, no file read outside,
and the store as it was. The CLI tests use only what the old code had too, so they can be run
against it (PYTHONPATH=/old/checkout) to see them fail."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pvd_kg.errors import PvdKgError
from pvd_kg.export import export
from pvd_kg.load import load_files
from pvd_kg.store.embedded import EmbeddedStore
from loopback_listener import Listener

HOSTILE = Path(__file__).parent / "data" / "hostile" / "parse"
OK = HOSTILE / "ok.nt"
NOT_AN_ENTITY = "DTD declarations other than internal entities are refused"
BY_IRI = "a JSON-LD context given by IRI"
TOO_DEEP = "nesting deeper than 100 levels"
# each hostile file -> (line, what the one-line error says)
EXPECTED = {
    "xxe-file.rdf": (3, NOT_AN_ENTITY),
    "xxe-http.rdf": (3, NOT_AN_ENTITY),
    "external-dtd.rdf": (2, "an external DTD (SYSTEM or PUBLIC) is refused"),
    "billion-laughs.rdf": (4, "the XML entity lol1 refers to another entity"),
    "billion-laughs-lowercase.rdf": (4, "the XML entity lol1 refers to another entity"),
    "quadratic-blowup.rdf": (3, "the XML entity a is longer than 256 bytes"),
    "context-remote.jsonld": (2, BY_IRI),
    "context-remote-array.jsonld": (2, BY_IRI),
    "context-remote-scoped.jsonld": (2, BY_IRI),
    "context-remote-import.jsonld": (2, BY_IRI),
    "context-escaped-key.jsonld": (2, BY_IRI),
    "context-file.jsonld": (2, BY_IRI),
    "deep.jsonld": (1, TOO_DEEP),
    "deep-array.jsonld": (1, TOO_DEEP),
    "deep-blank-nodes.ttl": (2, TOO_DEEP),
    "deep-collection.ttl": (2, TOO_DEEP),
    "deep-triple-terms.nt": (1, TOO_DEEP),
    "deep-elements.rdf": (1, TOO_DEEP),
    "truncated.nt": (2, "Unexpected end"),
    "truncated.ttl": (4, "Unexpected end"),
    "bad-iri.nt": (2, "Invalid IRI"),
    "bad-iri.ttl": (2, "Invalid IRI"),
    "ill-typed.ttl": (None, "the literal 'douze' of <http://example.org/a> <http://example.org/population> "
                            "is not a valid xsd:integer"),
}




@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def hostile(name: str, folder: Path, port: int) -> Path:
    """The corpus file, its {PORT} pointing at the listener."""
    path = folder / name
    path.write_bytes((HOSTILE / name).read_bytes().replace(b"{PORT}", str(port).encode()))
    return path


def run(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["pvd-kg", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def assert_one_line(done: subprocess.CompletedProcess, path: Path, line: int | None, why: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    where = re.escape(str(path)) + (rf":{line}(:\d+)?" if line else "")
    assert re.match(rf"error: {where}: ", lines[0]), lines[0]
    assert why in lines[0]


@pytest.fixture
def store_dir(tmp_path) -> Path:
    folder = tmp_path / "store"
    store = EmbeddedStore(folder)
    load_files(store, [OK], validate=False)
    store.close()
    return folder


def store_hash(folder: Path) -> str:
    store = EmbeddedStore(folder, read_only=True)
    try:
        out = folder.parent / "dump.nq"
        export(store, out, fmt="nquads")
        return hashlib.sha256(out.read_bytes()).hexdigest()
    finally:
        store.close()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_refuses_in_one_line(name, tmp_path, listener):
    path = hostile(name, tmp_path, listener.port)
    line, why = EXPECTED[name]
    assert_one_line(run("validate", str(path)), path, line, why)
    assert listener.connections == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_refuses_in_one_line_and_keeps_the_store(name, tmp_path, listener, store_dir):
    path = hostile(name, tmp_path, listener.port)
    before = store_hash(store_dir)
    line, why = EXPECTED[name]
    assert_one_line(run("load", str(path), "--no-validate", "--store", str(store_dir)), path, line, why)
    assert listener.connections == 0
    assert store_hash(store_dir) == before


# Opens and connections seen by the audit hook while a test watches (the hook stays for the
# whole session: sys.addaudithook cannot be undone).
_SEEN: list[tuple] = []
_WATCHING = threading.Event()


def _audit(event, args):
    if _WATCHING.is_set() and event in ("socket.connect", "open"):
        _SEEN.append((event, args[0] if args else None))


@pytest.fixture
def audited():
    if not getattr(sys, "_pvd_kg_parse_hook", False):
        sys.addaudithook(_audit)
        sys._pvd_kg_parse_hook = True
    _SEEN.clear()
    _WATCHING.set()
    yield _SEEN
    _WATCHING.clear()


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith(("context", "xxe", "external"))))
def test_python_api_reads_nothing_outside(name, tmp_path, listener, store_dir, audited):
    from pvd_kg.validate import load_files as validate_files

    path = hostile(name, tmp_path, listener.port)
    store = EmbeddedStore(store_dir)
    try:
        with pytest.raises(PvdKgError, match=re.escape(EXPECTED[name][1])):
            load_files(store, [path], validate=False)
        with pytest.raises(PvdKgError, match=re.escape(EXPECTED[name][1])):
            validate_files([path])
    finally:
        store.close()
    _WATCHING.clear()
    assert not [a for e, a in audited if e == "socket.connect"]
    assert not [a for e, a in audited if e == "open" and str(a).startswith(("/etc/", "http"))]
    assert listener.connections == 0


def test_a_context_file_beside_is_not_read(tmp_path):
    """A context that would resolve (a real file) is refused all the same: nothing is read."""
    (tmp_path / "ctx.jsonld").write_text('{"@context": {"name": "http://example.org/name"}}')
    doc = tmp_path / "doc.jsonld"
    doc.write_text('{"@context": "ctx.jsonld", "@id": "http://example.org/a", "name": "x"}')
    done = run("validate", str(doc))
    assert_one_line(done, doc, 1, BY_IRI)


def test_a_bad_graph_iri_is_named_as_such(store_dir):
    before = store_hash(store_dir)
    done = run("load", str(OK), "--graph", "notaniri", "--no-validate", "--store", str(store_dir))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: the graph IRI 'notaniri' is not a valid IRI")
    assert "too large" not in done.stderr and "parser died" not in done.stderr
    assert store_hash(store_dir) == before


def test_a_50_mb_literal_is_refused_in_one_line(tmp_path, store_dir):
    path = tmp_path / "big.nt"
    with open(path, "w") as f:
        f.write('<http://example.org/a> <http://example.org/p> "x" .\n<http://example.org/a> <http://example.org/p> "')
        for _ in range(50):
            f.write("a" * (1 << 20))
        f.write('" .\n')
    before = store_hash(store_dir)
    assert_one_line(run("validate", str(path)), path, 2, "longer than 1048576 bytes")
    assert_one_line(run("load", str(path), "--no-validate", "--store", str(store_dir)), path, 2,
                    "longer than 1048576 bytes")
    assert store_hash(store_dir) == before


def _text_node_rdfxml(path: Path, text: str) -> Path:
    path.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
                    f'<rdf:Description rdf:about="http://example.org/a"><ex:p>{text}</ex:p></rdf:Description>'
                    '</rdf:RDF>\n')
    return path


def test_a_long_xml_text_node_is_refused_after_parsing(tmp_path):
    path = _text_node_rdfxml(tmp_path / "long.rdf", "a" * (5 << 20))
    assert_one_line(run("validate", str(path)), path, None,
                    "the literal of <http://example.org/a> <http://example.org/p> is longer than 1048576 characters")


def test_the_memory_cap_is_named(tmp_path):
    """Short internal entities are allowed (ontology editors write them); a file that still
    expands past the memory cap names the cap, not the file's size."""
    entity = '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY a "' + "a" * 256 + '"> ]>\n'
    path = tmp_path / "expands.rdf"
    _text_node_rdfxml(path, "&a;" * 1_000_000)
    path.write_text(entity + path.read_text())
    done = run("validate", str(path), env={"PVD_KG_PARSE_MEMORY_MB": "200"})
    assert_one_line(done, path, None, "the parser reached its memory cap of 200 MB")
    assert "too large" not in done.stderr


def test_the_time_cap_is_named(tmp_path):
    n = 100_000  # pyoxigraph's RDF/XML parser takes minutes at this depth
    path = _text_node_rdfxml(tmp_path / "slow.rdf", '<ex:q rdf:parseType="Resource">' * n + "x" + "</ex:q>" * n)
    done = run("validate", str(path), env={"PVD_KG_PARSE_TIMEOUT": "3", "PVD_KG_PARSE_MAX_DEPTH": str(2 * n)})
    assert_one_line(done, path, None, "parsing ran past the time cap of 3 s")


def test_the_size_cap_is_named(tmp_path):
    done = run("validate", str(OK), env={"PVD_KG_PARSE_MAX_BYTES": "10"})
    assert_one_line(done, OK, None, f"{OK.stat().st_size} bytes, over the input cap of 10 bytes")


def test_a_bad_limit_is_refused():
    done = run("validate", str(OK), env={"PVD_KG_PARSE_MAX_DEPTH": "deep"})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "PVD_KG_PARSE_MAX_DEPTH='deep' is not a positive number" in done.stderr


def test_short_internal_entities_still_load(tmp_path):
    """The DOCTYPE ontology editors write (entities for namespaces) is not refused."""
    path = tmp_path / "editor.rdf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!-- namespaces -->\n'
                    '  <!ENTITY ex "http://example.org/">\n  <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n]>\n'
                    '<rdf:RDF xmlns:rdf="&rdf;" xmlns:ex="&ex;"><rdf:Description rdf:about="&ex;a">'
                    '<ex:p>x &amp; y &#233;</ex:p></rdf:Description></rdf:RDF>\n')
    from pvd_kg.validate import load_files as validate_files

    [quad] = list(validate_files([path]))
    assert (quad.subject.value, quad.object.value) == ("http://example.org/a", "x & y é")


SOUND = {
    "ttl": '@prefix ex: <http://example.org/> . # a comment with [ ( "\n'
           'ex:a ex:p """long "quoted" [ text\n with ( brackets""" , \'it\\\'s [\' , ( [ ex:q 1.5e3 ] ) ;\n'
           '  ex:r <http://example.org/x#[y]> , "2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
    "jsonld": '{"@context": {"ex": "http://example.org/", "p": {"@id": "ex:p", "@context": {"q": "ex:q"}}},\n'
              ' "@id": "ex:a", "ex:s": "a \\" [ { string", "p": {"q": ["x", {"@value": "y"}]}}\n',
    "json": '{"@id": "http://example.org/a", "http://example.org/s": "a \\" [ { \\\\", "http://example.org/p": '
            '[{"@value": "x]}"}, {"http://example.org/q": {"@id": "http://example.org/b"}}]}\n',
    "rdf": '<?xml version="1.0"?>\n<!-- <ex:p> --><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           ' xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a" ex:t="a > b">'
           '<ex:p><![CDATA[<ex:q>]]></ex:p><ex:r rdf:resource="http://example.org/b"/></rdf:Description></rdf:RDF>\n',
    "nt": '<http://example.org/a> <http://example.org/p> "<< [ (" .\n'
          '<http://example.org/a> <http://example.org/p> <<( <http://example.org/a> <http://example.org/p> <<( <http://example.org/b> <http://example.org/p> "x" )>> )>> .\n',
}


@pytest.mark.parametrize("ext", sorted(SOUND))
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_the_scan_reads_sound_files_cut_anywhere(ext, chunk, tmp_path, monkeypatch):
    """Tokens cut by a chunk boundary are carried over: sound files pass at every cut, and the
    depth counted is the same."""
    from pvd_kg.parsing import scan

    path = tmp_path / f"sound.{ext}"
    path.write_text(SOUND[ext], encoding="utf-8")
    syntax = {"ttl": "turtle", "jsonld": "jsonld", "json": "jsonld", "rdf": "rdfxml", "nt": "ntriples"}[ext]
    monkeypatch.setattr(scan, "CHUNK", chunk)
    scan.scan(str(path), syntax, max_depth=4, max_token=200)
    with pytest.raises(scan.Refused, match="nesting deeper than"):
        scan.scan(str(path), syntax, max_depth=1, max_token=200)


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_the_scan_refuses_a_context_cut_anywhere(chunk, tmp_path, monkeypatch):
    from pvd_kg.parsing import scan

    path = hostile("context-remote-array.jsonld", tmp_path, 1)
    monkeypatch.setattr(scan, "CHUNK", chunk)
    with pytest.raises(scan.Refused, match=BY_IRI) as caught:
        scan.scan(str(path), "jsonld", max_depth=100, max_token=1000)
    assert scan.position(str(path), caught.value.offset) == (2, 47)


@pytest.mark.parametrize("value,datatype,ok", [
    ("12", "integer", True), ("douze", "integer", False), ("١٢", "integer", False), (" 12", "integer", False),
    ("-0", "nonNegativeInteger", True), ("-1", "nonNegativeInteger", False), ("1.5E3", "double", True),
    ("INF", "float", True), ("1,5", "decimal", False), ("true", "boolean", True), ("yes", "boolean", False),
    ("2024-02-29", "date", True), ("2023-02-29", "date", False), ("2021-13-01", "date", False),
    ("2021-01-01Z", "date", True), ("2021-01-01T24:00:00", "dateTime", True), ("2021-01-01", "dateTime", False),
    ("2021", "gYear", True), ("21", "gYear", False), ("2021-07", "gYearMonth", True), ("anything", "string", True),
])
def test_ill_typed_literals(value, datatype, ok):
    from pvd_kg.parsing.lexical import XSD, ill_typed

    assert (ill_typed(value, XSD + datatype) is None) == ok


@pytest.mark.parametrize("escape,code", [("\\u0000", "U+0000"), ("\\u001B", "U+001B"), ("\\uFFFE", "U+FFFE"),
                                         ("\\uFFFF", "U+FFFF")])
@pytest.mark.parametrize("graph", [None, "http://example.org/g"])
def test_rdfxml_export_refuses_what_xml_cannot_carry(escape, code, graph, tmp_path, store_dir):
    bad = tmp_path / "bad.nt"
    bad.write_text(f'<http://example.org/bad> <http://example.org/label> "a{escape}b" .\n')
    graph_args = ["--graph", graph] if graph else []
    assert run("load", str(bad), "--no-validate", "--store", str(store_dir), *graph_args).returncode == 0
    out = tmp_path / "out" / "dump.rdf"
    out.parent.mkdir()
    done = run("export", "--format", "rdfxml", "-o", str(out), "--store", str(store_dir), *graph_args)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: the literal of <http://example.org/bad> <http://example.org/label> holds {code}, which XML 1.0 "
        "cannot carry: RDF/XML cannot be written (export as N-Triples or Turtle, or correct the literal)"]
    assert list(out.parent.iterdir()) == []
    stdout = run("export", "--format", "rdfxml", "--store", str(store_dir), *graph_args)
    assert stdout.returncode != 0 and "XML 1.0 cannot carry" in stdout.stderr


def test_rdfxml_export_keeps_tab_newline_and_other_text(tmp_path, store_dir):
    good = tmp_path / "good.nt"
    good.write_text('<http://example.org/good> <http://example.org/label> "a\\tb\\nc \\u0085 \\u007F é" .\n')
    assert run("load", str(good), "--no-validate", "--store", str(store_dir)).returncode == 0
    out = tmp_path / "dump.rdf"
    done = run("export", "--format", "rdfxml", "-o", str(out), "--store", str(store_dir))
    assert done.returncode == 0, done.stderr
    import xml.dom.minidom

    xml.dom.minidom.parse(str(out))  # well-formed


def test_rdfxml_query_answer_refuses_what_xml_cannot_carry(tmp_path, store_dir):
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/bad> <http://example.org/label> "a\\u0008b" .\n')
    assert run("load", str(bad), "--no-validate", "--store", str(store_dir)).returncode == 0
    out = tmp_path / "answer.rdf"
    done = run("query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--format", "rdfxml", "-o", str(out),
               "--store", str(store_dir))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: the literal of <http://example.org/bad> <http://example.org/label> holds U+0008, which XML 1.0 "
        "cannot carry: RDF/XML cannot be written (export as N-Triples or Turtle, or correct the literal)"]
    assert not out.exists()


def test_xml_query_results_refuse_what_xml_cannot_carry(tmp_path, store_dir):
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/bad> <http://example.org/label> "a\\u0000b" .\n')
    assert run("load", str(bad), "--no-validate", "--store", str(store_dir)).returncode == 0
    select = "SELECT ?o WHERE { <http://example.org/bad> ?p ?o }"
    done = run("query", select, "--format", "xml", "--store", str(store_dir))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: a literal of the answer holds U+0000, which XML 1.0 cannot carry: no XML answer can be written "
        "(ask for --format json or csv)"]
    assert "a\\u0000b" in run("query", select, "--format", "json", "--store", str(store_dir)).stdout


def test_served_xml_answers_refuse_what_xml_cannot_carry(tmp_path, store_dir):
    import requests

    from serve_server import running_server

    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/bad> <http://example.org/label> "a\\u0000b" .\n')
    assert run("load", str(bad), "--no-validate", "--store", str(store_dir)).returncode == 0
    select = "SELECT ?o WHERE { <http://example.org/bad> ?p ?o }"
    construct = "CONSTRUCT WHERE { <http://example.org/bad> ?p ?o }"
    with running_server(store_dir, log_dir=tmp_path) as server:
        for query, accept in ((select, "application/sparql-results+xml"), (construct, "application/rdf+xml")):
            answer = requests.get(server("/sparql"), params={"query": query}, headers={"Accept": accept}, timeout=30)
            assert answer.status_code == 406, (accept, answer.status_code, answer.text)
            assert "U+0000, which XML 1.0 cannot carry" in answer.text
        answer = requests.get(server("/sparql"), params={"query": select},
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert answer.status_code == 200 and answer.json()["results"]["bindings"][0]["o"]["value"] == "a\x00b"
