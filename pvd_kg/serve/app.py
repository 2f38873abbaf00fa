"""The web application: Starlette routes over a worker pool, served by uvicorn.

``pvd-kg serve`` calls :func:`serve`; tests and embedders call :func:`create_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import paths
from ..errors import InputError, PvdKgError, QueryStopped, StoreError
from ..store.swap import repaired
from .admission import Overloaded
from .assets import STATIC_DIR
from .pool import QUEUE_PER_CLIENT, QUEUE_TOTAL, SERVE_MEMORY_MB, WorkerPool
from .responses import error_response
from .result_cache import ResultCache
from .urls import Urls

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).with_name("templates")


@dataclass
class ServeConfig:
    """What ``pvd-kg serve`` is told.

    :param store_path: the on-disk store (built by ``pvd-kg build``).
    :param public_base: the URL the site is reached at, for links (None: root-relative).
    :param update_token: required (as ``Authorization: Bearer``) when ``allow_update``.
    :param cache_mb: budget of the ``/sparql`` result cache in MiB (:mod:`.result_cache`); 0: off.
    :param watch_interval: seconds between looks at the store folder for writes by other
        processes (:mod:`.store_watch`); 0: never look.
    :param workers: general-lane workers; ``fast_workers``: fast-lane ones (:mod:`.pool`).
    :param memory_mb: address-space cap of each worker process, MB (0: none).
    :param queue_per_client, queue_total: jobs one client / all clients may have waiting or
        running in a lane; past either, 503 with Retry-After.
    """

    store_path: Path = field(default_factory=paths.default_store_path)
    host: str = "127.0.0.1"
    port: int = 8000
    public_base: str | None = None
    allow_update: bool = False
    update_token: str | None = None
    workers: int = 2
    fast_workers: int = 1
    timeout: float = 30.0
    memory_mb: int = SERVE_MEMORY_MB
    queue_per_client: int = QUEUE_PER_CLIENT
    queue_total: int = QUEUE_TOTAL
    row_cap: int = 100_000
    byte_cap: int = 64 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    cache_mb: int = 64
    watch_interval: float = 2.0

    def check(self) -> None:
        """:raises InputError: inconsistent options."""
        if self.allow_update and not self.update_token:
            raise InputError("--allow-update needs --update-token", hint="pick a long random token, e.g. "
                             + secrets.token_urlsafe(24))
        if self.workers < 2:
            raise InputError("--workers must be at least 2, so one slow query never blocks the others")
        if self.fast_workers < 0:
            raise InputError(f"--fast-workers must be 0 (no fast lane) or more, not {self.fast_workers}")
        if self.memory_mb < 0 or 0 < self.memory_mb < 512:  # a worker holds ~370 MB of address space idle
            raise InputError(f"--memory-mb must be 0 (no cap) or at least 512, not {self.memory_mb}")
        if self.queue_per_client < 1 or self.queue_total < self.queue_per_client:
            raise InputError("--queue-per-client must be at least 1 and --queue-total at least as large")
        if self.public_base and not self.public_base.startswith(("http://", "https://")):
            raise InputError(f"--base {self.public_base!r} is not an absolute http(s) URL")
        if self.cache_mb < 0:
            raise InputError(f"--cache-mb must be 0 (off) or more, not {self.cache_mb}")
        if not self.watch_interval >= 0:
            raise InputError(f"--watch must be 0 (off) or a number of seconds, not {self.watch_interval}")
        self.store_path = repaired(Path(self.store_path))  # a build killed mid-swap is repaired
        if not Path(self.store_path).exists():
            raise InputError(f"no store at {self.store_path}", hint="run `pvd-kg build` first, or name one with --store")


def create_app(config: ServeConfig) -> Starlette:
    """The Starlette app for ``config``; the worker pool starts with the app (lifespan)."""
    from . import analysis, linked_data, pages, review, store_watch
    from .sparql_protocol import sparql_endpoint

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.pool = WorkerPool(config.store_path, size=config.workers, timeout=config.timeout,
                                    memory_mb=config.memory_mb, fast_size=config.fast_workers,
                                    queue_per_client=config.queue_per_client, queue_total=config.queue_total)
        await app.state.pool.start()
        with tempfile.TemporaryDirectory(prefix="pvd-kg-serve-") as cache:
            app.state.cache_dir = Path(cache)
            warming = asyncio.create_task(_warm(app))
            watching = (asyncio.create_task(store_watch.watch(app, app.state.store_watch))
                        if config.watch_interval > 0 else None)
            try:
                yield
            finally:
                warming.cancel()
                if watching is not None:
                    watching.cancel()
                await app.state.pool.close()

    routes = [
        Route("/sparql", sparql_endpoint, methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        Route("/sparql/", sparql_endpoint, methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        *pages.routes(),
        *analysis.routes(),
        *review.routes(),
        *linked_data.routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR, check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error, Overloaded: _overloaded, Exception: _bug})
    app.state.config = config
    app.state.urls = Urls(config.public_base)
    app.state.generation = 0  # see new_generation: cached figures, dumps and answers follow it
    app.state.cache = {}
    app.state.result_cache = ResultCache(config.cache_mb * 1024 * 1024)
    app.state.store_watch = store_watch.StoreWatch(config.watch_interval)
    return app


def new_generation(state) -> None:
    """The store changed (an update through the endpoint, or a write by another process that
    :mod:`.store_watch` saw): every cache keyed by the generation (figures, dumps, /sparql
    answers) starts over. ``state``: the app's state."""
    state.generation += 1
    state.result_cache.new_generation(state.generation)


async def _http_error(request, exc: HTTPException):
    """Starlette's own errors (unknown path, wrong method) in the one error shape."""
    return error_response(exc.status_code, exc.detail or "error", accept=request.headers.get("accept"),
                          headers=exc.headers)  # e.g. Allow on a 405


async def _overloaded(request, exc: Overloaded):
    return error_response(503, exc.message, hint=exc.hint, accept=request.headers.get("accept"),
                          headers={"Retry-After": str(exc.retry_after)})


async def _bug(request, exc: Exception):
    if isinstance(exc, QueryStopped):  # a page's query over its limits: not a bug, but no answer
        return error_response(503, exc.message, hint=exc.hint, accept=request.headers.get("accept"))
    log.exception("unexpected error on %s", request.url.path)
    status = 503 if isinstance(exc, StoreError) else 500
    return error_response(status, str(exc) if isinstance(exc, PvdKgError) else "internal error",
                          accept=request.headers.get("accept"))


async def _warm(app) -> None:
    """Fill the caches (figures, pyLODE documentation, programme map) before the first visitor."""
    from . import linked_data, pages

    for step in (pages.figures, linked_data.ontology_html, pages.communes_collection):
        try:
            await step(app)
        except Exception as exc:  # the page will say it again when asked; the server keeps running
            log.warning("warming %s failed: %s", step.__name__, exc)


def serve(config: ServeConfig) -> None:
    """Run the server until interrupted.

    :raises InputError: bad options or no store.
    """
    import uvicorn

    from .raw_urls import Utf8UrlProtocol

    config.check()
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning", http=Utf8UrlProtocol,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1", timeout_graceful_shutdown=5)
