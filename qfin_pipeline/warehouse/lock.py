"""The warehouse's writer lock: a file beside it (fcntl), holding the PID and what holds it.

One writer at a time builds the next version of the warehouse; readers never take this lock. The lock is
re-entrant within a process (`qfin run` holds it while planning, and its in-process Dagster runs take it again).
The kernel releases it when the holding process dies, so a killed run never leaves it held.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from qfin_pipeline.warehouse.errors import WarehouseBusy, WarehouseUnavailable

POLL_SECONDS = 0.2
REMIND_SECONDS = 30.0  # while waiting, say again who holds it this often
_HELD: dict[str, list] = {}  # lock path -> [open file, depth] for this process


def lock_path(warehouse: str | Path) -> Path:
    target = Path(warehouse)
    return target.with_name(target.name + ".lock")


def holder_of(path: Path) -> str:
    """'PID 1234 (qfin run, since 2026-12-02 10:31:05)', as the holder wrote it."""
    try:
        pid, what, since = ([*path.read_text().splitlines(), "", "", ""])[:3]
    except OSError:
        return "another process"
    return f"PID {pid}: {what}, since {since}" if pid else "another process"


@contextmanager
def writer_lock(warehouse: str | Path, holder: str, wait_seconds: float,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the writer lock; while another process holds it, say so at once (naming it), then every
    REMIND_SECONDS, and raise WarehouseBusy after `wait_seconds`."""
    path = lock_path(warehouse)
    key = str(path.resolve())
    if key in _HELD:  # this process already holds it
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
    except OSError as exc:
        raise WarehouseUnavailable(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        _acquire(handle, path, warehouse, wait_seconds, on_wait)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n{holder}\n{datetime.now():%Y-%m-%d %H:%M:%S}\n")
        handle.flush()
        _HELD[key] = [handle, 1]
        try:
            yield
        finally:
            del _HELD[key]
            handle.truncate(0)
    finally:
        handle.close()  # closing releases the lock


def _acquire(handle, path: Path, warehouse, wait_seconds: float, on_wait) -> None:
    started, told = time.monotonic(), None
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if waited >= wait_seconds:
            raise WarehouseBusy(f"warehouse {warehouse} is busy (held by {holder_of(path)}); waited {waited:.1f} s")
        if on_wait and (told is None or waited - told >= REMIND_SECONDS):
            on_wait(f"waiting for the warehouse {warehouse}: another run writes it (held by {holder_of(path)})")
            told = waited
        time.sleep(POLL_SECONDS)
