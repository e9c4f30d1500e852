"""The warehouse file on disk: its storage version, whether it is whole, and the next version built beside it.

A writer copies the published file to `<name>.next`, writes only the copy, and publishes it with one
`os.replace`: readers keep the version they opened and see the new one on their next connection; a failed or
killed writer leaves the published file as it was (its stale copy is removed by the next writer).
Files are written at DuckDB storage version v1.4.0 so the DuckDB 1.4 LTS and 1.5 clients open them.
"""

from __future__ import annotations

import os
import shutil
import struct
from datetime import datetime
from pathlib import Path

import duckdb

from qfin_pipeline.warehouse.errors import WarehouseDamaged, WarehouseUnavailable, classify, damaged_message

STORAGE_VERSION = "v1.4.0"
COMPATIBLE_HEADERS = range(64, 68)  # header version numbers the DuckDB 1.4 and 1.5 CLIs read (v1.4.0 writes 67)
WRITE_CONFIG = {"storage_compatibility_version": STORAGE_VERSION, "memory_limit": "1GB"}
_BLOCK_HEADERS = 3 * 4096  # the main header and two alternating database headers; blocks follow


def header_version(path: Path) -> int | None:
    """The version number in the file's main header (67 for a v1.4.0-compatible file, 999 for DuckDB 2.0's
    default storage), or None when the file is not a DuckDB database."""
    with open(path, "rb") as f:
        head = f.read(20)
    return struct.unpack("<Q", head[12:20])[0] if len(head) == 20 and head[8:12] == b"DUCK" else None


def header_problem(path: Path) -> str | None:
    size = path.stat().st_size
    if size < _BLOCK_HEADERS or header_version(path) is None:
        return f"not a DuckDB database file ({size} bytes)"
    return None


# The highest block any table or the catalog uses (DuckDB cuts free blocks off the end of the file, so the
# header's block count is not the size to expect; DuckDB itself would answer from a truncated file's first blocks).
LAST_BLOCK = """
    select max(b) from (
        select block_id as b from pragma_metadata_info()
        {tables}
    )
"""


def truncation(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """Whether the open database's file is shorter than the blocks its catalog points to."""
    tables = con.sql("select table_name from duckdb_tables() where database_name = current_database() "
                     "and not temporary").fetchall()
    union = "".join(f" union all select block_id from pragma_storage_info('{name}')" for (name,) in tables)
    last = con.sql(LAST_BLOCK.format(tables=union)).fetchall()[0][0] or 0
    block_size = con.sql("select block_size from pragma_database_size()").fetchall()[0][0]
    expected, size = _BLOCK_HEADERS + (last + 1) * block_size, path.stat().st_size
    return f"truncated: {size} of {expected} bytes" if size < expected else None


def check_whole(path: Path, warehouse: str, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Raise WarehouseDamaged unless the file is a whole DuckDB database (opened read-only unless `con` is)."""
    try:
        problem = header_problem(path)
        if problem is None:
            own = con is None
            con = con or duckdb.connect(str(path), read_only=True)
            try:
                problem = truncation(con, path)
            finally:
                if own:
                    con.close()
    except OSError as exc:
        raise WarehouseUnavailable(f"cannot open warehouse {warehouse}: {exc.strerror or exc}") from exc
    except duckdb.Error as exc:
        raise classify(warehouse, exc) from exc
    if problem:
        raise WarehouseDamaged(damaged_message(warehouse, problem))


def remove_with_wal(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


_BUILDING: set[Path] = set()  # versions being built by this process (one per warehouse at a time)


class NextVersion:
    """The next version of a local warehouse file, built beside the published one."""

    def __init__(self, warehouse: str | Path):
        self.target = Path(warehouse)
        self.path = self.target.with_name(self.target.name + ".next")
        self.keep = True  # set false to drop this version instead of publishing it

    def start(self) -> None:
        """A copy of the published file at a readable storage version (a new empty file if there is none)."""
        if self.path.resolve() in _BUILDING:
            raise RuntimeError(f"{self.path} is already being built by this process (inside a Dagster run, "
                               "write through the `duckdb` resource's get_connection())")
        remove_with_wal(self.path)  # a killed writer's leftover
        _BUILDING.add(self.path.resolve())
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            if not self.target.exists():
                duckdb.connect(str(self.path), config=WRITE_CONFIG).close()
                return
            check_whole(self.target, str(self.target))
            if header_version(self.target) in COMPATIBLE_HEADERS and not self._wal(self.target).exists():
                shutil.copyfile(self.target, self.path)
            else:  # written by DuckDB 2.0's default storage (or left with a log): copy it into a compatible file
                self._migrate()
        except duckdb.Error as exc:
            self.abandon()
            raise classify(str(self.target), exc) from exc
        except OSError as exc:
            self.abandon()
            raise WarehouseUnavailable(f"cannot write beside {self.target}: {exc.strerror or exc}") from exc
        except BaseException:
            self.abandon()
            raise

    def _migrate(self) -> None:
        with duckdb.connect(str(self.path), config=WRITE_CONFIG) as con:
            con.execute("attach ? as published (read_only)", [str(self.target)])
            con.execute(f"copy from database published to {self._catalog(con)}")
            con.execute("detach published")

    @staticmethod
    def _catalog(con: duckdb.DuckDBPyConnection) -> str:
        return con.sql("select current_database()").fetchall()[0][0]

    @staticmethod
    def _wal(path: Path) -> Path:
        return path.with_name(path.name + ".wal")

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), config=WRITE_CONFIG)

    def publish(self) -> None:
        """Atomically make the built version the warehouse (every connection to it must be closed)."""
        with open(self.path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(self.path, self.target)
        _BUILDING.discard(self.path.resolve())
        self._wal(self.target).unlink(missing_ok=True)  # a log of the old file never applies to the new one
        dir_fd = os.open(self.target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def abandon(self) -> None:
        remove_with_wal(self.path)
        _BUILDING.discard(self.path.resolve())


def set_aside(warehouse: str | Path) -> Path | None:
    """Move the warehouse file out of the way, kept as `<name>.set-aside-YYYYmmddTHHMMSS` (for --rebuild)."""
    target = Path(warehouse)
    if not target.exists():
        return None
    stamp = f"{target.name}.set-aside-{datetime.now():%Y%m%dT%H%M%S}"
    aside, n = target.with_name(stamp), 1
    while aside.exists():  # two rebuilds within a second
        aside, n = target.with_name(f"{stamp}-{n}"), n + 1
    os.replace(target, aside)
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + ".wal"))
    return aside
