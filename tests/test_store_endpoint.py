"""What only the endpoint store does: a total deadline on every exchange, authentication, and
HTTP errors turned into library errors. Each test runs a real HTTP server on a loopback port."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pvd_kg.errors import QueryError, QueryTimeout, StoreError
from pvd_kg.store.endpoint import EndpointStore

ANSWER = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}})


class Handler(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Handler.seen.append(dict(self.headers))
        if self.path == "/trickle":  # one byte at a time, each well within requests' read timeout
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path == "/bad":
            body = b"Parse error: unexpected token"
            self.send_response(400)
        else:
            body = ANSWER.encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_total_deadline_beats_a_trickling_server(base):
    store = EndpointStore(f"{base}/trickle")
    with pytest.raises(QueryTimeout):
        store.query("SELECT ?x WHERE { ?x ?p ?o }", timeout=1)


def test_answer_parsed_into_rdflib_terms(base):
    answer = EndpointStore(f"{base}/query").query("SELECT ?x WHERE { ?x ?p ?o }")
    assert answer.variables == ["x"] and str(answer.rows[0][0]) == "1"


def test_bearer_and_basic_auth(base):
    Handler.seen.clear()
    EndpointStore(f"{base}/query", token="s3cret").query("ASK {}")
    EndpointStore(f"{base}/query", user="ana", password="pw").query("ASK {}")
    assert Handler.seen[0]["Authorization"] == "Bearer s3cret"
    assert Handler.seen[1]["Authorization"] == "Basic YW5hOnB3"


def test_http_error_becomes_query_error(base):
    with pytest.raises(QueryError, match="400"):
        EndpointStore(f"{base}/bad").query("SELECT * WHERE { ?s ?p ?o }")


def test_unreachable_endpoint(base):
    port = int(base.rsplit(":", 1)[1])
    with pytest.raises(StoreError, match="cannot reach"):
        EndpointStore(f"http://127.0.0.1:{port + 1 if port < 65535 else 1}/query").query("ASK {}", timeout=5)


def test_quads_dump_needs_the_graph_store_protocol(base, tmp_path):
    from pvd_kg.formats import rdf_format

    with pytest.raises(StoreError, match="Graph Store Protocol"):
        with open(tmp_path / "x.nq", "wb") as out:
            EndpointStore(f"{base}/query").dump(out, rdf_format("nquads"))
