"""Run one pvd-kg entry point on one hostile input, watched by an audit hook: every
``socket.connect`` and every ``open`` of a path outside the allowed folders is written to the
file ``$HOSTILE_AUDIT`` (one JSON line each); a connection to a ``host:port`` of
``$HOSTILE_PEERS`` (the server a fetch names) is expected and not recorded. tests/test_hostile.py runs this in a subprocess
with a time limit and an address-space limit.

``python hostile_driver.py cli ARGS...``          the ``pvd-kg`` command
``python hostile_driver.py api-query STORE FILE``  ``pvd_kg.queries.run`` on the text of FILE
``python hostile_driver.py api-update STORE FILE`` the embedded store's ``update``, if it has one
``python hostile_driver.py api-validate FILE``     ``pvd_kg.validate`` on FILE
``python hostile_driver.py api-load STORE FILE [--strict]`` ``pvd_kg.load.load_files`` of FILE
``python hostile_driver.py api-fetch URL DEST``    ``pvd_kg.fetch.fetch_url``, if it exists

A library error ends as ``error: ...`` on stderr and exit 2, as the CLI does; an entry point the
library does not have (yet) exits 77 with the reason on stderr.
"""

from __future__ import annotations

import json
import os
import sys

MISSING = 77  # the entry point does not exist in this version of the library


def _install_audit(log_path: str, allowed: tuple[str, ...], peers: set[str]) -> None:
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # opened before the hook

    def hook(event, args):
        if event == "socket.connect":
            peer = args[1]
            if not (isinstance(peer, tuple) and f"{peer[0]}:{peer[1]}" in peers):
                os.write(fd, (json.dumps({"connect": repr(peer)}) + "\n").encode())
        elif event == "open" and args and isinstance(args[0], (str, bytes)):
            path = os.path.abspath(os.fsdecode(args[0]))
            if not path.startswith(allowed):
                os.write(fd, (json.dumps({"open": path}) + "\n").encode())

    sys.addaudithook(hook)


def _allowed() -> tuple[str, ...]:
    base = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__), "/dev/", "/proc/",
            "/sys/", "/usr/", "/etc/localtime", "/etc/ssl/", "/etc/mime.types", "/etc/matplotlibrc",
            os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    base |= {p for p in os.environ.get("HOSTILE_ALLOWED", "").split(os.pathsep) if p}
    return tuple(sorted(base))


def _text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _api(mode: str, args: list[str]) -> None:
    if mode == "api-query":
        from pvd_kg import queries
        from pvd_kg.store import open_store

        store = open_store(args[0], read_only=True)
        result = queries.run(_text(args[1]), store, timeout=float(os.environ.get("HOSTILE_QUERY_TIMEOUT", "3")),
                             limit=1000)
        print(f"ok: {result.kind}, {len(result.rows or result.triples or [])} rows")
    elif mode == "api-update":
        from pvd_kg.store import open_store

        with open_store(args[0]) as store:
            if not hasattr(store, "update"):
                _missing("the embedded store has no update() yet")
            store.update(_text(args[1]))
        print("ok")
    elif mode == "api-validate":
        from pvd_kg.validate import load_files, validate

        report = validate(load_files([args[0]]))
        print(f"ok: {report.count('error')} violation(s)")
    elif mode == "api-load":
        from pvd_kg.load import load_files
        from pvd_kg.store import open_store

        with open_store(args[0]) as store:
            load_files(store, [args[1]], strict="--strict" in args[2:])
        print("ok")
    elif mode == "api-fetch":
        from pvd_kg import fetch

        if not hasattr(fetch, "fetch_url"):
            _missing("pvd_kg.fetch.fetch_url does not exist yet")
        result = fetch.fetch_url(args[0], args[1], deadline=8.0, max_bytes=1_000_000, retries=3, max_wait=3.0,
                                 allow_private_hosts=("127.0.0.1",))
        print(f"ok: {result}")
    else:
        raise SystemExit(f"unknown mode {mode}")


def _missing(reason: str) -> None:
    print(reason, file=sys.stderr)
    sys.exit(MISSING)


def main() -> None:
    mode, args = sys.argv[1], sys.argv[2:]
    peers = {p for p in os.environ.get("HOSTILE_PEERS", "").split(",") if p}  # the one server the user named
    _install_audit(os.environ["HOSTILE_AUDIT"], _allowed(), peers)
    if mode == "cli":
        from pvd_kg.cli import cli

        cli.main(args, prog_name="pvd-kg")  # exits
    from pvd_kg.errors import PvdKgError

    try:
        _api(mode, args)
    except PvdKgError as exc:
        for issue in getattr(exc, "report", None) or []:  # what the caller gets with the error, as the CLI prints it
            print(issue, file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
