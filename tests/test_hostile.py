"""The hostile corpus (tests/data/hostile/, see its README) run through every entry point that
takes each input: the ``pvd-kg`` command, the Python API and a real ``pvd-kg serve``.

Every file under tests/data/hostile/ is found when the tests are collected, so a file added to
any folder is a new case with no change here. Each case checks what issue 11 asks of bad input:
a clear one-line error naming the place (no traceback), a non-zero exit or a 4xx (never a 500),
the store's content unchanged, no connection attempted (a listener on a loopback port records
any, and an audit hook in the process records ``socket.connect`` and any ``open`` outside the
allowed folders, see hostile_driver.py), bounded time (a subprocess timeout) and memory
(``RLIMIT_AS`` on the subprocess), and the process alive (the server still answers).

An entry point named in the plan that this version lacks (a command, an option, an API function)
fails its cases: the plan lists only entry points that exist.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from serve_server import build_store, free_port, running_server

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).with_name("data") / "hostile"
DRIVER = Path(__file__).with_name("hostile_driver.py")
TIME_LIMIT = 20  # seconds a subprocess may run: the CLI's own limits (below) are far shorter
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space per process
QUERY_TIMEOUT = "3"  # seconds, for `pvd-kg query --timeout` and `serve --timeout`
TOKEN = "hostile-token"
MISSING = 77  # hostile_driver.MISSING
HEADER = re.compile(r"^#\s*([a-z-]+):\s*(.*)$")

# -- the cases --------------------------------------------------------------------------------


@dataclass
class Case:
    """One hostile input: a file of the corpus, or one made at test time (``make``)."""

    folder: str
    name: str
    path: Path | None = None
    header: dict = field(default_factory=dict)
    make: object = None  # (Path) -> Path, for inputs too big to ship

    @property
    def id(self) -> str:
        return f"{self.folder}/{self.name}"

    @property
    def expect(self) -> str:
        return self.header.get("expect", ".")

    def text(self, listener_port: int) -> str:
        """A query's text without its header, the listener's address filled in."""
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        while lines and HEADER.match(lines[0]):
            lines.pop(0)
        return "".join(lines).replace("LISTENER", f"127.0.0.1:{listener_port}")


def _header(path: Path) -> dict:
    out = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                m = HEADER.match(line)
                if not m:
                    break
                out[m.group(1)] = m.group(2).strip()
    except OSError:
        pass
    return out


def _files(folder: str, *patterns: str) -> list[Case]:
    base = HOSTILE / folder
    if not base.is_dir():
        return []
    files = sorted({p for pattern in patterns for p in base.rglob(pattern)
                    if p.is_file() and p.name != "README.md" and p.stem != "ok"})  # ok.*: a sound control file
    return [Case(folder, str(p.relative_to(base)), p, _header(p)) for p in files]


def _json_case(path: Path, folder: str) -> Case:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return Case(folder, path.name, path, {"attacks": doc.get("attacks", ""), "expect": doc.get("expect", "."),
                                          "answer": doc.get("answer", {})})


def _oversized(name: str, head: str, chunk: str, times: int, tail: str):
    """An input made at test time: ``head``, ``chunk`` written ``times`` over, ``tail``."""

    def make(tmp: Path) -> Path:
        path = tmp / name
        with path.open("w", encoding="ascii") as f:
            f.write(head)
            for _ in range(times):
                f.write(chunk)
            f.write(tail)
        return path

    return make


SUBJECT, LABEL = "<https://w3id.org/pvd-kg/id/hostile>", "<http://www.w3.org/2000/01/rdf-schema#label>"
GENERATED = [
    Case("generated", "oversized-literal.nt", header={"attacks": "a 60 MB literal (issue 11, finding 6: MemoryError "
         "traceback)", "expect": "literal|large|size|memory|limit"},
         make=_oversized("oversized-literal.nt", f'{SUBJECT} {LABEL} "', "x" * 1_000_000, 60, '" .\n')),
    Case("generated", "oversized-literal.ttl", header={"attacks": "a 60 MB multi-line Turtle literal",
         "expect": "literal|large|size|memory|limit"},
         make=_oversized("oversized-literal.ttl", f'{SUBJECT} {LABEL} """', "y\n" * 500_000, 60, '""" .\n')),
    Case("generated", "oversized-iri.nt", header={"attacks": "a 20 MB IRI", "expect": "iri|large|size|memory|limit"},
         make=_oversized("oversized-iri.nt", "<https://w3id.org/pvd-kg/id/", "z" * 1_000_000, 20,
                         f'> {LABEL} "x" .\n')),
]
EXPORT_NUL = Case("export", "nul-literal-rdfxml", header={
    "attacks": "RDF/XML export of a stored literal holding U+0000 (issue 11, finding 6: exit 0, XML not well-formed)",
    "expect": "xml|U\\+0000|character|rdf/xml|rdfxml"})

# which entry points take which inputs
QUERY_ENTRIES = ["cli-query", "api-query", "serve-query"]
UPDATE_ENTRIES = QUERY_ENTRIES + ["serve-update-anonymous"]
REFUSED_UPDATE_ENTRIES = ["serve-update-token"]  # even for one allowed to write (the CLI and the API have no update)
FILE_ENTRIES = ["cli-validate", "api-validate", "cli-load", "api-load"]
CSV_ENTRIES = ["cli-load", "api-load"]
HTTP_ENTRIES = ["cli-fetch", "api-fetch"]


def _plan() -> list[tuple[Case, str]]:
    plan = []
    for case in _files("queries", "*.rq"):
        plan += [(case, e) for e in QUERY_ENTRIES]
    for case in _files("queries", "*.ru"):
        plan += [(case, e) for e in UPDATE_ENTRIES]
        if case.header.get("with-token") == "refused":
            plan += [(case, e) for e in REFUSED_UPDATE_ENTRIES]
    for case in _files("parse", "*") + GENERATED:
        plan += [(case, e) for e in FILE_ENTRIES]
    for case in _files("csv", "*.csv", "*.tsv", "*.txt"):
        plan += [(case, e) for e in CSV_ENTRIES]
    for path in sorted((HOSTILE / "http").glob("*.json")):
        plan += [(_json_case(path, "http"), e) for e in HTTP_ENTRIES]
    plan.append((EXPORT_NUL, "cli-export-rdfxml"))
    return plan


PLAN = [pytest.param(case, entry, id=f"{case.id}-{entry}") for case, entry in _plan()]


# -- the world around a case: listener, stores, servers -----------------------------------------


class Listener:
    """TCP listeners on a loopback port (127.0.0.1 and, when it can bind, 127.0.0.2) that accept
    and record every connection, then close it: any hit means something tried to reach out."""

    def __init__(self):
        self.port = free_port()
        self.hits: list[str] = []
        self.socks = []
        for host in ("127.0.0.1", "127.0.0.2"):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, self.port))
            except OSError:
                s.close()
                continue
            s.listen(16)
            self.socks.append(s)
            threading.Thread(target=self._accept, args=(s, host), daemon=True).start()

    def _accept(self, s, host):
        while True:
            try:
                conn, peer = s.accept()
            except OSError:
                return
            self.hits.append(f"{host}:{self.port} from {peer}")
            conn.close()

    def close(self):
        for s in self.socks:
            s.close()


def _hostile_answer(case_dir: Path, listener_port: int):
    """An HTTP handler answering ``/case/NAME/...`` as tests/data/hostile/http/NAME.json says."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = self.path.strip("/").split("/")
            try:
                answer = json.loads((case_dir / f"{parts[1]}.json").read_text())["answer"]
            except (IndexError, OSError, ValueError):
                self.send_error(404)
                return
            try:
                self._answer(answer, parts)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _answer(self, a, parts):
            status = a.get("status", 200)
            hop = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
            if a.get("header_drip_seconds"):
                self.wfile.write(f"HTTP/1.1 {status} OK\r\n".encode())
                for ch in "X-Slow: " + "z" * 600:
                    self.wfile.write(ch.encode())
                    self.wfile.flush()
                    time.sleep(a["header_drip_seconds"])
                return
            self.send_response(status)
            for k, v in a.get("headers", {}).items():
                if v == "RETRY_DATE_TOMORROW":
                    v = formatdate(time.time() + 86400, usegmt=True)
                self.send_header(k, v)
            if a.get("redirect") == "self":
                self.send_header("Location", self.path)
            elif a.get("redirect") == "next":
                nxt = hop + 1
                where = f"/case/{parts[1]}/{nxt}" if nxt < a.get("hops", 30) else f"/case/{parts[1]}/end.csv"
                self.send_header("Location", where)
            elif a.get("location"):
                self.send_header("Location", a["location"].replace("LISTENER_PORT", str(listener_port)))
            if "content_type" in a:
                self.send_header("Content-Type", a["content_type"])
            if a.get("drip_seconds"):
                self.send_header("Content-Length", "1000")  # small: only the deadline can end it
                self.end_headers()
                self.wfile.write(b"code_insee,nom\r\n")
                for _ in range(600):
                    self.wfile.write(b"1")
                    self.wfile.flush()
                    time.sleep(a["drip_seconds"])
                return
            if a.get("gzip_bytes"):
                body = _gzip_bomb(a["gzip_bytes"])
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if a.get("body_bytes"):
                n = a["body_bytes"]
                if a.get("declare_length"):
                    self.send_header("Content-Length", str(n))
                else:
                    self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"code_insee,nom\r\n" + b"0" * 65520
                for _ in range(n // len(chunk)):
                    self.wfile.write(chunk if a.get("declare_length") else
                                     b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                return
            body = a.get("body", "").encode()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gives up mid-answer is what these cases are about


@lru_cache(maxsize=None)
def _gzip_bomb(n: int) -> bytes:
    return gzip.compress(b"0" * n, compresslevel=9)


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def store_hash(path: Path) -> str:
    """The store's content: a hash of its quads, sorted."""
    store = ox.Store.read_only(str(path))
    digest = hashlib.sha256("\n".join(sorted(str(q) for q in store)).encode()).hexdigest()
    del store
    return digest


@dataclass
class World:
    tmp: Path
    listener: Listener
    store: Path  # what the CLI and the API use
    served: Path  # a copy, served by `server`
    server: object
    http_base: str
    generated: dict = field(default_factory=dict)
    runs: int = 0

    @property
    def http_peer(self) -> str:
        return self.http_base.removeprefix("http://")

    def input_path(self, case: Case) -> Path:
        """The file to give: the corpus file, a copy with ``{PORT}`` (the parse corpus's name
        for the listener's port) filled in, or the input made at test time."""
        if case.make is None:
            data = case.path.read_bytes()
            if b"{PORT}" not in data:
                return case.path
            copy = self.tmp / "inputs" / case.folder / case.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data.replace(b"{PORT}", str(self.listener.port).encode()))
            return copy
        if case.name not in self.generated:
            self.generated[case.name] = case.make(self.tmp)
        return self.generated[case.name]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    listener = Listener()
    store = build_store(tmp / "store")
    served = tmp / "served"
    shutil.copytree(store, served)
    httpd = _QuietServer(("127.0.0.1", 0), _hostile_answer(HOSTILE / "http", listener.port))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with running_server(served, "--timeout", QUERY_TIMEOUT, "--allow-update", "--update-token", TOKEN,
                            "--watch", "0", log_dir=tmp, preexec_fn=_limit_memory) as server:
            yield World(tmp, listener, store, served, server, f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        listener.close()


# -- running one entry point ------------------------------------------------------------------


@dataclass
class Outcome:
    code: int | None  # exit status (negative: killed by that signal); HTTP status for serve
    out: str
    err: str
    seconds: float
    audit: list = field(default_factory=list)
    timed_out: bool = False


@lru_cache(maxsize=None)
def _cli_help(command: str) -> str | None:
    """``pvd-kg COMMAND --help``, or None when there is no such command."""
    proc = subprocess.run([sys.executable, "-m", "pvd_kg.cli", command, "--help"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": _pythonpath()})
    return proc.stdout if proc.returncode == 0 else None


def _pythonpath() -> str:
    return os.pathsep.join([str(ROOT), str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])


def _needs(command: str, *options: str) -> None:
    text = _cli_help(command)
    if text is None:
        pytest.fail(f"`pvd-kg {command}` does not exist")
    for option in options:
        if option not in text:
            pytest.fail(f"`pvd-kg {command}` has no {option}")


def run_driver(world: World, *args: str, peer: str = "") -> Outcome:
    """hostile_driver.py in a subprocess of its own session, with the time and memory limits."""
    world.runs += 1
    audit = world.tmp / f"audit-{world.runs}.jsonl"
    allowed = [str(ROOT), str(world.tmp), tempfile.gettempdir(), os.path.expanduser("~/.cache"),
               os.path.expanduser("~/.config"), os.environ.get("XDG_DATA_HOME", "")]
    env = {**os.environ, "PYTHONPATH": _pythonpath(), "HOSTILE_AUDIT": str(audit),
           "HOSTILE_ALLOWED": os.pathsep.join(a for a in allowed if a), "HOSTILE_QUERY_TIMEOUT": QUERY_TIMEOUT,
           "MPLCONFIGDIR": str(world.tmp / "mpl"), "HOSTILE_PEERS": peer}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(DRIVER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, preexec_fn=_limit_memory, start_new_session=True, cwd=world.tmp)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the children it left behind, if any
    records = [json.loads(line) for line in audit.read_text().splitlines()] if audit.exists() else []
    return Outcome(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
                   time.monotonic() - start, records, timed_out)


def serve_post(world: World, data: dict, headers: dict | None = None) -> Outcome:
    start = time.monotonic()
    try:
        r = requests.post(world.server("/sparql"), data=data, timeout=TIME_LIMIT,
                          headers={"Accept": "application/sparql-results+json", **(headers or {})})
    except requests.Timeout:
        return Outcome(None, "", "", time.monotonic() - start, timed_out=True)
    return Outcome(r.status_code, r.text, r.text, time.monotonic() - start)


def _query_file(world: World, case: Case) -> Path:
    path = world.tmp / f"query-{world.runs}.rq"
    path.write_text(case.text(world.listener.port), encoding="utf-8")
    return path


def run_entry(world: World, case: Case, entry: str) -> Outcome:
    """Run ``case`` through ``entry``."""
    store = str(world.store)
    if entry == "cli-query":
        command = entry.split("-")[1]
        _needs(command)
        fmt = ["--format", "csv" if case.expect == "spreadsheet-safe" else "json"] if command == "query" else []
        extra = ["--timeout", QUERY_TIMEOUT] if command == "query" else []
        return run_driver(world, "cli", command, case.text(world.listener.port), *fmt, *extra, "--store", store)
    if entry == "api-query":
        return _driver_api(world, entry, store, str(_query_file(world, case)))
    if entry == "serve-query":
        accept = {"Accept": "text/csv"} if case.expect == "spreadsheet-safe" else {}
        return serve_post(world, {"query": case.text(world.listener.port)}, accept)
    if entry == "serve-update-anonymous":
        return serve_post(world, {"update": case.text(world.listener.port)})
    if entry == "serve-update-token":
        return serve_post(world, {"update": case.text(world.listener.port)}, {"Authorization": f"Bearer {TOKEN}"})
    if entry == "cli-validate":
        return run_driver(world, "cli", "validate", str(world.input_path(case)))
    if entry == "cli-load":
        args = ["--strict"] if case.folder == "csv" else []
        return run_driver(world, "cli", "load", str(world.input_path(case)), *args, "--store", store)
    if entry == "api-validate":
        return _driver_api(world, entry, str(world.input_path(case)))
    if entry == "api-load":
        return _driver_api(world, entry, store, str(world.input_path(case)), *(["--strict"] if case.folder == "csv" else []))
    if entry == "cli-fetch":
        _needs("fetch", "--url", "--allow-private-host", "--max-wait")
        return run_driver(world, "cli", "fetch", "--url", f"{world.http_base}/case/{Path(case.name).stem}/list.csv",
                          "--dest", str(_dest(world)), "--allow-private-host", "127.0.0.1", "--deadline", "8",
                          "--max-wait", "3", "--max-bytes", "1000000", "--retries", "3", peer=world.http_peer)
    if entry == "api-fetch":
        return _driver_api(world, entry, f"{world.http_base}/case/{Path(case.name).stem}/list.csv", str(_dest(world)),
                           peer=world.http_peer)
    if entry == "cli-export-rdfxml":
        return _export_nul(world)
    raise AssertionError(entry)


def _driver_api(world: World, mode: str, *args: str, peer: str = "") -> Outcome:
    outcome = run_driver(world, mode, *args, peer=peer)
    if outcome.code == MISSING:
        pytest.fail(outcome.err.strip())
    return outcome


def _dest(world: World) -> Path:
    dest = world.tmp / f"dest-{world.runs}"
    dest.mkdir()
    return dest


def _export_nul(world: World) -> Outcome:
    store = world.tmp / "nul-store"
    if not store.exists():
        s = ox.Store(str(store))
        s.add(ox.Quad(ox.NamedNode("https://w3id.org/pvd-kg/id/hostile"),
                      ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("a\u0000b")))
        s.flush()
        del s
    out = world.tmp / f"export-{world.runs}.rdf"
    return run_driver(world, "cli", "export", "--format", "rdfxml", "--store", str(store), "-o", str(out))


# -- the checks ---------------------------------------------------------------------------------


def _problems_common(world: World, case: Case, outcome: Outcome, hits_before: int) -> list[str]:
    problems = []
    if outcome.timed_out:
        problems.append(f"still running after {TIME_LIMIT} s")
    if "Traceback (most recent call last)" in outcome.err:
        problems.append("a traceback: " + outcome.err.strip().splitlines()[-1][:200])
    for record in outcome.audit:
        problems.append(f"the process tried {record}")
    if len(world.listener.hits) > hits_before:
        problems.append(f"a connection reached the listener: {world.listener.hits[hits_before:]}")
    return problems


def _error_lines(outcome: Outcome) -> list[str]:
    return [line for line in outcome.err.splitlines() if line.strip()]


def _problems_refused(case: Case, entry: str, outcome: Outcome) -> list[str]:
    problems = []
    if entry.startswith("serve"):
        if outcome.code is not None and not 400 <= outcome.code < 500 and \
                not (outcome.code in (503, 504) and "stopped" in case.expect):
            problems.append(f"HTTP {outcome.code}, not a 4xx" + (" (a 500)" if outcome.code == 500 else ""))
        if outcome.code is not None and outcome.code < 400:
            problems.append("the request was accepted")
        return problems
    if outcome.code == 0:
        problems.append("exit 0: the input was accepted")
    elif outcome.code is not None and outcome.code < 0:
        problems.append(f"killed by signal {-outcome.code}")
    said = outcome.err if entry != "cli-fetch" else outcome.err + outcome.out
    lines = [line for line in said.splitlines() if line.strip()]
    if outcome.code not in (0, None) and case.folder != "csv" and len(lines) != 1:
        problems.append(f"{len(lines)} lines of error, not one")  # a table's load prints its report: a line per issue
    if outcome.code not in (0, None) and not re.search(case.expect, said, re.I):
        problems.append(f"the error does not say /{case.expect}/")
    if case.path is not None and case.folder in ("parse", "csv") and outcome.code not in (0, None) \
            and case.path.name not in said:
        problems.append(f"the error does not name the file {case.path.name}")
    if case.folder == "generated" and outcome.code not in (0, None) and case.name not in said:
        problems.append(f"the error does not name the file {case.name}")
    return problems


def _problems_empty(entry: str, outcome: Outcome) -> list[str]:
    """FROM a graph that is not stored: an answer over an empty default graph."""
    if entry == "api-query":
        ok = outcome.code == 0 and outcome.out.startswith("ok:") and ", 0 rows" in outcome.out
        return [] if ok else [f"not an empty answer: exit {outcome.code}, {outcome.out.strip()[:200]}"]
    if outcome.code not in (0, 200):
        return [f"refused ({outcome.code}) instead of an empty answer: {outcome.err.strip()[:200]}"]
    try:
        bindings = json.loads(outcome.out)["results"]["bindings"]
    except (ValueError, KeyError):
        return [f"not SPARQL JSON: {outcome.out[:200]}"]
    return [] if not bindings else [f"{len(bindings)} rows: the query answered over the stored graphs"]


def _problems_csv(entry: str, outcome: Outcome) -> list[str]:
    """Answers that begin like formulas: every CSV cell carries the quote prefix."""
    if outcome.code not in (0, 200):
        return [f"refused ({outcome.code}): {outcome.err.strip()[:200]}"]
    if entry == "api-query":
        return []  # the API gives terms, not CSV
    cells = [cell for row in list(csv.reader(io.StringIO(outcome.out, newline="")))[1:] for cell in row]
    unsafe = [cell for cell in cells if not cell.startswith("'")]
    return [f"cells a spreadsheet would run: {unsafe}"] if unsafe or not cells else []


def _problems_any(entry: str, outcome: Outcome) -> list[str]:
    """An answer or a clean refusal, never a crash."""
    if entry.startswith("serve"):
        return [f"HTTP {outcome.code}"] if outcome.code is not None and outcome.code >= 500 and \
            outcome.code not in (503, 504) else []
    if outcome.code is not None and outcome.code < 0:
        return [f"killed by signal {-outcome.code}"]
    if outcome.code not in (0, None) and len(_error_lines(outcome)) != 1:
        return [f"{len(_error_lines(outcome))} lines of error, not one"]
    return []


@pytest.mark.parametrize("case,entry", PLAN)
def test_hostile(world, case, entry):
    touched = world.served if entry.startswith("serve") else world.store
    before, hits = store_hash(touched), len(world.listener.hits)
    outcome = run_entry(world, case, entry)
    problems = _problems_common(world, case, outcome, hits)
    if case.expect == "empty":
        problems += _problems_empty(entry, outcome)
    elif case.expect == "spreadsheet-safe":
        problems += _problems_csv(entry, outcome)
    elif case.expect == "answer-or-error":
        problems += _problems_any(entry, outcome)
    else:
        problems += _problems_refused(case, entry, outcome)
    if entry.startswith("serve"):
        alive = world.server.proc.poll() is None
        if alive:
            probe = requests.get(world.server("/sparql"), params={"query": "ASK { }"}, timeout=30)
            alive = probe.status_code == 200
        if not alive:
            problems.append("the server no longer answers")
    if store_hash(touched) != before:
        problems.append("the store's content changed")
    if case.folder == "http" and entry == "cli-fetch":
        left = [p.name for p in world.tmp.glob(f"dest-{world.runs}/*") if not p.name.endswith(".json")]
        if left:
            problems.append(f"files left in --dest: {left}")
    if problems:
        pytest.fail(f"{case.id} through {entry} ({case.header.get('attacks', '')}): " + "; ".join(problems)
                    + f"\n--- stderr/body ---\n{outcome.err[-800:]}", pytrace=False)


def test_the_corpus_covers_every_family():
    """At least one input per family the issue names, in the folders this branch writes."""
    names = {p.name for p in (HOSTILE / "queries").glob("*")} | {p.name for p in (HOSTILE / "http").glob("*")}
    for family in ("service-prefixed-name", "service-variable", "service-silent", "service-lowercase",
                   "service-in-subquery", "load-prefixed-file", "load-file", "from-file", "cross-product",
                   "insert-data", "delete-where", "clear-all", "drop-all", "create-graph", "copy", "move", "add",
                   "redirect-loop", "slow-drip", "oversized", "too-many-requests", "deep-nesting"):
        assert any(n.startswith(family) for n in names), family
    for case in _files("queries", "*.rq", "*.ru"):
        assert case.header.get("attacks") and case.header.get("expect"), case.id
