"""Notice when another process changes the store folder, and reopen the readers.

``pvd-kg build`` and large loads swap in a new folder; ``pvd-kg load`` and ``drop`` write the
folder in place. The readers of ``pvd-kg serve`` opened the store read-only (or copied it into
memory) before that, so they keep the old content until they are started again. A watcher looks
at the folder every few seconds: its inode (a swap replaces it) and the name, size and time of
each RocksDB file (any write changes them; a read-only open changes none). When that has
changed and then stayed the same for one more look (a build writes for seconds), the pool
starts new readers and exchanges them for the old ones (:meth:`.pool.WorkerPool.reopen`), and
every cache of the server starts a new generation. A folder that a writer killed between the
two renames of its swap left missing is repaired on the next look (:func:`..store.swap.repaired`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

from ..store.swap import repaired

log = logging.getLogger(__name__)

# RocksDB's own log of what it did, and the lock file: not the store's content
_NOT_CONTENT = ("LOG", "LOCK")


def fingerprint(path: Path | str) -> tuple | None:
    """What changes when a process writes the store folder at ``path``; None while the folder
    is missing (between the two renames of a swap) or unreadable.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> before = fingerprint(folder)
    >>> _ = (folder / "000001.log").write_bytes(b"x")
    >>> before != fingerprint(folder), fingerprint(folder / "missing")
    (True, None)
    """
    try:
        folder = os.stat(path)
        files = []
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith(_NOT_CONTENT) or not entry.is_file():
                    continue
                st = entry.stat()
                files.append((entry.name, st.st_size, st.st_mtime_ns))
    except OSError:
        return None
    return folder.st_dev, folder.st_ino, tuple(sorted(files))


class StoreWatch:
    """Counters for ``/status``."""

    def __init__(self, interval: float):
        self.interval = interval
        self.reloads = 0
        self.last_reload: float | None = None

    def status(self) -> dict:
        return {"interval_s": self.interval, "reloads": self.reloads,
                "last_reload": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.last_reload))
                if self.last_reload else None}


async def watch(app, watcher: StoreWatch) -> None:
    """Run until cancelled: look at the store folder every ``watcher.interval`` seconds and
    reopen the pool's readers once a change has settled."""
    from .app import new_generation  # app imports the pool, which imports this module

    pool = app.state.pool
    pending = None
    while True:
        await asyncio.sleep(watcher.interval)
        now = fingerprint(pool.store_path)
        if now is None:  # mid-swap, or a writer killed between its two renames: repair that
            await asyncio.to_thread(repaired, pool.store_path)
            now = fingerprint(pool.store_path)
        if now is None or now == pool.seen:
            pending = None
            continue
        if now != pending:  # still changing, or changed since the last look: look again
            pending = now
            continue
        pending = None

        def exchanged():  # while no query runs: the new readers answer from the next query on
            new_generation(app.state)
            watcher.reloads += 1
            watcher.last_reload = time.time()
            log.warning("the store at %s was changed by another process: readers reopened", pool.store_path)

        try:
            await pool.reopen(on_swap=exchanged)
        except Exception as exc:  # the old readers keep serving; try again at the next change
            log.warning("could not reopen the store after a change: %s", exc)
