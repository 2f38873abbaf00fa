"""pvd_kg.fetch against a real HTTP server on a free loopback port, serving tests/data/fetch/."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.errors import FetchError
from pvd_kg.fetch import fetch_source, fetch_sources
from pvd_kg.sources_registry import ETALAB_2, SOURCES

DATA = Path(__file__).parent / "data" / "fetch"
ISO = (DATA / "pvd_iso.csv").read_bytes()
DMY = (DATA / "pvd_dmy.csv").read_bytes()
LATIN1 = (DATA / "pvd_latin1.csv").read_bytes()
CSV_UTF8 = "text/csv; charset=utf-8"
FAST = dict(backoff=0.01, deadline=5.0)  # small waits: the tests stay quick


@dataclasses.dataclass
class Reply:
    """One scripted answer. ``length=None`` sends the true Content-Length, ``-1`` sends none."""

    status: int = 200
    body: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)
    length: int | None = None
    dribble: float | None = None  # seconds between 8-byte pieces


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            server.log.append((self.path, dict(self.headers)))
            replies = server.routes.get(self.path) or [Reply(404, b"not found")]
            n = server.hits.get(self.path, 0)
            server.hits[self.path] = n + 1
        reply = replies[min(n, len(replies) - 1)]
        if callable(reply):
            reply = reply(self.headers)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        length = len(reply.body) if reply.length is None else reply.length
        if length >= 0:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            if reply.dribble is None:
                self.wfile.write(reply.body)
                return
            for i in range(0, len(reply.body), 8):
                if server.stopping.is_set():
                    return
                self.wfile.write(reply.body[i:i + 8])
                self.wfile.flush()
                time.sleep(reply.dribble)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should


class FixtureServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes, self.httpd.hits, self.httpd.log = {}, {}, []
        self.httpd.lock = threading.Lock()
        self.httpd.stopping = threading.Event()
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def route(self, path, *replies):
        with self.httpd.lock:
            self.httpd.routes[path] = list(replies)
            self.httpd.hits[path] = 0
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def hits(self, path):
        return self.httpd.hits.get(path, 0)

    def requests(self, path):
        return [headers for p, headers in self.httpd.log if p == path]

    def close(self):
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = FixtureServer()
    yield srv
    srv.close()


def pvd_source(url):
    return dataclasses.replace(SOURCES["anct-pvd-2026"], url=url)


def ok(body=ISO, ctype=CSV_UTF8, **headers):
    return Reply(200, body, {"Content-Type": ctype, **headers})


def record_of(dest):
    return json.loads((dest / "anct-pvd-2026.csv.fetch.json").read_text(encoding="utf-8"))


def test_success_follows_redirect_and_writes_file_and_record(server, tmp_path):
    target = server.route("/liste-pvd.csv", ok(ETag='"v1"', **{"Last-Modified": "Mon, 27 Apr 2026 16:08:36 GMT"}))
    url = server.route("/r/pvd", Reply(302, b"", {"Location": target}))
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert result.status == "downloaded"
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == ISO
    record = record_of(tmp_path)
    assert record["url"] == url and record["final_url"] == target
    assert record["http_status"] == 200
    assert record["etag"] == '"v1"'
    assert record["last_modified"] == "Mon, 27 Apr 2026 16:08:36 GMT"
    assert record["sha256"] == hashlib.sha256(ISO).hexdigest() == result.sha256
    assert record["bytes"] == len(ISO) == result.size
    assert record["encoding"] == {"declared": "utf-8", "detected": None, "used": "utf_8"}
    assert record["licence"] == ETALAB_2
    assert record["columns"] == ["insee_com", "lib_com", "id_pvd", "date_signature"]
    assert datetime.datetime.fromisoformat(record["retrieved_at"]).utcoffset() == datetime.timedelta(0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anct-pvd-2026.csv", "anct-pvd-2026.csv.fetch.json"]
    assert result.line().startswith(f"anct-pvd-2026  downloaded  {len(ISO)} bytes  sha256:{result.sha256[:12]}")


def _conditional(headers):
    if headers.get("If-None-Match") == '"v1"':
        return Reply(304)
    return ok(ETag='"v1"', **{"Last-Modified": "Mon, 27 Apr 2026 16:08:36 GMT"})


def test_second_fetch_is_conditional_and_304_means_unchanged(server, tmp_path):
    url = server.route("/pvd.csv", _conditional)
    fetch_source(pvd_source(url), tmp_path, **FAST)
    first = record_of(tmp_path)
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert result.status == "unchanged"
    assert result.sha256 == first["sha256"]
    second_request = server.requests("/pvd.csv")[1]
    assert second_request["If-None-Match"] == '"v1"'
    assert second_request["If-Modified-Since"] == "Mon, 27 Apr 2026 16:08:36 GMT"
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == ISO
    assert record_of(tmp_path)["retrieved_at"] == first["retrieved_at"]


def test_a_locally_changed_file_is_downloaded_again_without_condition(server, tmp_path):
    url = server.route("/pvd.csv", _conditional)
    fetch_source(pvd_source(url), tmp_path, **FAST)
    (tmp_path / "anct-pvd-2026.csv").write_bytes(b"edited by hand\n")
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert result.status == "downloaded"
    assert "If-None-Match" not in server.requests("/pvd.csv")[1]
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == ISO


def test_without_validators_the_file_is_downloaded_again_and_compared(server, tmp_path):
    url = server.route("/pvd.csv", ok(), ok(), ok(DMY))
    first = fetch_source(pvd_source(url), tmp_path, **FAST)
    again = fetch_source(pvd_source(url), tmp_path, **FAST)
    changed = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert "If-None-Match" not in server.requests("/pvd.csv")[1]
    assert [r.record["same_as_previous"] for r in (first, again, changed)] == [False, True, False]
    assert "downloaded (same content as before)" in again.line()
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == DMY


def test_500_then_success_is_retried(server, tmp_path):
    url = server.route("/pvd.csv", Reply(500, b"oops"), Reply(503, b"busy"), ok())
    result = fetch_source(pvd_source(url), tmp_path, retries=3, **FAST)
    assert result.status == "downloaded"
    assert result.record["attempts"] == 3 and server.hits("/pvd.csv") == 3


def test_500_forever_fails_after_the_retries_and_keeps_the_old_file(server, tmp_path):
    url = server.route("/pvd.csv", ok(ETag='"v1"'))
    fetch_source(pvd_source(url), tmp_path, **FAST)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    server.route("/pvd.csv", Reply(500, b"oops"))
    with pytest.raises(FetchError, match=r"anct-pvd-2026: HTTP 500 .* after 3 attempts"):
        fetch_source(pvd_source(url), tmp_path, retries=2, **FAST)
    assert server.hits("/pvd.csv") == 3
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_429_with_a_huge_retry_after_waits_only_the_cap(server, tmp_path):
    url = server.route("/pvd.csv", Reply(429, b"slow down", {"Retry-After": "3600"}), ok())
    result = fetch_source(pvd_source(url), tmp_path, max_retry_after=0.05, **FAST)
    assert result.status == "downloaded" and result.record["attempts"] == 2


def test_a_retry_after_beyond_the_deadline_fails_at_once(server, tmp_path):
    url = server.route("/pvd.csv", Reply(429, b"slow down", {"Retry-After": "3600"}), ok())
    with pytest.raises(FetchError, match="deadline of 2 s would pass before attempt 2"):
        fetch_source(pvd_source(url), tmp_path, backoff=0.01, deadline=2.0, max_retry_after=3600)
    assert server.hits("/pvd.csv") == 1


def test_a_dribbling_server_is_cut_at_the_total_deadline(server, tmp_path):
    body = ISO * 8  # about 9 kB at 8 bytes per 20 ms: 20 s to send in full
    url = server.route("/pvd.csv", Reply(200, body, {"Content-Type": CSV_UTF8}, dribble=0.02))
    with pytest.raises(FetchError, match=r"deadline passed while reading .* \((\d+) bytes read\)") as info:
        fetch_source(pvd_source(url), tmp_path, deadline=1.0, read_timeout=5.0, backoff=0.01)
    # Each read succeeds quickly, yet the body was cut short: the watchdog closed the socket.
    read = int(info.value.message.rsplit("(", 1)[1].split()[0])
    assert read < len(body)
    assert list(tmp_path.iterdir()) == []


def test_a_stall_longer_than_the_read_timeout_fails_before_the_deadline(server, tmp_path):
    url = server.route("/pvd.csv", Reply(200, ISO, {"Content-Type": CSV_UTF8}, dribble=3.0))
    with pytest.raises(FetchError, match=r"read from .* timed out after \d+ bytes, after 1 attempt$"):
        fetch_source(pvd_source(url), tmp_path, retries=0, read_timeout=0.3, deadline=5.0)


def test_a_truncated_body_is_refused(server, tmp_path):
    url = server.route("/pvd.csv", Reply(200, ISO, {"Content-Type": CSV_UTF8}, length=len(ISO) + 500))
    with pytest.raises(FetchError, match=rf"truncated body .*got {len(ISO)} of {len(ISO) + 500} bytes.*after 2 attempts"):
        fetch_source(pvd_source(url), tmp_path, retries=1, **FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_renamed_column_names_missing_and_unexpected(server, tmp_path):
    url = server.route("/pvd.csv", ok(ISO.replace(b"insee_com", b"code_insee", 1)))
    with pytest.raises(FetchError) as info:
        fetch_source(pvd_source(url), tmp_path, **FAST)
    assert "lacks expected column(s) 'insee_com'" in str(info.value)
    assert "unexpected column(s): 'code_insee'" in str(info.value)


@pytest.mark.parametrize("ctype, body", [
    ("text/html; charset=utf-8", b"<!DOCTYPE html><html><body>Maintenance</body></html>"),
    ("text/csv", b"\n  <!doctype html>\n<html><body>Erreur 404</body></html>"),
])
def test_an_html_page_served_as_200_is_refused(server, tmp_path, ctype, body):
    url = server.route("/pvd.csv", Reply(200, body, {"Content-Type": ctype}))
    with pytest.raises(FetchError, match="served an HTML page"):
        fetch_source(pvd_source(url), tmp_path, **FAST)


@pytest.mark.parametrize("length, message", [(None, "announces"), (-1, "sent more than the cap")])
def test_a_body_over_the_size_cap_is_refused(server, tmp_path, length, message):
    url = server.route("/pvd.csv", Reply(200, ISO, {"Content-Type": CSV_UTF8}, length=length))
    with pytest.raises(FetchError, match=message):
        fetch_source(pvd_source(url), tmp_path, max_bytes=300, **FAST)
    assert list(tmp_path.iterdir()) == []


def test_the_declared_charset_is_honoured(server, tmp_path):
    url = server.route("/pvd.csv", ok(LATIN1, "text/csv; charset=ISO-8859-1"))
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == ISO
    assert result.record["encoding"] == {"declared": "iso-8859-1", "detected": None, "used": "iso8859_1"}
    assert result.record["received_sha256"] == hashlib.sha256(LATIN1).hexdigest()


def test_a_wrong_declared_charset_is_an_error_not_a_guess(server, tmp_path):
    url = server.route("/pvd.csv", ok(LATIN1, CSV_UTF8))
    with pytest.raises(FetchError, match="declares charset 'utf-8' but byte 0xf4"):
        fetch_source(pvd_source(url), tmp_path, **FAST)


def test_undeclared_latin1_is_detected_and_stored_as_utf8(server, tmp_path):
    url = server.route("/pvd.csv", ok(LATIN1, "text/csv"))
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == ISO  # "La Fère", not "La Fčre"
    assert result.record["encoding"]["declared"] is None
    assert result.record["encoding"]["detected"] == "cp1252"


def test_the_day_first_variant_downloads(server, tmp_path):
    url = server.route("/pvd.csv", ok(DMY))
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert result.record["columns"] == ["insee_com", "lib_com", "id_pvd", "date_signature"]
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == DMY


def test_connection_refused_is_retried_then_reported(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match=r"connection to .* failed \(Connection refused\), after 2 attempts"):
        fetch_source(pvd_source(f"http://127.0.0.1:{port}/pvd.csv"), tmp_path, retries=1, **FAST)


def test_fetch_sources_goes_on_after_a_failure(server, tmp_path):
    registry = {
        "bad": dataclasses.replace(SOURCES["anct-pvd-2026"], key="bad", url=server.route("/bad.csv", Reply(404))),
        "good": dataclasses.replace(SOURCES["anct-pvd-2026"], key="good", url=server.route("/good.csv", ok())),
        "none": dataclasses.replace(SOURCES["anct-pvd-2026"], key="none", url=None),
    }
    results = fetch_sources(None, tmp_path, sources=registry, **FAST)
    assert [(r.key, r.status) for r in results] == [("bad", "failed"), ("good", "downloaded"), ("none", "no live URL")]
    assert results[0].reason.startswith("HTTP 404")
    assert (tmp_path / "good.csv").read_bytes() == ISO


def test_cli_reports_sources_without_live_url_and_refuses_unknown_keys(tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli, ["fetch", "epci-com-2023", "anct-ngeo-2023", "--dest", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == ["epci-com-2023  no live URL", "anct-ngeo-2023  no live URL"]
    refused = runner.invoke(cli, ["fetch", "pvd-2099", "--dest", str(tmp_path)])
    assert refused.exit_code == 2
    assert "unknown source 'pvd-2099'" in refused.output and "Traceback" not in refused.output
