"""Pure validation (no Dagster): pandera schemas of the warehouse frames and the accounting checks."""

from qfin_pipeline.validate.accounting import blocking_failures, check_catalog, run_checks, summary
from qfin_pipeline.validate.schemas import (
    CheckResultsModel,
    FactsModel,
    ReleasesModel,
    SchemaViolation,
    validate_facts,
    validate_frame,
)

__all__ = [
    "CheckResultsModel",
    "FactsModel",
    "ReleasesModel",
    "SchemaViolation",
    "blocking_failures",
    "check_catalog",
    "run_checks",
    "summary",
    "validate_facts",
    "validate_frame",
]
