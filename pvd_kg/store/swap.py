"""The folder swap that commits a build (and a large load), and its recovery after a crash.

A swap writes a complete new store in ``.NAME.new`` beside the store folder ``NAME``, then:

1. renames ``NAME`` to ``.NAME.old``;
2. renames ``.NAME.new`` to ``NAME``;
3. renames ``.NAME.old`` to ``.NAME.trash`` and deletes it (a half-deleted folder only ever
   carries the ``.trash`` name, so it is never mistaken for a store).

A process killed at any point leaves either ``NAME`` complete (old or new content) with
leftovers beside it, or, between 1 and 2, no ``NAME`` and the previous store in ``.NAME.old``.
:func:`recover` puts the previous store back in that case and removes the leftovers; every
opener of the store calls it (the read commands, ``serve`` and the writers), so the first one
after the crash repairs the folder and says so.

A swap under way holds an exclusive ``flock`` on the parent folder for its whole length:
:func:`recover` takes the same lock without waiting and leaves the folders alone while another
process holds it (its ``.new`` is a write in progress, not a leftover).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from ..errors import StoreError

# Fault injection for the crash tests, off unless this variable names a step of the swap
# (see _step): the process then kills itself with SIGKILL at that step.
KILL_AT_STEP_VARIABLE = "PVD_KG_TEST_KILL_AT_SWAP_STEP"
STEPS = ("new-partial", "new-written", "old-moved", "new-moved", "old-trashed")

# The size of a load from which it commits by swap (:func:`.embedded.commits_by_swap`) is a
# setting: this variable lowers it, so that the tests exercise the swap with small files.
MIN_QUADS_VARIABLE = "PVD_KG_SWAP_MIN_QUADS"


def min_quads(default: int) -> int:
    """The load size (quads) from which a load commits by swap: :data:`MIN_QUADS_VARIABLE`, if
    set, else ``default``.

    :raises StoreError: the variable is not a positive whole number.
    """
    value = os.environ.get(MIN_QUADS_VARIABLE, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise StoreError(f"{MIN_QUADS_VARIABLE}={value!r} is not a positive whole number of quads")
    return int(value)


def sibling(path: Path, kind: str) -> Path:
    """``.NAME.new``, ``.NAME.old`` or ``.NAME.trash`` beside the store folder ``NAME``.

    >>> sibling(Path("/data/store"), "new")
    PosixPath('/data/.store.new')
    """
    return path.with_name(f".{path.name}.{kind}")


def step(name: str) -> None:
    """A named point of the swap; the crash tests kill the process here (:data:`KILL_AT_STEP_VARIABLE`)."""
    if os.environ.get(KILL_AT_STEP_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def swap_lock(path: Path, *, wait: bool):
    """Hold the swap lock of the store at ``path`` (a ``flock`` on its parent folder).

    :param wait: wait for it; otherwise yield ``False`` at once when another process holds it.
    :yields: whether the lock is held.
    """
    try:
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise StoreError(f"cannot open the folder of the store {path}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def swap_folders(path: Path) -> None:
    """Steps 1-3 of the swap: the complete ``.NAME.new`` becomes ``NAME``. The caller holds
    :func:`swap_lock` and has closed every handle on both folders."""
    new, old, trash = sibling(path, "new"), sibling(path, "old"), sibling(path, "trash")
    step("new-written")
    os.rename(path, old)
    step("old-moved")
    os.rename(new, path)
    step("new-moved")
    os.rename(old, trash)
    step("old-trashed")
    shutil.rmtree(trash, ignore_errors=True)


def recover(path: Path) -> tuple[Path, str | None]:
    """Repair the folders a crashed swap left, if any.

    :returns: the folder to open (``path``, or ``.NAME.old`` when the previous store cannot be
        put back because the folder is read-only) and a sentence for the user when something
        was found (``None`` otherwise).
    :raises StoreError: a leftover cannot be examined.
    """
    old = sibling(path, "old")
    if not _leftovers(path):
        return path, None
    with swap_lock(path, wait=False) as held:
        if not held:  # another process is swapping: its folders are not leftovers
            _wait_for(path)
            return path, None
        if not _leftovers(path):  # another opener repaired it meanwhile
            return path, None
        restore = not path.exists() and old.exists()
        try:
            if restore:
                os.rename(old, path)
            for leftover in _leftovers(path):
                shutil.rmtree(leftover)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise StoreError(f"cannot repair the store at {path} after an interrupted write: "
                                 f"{exc.strerror}") from None
            if restore:
                return old, (f"the store at {path} was left mid-swap by an interrupted write; the folder is "
                             f"read-only, so the previous store is read from {old.name}")
            return path, (f"leftovers of an interrupted write beside the store at {path} cannot be removed "
                          f"(the folder is read-only); the store itself is complete")
    what = "the previous store was put back" if restore else "the store was complete"
    return path, f"the store at {path} was left by an interrupted write: {what} and the leftovers removed"


def _leftovers(path: Path) -> list[Path]:
    return [p for p in (sibling(path, kind) for kind in ("new", "old", "trash")) if p.exists()]


def repaired(path: Path) -> Path:
    """:func:`recover`, saying on stderr what was found; the folder to open."""
    folder, notice = recover(path)
    if notice:
        print(f"pvd-kg: {notice}", file=sys.stderr)
    return folder


def _wait_for(path: Path, seconds: float = 5.0) -> None:
    """Between the two renames of another process's swap the store folder is missing for a
    moment: wait for it to come back."""
    end = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < end:
        time.sleep(0.01)
