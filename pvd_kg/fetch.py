"""Download the live source lists: the only module of pvd-kg that touches the network.

Nothing is sent anywhere unless the user runs ``pvd-kg fetch``. Each download:

- has a total wall-clock deadline (connection, every read, retries and waits included),
  enforced with a monotonic clock; a watchdog shuts the socket when the deadline passes, so a
  server that dribbles the headers or the body cannot hold the read open;
- follows at most 5 redirects, each checked by :mod:`pvd_kg.fetch_targets` (http(s) only, the
  same host unless allowed, no loopback or private address unless allowed);
- retries 5xx, 429 and connection failures with exponential backoff, honouring
  ``Retry-After``, with a cap on the total wait: a server that asks for more is given up at once;
- sends ``If-None-Match`` / ``If-Modified-Since`` from the previous record (304 → "unchanged");
- refuses a body over the size cap, a truncated body, an HTML page, a header without the
  expected columns, or text in an undecodable encoding;
- writes the file as UTF-8 and its record ``<file>.fetch.json`` through temporary files and
  atomic renames, so a failed download never replaces a good file.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import dataclasses
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
import urllib3.connection
import urllib3.connectionpool
from requests.adapters import HTTPAdapter

from . import __version__, paths
from .errors import FetchError
from .fetch_checks import (check_columns, declared_charset, decode_body, guess_source, header_columns, looks_like_html,
                           media_type)
from .fetch_records import atomic_write, previous_record, record_path_for, sha256_file, write_record
from .fetch_targets import MAX_REDIRECTS, TargetPolicy, check_address, check_redirect, check_scheme
from .sources_registry import SOURCES, Source, get_source

DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_WAIT = 30.0
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
CHUNK_SIZE = 16 * 1024
USER_AGENT = f"pvd-kg/{__version__} (+https://w3id.org/pvd-kg)"


def default_download_dir() -> Path:
    """Where ``pvd-kg fetch`` puts files: ``$XDG_DATA_HOME/pvd-kg/downloads``.

    Not ``graph/sources/``, which holds the shipped snapshots the graph is built from.

    >>> default_download_dir().parts[-2:]
    ('pvd-kg', 'downloads')
    """
    return paths.data_home() / "downloads"


@dataclass
class FetchResult:
    """The outcome for one source: ``downloaded``, ``unchanged``, ``failed`` or ``no live URL``."""

    key: str
    status: str
    path: Path | None = None
    size: int | None = None
    sha256: str | None = None
    reason: str | None = None
    record: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def line(self) -> str:
        """One line for the terminal.

        >>> FetchResult("anct-pvd-2026", "downloaded", size=120, sha256="ab" * 32).line()
        'anct-pvd-2026  downloaded  120 bytes  sha256:abababababab'
        >>> FetchResult("x", "failed", reason="HTTP 500").line()
        'x  failed: HTTP 500'
        """
        if self.failed:
            return f"{self.key}  failed: {self.reason}"
        if self.sha256 is None:
            return f"{self.key}  {self.status}"
        same = " (same content as before)" if self.record.get("same_as_previous") else ""
        return f"{self.key}  {self.status}{same}  {self.size} bytes  sha256:{self.sha256[:12]}"


class _Retry(Exception):
    """A failure worth another attempt (5xx, 429, connection lost)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class _Got:
    status: int
    final_url: str
    headers: dict
    body: bytes = b""
    location: str | None = None  # set on a redirect


class _Sockets(threading.local):
    """The connections the current thread's request uses, so the watchdog can cut them."""

    def __init__(self):
        self.live: list | None = None


_SOCKETS = _Sockets()


class _Watched:
    """A urllib3 connection that tells the watchdog it is in use (headers are read inside
    ``session.get``, before any response object exists to shut)."""

    def request(self, *args, **kwargs):
        if _SOCKETS.live is not None:
            _SOCKETS.live.append(self)
        return super().request(*args, **kwargs)


class _Connection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _TlsConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _Pool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}


def new_session() -> requests.Session:
    """A session whose connections the deadline watchdog can shut, headers included."""
    session = requests.Session()
    session.mount("http://", _WatchedAdapter())
    session.mount("https://", _WatchedAdapter())
    return session


def _cut(connections: list, holder: dict) -> None:
    """The watchdog: shut every socket of the request under way, and its response's."""
    for conn in connections:
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed
    if holder.get("resp") is not None:
        _shutdown(holder["resp"])


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date); ``None`` if absent or bad.

    >>> _retry_after("120"), _retry_after("soon")
    (120.0, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


def _get_once(session, url, headers, end, max_bytes, connect_timeout, read_timeout) -> _Got:
    """One HTTP request (no redirect followed), streamed under the deadline ``end`` (a
    ``time.monotonic()`` value): a watchdog shuts the socket when it passes."""
    remaining = end - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"deadline passed before requesting {url}")
    timeout = (min(connect_timeout, remaining), min(read_timeout, remaining))
    connections, holder = [], {}
    watchdog = threading.Timer(remaining, _cut, (connections, holder))
    watchdog.daemon = True
    _SOCKETS.live = connections
    watchdog.start()
    try:
        try:
            resp = session.get(url, headers=headers, stream=True, timeout=timeout, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if time.monotonic() >= end:
                raise FetchError(f"deadline passed before {url} answered") from None
            raise _Retry(f"connection to {url} failed ({_cause(exc)})") from None
        except requests.RequestException as exc:
            raise FetchError(f"cannot request {url}: {exc}") from None
        finally:
            _SOCKETS.live = None
        holder["resp"] = resp
        with resp:
            if time.monotonic() >= end:  # the watchdog cut the headers short: no answer came
                raise FetchError(f"deadline passed before {url} answered")
            return _answer(resp, end, max_bytes)
    finally:
        watchdog.cancel()


def _answer(resp, end, max_bytes) -> _Got:
    """Read one response: a redirect, a retryable status, a failure, or the body."""
    got = _Got(resp.status_code, resp.url, dict(resp.headers))
    status = f"HTTP {resp.status_code} {resp.reason or ''}".rstrip()
    if resp.status_code == 304:
        return got
    if resp.status_code in REDIRECT_STATUSES:
        got.location = resp.headers.get("Location")
        if not got.location:
            raise FetchError(f"{status} from {resp.url} without a Location header")
        return got
    if resp.status_code == 429 or resp.status_code >= 500:
        raise _Retry(f"{status} from {resp.url}", _retry_after(resp.headers.get("Retry-After")))
    if not 200 <= resp.status_code < 300:
        raise FetchError(f"{status} from {resp.url}")
    ctype = resp.headers.get("Content-Type")
    if media_type(ctype) in ("text/html", "application/xhtml+xml"):
        raise FetchError(f"{resp.url} served an HTML page ({ctype}) instead of CSV")
    declared_length = resp.headers.get("Content-Length")
    length = int(declared_length) if declared_length and declared_length.isdigit() else None
    if length is not None and length > max_bytes:
        raise FetchError(f"{resp.url} announces {length} bytes, over the cap of {max_bytes}")
    body = bytearray()
    try:
        for chunk in resp.iter_content(CHUNK_SIZE):
            if not body and looks_like_html(chunk):
                raise FetchError(f"{resp.url} served an HTML page instead of CSV")
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"{resp.url} sent more than the cap of {max_bytes} bytes")
            if time.monotonic() >= end:
                break
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        if time.monotonic() < end:
            if "timed out" in str(exc):
                raise _Retry(f"read from {resp.url} timed out after {len(body)} bytes") from None
            raise _Retry(f"truncated body from {resp.url} ({_incomplete(exc, len(body), length)})") from None
    except requests.RequestException as exc:  # e.g. a broken gzip stream
        raise FetchError(f"cannot read the body from {resp.url}: {type(exc).__name__}") from None
    if time.monotonic() >= end:
        raise FetchError(f"deadline passed while reading {resp.url} ({len(body)} bytes read)")
    if length is not None and not resp.headers.get("Content-Encoding") and len(body) != length:
        raise _Retry(f"truncated body from {resp.url} (got {len(body)} of {length} bytes)")
    got.body = bytes(body)
    return got


def _get_followed(session, url, headers, end, max_bytes, connect_timeout, read_timeout, policy) -> _Got:
    """One attempt: request ``url`` and follow its redirects, each checked by ``policy``."""
    check_scheme(url)
    check_address(url, policy)
    current, seen = url, set()
    for hops in range(1, policy.max_redirects + 2):
        seen.add(current)
        got = _get_once(session, current, headers, end, max_bytes, connect_timeout, read_timeout)
        if got.location is None:
            return got
        target = urljoin(current, got.location)
        check_redirect(url, current, target, hops, seen, policy)
        current = target
    raise AssertionError("check_redirect refuses the hop after the last one allowed")


def _cause(exc: Exception) -> str:
    """The operating system's words for a connection failure, else the exception's class.

    >>> _cause(OSError("Failed to establish a new connection: [Errno 111] Connection refused"))
    'Connection refused'
    """
    found = re.search(r"\[Errno [^\]]+\] ([^'\")]+)", str(exc))
    if found:
        return found.group(1).strip()
    return "timed out" if isinstance(exc, requests.Timeout) else type(exc).__name__


def _incomplete(exc: Exception, got: int, length: int | None) -> str:
    """Say how much of the body came: urllib3 reports the bytes read inside its exception text."""
    found = re.search(r"IncompleteRead\((\d+) bytes read", str(exc))
    got = got + int(found.group(1)) if found else got
    return f"got {got} of {length} bytes" if length is not None else f"connection lost after {got} bytes"


def _shutdown(resp) -> None:
    try:
        resp.raw.shutdown()
    except (AttributeError, OSError, RuntimeError, ValueError):
        pass  # already closed or released: the read is over anyway


def fetch_source(
    source: Source,
    dest: Path | str,
    *,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    max_wait: float = DEFAULT_MAX_WAIT,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
    allow_redirect_hosts: tuple[str, ...] = (),
    allow_private_hosts: tuple[str, ...] = (),
    session: requests.Session | None = None,
) -> FetchResult:
    """Download one source into ``dest/<key>.csv`` (UTF-8) with its record ``<key>.csv.fetch.json``.

    :param source: the registry entry (its ``url`` must be set).
    :param dest: the download folder (created if needed).
    :param deadline: total seconds for the whole download, redirects, retries and waits included.
    :param max_bytes: refuse a body larger than this.
    :param retries: further attempts after a 5xx, 429 or connection failure.
    :param backoff: the first wait between attempts, doubled each time.
    :param max_wait: the most seconds spent waiting between attempts, in total; a ``Retry-After``
        that asks for more ends the download at once.
    :param connect_timeout: seconds to establish a connection.
    :param read_timeout: seconds a single read may wait for data.
    :param max_redirects: the most redirects followed.
    :param allow_redirect_hosts: hosts a redirect may go to, besides the start host and the
        source's own ``redirect_hosts``.
    :param allow_private_hosts: hosts that may be at a loopback/private/reserved address.
    :param session: a requests session to reuse (one from :func:`new_session` lets the deadline
        cut a server that dribbles its headers).
    :returns: ``downloaded`` or ``unchanged`` (HTTP 304) result.
    :raises FetchError: any failure; the previous file and record are then left untouched.
    """
    if not source.url:
        raise FetchError(f"{source.key}: no live URL is known for this source")
    path = _folder(dest, source.key) / source.filename
    record_path = record_path_for(path)
    previous, old_sha = previous_record(path, record_path, source.url)
    headers = {}
    if previous and previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous and previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    policy = TargetPolicy.of((*source.redirect_hosts, *allow_redirect_hosts), allow_private_hosts, max_redirects)
    got, attempt = _download(source.url, source.key, headers, policy, session, deadline=deadline, max_bytes=max_bytes,
                             retries=retries, backoff=backoff, max_wait=max_wait, connect_timeout=connect_timeout,
                             read_timeout=read_timeout)
    if got.status == 304:
        if previous is None:
            raise FetchError(f"{source.key}: HTTP 304 from {got.final_url} to a request that was not conditional")
        record = dict(previous, checked_at=_now(), attempts=attempt)
        write_record(record_path, record)
        return FetchResult(source.key, "unchanged", path, record.get("bytes"), record.get("sha256"), record=record)
    text, encoding, columns, delimiter = _read_table(got, f"{source.key}: {got.final_url}")
    check_columns(columns, source.columns, f"{source.key}: {got.final_url}")
    return _store(source, got, text, encoding, columns, delimiter, path, attempt, old_sha)


def fetch_url(url: str, dest: Path | str | None = None, *, kind: str | None = None,
              **options) -> FetchResult:
    """Download one list from a URL the user gives (``pvd-kg fetch --url``), checked and stored
    like a registered source: ``dest/<key>.csv`` and its record.

    :param url: an http(s) URL.
    :param kind: the registry key of the list's kind; ``None``: recognised from its header
        (:func:`pvd_kg.fetch_checks.guess_source`).
    :param options: as for :func:`fetch_source`. The source's own ``redirect_hosts`` do not
        apply: only ``allow_redirect_hosts``.
    :raises FetchError: a non-http(s) URL (before any request), an unknown kind, a header that
        matches no kind or several, or any failure of :func:`fetch_source`.
    """
    check_scheme(url)
    dest = Path(dest) if dest is not None else default_download_dir()
    if kind is not None:
        return fetch_source(dataclasses.replace(get_source(kind), url=url, redirect_hosts=()), dest, **options)
    session = options.pop("session", None)
    policy = TargetPolicy.of(options.pop("allow_redirect_hosts", ()), options.pop("allow_private_hosts", ()),
                             options.pop("max_redirects", MAX_REDIRECTS))
    unknown = sorted(set(options) - set(_TIMING))
    if unknown:
        raise TypeError(f"fetch_url() got unexpected keyword argument(s): {', '.join(unknown)}")
    got, attempts = _download(url, url, {}, policy, session, **{**_TIMING, **options})
    text, encoding, columns, delimiter = _read_table(got, got.final_url)
    found = guess_source(columns, SOURCES, got.final_url)
    source = dataclasses.replace(found, url=url, redirect_hosts=())
    path = _folder(dest, source.key) / source.filename
    old_sha = sha256_file(path) if path.is_file() else None
    return _store(source, got, text, encoding, columns, delimiter, path, attempts, old_sha)


_TIMING = {"deadline": DEFAULT_DEADLINE, "max_bytes": DEFAULT_MAX_BYTES, "retries": DEFAULT_RETRIES,
           "backoff": DEFAULT_BACKOFF, "max_wait": DEFAULT_MAX_WAIT, "connect_timeout": CONNECT_TIMEOUT,
           "read_timeout": READ_TIMEOUT}


def _folder(dest: Path | str, key: str) -> Path:
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"{key}: cannot create the download folder {dest}: {exc.strerror}") from None
    return dest


def _download(url, label, conditional, policy, session, *, deadline, max_bytes, retries, backoff, max_wait,
              connect_timeout, read_timeout) -> tuple[_Got, int]:
    """Request ``url`` (redirects followed under ``policy``) until an answer, retrying 5xx, 429
    and lost connections; the waits between attempts stay within ``max_wait`` in total.

    :param label: what failures name first (the source key, or the URL).
    :returns: the answer and the number of attempts.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "text/csv, text/plain;q=0.9, */*;q=0.5", **conditional}
    end = time.monotonic() + deadline
    own_session = session is None
    session = session or new_session()
    attempt, waited = 0, 0.0
    try:
        while True:
            attempt += 1
            try:
                return _get_followed(session, url, headers, end, max_bytes, connect_timeout, read_timeout,
                                     policy), attempt
            except _Retry as problem:
                tries = f"after {attempt} attempt{'s' if attempt > 1 else ''}"
                if attempt > retries:
                    raise FetchError(f"{label}: {problem.reason}, {tries}") from None
                if problem.retry_after is not None and problem.retry_after > max_wait - waited:
                    raise FetchError(
                        f"{label}: {problem.reason} asks to retry after {problem.retry_after:g} s, over the "
                        f"total wait cap of {max_wait:g} s; gave up {tries}"
                    ) from None
                wait = max(backoff * 2 ** (attempt - 1), problem.retry_after or 0.0)
                if waited + wait > max_wait:
                    raise FetchError(
                        f"{label}: {problem.reason}; waiting {wait:g} s more would pass the total wait cap "
                        f"of {max_wait:g} s; gave up {tries}"
                    ) from None
                if time.monotonic() + wait >= end:
                    raise FetchError(
                        f"{label}: {problem.reason}; the deadline of {deadline:g} s would pass "
                        f"before attempt {attempt + 1}"
                    ) from None
                time.sleep(wait)
                waited += wait
            except FetchError as exc:
                raise FetchError(f"{label}: {exc.message}", exc.hint) from None
    finally:
        if own_session:
            session.close()


def _read_table(got: _Got, where: str) -> tuple[str, dict, list[str], str]:
    """The decoded text of a CSV body, the encodings record, its columns and delimiter."""
    if not got.body.strip():
        raise FetchError(f"{where} sent an empty body")
    text, encoding = decode_body(got.body, declared_charset(got.headers.get("Content-Type")), where)
    if looks_like_html(text):
        raise FetchError(f"{where} served an HTML page instead of CSV")
    columns, delimiter = header_columns(text)
    return text, encoding, columns, delimiter


def _store(source: Source, got: _Got, text: str, encoding: dict, columns: list[str], delimiter: str, path: Path,
           attempts: int, old_sha: str | None) -> FetchResult:
    """Write the checked text as UTF-8, then its record (both atomically)."""
    data = text.encode("utf-8")
    record = {
        "key": source.key,
        "title": source.title,
        "url": source.url,
        "final_url": got.final_url,
        "retrieved_at": _now(),
        "checked_at": _now(),
        "http_status": got.status,
        "etag": got.headers.get("ETag"),
        "last_modified": got.headers.get("Last-Modified"),
        "content_type": got.headers.get("Content-Type"),
        "encoding": encoding,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "received_bytes": len(got.body),
        "received_sha256": hashlib.sha256(got.body).hexdigest(),
        "delimiter": delimiter,
        "columns": columns,
        "publisher": source.publisher,
        "licence": source.licence,
        "attempts": attempts,
    }
    record["same_as_previous"] = record["sha256"] == old_sha
    atomic_write(path, data)
    write_record(record_path_for(path), record)
    return FetchResult(source.key, "downloaded", path, record["bytes"], record["sha256"], record=record)


def fetch_sources(
    keys: list[str] | None = None,
    dest: Path | str | None = None,
    *,
    sources: dict[str, Source] | None = None,
    **options,
) -> list[FetchResult]:
    """Fetch several sources; one failure does not stop the others.

    :param keys: source keys (default: every registered source, in registry order).
    :param dest: the download folder (default :func:`default_download_dir`).
    :param sources: the registry to read keys from (default :data:`SOURCES`).
    :param options: passed on to :func:`fetch_source` (``deadline``, ``max_bytes``, ``retries`` ...).
    :returns: one result per key, ``failed`` ones carrying the reason.
    :raises FetchError: an unknown key (checked before any download).
    """
    registry = SOURCES if sources is None else sources
    if sources is None:
        chosen = [get_source(k) for k in keys] if keys else list(registry.values())
    else:
        unknown = [k for k in keys or [] if k not in registry]
        if unknown:
            raise FetchError(f"unknown source {unknown[0]!r}", hint="known sources: " + ", ".join(registry))
        chosen = [registry[k] for k in keys] if keys else list(registry.values())
    dest = Path(dest) if dest is not None else default_download_dir()
    results = []
    with new_session() as session:
        for source in chosen:
            if not source.url:
                results.append(FetchResult(source.key, "no live URL"))
                continue
            try:
                results.append(fetch_source(source, dest, session=session, **options))
            except FetchError as exc:
                results.append(FetchResult(source.key, "failed", reason=str(exc).removeprefix(f"{source.key}: ")))
    return results
