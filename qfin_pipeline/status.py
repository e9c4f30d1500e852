"""`qfin status`: the loaded releases, and the raw folder as it is now against the warehouse."""

from __future__ import annotations

import polars as pl

from qfin_pipeline import settings
from qfin_pipeline.output import print_frame
from qfin_pipeline.planning import hash_folder
from qfin_pipeline.runner import table_names
from qfin_pipeline.warehouse.access import connect_read_only

RELEASES = """
    with checks as (
        select release_id, count(*) filter (where status = 'passed') as checks_passed,
               count(*) filter (where status = 'failed') as checks_failed,
               count(*) filter (where status = 'warning') as warnings
        from check_results group by all
    ), unread as (
        select release_id, count(*) as unread, count(*) filter (where reason = 'no pattern') as unread_no_pattern
        from {unread} group by all
    )
    select r.release_id, r.source_file, r.loaded_at, coalesce(c.checks_passed, 0) as checks_passed,
           coalesce(c.checks_failed, 0) as checks_failed, coalesce(c.warnings, 0) as warnings,
           coalesce(u.unread, 0) as unread, coalesce(u.unread_no_pattern, 0) as unread_no_pattern
    from releases r left join checks c using (release_id) left join unread u using (release_id)
    order by r.release_id
"""
LAST_FETCH = """
    select max(fetched_at), count(*), count(*) filter (where outcome = 'release'),
           count(*) filter (where outcome = 'not a release'), count(*) filter (where outcome = 'failed')
    from fetched_filings
"""
EMPTY_UNREAD = "(select null::varchar as release_id, null::varchar as reason where false)"


def folder_now(files: pl.DataFrame, loaded: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """Each file of the folder: loaded, rejected (why), a skipped copy (of which file) or not loaded yet."""
    loaded_pairs = loaded.select("source_file", "sha256").with_columns(loaded=pl.lit(True))
    ordered = (files.join(loaded_pairs, on=["source_file", "sha256"], how="left")
               .with_columns(pl.col("loaded").fill_null(False))
               .sort(pl.col("loaded").not_(), "source_file"))  # of byte-identical files the loaded one is the original
    original = ordered.group_by("sha256", maintain_order=True).agg(original=pl.col("source_file").first())
    return (
        ordered.join(original, on="sha256").join(rejected, on=["source_file", "sha256"], how="left")
        .with_columns(state=pl.when("loaded").then(pl.lit("loaded"))
                      .when(pl.col("source_file") != pl.col("original")).then(pl.lit("skipped copy"))
                      .when(pl.col("reason").is_not_null()).then(pl.lit("rejected"))
                      .otherwise(pl.lit("not loaded yet")))
        .sort("source_file")
    )


def _print(title: str, frame: pl.DataFrame) -> None:
    if frame.height:
        print(f"{title}:")
        print_frame(frame)
    else:
        print(f"{title}: none")


def print_status() -> int:
    with connect_read_only(settings.warehouse()) as con:
        names = table_names(con)
        releases = con.sql(RELEASES.format(unread="unread_figures" if "unread_figures" in names else EMPTY_UNREAD)).pl()
        rejected = con.sql("select source_file, sha256, reason, rejected_at from rejected_files").pl()
        fetch = con.sql(LAST_FETCH).fetchall()[0] if "fetched_filings" in names else (None, 0, 0, 0, 0)
        loaded = con.sql("select source_file, sha256 from releases").pl()
    folder = folder_now(hash_folder(settings.raw_dir()), loaded, rejected)
    counts = dict(folder.group_by("state").len().iter_rows())
    _print("releases", releases)
    print(f"raw folder {settings.raw_dir()}: {folder.height} file(s): "
          + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("loaded", "rejected", "skipped copy", "not loaded yet")))
    _print("rejected files", folder.filter(pl.col("state") == "rejected").select("source_file", "reason", "rejected_at"))
    _print("skipped copies (byte-identical, not an error)",
           folder.filter(pl.col("state") == "skipped copy").select("source_file", copy_of="original"))
    waiting = folder.filter(pl.col("state") == "not loaded yet")
    if waiting.height:
        _print("not loaded yet (run `qfin run`)", waiting.select("source_file"))
    when, total, release, other, failed = fetch
    print(f"last EDGAR fetch: {when:%Y-%m-%d %H:%M:%S} ({total} filings recorded: {release} release, "
          f"{other} not a release, {failed} failed)" if when else "last EDGAR fetch: never")
    return 0
