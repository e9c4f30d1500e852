"""SEC EDGAR: download QFIN's earnings releases (6-K exhibits) into the raw folder. Pure code, no Dagster."""

from qfin_pipeline.edgar.client import EdgarClient, Pacer
from qfin_pipeline.edgar.documents import Outcome
from qfin_pipeline.edgar.fetch import FetchReport, fetch
from qfin_pipeline.edgar.listing import EdgarError
from qfin_pipeline.edgar.records import FetchRecord
from qfin_pipeline.edgar.settings import USER_AGENT_VAR, EdgarSettings, MissingUserAgent

__all__ = ["USER_AGENT_VAR", "EdgarClient", "EdgarError", "EdgarSettings", "FetchRecord", "FetchReport", "MissingUserAgent",
           "Outcome", "Pacer", "fetch"]
