"""`qfin run | query | status | fetch | export | report | ui`: the commands of docs/CONTRACT.md."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from datetime import date

# Dagster marks backfill policies and pools as beta; users of the CLI need not see that on every run.
warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")


def _configure(args: argparse.Namespace) -> None:
    """CLI flags override QFIN_RAW_DIR / QFIN_WAREHOUSE for everything this process loads, Dagster included."""
    if getattr(args, "raw_dir", None):
        os.environ["QFIN_RAW_DIR"] = os.path.abspath(args.raw_dir)
    if getattr(args, "warehouse", None):  # a path, made absolute; a connection string (md:..., ducklake:...) as is
        os.environ["QFIN_WAREHOUSE"] = args.warehouse if ":" in args.warehouse else os.path.abspath(args.warehouse)


def cmd_run(args: argparse.Namespace) -> int:
    from qfin_pipeline.runner import run_pipeline

    return run_pipeline(force=args.force, rebuild=args.rebuild, wait_seconds=args.wait)


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from qfin_pipeline import settings
    from qfin_pipeline.output import print_frame
    from qfin_pipeline.warehouse.access import WarehouseDamaged, classify, connect_read_only

    with connect_read_only(settings.warehouse(), wait_seconds=args.wait) as con:
        try:
            frame = con.sql(args.sql).pl()
        except duckdb.Error as exc:  # SQL errors: one line, no stack trace (a damaged file: its own message)
            problem = classify(settings.warehouse(), exc)
            if isinstance(problem, WarehouseDamaged):
                raise problem from exc
            print(f"qfin query: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
            return 2
    print_frame(frame, args.format)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from qfin_pipeline.status import print_status

    return print_status()


def cmd_export(args: argparse.Namespace) -> int:
    from qfin_pipeline import settings
    from qfin_pipeline.analyst import export
    from qfin_pipeline.warehouse.access import connect_read_only

    with connect_read_only(settings.warehouse()) as con:  # missing, busy, damaged: main() says so (exit 3-6)
        written = export(con, args.format, args.to)
    print(f"qfin export: {len(written)} file(s) written" + (f": {written[0]}" if len(written) == 1 else f" to {args.to}"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from qfin_pipeline import settings
    from qfin_pipeline.analyst import default_report_path, write_report
    from qfin_pipeline.warehouse.access import connect_read_only

    try:
        with connect_read_only(settings.warehouse()) as con:
            path = write_report(con, args.out or default_report_path(settings.warehouse()))
    except LookupError as exc:
        print(f"qfin report: {exc}", file=sys.stderr)
        return 2
    print(f"qfin report: {path}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from qfin_pipeline.ui import serve

    return serve(args.port)


def cmd_fetch(args: argparse.Namespace) -> int:
    import httpx

    from qfin_pipeline import settings
    from qfin_pipeline.edgar import EdgarError, EdgarSettings, FetchRecord, MissingUserAgent, fetch
    from qfin_pipeline.warehouse.access import WarehouseBusy

    try:
        edgar = EdgarSettings.from_env()
    except MissingUserAgent as exc:
        print(f"qfin fetch: {exc}", file=sys.stderr)
        return 2
    try:
        report = fetch(settings.raw_dir(), FetchRecord.published(settings.warehouse()), since=args.since, settings=edgar)
    except WarehouseBusy as exc:
        print(f"qfin fetch: {exc}", file=sys.stderr)
        return 3
    except (EdgarError, httpx.HTTPError) as exc:  # the listing itself: nothing fetched, nothing recorded
        print(f"qfin fetch: EDGAR listing failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"qfin fetch: {edgar.data_url} -> {settings.raw_dir()}")
    print("\n".join(report.lines()))
    if report.count("failed"):
        print(f"qfin fetch: {report.count('failed')} document(s) failed; the next fetch retries them", file=sys.stderr)
    return 1 if report.count("failed") else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qfin", description="QFIN earnings releases -> DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="load every release in the raw folder through Dagster")
    run.add_argument("--raw-dir")
    run.add_argument("--warehouse")
    run.add_argument("--force", action="store_true", help="reload unchanged releases too")
    run.add_argument("--rebuild", action="store_true",
                     help="set the warehouse file aside (kept) and rebuild it from the raw folder")
    run.add_argument("--wait", type=float, default=600.0, help="seconds to wait while another run writes (600)")
    run.set_defaults(func=cmd_run)
    query = sub.add_parser("query", help="run SQL on a read-only connection")
    query.add_argument("sql")
    query.add_argument("--warehouse")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--wait", type=float, default=10.0, help="seconds to wait while a run writes")
    query.set_defaults(func=cmd_query)
    status = sub.add_parser("status", help="releases, load times, check results and rejections")
    status.add_argument("--warehouse")
    status.add_argument("--raw-dir")
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
    ui = sub.add_parser("ui", help="the Dagster UI (`dg dev`) on 127.0.0.1; stops cleanly on SIGTERM")
    ui.add_argument("--port", type=int, default=3000)
    ui.add_argument("--raw-dir")
    ui.add_argument("--warehouse")
    ui.set_defaults(func=cmd_ui)
    fetch = sub.add_parser("fetch", help="download QFIN's earnings releases from SEC EDGAR into the raw folder")
    fetch.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="filings filed on or after")
    fetch.add_argument("--raw-dir")
    fetch.set_defaults(func=cmd_fetch)
    args = parser.parse_args(argv)
    _configure(args)
    started = time.monotonic()
    from qfin_pipeline.warehouse.errors import WarehouseError

    try:
        code = args.func(args)
    except WarehouseError as exc:  # expected conditions: one line, its own exit code (README "Exit codes")
        print(f"qfin {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"qfin {args.command}: interrupted" + ("; nothing of this run was published" if args.command == "run"
                                                    else ""), file=sys.stderr)
        return 130
    if args.command == "run":
        print(f"({time.monotonic() - started:.1f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
