"""A real Virtuoso Open Source server (Debian's ``virtuoso-opensource-7-bin``, installed by
``.ci/run``) on free loopback ports, for the store tests that run on every SPARQL engine.

Its anonymous SPARQL user may read only; the tests grant it SPARQL Update, as an administrator
would for a loader account."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

from oxigraph_server import free_port, running

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql}
DirsAllowed = {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = {http}
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def virtuoso_binaries() -> tuple[str, str]:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql:
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource-7-bin (done by .ci/run)")
    return server, isql


class Virtuoso:
    """A running server: ``base`` URL (SPARQL at ``/sparql``), ``isql`` to run SQL as dba, and
    ``graphs``/``quads``: what the server holds of its own before any test writes (virtrdf#, ...)."""

    def __init__(self, base: str, sql_port: int, location: Path, isql: str):
        self.base, self.sql_port, self.location, self._isql = base, sql_port, location, isql
        self.graphs: set[str] = set()
        self.quads = 0

    def isql(self, statements: str, timeout: float = 600) -> str:
        done = subprocess.run([self._isql, str(self.sql_port), "dba", "dba", f"exec={statements}"],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {(done.stdout + done.stderr)[-500:]}")
        return done.stdout

    def bulk_load(self, nquads: Path) -> None:
        """Virtuoso's own loader (``ld_dir`` + ``rdf_loader_run``): the way a large dump goes in."""
        shutil.copy(nquads, self.location / nquads.name)
        self.isql(f"ld_dir('{self.location}', '{nquads.name}', 'urn:pvd-kg:unused'); rdf_loader_run(); checkpoint;")


@contextlib.contextmanager
def virtuoso_server(location: Path):
    """Start ``virtuoso-t`` in ``location``; yield a :class:`Virtuoso`; stop it."""
    server, isql = virtuoso_binaries()
    location.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(INI.format(d=location, sql=sql, http=http), encoding="utf-8")
    proc = subprocess.Popen([server, "+foreground", "+configfile", str(ini)], cwd=location,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    log = location / "virtuoso.log"
    with running(proc, f"{base}/sparql", "virtuoso-t", 60, lambda: log.read_text()[-500:] if log.exists() else ""):
        server_ = Virtuoso(base, sql, location, isql)
        server_.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        yield server_
