"""Running unattended: the sensor, bad input that never harms the warehouse, copies, busy warehouse, status."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from tests.conftest import REPO, SHIPPED, Warehouse


def test_sensor_loads_a_dropped_release(warehouse: Warehouse, monkeypatch):
    """A file dropped into raw/ while the UI runs: the sensor adds its partition and requests the run."""
    from qfin_pipeline.defs import build_defs

    monkeypatch.setenv("QFIN_RAW_DIR", str(warehouse.raw))
    monkeypatch.setenv("QFIN_WAREHOUSE", str(warehouse.path))
    defs = build_defs(str(warehouse.raw), str(warehouse.path))
    sensor = defs.resolve_sensor_def("raw_folder_sensor")
    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(first, dg.SkipReason) or not first.run_requests  # empty folder: nothing to do
        warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
        result = sensor(dg.build_sensor_context(instance=instance, cursor=getattr(first, "cursor", None)))
        assert [r.partition_keys for r in result.dynamic_partitions_requests] == [["QFIN-2024Q3"]]
        for request in result.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        assert len(result.run_requests) == 1
        for request in result.run_requests:
            run = defs.resolve_job_def(request.job_name).execute_in_process(instance=instance, tags=request.tags)
            assert run.success
        assert warehouse.scalar("select count(*) from facts where kind = 'table'") == 499
        # unchanged folder: the next tick does nothing
        again = sensor(dg.build_sensor_context(instance=instance, cursor=result.cursor))
        assert isinstance(again, dg.SkipReason)


BAD_INPUTS = {
    "empty.txt": b"",
    "junk.bin": bytes(range(256)) * 40,
    "legacy-gbk.txt": "齐富科技 第三季度 财务业绩".encode("gbk") + b"\xff\xfe",
    "other-company.txt": None,  # filled in from the shipped text below
    "truncated.txt": None,
}


def _bad_inputs() -> dict[str, bytes]:
    text = SHIPPED.read_text(encoding="utf-8")
    inputs = dict(BAD_INPUTS)
    inputs["other-company.txt"] = (
        text.replace("Qifu Technology", "Acme Lending").replace("QFIN", "ACME").replace("3660", "9999").encode()
    )
    inputs["truncated.txt"] = text[:2500].encode()  # stops before any table and the exchange-rate sentence
    return inputs


def test_bad_inputs_are_rejected_by_name_and_never_harm_the_warehouse(warehouse: Warehouse, capsys):
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    assert warehouse.run() == 0
    before = warehouse.sql("select * from facts order by source_line, source_column, kind, metric_id")
    for name, data in _bad_inputs().items():
        warehouse.add(name, data)
    warehouse.add("copy-of-q3.txt", SHIPPED.read_bytes())
    capsys.readouterr()
    assert warehouse.run() == 1
    err = capsys.readouterr().err
    rejected = dict(warehouse.sql("select source_file, reason from rejected_files"))
    for name in _bad_inputs():
        assert name in rejected, name
        assert f"rejected {name}:" in err
    assert "empty" in rejected["empty.txt"]
    assert "binary" in rejected["junk.bin"]
    assert "UTF-8" in rejected["legacy-gbk.txt"]
    assert "issuer" in rejected["other-company.txt"]
    assert "byte-identical copy of" in rejected["copy-of-q3.txt"]
    assert "rejected copy-of-q3.txt" not in err  # a copy is skipped, not an error
    assert warehouse.sql("select * from facts order by source_line, source_column, kind, metric_id") == before
    assert warehouse.scalar("select count(*) from releases") == 1


def test_conflicting_file_for_a_loaded_release_is_rejected_naming_both(warehouse: Warehouse, capsys):
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    assert warehouse.run() == 0
    edited = SHIPPED.read_text(encoding="utf-8").replace("ir@360shuke.com", "investors@example.com")
    warehouse.add("q3-again.txt", edited)
    assert warehouse.run() == 1
    reason = warehouse.scalar("select reason from rejected_files where source_file = 'q3-again.txt'")
    assert "QFIN-2024Q3" in reason and SHIPPED.name in reason
    assert warehouse.scalar("select source_file from releases") == SHIPPED.name


def test_query_is_read_only_and_reports_a_busy_warehouse(warehouse: Warehouse):
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    assert warehouse.run() == 0
    env = {**os.environ, "QFIN_WAREHOUSE": str(warehouse.path)}
    qfin = [sys.executable, "-m", "qfin_pipeline.cli"]
    denied = subprocess.run([*qfin, "query", "delete from facts"], env=env, capture_output=True, text=True, cwd=REPO)
    assert denied.returncode == 2 and "read-only" in denied.stderr
    assert warehouse.scalar("select count(*) from facts") > 0
    writer = duckdb.connect(str(warehouse.path))  # another process holds the write lock
    try:
        busy = subprocess.run([*qfin, "query", "select 1", "--wait", "0.5"], env=env, capture_output=True,
                              text=True, cwd=REPO)
    finally:
        writer.close()
    assert busy.returncode == 3 and "busy" in busy.stderr and "Traceback" not in busy.stderr


def test_status_lists_releases_checks_and_rejections(warehouse: Warehouse, capsys):
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    warehouse.add("empty.txt", b"")
    warehouse.run()
    capsys.readouterr()
    from qfin_pipeline.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QFIN_WAREHOUSE", str(warehouse.path))
        assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "QFIN-2024Q3" in out and "empty.txt" in out


def test_html_release_loads_the_same_facts(warehouse: Warehouse):
    from tests import forms

    warehouse.add("qfin-2024q3.html", forms.to_html(SHIPPED.read_text(encoding="utf-8")))
    assert warehouse.run() == 0
    assert warehouse.scalar("select count(*) from facts where kind = 'table'") == 499
    assert warehouse.scalar("""select value from facts where kind = 'table' and metric_id = 'total_net_revenue'
                               and period_type = '3M' and period_end = '2024-09-30' and currency = 'RMB'""") == 4_370_158_000
    line, text = warehouse.sql("""select source_line, source_text from facts where kind = 'table' and
                                  metric_id = 'total_assets' and currency = 'USD'""")[0]
    assert "6,695,808" in text
    html_lines = (warehouse.raw / "qfin-2024q3.html").read_text().splitlines()
    assert html_lines[line - 1] == text


def test_one_bad_release_is_quarantined_while_the_others_of_the_run_load(warehouse: Warehouse, capsys):
    from tests.release_builder import build_release, release_name

    text = SHIPPED.read_text(encoding="utf-8")
    typo = text.replace("Total current assets\t39,796,028", "Total current assets\t39,797,028")  # does not foot
    assert typo != text
    not_a_number = build_release(2025, 1).replace("Restricted cash\t", "Restricted cash\tn/a\t", 1)
    warehouse.add("q3-typo.txt", typo)
    warehouse.add(release_name(2025, 1) + ".bad", not_a_number)
    warehouse.add(release_name(2025, 2), build_release(2025, 2))
    warehouse.add("x'; drop table facts; --.txt", b"")  # a file name is never SQL or shell text
    capsys.readouterr()
    assert warehouse.run() == 1
    err = capsys.readouterr().err
    assert warehouse.sql("select release_id from releases") == [("QFIN-2025Q2",)]
    assert "rejected q3-typo.txt: failed blocking checks: identities" in err
    assert "total_current_assets" in err and "39796028000" in err.replace(",", "").replace(".0", "")
    reason = warehouse.scalar("select reason from rejected_files where source_file like 'qfin-2025q1%'")
    assert "'n/a'" in reason and "not a number" in reason and "line" in reason
    assert warehouse.scalar("select count(*) from rejected_files where source_file = 'x''; drop table facts; --.txt'") == 1
    assert warehouse.scalar("select count(distinct release_id) from facts") == 1
    statuses = dict(warehouse.sql("select release_id, count(*) filter (where status = 'failed') from check_results "
                                  "group by all"))
    assert statuses["QFIN-2024Q3"] > 0 and statuses["QFIN-2025Q2"] == 0 and statuses["QFIN-2025Q1"] == 1


def test_daily_schedule_reconciles_the_folder(warehouse: Warehouse, monkeypatch):
    """The schedule registers releases the sensor missed and requests one range run for them; then nothing."""
    from qfin_pipeline.defs import build_defs

    monkeypatch.setenv("QFIN_RAW_DIR", str(warehouse.raw))
    monkeypatch.setenv("QFIN_WAREHOUSE", str(warehouse.path))
    defs = build_defs(str(warehouse.raw), str(warehouse.path))
    schedule = defs.resolve_schedule_def("daily_reconcile")
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    with dg.instance_for_test() as instance:
        requests = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
        assert instance.get_dynamic_partitions("releases") == ["QFIN-2024Q3"]
        assert [r.tags["dagster/asset_partition_range_start"] for r in requests] == ["QFIN-2024Q3"]
        for request in requests:
            assert defs.resolve_job_def(request.job_name).execute_in_process(instance=instance, tags=request.tags).success
        again = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert not again.run_requests  # the warehouse already holds every release in the folder
