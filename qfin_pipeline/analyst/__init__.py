"""The analyst's view (pure code, no Dagster): exports of every mart, view and wide statement, and the one-page report."""

from qfin_pipeline.analyst.export import FORMATS, export, exported_relations
from qfin_pipeline.analyst.report import build_report, default_report_path, report_path, write_report

__all__ = ["FORMATS", "build_report", "default_report_path", "export", "exported_relations", "report_path", "write_report"]
