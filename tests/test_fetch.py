"""pvd_kg.fetch against a real HTTP server on a free loopback port, serving tests/data/fetch/."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.errors import FetchError
from pvd_kg.fetch import fetch_source, fetch_sources, fetch_url
from pvd_kg.sources_registry import ETALAB_2, SOURCES

DATA = Path(__file__).parent / "data" / "fetch"
ISO = (DATA / "pvd_iso.csv").read_bytes()
DMY = (DATA / "pvd_dmy.csv").read_bytes()
LATIN1 = (DATA / "pvd_latin1.csv").read_bytes()
CSV_UTF8 = "text/csv; charset=utf-8"
LOCAL = dict(allow_private_hosts=("127.0.0.1", "localhost"))  # the test server is on loopback: allowed by name
FAST = dict(backoff=0.01, deadline=5.0, **LOCAL)  # small waits: the tests stay quick


@dataclasses.dataclass
class Reply:
    """One scripted answer. ``length=None`` sends the true Content-Length, ``-1`` sends none."""

    status: int = 200
    body: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)
    length: int | None = None
    dribble: float | None = None  # seconds between 8-byte pieces
    header_dribble: float | None = None  # seconds between header lines, sent without end


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
        if reply.header_dribble is not None:
            self._dribble_headers(reply.header_dribble)
            return
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


    def _dribble_headers(self, pause):
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for i in range(10_000):
                if self.server.stopping.is_set():
                    return
                self.wfile.write(b"X-Slow-%d: x\r\n" % i)
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass


class FixtureServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes, self.httpd.hits, self.httpd.log = {}, {}, []
        self.httpd.lock = threading.Lock()
        self.httpd.stopping = threading.Event()
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def route(self, path, *replies, host="127.0.0.1"):
        with self.httpd.lock:
            self.httpd.routes[path] = list(replies)
            self.httpd.hits[path] = 0
        return f"http://{host}:{self.httpd.server_address[1]}{path}"

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


def test_a_retry_after_within_the_wait_cap_is_honoured(server, tmp_path):
    url = server.route("/pvd.csv", Reply(429, b"slow down", {"Retry-After": "1"}), ok())
    started = time.monotonic()
    result = fetch_source(pvd_source(url), tmp_path, **FAST)
    assert result.status == "downloaded" and result.record["attempts"] == 2
    assert time.monotonic() - started >= 1.0


def test_repeated_429_asking_an_hour_gives_up_at_once_with_a_clear_line(server, tmp_path):
    url = server.route("/pvd.csv", Reply(429, b"slow down", {"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"HTTP 429 .* asks to retry after 3600 s, over the total wait cap of 30 s; "
                                         r"gave up after 1 attempt$"):
        fetch_source(pvd_source(url), tmp_path, deadline=120.0, **LOCAL)
    assert time.monotonic() - started < 5 and server.hits("/pvd.csv") == 1


def test_the_waits_between_attempts_are_capped_in_total(server, tmp_path):
    url = server.route("/pvd.csv", Reply(503, b"busy", {"Retry-After": "1"}))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"HTTP 503 .* asks to retry after 1 s, over the total wait cap of 2.5 s; "
                                         r"gave up after 3 attempts$"):
        fetch_source(pvd_source(url), tmp_path, retries=10, backoff=0.01, max_wait=2.5, **LOCAL)
    assert server.hits("/pvd.csv") == 3 and time.monotonic() - started < 5


def test_a_retry_after_beyond_the_deadline_fails_at_once(server, tmp_path):
    url = server.route("/pvd.csv", Reply(429, b"slow down", {"Retry-After": "3600"}), ok())
    with pytest.raises(FetchError, match="deadline of 2 s would pass before attempt 2"):
        fetch_source(pvd_source(url), tmp_path, backoff=0.01, deadline=2.0, max_wait=7200, **LOCAL)
    assert server.hits("/pvd.csv") == 1


def test_a_dribbling_server_is_cut_at_the_total_deadline(server, tmp_path):
    body = ISO * 8  # about 9 kB at 8 bytes per 20 ms: 20 s to send in full
    url = server.route("/pvd.csv", Reply(200, body, {"Content-Type": CSV_UTF8}, dribble=0.02))
    with pytest.raises(FetchError, match=r"deadline passed while reading .* \((\d+) bytes read\)") as info:
        fetch_source(pvd_source(url), tmp_path, deadline=1.0, read_timeout=5.0, backoff=0.01, **LOCAL)
    # Each read succeeds quickly, yet the body was cut short: the watchdog closed the socket.
    read = int(info.value.message.rsplit("(", 1)[1].split()[0])
    assert read < len(body)
    assert list(tmp_path.iterdir()) == []


def test_a_stall_longer_than_the_read_timeout_fails_before_the_deadline(server, tmp_path):
    url = server.route("/pvd.csv", Reply(200, ISO, {"Content-Type": CSV_UTF8}, dribble=3.0))
    with pytest.raises(FetchError, match=r"read from .* timed out after \d+ bytes, after 1 attempt$"):
        fetch_source(pvd_source(url), tmp_path, retries=0, read_timeout=0.3, deadline=5.0, **LOCAL)


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


def _chain(server, n, last, prefix="/hop"):
    """``n`` redirects /hop0 -> /hop1 -> ... -> ``last``; returns the URL of /hop0."""
    urls = [server.route(f"{prefix}{i}", Reply(302)) for i in range(n)] + [last]
    for i in range(n):
        server.route(f"{prefix}{i}", Reply(302, b"", {"Location": urls[i + 1]}))
    return urls[0]


def test_five_redirects_are_followed(server, tmp_path):
    url = _chain(server, 5, server.route("/pvd.csv", ok()))
    assert fetch_source(pvd_source(url), tmp_path, **FAST).status == "downloaded"


def test_a_sixth_redirect_is_refused(server, tmp_path):
    url = _chain(server, 6, server.route("/pvd.csv", ok()))
    with pytest.raises(FetchError, match=r"hop5 redirects to .*/pvd.csv: more than 5 redirects, refused$"):
        fetch_source(pvd_source(url), tmp_path, **FAST)
    assert server.hits("/pvd.csv") == 0 and list(tmp_path.iterdir()) == []


def test_a_redirect_loop_is_refused(server, tmp_path):
    a = server.route("/a", Reply(302))
    b = server.route("/b", Reply(302, b"", {"Location": a}))
    server.route("/a", Reply(302, b"", {"Location": "/b"}))  # relative Location, resolved
    with pytest.raises(FetchError, match=r"/b redirects to .*/a: a redirect loop \(already requested\), refused$"):
        fetch_source(pvd_source(a), tmp_path, **FAST)
    assert server.hits("/a") == 1 and server.hits("/b") == 1 and b.endswith("/b")


def test_a_redirect_to_another_host_is_refused_unless_allowed(server, tmp_path):
    target = server.route("/pvd.csv", ok(), host="127.0.0.2")  # same port, another host name
    url = server.route("/r/pvd", Reply(302, b"", {"Location": target}), host="localhost")
    allowed = dict(allow_private_hosts=("localhost", "127.0.0.2"))
    with pytest.raises(FetchError, match=r"redirects to http://127.0.0.2:\d+/pvd.csv: another host \(127.0.0.2\), "
                                         r"refused \(allow it with --allow-redirect-host 127.0.0.2\)$"):
        fetch_source(pvd_source(url), tmp_path, backoff=0.01, **allowed)
    assert server.hits("/pvd.csv") == 0
    # the registry's own redirect hosts and the user's are followed
    with pytest.raises(FetchError, match="Connection refused"):  # 127.0.0.2 has no listener: it was requested
        fetch_source(pvd_source(url), tmp_path, backoff=0.01, retries=0, allow_redirect_hosts=("127.0.0.2",), **allowed)


def test_a_redirect_to_a_loopback_address_is_refused(server, tmp_path):
    """The start host is allowed on loopback by name; the host it redirects to is allowed as a
    redirect target, but not on a loopback address: refused before any request."""
    target = server.route("/pvd.csv", ok(), host="127.0.0.1")
    url = server.route("/r/pvd", Reply(302, b"", {"Location": target}), host="localhost")
    with pytest.raises(FetchError, match=r"redirects to http://127.0.0.1:\d+/pvd.csv: 127.0.0.1 is a loopback "
                                         r"address, refused \(allow it by name with --allow-private-host 127.0.0.1\)$"):
        fetch_source(pvd_source(url), tmp_path, backoff=0.01, allow_private_hosts=("localhost",),
                     allow_redirect_hosts=("127.0.0.1",))
    assert server.hits("/pvd.csv") == 0


def test_a_loopback_start_is_refused_unless_allowed_by_name(server, tmp_path):
    url = server.route("/pvd.csv", ok(), host="localhost")
    with pytest.raises(FetchError, match=r"localhost \(127.0.0.1\) is a loopback address, refused"):
        fetch_source(pvd_source(url), tmp_path, backoff=0.01)
    assert server.hits("/pvd.csv") == 0


def test_a_server_dribbling_its_headers_is_cut_at_the_deadline(server, tmp_path):
    url = server.route("/pvd.csv", Reply(header_dribble=0.05))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"deadline passed before .*/pvd.csv answered"):
        fetch_source(pvd_source(url), tmp_path, deadline=1.0, read_timeout=5.0, **LOCAL)
    assert time.monotonic() - started < 3  # each header line comes well within the read timeout


def test_fetch_url_recognises_the_list_and_stores_it_like_a_source(server, tmp_path):
    url = server.route("/ma-liste.csv", ok(ETag='"v1"'))
    runner = CliRunner()
    done = runner.invoke(cli, ["fetch", "--url", url, "--dest", str(tmp_path), "--allow-private-host", "127.0.0.1"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"anct-pvd-2026  downloaded  {len(ISO)} bytes  sha256:")
    assert (tmp_path / "anct-pvd-2026.csv").read_bytes() == ISO
    record = record_of(tmp_path)
    assert record["url"] == url and record["key"] == "anct-pvd-2026" and record["publisher"] == "ANCT"
    # named with --as: the same file, fetched conditionally from its record
    again = runner.invoke(cli, ["fetch", "--url", url, "--as", "anct-pvd-2026", "--dest", str(tmp_path),
                                "--allow-private-host", "127.0.0.1"])
    assert again.exit_code == 0, again.output
    assert server.requests("/ma-liste.csv")[1]["If-None-Match"] == '"v1"'


def test_fetch_url_checks_the_columns_of_the_kind_named(server, tmp_path):
    url = server.route("/acv.csv", ok())
    with pytest.raises(FetchError, match=r"anct-acv-2024: .* lacks expected column\(s\) 'id_acv', 'lib_acv'"):
        fetch_url(url, tmp_path, kind="anct-acv-2024", **FAST)
    unknown = server.route("/other.csv", ok(b"code;nom\n01;x\n"))
    with pytest.raises(FetchError, match=r"matches no known kind of list \(name it with --as KEY"):
        fetch_url(unknown, tmp_path, **FAST)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/pvd.csv", "gopher://x/", "/etc/passwd"])
def test_fetch_url_refuses_other_schemes_in_one_line(tmp_path, url):
    done = CliRunner().invoke(cli, ["fetch", "--url", url, "--dest", str(tmp_path)])
    assert done.exit_code == 2
    assert done.output.count("\n") == 1 and "only http and https URLs are fetched" in done.output
    assert "Traceback" not in done.output and list(tmp_path.iterdir()) == []


def test_fetch_url_with_an_unknown_kind_is_bad_usage(tmp_path):
    done = CliRunner().invoke(cli, ["fetch", "--url", "https://example.org/x.csv", "--as", "pvd-2099",
                                    "--dest", str(tmp_path)])
    assert done.exit_code == 2 and done.output.count("\n") == 1 and "unknown source 'pvd-2099'" in done.output


def test_cli_fetch_url_failure_is_one_line_and_exit_1(server, tmp_path):
    url = server.route("/pvd.csv", Reply(429, b"", {"Retry-After": "3600"}))
    done = CliRunner().invoke(cli, ["fetch", "--url", url, "--dest", str(tmp_path), "--allow-private-host", "127.0.0.1"])
    assert done.exit_code == 1
    assert done.output.count("\n") == 1 and "asks to retry after 3600 s" in done.output


def test_a_gzip_bomb_is_cut_at_the_size_cap_on_the_decoded_bytes(server, tmp_path):
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = b"0" * 10_000_000
    body = packer.compress(ISO) + b"".join(packer.compress(zeros) for _ in range(20)) + packer.flush()
    assert len(body) < 300_000  # 200 MB once decoded
    url = server.route("/pvd.csv", Reply(200, body, {"Content-Type": CSV_UTF8, "Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="sent more than the cap of 1000000 bytes"):
        fetch_source(pvd_source(url), tmp_path, max_bytes=1_000_000, **FAST)
    assert list(tmp_path.iterdir()) == []
