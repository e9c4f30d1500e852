"""Shared fixtures: the shipped release, and `qfin run` into a temporary warehouse with its own Dagster home."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "raw" / "qfin-2024q3-earnings-release.txt"


@dataclass
class Warehouse:
    """A temp raw folder + warehouse + Dagster home; `run()` is `qfin run` on them."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def path(self) -> Path:
        return self.root / "qfin.duckdb"

    def add(self, name: str, content: str | bytes) -> Path:
        self.raw.mkdir(parents=True, exist_ok=True)
        target = self.raw / name
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        return target

    def run(self, *extra: str, capsys=None) -> int:
        from qfin_pipeline.cli import main

        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DAGSTER_HOME", str(self.root / "dagster_home"))
            mp.setenv("QFIN_RAW_DIR", str(self.raw))
            mp.setenv("QFIN_WAREHOUSE", str(self.path))
            return main(["run", *extra])

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "QFIN_RAW_DIR": str(self.raw), "QFIN_WAREHOUSE": str(self.path),
                "DAGSTER_HOME": str(self.root / "dagster_home")}

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """`qfin ARGS` in its own process: exit code, stdout and stderr as a user sees them."""
        return subprocess.run([sys.executable, "-m", "qfin_pipeline.cli", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)

    def sql(self, query: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(query, params or []).fetchall()

    def scalar(self, query: str, params=None):
        rows = self.sql(query, params)
        return rows[0][0] if rows else None


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    wh = Warehouse(tmp_path)
    wh.raw.mkdir()
    return wh


@pytest.fixture(scope="module")
def shipped_warehouse(tmp_path_factory) -> Warehouse:
    """The shipped release loaded once per test module."""
    wh = Warehouse(tmp_path_factory.mktemp("shipped"))
    wh.raw.mkdir()
    shutil.copy(SHIPPED, wh.raw / SHIPPED.name)
    assert wh.run() == 0
    return wh


@pytest.fixture(scope="session")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
