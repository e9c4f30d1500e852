"""Dagster's consolidated SQLite event log with one pooled engine instead of a new engine per statement.

Dagster's stock SQLite event log builds a SQLAlchemy engine and connection for every statement it runs; a run
that loads many releases stores ~14 events per release (a materialization and a planned event per partition of
each per-release asset), and that setup dominated a 100-release run (profiled: 26 of 33 s; 8 s with this class).
Same schema, same files, same WAL journal. Selected in DAGSTER_HOME/dagster.yaml (settings.DAGSTER_YAML), so
the UI and the daemon use it too.

Dagster 1.13 has no public setting for this: every SQLite storage it ships opens a NullPool engine per connection,
and its pooled storages need a Postgres or MySQL server. The base class is Dagster's documented dagster.yaml class,
but its import path and `_connect` are private: tests/test_event_storage.py fails when Dagster changes either.
"""

from contextlib import contextmanager
from functools import cached_property

import sqlalchemy as db
from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage

BUSY_TIMEOUT_SECONDS = 30


class PooledSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    @cached_property
    def _engine(self) -> db.engine.Engine:
        engine = db.create_engine(
            self._conn_string, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        )

        @db.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # WAL keeps commits atomic; NORMAL skips an fsync per commit
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        return engine

    @contextmanager
    def _connect(self):
        with self._engine.connect() as conn:
            with conn.begin():
                yield conn

    @property
    def supports_partition_subset_in_asset_materialization_planned_events(self) -> bool:
        # One "planned" event per asset for a many-release run instead of one per release (Dagster's own
        # DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS): halves the events of a backfill.
        return True
