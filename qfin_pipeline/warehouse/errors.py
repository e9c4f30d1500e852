"""What can stop a command from using the warehouse, each with its own exit code (README "Commands")."""

from __future__ import annotations

import re

import duckdb


class WarehouseError(RuntimeError):
    """An expected condition: the CLI prints the message as one line and exits with `exit_code`."""

    exit_code = 6


class WarehouseBusy(WarehouseError):
    exit_code = 3


class WarehouseMissing(WarehouseError):
    exit_code = 4


class WarehouseDamaged(WarehouseError):
    exit_code = 5


class WarehouseUnavailable(WarehouseError):
    """Cannot open it for another reason (permissions, a directory in its place, a connection string that fails)."""

    exit_code = 6


# DuckDB's words for a file it cannot read as a database (truncated, overwritten, not a database at all).
_DAMAGE = ("could not read enough bytes", "not a valid duckdb database", "corrupt", "checksum", "invalid block",
           "no more bytes", "unexpected end", "serialization error")


def damaged_message(warehouse: str, problem: str) -> str:
    return (f"warehouse {warehouse} is damaged ({problem}): run `qfin run --rebuild` to set it aside (kept) "
            "and rebuild it from the raw folder")


def classify(warehouse: str, exc: BaseException) -> WarehouseError:
    """A DuckDB error on opening or reading the warehouse -> busy, damaged or cannot open."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = str(exc).lower()
    if "lock" in lowered and "conflicting" in lowered or "could not set lock" in lowered:
        pid = re.search(r"PID (\d+)", str(exc))
        return WarehouseBusy(f"warehouse {warehouse} is busy (held by PID {pid.group(1) if pid else '?'})")
    if isinstance(exc, duckdb.Error) and any(word in lowered for word in _DAMAGE):
        return WarehouseDamaged(damaged_message(warehouse, text))
    return WarehouseUnavailable(f"cannot open warehouse {warehouse}: {text}")
