"""`qfin run | query | status | export | report | ui`: the commands of CONTRACT.md."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

# Dagster marks backfill policies and pools as beta; users of the CLI need not see that on every run.
warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")


def _configure(args: argparse.Namespace) -> None:
    """CLI flags override QFIN_RAW_DIR / QFIN_WAREHOUSE for everything this process loads, Dagster included."""
    if getattr(args, "raw_dir", None):
        os.environ["QFIN_RAW_DIR"] = os.path.abspath(args.raw_dir)
    if getattr(args, "warehouse", None):
        os.environ["QFIN_WAREHOUSE"] = args.warehouse if ":" in args.warehouse else os.path.abspath(args.warehouse)


def cmd_run(args: argparse.Namespace) -> int:
    from qfin_pipeline.runner import run_pipeline
    from qfin_pipeline.warehouse_access import WarehouseBusy

    try:
        return run_pipeline(force=args.force)
    except WarehouseBusy as exc:
        print(f"qfin run: {exc}", file=sys.stderr)
        return 3


def cmd_query(args: argparse.Namespace) -> int:
    from qfin_pipeline import settings
    from qfin_pipeline.output import print_frame
    from qfin_pipeline.warehouse_access import WarehouseBusy, connect_read_only

    try:
        with connect_read_only(settings.warehouse(), wait_seconds=args.wait) as con:
            frame = con.sql(args.sql).pl()
    except WarehouseBusy as exc:
        print(f"qfin query: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:  # SQL errors: one line, no stack trace
        print(f"qfin query: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    print_frame(frame, args.format)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from qfin_pipeline.runner import print_status

    return print_status()


def _no_warehouse(command: str) -> bool:
    """A local warehouse file that does not exist yet: say so (read-only connects cannot create it)."""
    from pathlib import Path

    from qfin_pipeline import settings
    from qfin_pipeline.warehouse_access import is_local_file

    target = settings.warehouse()
    if is_local_file(target) and not Path(target).exists():
        print(f"qfin {command}: no warehouse at {target}: run `qfin run` first", file=sys.stderr)
        return True
    return False


def cmd_export(args: argparse.Namespace) -> int:
    from qfin_pipeline import settings
    from qfin_pipeline.analyst import export
    from qfin_pipeline.warehouse_access import WarehouseBusy, connect_read_only

    if _no_warehouse("export"):
        return 2
    try:
        with connect_read_only(settings.warehouse()) as con:
            written = export(con, args.format, args.to)
    except WarehouseBusy as exc:
        print(f"qfin export: {exc}", file=sys.stderr)
        return 3
    print(f"qfin export: {len(written)} file(s) written" + (f": {written[0]}" if len(written) == 1 else f" to {args.to}"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from qfin_pipeline import settings
    from qfin_pipeline.analyst import default_report_path, write_report
    from qfin_pipeline.warehouse_access import WarehouseBusy, connect_read_only

    if _no_warehouse("report"):
        return 2
    try:
        with connect_read_only(settings.warehouse()) as con:
            path = write_report(con, args.out or default_report_path(settings.warehouse()))
    except (WarehouseBusy, LookupError) as exc:
        print(f"qfin report: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, WarehouseBusy) else 2
    print(f"qfin report: {path}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from qfin_pipeline import settings

    settings.ensure_dagster_home()
    # the venv's own dagster, whatever PATH says; loads [tool.dagster] from the repo root
    os.chdir(settings.REPO_ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(args.port)])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qfin", description="QFIN earnings releases -> DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="load every release in the raw folder through Dagster")
    run.add_argument("--raw-dir")
    run.add_argument("--warehouse")
    run.add_argument("--force", action="store_true", help="reload unchanged releases too")
    run.set_defaults(func=cmd_run)
    query = sub.add_parser("query", help="run SQL on a read-only connection")
    query.add_argument("sql")
    query.add_argument("--warehouse")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--wait", type=float, default=10.0, help="seconds to wait while a run writes")
    query.set_defaults(func=cmd_query)
    status = sub.add_parser("status", help="releases, load times, check results and rejections")
    status.add_argument("--warehouse")
    status.set_defaults(func=cmd_status)
    export = sub.add_parser("export", help="every mart, view and wide statement as Parquet or CSV files, or one xlsx")
    export.add_argument("--format", choices=["parquet", "csv", "xlsx"], required=True)
    export.add_argument("--to", required=True, help="a folder (parquet, csv) or an .xlsx file")
    export.add_argument("--warehouse")
    export.set_defaults(func=cmd_export)
    report = sub.add_parser("report", help="the one-page HTML report (default: report.html beside the warehouse)")
    report.add_argument("--out", help="the HTML file to write")
    report.add_argument("--warehouse")
    report.set_defaults(func=cmd_report)
    ui = sub.add_parser("ui", help="the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    args = parser.parse_args(argv)
    _configure(args)
    started = time.monotonic()
    code = args.func(args)
    if args.command == "run":
        print(f"({time.monotonic() - started:.1f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
