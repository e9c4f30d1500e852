"""`qfin ui`: `dg dev` on 127.0.0.1 in its own process group, stopped cleanly by SIGTERM, SIGINT or SIGHUP.

`dagster dev` maps SIGTERM onto its SIGINT handler, and a process started in the background inherits SIGINT as
ignored, so it ignored a service manager's SIGTERM. Here `dg dev` runs as a child in a new session (it inherits
default signal handling, since ours are caught, not ignored); a signal to `qfin ui` becomes a SIGINT to that group,
Dagster's own Ctrl-C shutdown, and whatever is still running after STOP_SECONDS is killed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

from qfin_pipeline import settings

STOP_SECONDS = 20  # Dagster's webserver and daemon stop in a few seconds; this bounds a stuck one
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def dg_dev_command(host: str, port: int) -> tuple[list[str], str | None]:
    """The venv's own `dg dev` (whatever PATH says) and the folder to run it in."""
    command = [sys.executable, "-m", "dagster_dg_cli.cli", "dev", "--host", host, "--port", str(port)]
    if settings.IN_CHECKOUT:  # a dg project: pyproject's [tool.dg.project] names the code location
        return command, str(settings.REPO_ROOT)
    return [*command, "-m", "qfin_pipeline.definitions", "-l", "qfin_pipeline"], None  # an installed wheel


def _stop_with_parent() -> None:
    """In the child, before exec: should `qfin ui` die unannounced (SIGKILL), Linux sends `dg dev` a SIGTERM."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(pgid: int, sig: int) -> bool:
    """Send sig to every process of the group; False when none is left."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def serve(port: int, host: str = "127.0.0.1") -> int:
    settings.ensure_dagster_home()  # DAGSTER_HOME beside the warehouse, exported to dg dev and its processes
    env = dict(os.environ)
    if sys.prefix != sys.base_prefix:  # dg compares the project's .venv with the active one
        env["VIRTUAL_ENV"] = sys.prefix
    command, cwd = dg_dev_command(host, port)
    deadline: list[float] = []
    child: list[subprocess.Popen] = []

    def stop(_signum, _frame) -> None:
        if not deadline:
            deadline.append(time.monotonic() + STOP_SECONDS)
            if child:
                _signal_group(child[0].pid, signal.SIGINT)
        elif child:  # asked twice (Ctrl-C again): stop now
            _signal_group(child[0].pid, signal.SIGKILL)

    # Caught before the child starts, so the child begins with default handlers (an ignored signal stays ignored).
    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        child.append(subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True,
                                       preexec_fn=_stop_with_parent))
        if deadline:  # a signal arrived while it started
            _signal_group(child[0].pid, signal.SIGINT)
        code = None
        while code is None:
            try:
                code = child[0].wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if deadline and time.monotonic() > deadline[0]:
                    _signal_group(child[0].pid, signal.SIGKILL)
        # The leader is gone; its group may still hold a code server or webserver: give them the rest of the time.
        while _signal_group(child[0].pid, 0) and deadline and time.monotonic() < deadline[0]:
            time.sleep(0.2)
        _signal_group(child[0].pid, signal.SIGKILL)
        return 0 if deadline else code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
