"""The `fetched_filings` table: what earlier fetches settled (read first) and what this fetch saw (written last)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from qfin_pipeline.warehouse.access import connect_read_only, is_local_file, write_session
from qfin_pipeline.warehouse.schema import ensure_schema

RECORD_SCHEMA = {
    "accession": pl.String, "form": pl.String, "filing_date": pl.Date, "document": pl.String,
    "outcome": pl.String, "release_id": pl.String, "source_file": pl.String, "fetched_at": pl.Datetime("us"),
}
SEEN_SCHEMA = {"accession": pl.String, "document": pl.String, "outcome": pl.String}

Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection | None]]


@dataclass(frozen=True)
class FetchRecord:
    """Where a fetch reads what earlier fetches settled and writes what it saw: `qfin fetch` reads the published
    warehouse and writes through `write_session`; the Dagster asset uses its run's warehouse connection."""

    read: Connect
    write: Connect

    @classmethod
    def published(cls, warehouse: str) -> FetchRecord:
        @contextmanager
        def read():
            if is_local_file(warehouse) and not Path(warehouse).exists():
                yield None  # a new warehouse: nothing recorded yet
                return
            with connect_read_only(warehouse, wait_seconds=60) as con:
                yield con

        return cls(read, lambda: write_session(warehouse, "qfin fetch"))

    def recorded(self) -> pl.DataFrame:
        """accession, document, outcome of every recorded filing document (empty for a new warehouse)."""
        with self.read() as con:
            if con is None:
                return pl.DataFrame(schema=SEEN_SCHEMA)
            has = con.sql("select count(*) from information_schema.tables where table_name = 'fetched_filings'")
            if not has.fetchall()[0][0]:
                return pl.DataFrame(schema=SEEN_SCHEMA)
            return con.sql("select accession, document, outcome from fetched_filings").pl().cast(SEEN_SCHEMA)

    def record(self, rows: pl.DataFrame) -> None:
        """One short write: each row replaces the record of its document, and a filing looked at again drops its
        'failed' rows (this fetch retried all of them)."""
        if rows.is_empty():
            return
        columns = ", ".join(RECORD_SCHEMA)
        with self.write() as con:
            ensure_schema(con)  # a first fetch may come before any run
            con.register("incoming", rows.select(list(RECORD_SCHEMA)).cast(RECORD_SCHEMA).to_arrow())
            con.execute("""
                delete from fetched_filings f using incoming i
                where f.accession = i.accession and (f.outcome = 'failed' or f.document is not distinct from i.document)""")
            con.execute(f"insert into fetched_filings ({columns}) select {columns} from incoming")
            con.unregister("incoming")


def settled(recorded: pl.DataFrame) -> tuple[set[str], set[tuple[str, str]]]:
    """Filings nothing is left to do for (no 'failed' record), and settled (accession, document) pairs.
    A 'failed' record is never settled: the next fetch retries it."""
    failed = recorded.filter(pl.col("outcome") == "failed")["accession"]
    filings = set(recorded.filter(~pl.col("accession").is_in(failed.implode()))["accession"])
    done = recorded.filter((pl.col("outcome") != "failed") & pl.col("document").is_not_null())
    return filings, set(zip(done["accession"], done["document"], strict=True))
