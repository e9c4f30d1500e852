"""`qfin ui` serves the asset graph on 127.0.0.1, and its daemon's sensor loads a dropped release unaided."""

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

import duckdb

from tests.conftest import REPO, SHIPPED

ASSETS_QUERY = ('{"query": "{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks '
                '{ checks { name } } } } }"}')


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


def _facts(path) -> int:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql("select count(*) from facts").fetchall()[0][0]
    except duckdb.Error:
        return 0


def test_ui_serves_the_graph_and_the_sensor_loads_a_dropped_release(tmp_path):
    port, raw = _free_port(), tmp_path / "raw"
    raw.mkdir()
    env = {**os.environ, "QFIN_RAW_DIR": str(raw), "QFIN_WAREHOUSE": str(tmp_path / "qfin.duckdb"),
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    ui = subprocess.Popen([sys.executable, "-m", "qfin_pipeline.cli", "ui", "--port", str(port)], env=env, cwd=REPO,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, graph = time.monotonic() + 90, None
        while time.monotonic() < deadline and not (graph and graph.get("data")):
            time.sleep(1)
            graph = _graphql(port)
        keys = {"/".join(node["assetKey"]["path"]) for node in graph["data"]["assetNodes"]}
        assert {"raw_files", "release_documents", "release_facts", "validated_facts", "facts", "releases",
                "mart_quarterly", "v_yoy", "v_qoq"} <= keys
        checks = {"/".join(n["assetKey"]["path"]): {c["name"] for c in n["assetChecksOrError"].get("checks") or []}
                  for n in graph["data"]["assetNodes"]}
        assert {"identities", "usd_translation", "narrative_vs_table", "facts_schema"} <= checks["validated_facts"]
        assert "facts_hold_no_quarantined_release" in checks["facts"]
        shutil.copy(SHIPPED, raw / SHIPPED.name)  # no command typed: the daemon's sensor picks it up
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _facts(tmp_path / "qfin.duckdb") < 499:
            time.sleep(2)
        assert _facts(tmp_path / "qfin.duckdb") >= 499
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        try:
            ui.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(ui.pid, signal.SIGKILL)
