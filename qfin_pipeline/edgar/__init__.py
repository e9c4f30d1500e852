"""SEC EDGAR: download QFIN's earnings releases (6-K exhibits) into the raw folder. Pure code, no Dagster.

The HTTP client (httpx, tenacity) loads on first use, so loading the Dagster definitions does not pay for it."""

from importlib import import_module

from qfin_pipeline.edgar.settings import USER_AGENT_VAR, EdgarSettings, MissingUserAgent

_LAZY = {"EdgarClient": "client", "Pacer": "client", "Outcome": "documents", "FetchReport": "fetching", "fetch": "fetching",
         "EdgarError": "listing", "FetchRecord": "records"}

__all__ = ["USER_AGENT_VAR", "EdgarClient", "EdgarError", "EdgarSettings", "FetchRecord", "FetchReport",
           "MissingUserAgent", "Outcome", "Pacer", "fetch"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f"qfin_pipeline.edgar.{_LAZY[name]}"), name)
        globals()[name] = value  # loaded once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
