"""The ``serve`` command: SPARQL endpoint, linked-data pages and web interface."""

from __future__ import annotations

from pathlib import Path

import click

from . import cli


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--base", "public_base", default=None, metavar="URL",
              help="Public URL the site is reached at (behind a reverse proxy), e.g. https://example.org/pvd/.")
@click.option("--store", "store_path", default=None, type=click.Path(file_okay=False),
              help="Store folder (default: $PVD_KG_STORE or the user data folder).")
@click.option("--workers", default=2, show_default=True, type=int,
              help="Query worker processes of the general lane (at least 2).")
@click.option("--fast-workers", default=1, show_default=True, type=int,
              help="Query worker processes reserved for queries that finished fast before (0: none).")
@click.option("--timeout", default=30.0, show_default=True, type=float, envvar="PVD_KG_QUERY_TIMEOUT",
              help="Wall-clock limit of one query, seconds [env PVD_KG_QUERY_TIMEOUT].")
@click.option("--memory-mb", default=1024, show_default=True, type=int, envvar="PVD_KG_SERVE_MEMORY_MB",
              help="Memory cap of each query worker process, MB; 0: none [env PVD_KG_SERVE_MEMORY_MB].")
@click.option("--queue-per-client", default=8, show_default=True, type=int,
              help="Queries one client may have waiting or running in a lane; past it, 503 with Retry-After.")
@click.option("--queue-total", default=64, show_default=True, type=int,
              help="Queries all clients may have waiting or running in a lane; past it, 503 with Retry-After.")
@click.option("--max-rows", default=100_000, show_default=True, type=int, help="Cap on result rows (or triples).")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL updates (with --update-token).")
@click.option("--update-token", default=None, metavar="TOKEN", help="Bearer token that updates must carry.")
@click.option("--cache-mb", default=64, show_default=True, type=int,
              help="Memory for cached /sparql answers, MiB (emptied by every update; 0: no cache).")
@click.option("--watch", "watch_interval", default=2.0, show_default=True, type=float, metavar="SECONDS",
              help="How often to look for writes to the store by other processes (a build, a load) "
                   "and reopen it; 0: never.")
def serve_cmd(host, port, public_base, store_path, workers, fast_workers, timeout, memory_mb, queue_per_client,
              queue_total, max_rows, allow_update, update_token, cache_mb, watch_interval):
    """Serve the SPARQL endpoint, linked-data pages and the web interface."""
    from .. import paths
    from ..serve.app import ServeConfig, serve

    config = ServeConfig(store_path=Path(store_path) if store_path else paths.default_store_path(), host=host, port=port, public_base=public_base, allow_update=allow_update,
                         update_token=update_token, workers=workers, fast_workers=fast_workers, timeout=timeout,
                         memory_mb=memory_mb, queue_per_client=queue_per_client, queue_total=queue_total, row_cap=max_rows,
                         cache_mb=cache_mb, watch_interval=watch_interval)
    config.check()
    from ..serve.assets import assets_warning

    warning = assets_warning()
    if warning:
        click.echo(warning, err=True)
    click.echo(f"pvd-kg: serving {config.store_path} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    serve(config)
