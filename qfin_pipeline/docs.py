"""README sections generated from the catalog: the data dictionary and the list of checks.

`python -m qfin_pipeline.docs` rewrites the README between the markers; a test fails when it is stale.
"""

from __future__ import annotations

import re
import sys

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.settings import REPO_ROOT

README = REPO_ROOT / "README.md"


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pl.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |\n| " + " | ".join("---" for _ in frame.columns) + " |\n"
    return head + "".join("| " + " | ".join(_cell(v) for v in row) + " |\n" for row in frame.iter_rows())


def data_dictionary() -> str:
    metrics = catalog.dim_metric().select(
        "metric_id", "statement", "label", "unit", "parent_metric_id", "sign", "additive", "definition"
    )
    return markdown_table(metrics.with_columns(pl.col("additive").cast(pl.String)))


def checks_table(counts: dict[str, int] | None = None) -> str:
    checks = catalog.load("checks")
    if counts is not None:
        checks = checks.with_columns(
            evaluations_on_raw_releases=pl.col("check_name").replace_strict(counts, default=0, return_dtype=pl.Int64)
        )
    return markdown_table(checks)


def replace_section(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def repo_check_counts() -> dict[str, int]:
    """Evaluations per check over the releases shipped in the repo's raw/ folder (README "Checks")."""
    import hashlib

    from qfin_pipeline.extract import extract_facts, read_document
    from qfin_pipeline.planning import input_files
    from qfin_pipeline.validate.runner import run_release_checks

    docs = [read_document(data, path.name, hashlib.sha256(data).hexdigest())
            for path in input_files(REPO_ROOT / "raw") for data in [path.read_bytes()]]
    facts = pl.concat([extract_facts(doc) for doc in docs]).with_columns(problem=pl.lit(None, pl.String))
    fx = {doc.info.release_id: doc.info.fx_rmb_per_usd for doc in docs}
    results = run_release_checks(facts, fx, {doc.info.release_id: doc.source_file for doc in docs})
    return dict(results.group_by("check_name").len().iter_rows())


def render(text: str) -> str:
    text = replace_section(text, "data-dictionary", data_dictionary())
    return replace_section(text, "checks", checks_table(repo_check_counts()))


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    sys.exit(0)
