"""The pooled event log subclasses a Dagster class outside its public API: a pin that fails when Dagster changes it.

qfin_pipeline/event_storage.py relies on: the import path of ConsolidatedSqliteEventLogStorage, its `_conn_string`,
every read and write going through `_connect()` (which it replaces with one pooled engine, `_engine`), and the
`supports_partition_subset_in_asset_materialization_planned_events` switch. README "Development" says why it stays.
"""

from __future__ import annotations

import inspect
import shutil
from collections import Counter

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.event_log.base import EventLogStorage

from qfin_pipeline.event_storage import PooledSqliteEventLogStorage
from tests.conftest import SHIPPED, Warehouse
from tests.release_builder import build_release, release_name

PER_RELEASE_ASSET = dg.AssetKey("release_documents")


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> Warehouse:
    """Two releases loaded by `qfin run` in one range run, events stored through the pooled event log."""
    wh = Warehouse(tmp_path_factory.mktemp("events"))
    wh.raw.mkdir()
    shutil.copy(SHIPPED, wh.raw / SHIPPED.name)
    wh.add(release_name(2024, 4), build_release(2024, 4))
    assert wh.run() == 0
    return wh


@pytest.fixture
def instance(two_releases, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(two_releases.root / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        yield instance


def test_the_private_base_class_is_still_where_we_import_it_from():
    from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import (
        ConsolidatedSqliteEventLogStorage as defined,
    )

    assert ConsolidatedSqliteEventLogStorage is defined
    assert issubclass(PooledSqliteEventLogStorage, ConsolidatedSqliteEventLogStorage)


def test_every_connection_of_the_base_class_goes_through_connect():
    base = ConsolidatedSqliteEventLogStorage
    assert list(inspect.signature(base._connect).parameters) == ["self"]
    for method in ("run_connection", "index_connection"):  # reads and writes of runs and of the asset index
        assert "self._connect()" in inspect.getsource(vars(base)[method]), method
    assert "self._conn_string = " in inspect.getsource(base.__init__)


def test_the_planned_event_switch_is_still_a_storage_property():
    switch = vars(EventLogStorage)["supports_partition_subset_in_asset_materialization_planned_events"]
    assert isinstance(switch, property)


def test_the_instance_stores_events_through_one_pooled_engine(instance, two_releases):
    storage = instance.event_log_storage
    assert type(storage) is PooledSqliteEventLogStorage
    assert (two_releases.root / "dagster_home" / "history" / "event_log.db").is_file()
    run = instance.get_runs(limit=1)[0]
    with storage.run_connection(run.run_id) as run_conn:
        assert run_conn.engine is storage._engine
    with storage.index_connection() as index_conn:
        assert index_conn.engine is storage._engine


def test_a_range_run_stores_one_planned_event_per_asset_and_every_materialization(instance):
    kinds = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_MATERIALIZATION_PLANNED}
    per_run = []
    for run in instance.get_runs():
        records = instance.get_records_for_run(run.run_id, of_type=kinds).records
        per_run.append(Counter((r.event_log_entry.dagster_event_type, r.event_log_entry.dagster_event.asset_key)
                               for r in records))
    loads = [c for c in per_run if c[(DagsterEventType.ASSET_MATERIALIZATION, PER_RELEASE_ASSET)]]
    assert len(loads) == 1, "both releases load in one run"
    assert loads[0][(DagsterEventType.ASSET_MATERIALIZATION, PER_RELEASE_ASSET)] == 2
    assert loads[0][(DagsterEventType.ASSET_MATERIALIZATION_PLANNED, PER_RELEASE_ASSET)] == 1
    partitions = {r.partition_key for r in instance.fetch_materializations(PER_RELEASE_ASSET, limit=10).records}
    assert partitions == {"QFIN-2024Q3", "QFIN-2024Q4"}
