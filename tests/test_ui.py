"""`qfin ui` runs `dg dev` on 127.0.0.1: it serves the graph, starts without a warning, its daemon's sensor loads a
dropped release, and SIGTERM stops it and every process it started, even started in the background (SIGINT ignored,
as a script's `qfin ui &` has it). One UI serves the module; the SIGTERM test runs last.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SHIPPED

ASSETS_QUERY = ('{"query": "{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks '
                '{ checks { name } } } } }"}')
STOP_BOUND_SECONDS = 30  # qfin ui gives Dagster 20 s, then kills the group


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int) -> dict | None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=ASSETS_QUERY.encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return None


def _table_facts(path: Path) -> int | None:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql("select count(*) from facts where kind = 'table'").fetchall()[0][0]
    except duckdb.Error:
        return None


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, state) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
            table[int(entry.name)] = (int(ppid), int(pgrp), state)
    return table


def _descendants(pid: int) -> set[int]:
    table, found, todo = _processes(), set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, (ppid, _, _) in table.items() if ppid == parent}
        todo.extend(children - found)
        found |= children
    return found


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    (root / "raw").mkdir()
    port, log = _free_port(), root / "ui.log"
    env = {**os.environ, "QFIN_RAW_DIR": str(root / "raw"), "QFIN_WAREHOUSE": str(root / "qfin.duckdb"),
           "DAGSTER_HOME": str(root / "dagster_home")}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "qfin_pipeline.cli", "ui", "--port", str(port)], env=env,
                                cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_ignore_sigint)
    started, graph = time.monotonic(), None
    try:
        while time.monotonic() < started + 120 and not (graph and graph.get("data")) and proc.poll() is None:
            time.sleep(0.5)
            graph = _graphql(port)
        assert graph and graph.get("data"), log.read_text()
        yield {"proc": proc, "root": root, "log": log, "graph": graph["data"], "ready": time.monotonic()}
    finally:
        groups = {pgrp for p, (_, pgrp, _) in _processes().items() if p in _descendants(proc.pid) | {proc.pid}}
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_ui_serves_the_graph_and_its_checks(ui):
    keys = {"/".join(node["assetKey"]["path"]) for node in ui["graph"]["assetNodes"]}
    assert {"raw_files", "release_documents", "release_facts", "validated_facts", "facts", "releases",
            "mart_quarterly", "v_yoy", "v_qoq"} <= keys
    checks = {"/".join(n["assetKey"]["path"]): {c["name"] for c in n["assetChecksOrError"].get("checks") or []}
              for n in ui["graph"]["assetNodes"]}
    assert {"identities", "usd_translation", "narrative_vs_table", "facts_schema"} <= checks["validated_facts"]
    assert "facts_hold_no_quarantined_release" in checks["facts"]


def test_dg_dev_starts_without_a_warning(ui):
    time.sleep(max(0.0, ui["ready"] + 3 - time.monotonic()))  # the first seconds after it serves
    output = ui["log"].read_text()
    assert "All component YAML validated successfully" in output  # dg dev's own check: this is dg, not dagster dev
    assert "Serving dagster-webserver on http://127.0.0.1:" in output
    for word in ("SupersessionWarning", "BetaWarning", "PreviewWarning", "DeprecationWarning", "WARNING", "Warning"):
        assert word not in output, output


def test_the_sensor_loads_a_dropped_release(ui):
    warehouse = ui["root"] / "qfin.duckdb"
    shutil.copy(SHIPPED, ui["root"] / "raw" / SHIPPED.name)  # no command typed: the daemon's sensor picks it up
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _table_facts(warehouse) != 499:
        time.sleep(2)
    assert _table_facts(warehouse) == 499


def test_sigterm_stops_the_ui_and_every_process_it_started(ui):
    proc = ui["proc"]
    started = _descendants(proc.pid)
    commands = [Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ") for p in started]
    assert any(b"dagster_dg_cli.cli dev" in c for c in commands) and any(b"dagster_webserver" in c for c in commands)
    groups = {pgrp for p, (_, pgrp, _) in _processes().items() if p in started}
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)  # what a service manager sends to the process it started
    assert proc.wait(timeout=STOP_BOUND_SECONDS) == 0
    assert time.monotonic() - sent < STOP_BOUND_SECONDS
    deadline, left = time.monotonic() + 3, None
    while left != [] and time.monotonic() < deadline:  # exited processes are reaped by init within moments
        left = [p for p, (_, pgrp, state) in _processes().items() if (p in started or pgrp in groups) and state != "Z"]
        time.sleep(0.2)
    assert left == []
