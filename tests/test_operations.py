"""Running unattended: the sensor, bad input that never harms the warehouse, copies, busy warehouse, status."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import dagster as dg
import duckdb

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
    assert busy.returncode == 3 and "Traceback" not in busy.stderr
    assert f"warehouse {warehouse.path} is busy (held by PID {os.getpid()})" in busy.stderr


def test_errors_say_what_happened(warehouse: Warehouse):
    """No warehouse yet, a file that is not a database, a folder that cannot be written: one line each, own code."""
    for command in (["query", "select 1"], ["status"]):
        missing = warehouse.cli(*command)
        assert missing.returncode == 4
        assert missing.stderr == f"qfin {command[0]}: no warehouse yet at {warehouse.path}: run `qfin run` first\n"
    warehouse.path.write_text("not a database\n")
    damaged = warehouse.cli("query", "select 1")
    assert damaged.returncode == 5 and damaged.stderr.count("\n") == 1
    assert "is damaged (not a DuckDB database file (15 bytes))" in damaged.stderr and "--rebuild" in damaged.stderr
    warehouse.path.unlink()
    warehouse.path.mkdir()  # a directory where the file should be
    cannot = warehouse.cli("query", "select 1")
    assert cannot.returncode == 6 and cannot.stderr.startswith(f"qfin query: cannot open warehouse {warehouse.path}: ")
    assert cannot.stderr.count("\n") == 1


def test_status_describes_the_raw_folder_as_it_is_now(warehouse: Warehouse):
    """Releases with checks and unread figures; rejected files; copies shown as copies; a removed file drops out."""
    from qfin_pipeline.extract import extract_release, read_document

    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    warehouse.add("empty.txt", b"")
    warehouse.add("z-copy-of-q3.txt", SHIPPED.read_bytes())
    assert warehouse.run() == 1  # empty.txt is rejected
    status = warehouse.cli("status")
    assert status.returncode == 0, status.stderr
    rejected = status.stdout.split("rejected files:")[1].split("skipped copies")[0]
    copies = status.stdout.split("skipped copies (byte-identical, not an error):")[1].split("last EDGAR fetch")[0]
    assert "empty.txt" in rejected and "empty file" in rejected and "z-copy-of-q3.txt" not in rejected
    assert [ln.split("┆")[0].strip("│ ") for ln in copies.splitlines() if "z-copy-of-q3.txt" in ln] == ["z-copy-of-q3.txt"]
    assert SHIPPED.name in copies  # the file it copies
    assert "3 file(s): 1 loaded, 1 rejected, 1 skipped copy, 0 not loaded yet" in status.stdout
    assert "last EDGAR fetch: never" in status.stdout
    # unread prose figures per release: what extraction left unread, loaded with the release
    unread = extract_release(read_document(SHIPPED.read_bytes(), SHIPPED.name, "sha")).unread
    assert warehouse.scalar("select count(*) from unread_figures") == unread.height
    no_pattern = unread.filter(unread["reason"] == "no pattern").height
    row = next(line for line in status.stdout.splitlines() if "QFIN-2024Q3" in line)
    assert row.replace(" ", "").endswith(f"┆{unread.height}┆{no_pattern}│")
    (warehouse.raw / "empty.txt").unlink()
    after = warehouse.cli("status").stdout
    assert "empty.txt" not in after and "rejected files: none" in after  # before any run
    assert warehouse.run() == 0
    assert warehouse.sql("select source_file from rejected_files") == [("z-copy-of-q3.txt",)]  # a copy, not an error


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
    # check_results describes what facts holds; the rejected files' checks are in quarantined_checks
    assert warehouse.sql("select distinct release_id, status from check_results") == [("QFIN-2025Q2", "passed")]
    failed = dict(warehouse.sql("select source_file, count(*) from quarantined_checks where status = 'failed' "
                                "group by all"))
    assert failed["q3-typo.txt"] == 2 and failed[release_name(2025, 1) + ".bad"] == 1


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


def _bad_copies() -> dict[str, str]:
    """Copies of the shipped release that fail: one garbled cell, and a balance sheet that does not foot."""
    text = SHIPPED.read_text(encoding="utf-8")
    garbled = text.replace("Restricted cash\t", "Restricted cash\tn/a\t", 1)
    unbalanced = text.replace("Total current assets\t39,796,028", "Total current assets\t39,797,028")
    assert text != garbled and text != unbalanced
    return {"a-garbled.txt": garbled, "b-unbalanced.txt": unbalanced}


def _check(instance: dg.DagsterInstance, asset: str, name: str):
    record = instance.get_latest_asset_check_evaluation_record(dg.AssetCheckKey(dg.AssetKey(asset), name))
    return record.event.dagster_event.event_specific_data


def test_the_claim_goes_to_the_first_file_that_passes_in_one_run(warehouse: Warehouse, capsys):
    """Four files claim one release: two fail their checks, two pass; the first passing by name loads."""
    for name, text in _bad_copies().items():
        warehouse.add(name, text)
    passing = SHIPPED.read_text(encoding="utf-8").replace("ir@360shuke.com", "investors@example.com")
    warehouse.add("q3-edited.txt", passing)  # passes; before the shipped file's name
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    capsys.readouterr()
    assert warehouse.run() == 1
    err = capsys.readouterr().err
    assert warehouse.sql("select release_id, source_file from releases") == [("QFIN-2024Q3", "q3-edited.txt")]
    assert warehouse.scalar("select count(*) from facts where kind = 'table'") == 499
    rejected = dict(warehouse.sql("select source_file, reason from rejected_files"))
    assert rejected.keys() == {"a-garbled.txt", "b-unbalanced.txt", SHIPPED.name}
    assert rejected["a-garbled.txt"].startswith("failed blocking checks: readable") and "'n/a'" in rejected["a-garbled.txt"]
    assert rejected["b-unbalanced.txt"].startswith("failed blocking checks: identities (current_assets_sum")
    assert rejected["b-unbalanced.txt"].endswith("release QFIN-2024Q3 stays with q3-edited.txt")
    assert rejected[SHIPPED.name] == "claims release QFIN-2024Q3, which q3-edited.txt already holds; q3-edited.txt stays"
    assert "check failed: b-unbalanced.txt (QFIN-2024Q3) identities: expected 39796028000 actual 39797028000" in err
    # check_results describes the loaded file only; the others' checks are kept by file
    assert warehouse.scalar("select count(*) from check_results where status = 'failed'") == 0
    assert {r[0] for r in warehouse.sql("select distinct source_file from quarantined_checks")} == rejected.keys()
    # the UI: per-release checks name the quarantined files without blocking the run; what passed is guarded
    with dg.DagsterInstance.from_config(str(warehouse.root / "dagster_home")) as instance:
        identities = _check(instance, "validated_facts", "identities")
        assert not identities.passed and not identities.blocking
        assert identities.severity == dg.AssetCheckSeverity.ERROR
        assert identities.metadata["quarantined_files"].value == ["b-unbalanced.txt (QFIN-2024Q3)"]
        guard = _check(instance, "validated_facts", "validated_facts_hold_only_passing_files")
        assert guard.passed and guard.blocking
        assert _check(instance, "facts", "facts_hold_no_quarantined_release").passed


def test_a_failing_file_never_displaces_a_passing_one_across_runs(warehouse: Warehouse):
    bad = _bad_copies()
    warehouse.add("b-unbalanced.txt", bad["b-unbalanced.txt"])
    assert warehouse.run() == 1  # alone, it fails: nothing loads
    assert warehouse.scalar("select count(*) from releases") == 0
    assert warehouse.scalar("select count(*) from facts") == 0
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())  # the good file comes later, after it by name
    assert warehouse.run() == 1
    assert warehouse.sql("select source_file from releases") == [(SHIPPED.name,)]
    warehouse.add("a-garbled.txt", bad["a-garbled.txt"])  # another bad file, first by name
    assert warehouse.run() == 1
    assert warehouse.sql("select source_file from releases") == [(SHIPPED.name,)]
    rejected = dict(warehouse.sql("select source_file, reason from rejected_files"))
    assert rejected["a-garbled.txt"] == f"claims release QFIN-2024Q3, which {SHIPPED.name} already holds; {SHIPPED.name} stays"
    assert rejected["b-unbalanced.txt"].startswith("failed blocking checks: identities")  # what its checks found
    assert warehouse.scalar("select count(*) from facts where kind = 'table'") == 499


def test_a_failing_derived_quarter_check_keeps_the_previous_marts(warehouse: Warehouse):
    """The check runs before the models built on derived quarters; a failure fails the run, which publishes nothing."""
    from tests.release_builder import build_release, release_name

    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    assert warehouse.run() == 0
    marts = warehouse.sql("select * from mart_quarterly order by all")
    # a Q4 release whose prior-year quarter differs from 12M - 9M of the releases: the derived quarter disagrees
    warehouse.add(release_name(2024, 4), build_release(2024, 4, restate={"funding_costs": 150_000}))
    result = warehouse.cli("run")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "RUN FAILED: nothing of this run was published" in result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("qfin run: failed in check derived_quarters_match_reported: ")
    assert "derived quarter(s) disagree with the reported ones, e.g. " in last and "quarter ended 2023-12-31" in last
    assert warehouse.sql("select release_id from releases") == [("QFIN-2024Q3",)]
    assert warehouse.sql("select * from mart_quarterly order by all") == marts


def test_a_restated_quarter_is_listed_not_blocked(warehouse: Warehouse):
    """The same Q4 2024 release loads when the quarter it restates was first published by the Q4 2023 release:
    the derived quarter differs from a restated figure (a restatement, in v_restatements), not an inconsistency."""
    from tests.release_builder import build_release, release_name

    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    warehouse.add(release_name(2023, 4), build_release(2023, 4))
    warehouse.add(release_name(2024, 4), build_release(2024, 4, restate={"funding_costs": 150_000}))
    assert warehouse.run() == 0
    restated = warehouse.sql("""select original_release_id, restated_release_id, restated_value from v_restatements
                                where metric_id = 'funding_costs' and currency = 'RMB' and period_type = '3M'
                                  and period_end = '2023-12-31'""")
    assert restated == [("QFIN-2023Q4", "QFIN-2024Q4", Decimal(150_000_000))]
    # the marts take the latest table value for the quarter
    assert warehouse.scalar("""select value from mart_quarterly where metric_id = 'funding_costs' and currency = 'RMB'
                               and period_type = '3M' and period_end = '2023-12-31'""") == Decimal(150_000_000)
