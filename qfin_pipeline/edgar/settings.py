"""Who we are to EDGAR, where EDGAR is, and how politely we ask: QFIN_EDGAR_* from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

USER_AGENT_VAR = "QFIN_EDGAR_USER_AGENT"
DATA_URL_VAR = "QFIN_EDGAR_DATA_URL"
ARCHIVES_URL_VAR = "QFIN_EDGAR_ARCHIVES_URL"

FORMS = ("6-K", "6-K/A")  # a foreign private issuer's current reports: its results releases are their exhibits
# Exhibit 99 documents as filing agents name them: ...ex99-1.htm, ...ex991.htm, ...exv99w1.htm, ...ex99_1.htm
EXHIBIT_NAME = re.compile(r"ex[-_]?v?99.*\.(?:htm|html|txt)$", re.I)
# What EDGAR names may look like before they become part of a path: no separators, no '..', not hidden.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")

HOW_TO_SET = (f'set {USER_AGENT_VAR} to your name and e-mail address (the SEC asks every client to identify '
              f'itself), e.g.  export {USER_AGENT_VAR}="Jane Analyst jane.analyst@example.com"')


class MissingUserAgent(RuntimeError):
    """QFIN_EDGAR_USER_AGENT is unset or carries no e-mail address."""


def is_safe_name(name: str) -> bool:
    """A plain file name: usable inside the raw folder and a URL path without leaving either."""
    return bool(SAFE_NAME.fullmatch(name)) and ".." not in name


@dataclass(frozen=True)
class EdgarSettings:
    user_agent: str
    data_url: str = "https://data.sec.gov"
    archives_url: str = "https://www.sec.gov"
    requests_per_second: float = 10.0  # SEC's fair-access limit
    timeout_seconds: float = 30.0  # connect, read, write and pool, each
    attempts: int = 5  # per request: the first try and up to four retries
    backoff_seconds: float = 1.0  # the first retry's wait; it doubles with each retry
    max_wait_seconds: float = 60.0  # the cap on any one wait, a server's Retry-After included

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> EdgarSettings:
        user_agent = " ".join(environ.get(USER_AGENT_VAR, "").split())
        if not user_agent:
            raise MissingUserAgent(f"{USER_AGENT_VAR} is not set: {HOW_TO_SET}")
        if not re.search(r"\S@\S+\.\S", user_agent):
            raise MissingUserAgent(f"{USER_AGENT_VAR}={user_agent!r} has no e-mail address: {HOW_TO_SET}")
        defaults = cls(user_agent)
        return cls(
            user_agent,
            data_url=environ.get(DATA_URL_VAR, "").strip().rstrip("/") or defaults.data_url,
            archives_url=environ.get(ARCHIVES_URL_VAR, "").strip().rstrip("/") or defaults.archives_url,
        )
