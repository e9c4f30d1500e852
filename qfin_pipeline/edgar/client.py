"""httpx for EDGAR: the User-Agent on every request, timeouts, at most N requests a second, and retries (tenacity)
of 429, 5xx and dropped connections with exponential backoff that honors Retry-After."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import tenacity

from qfin_pipeline.edgar.settings import EdgarSettings

log = logging.getLogger(__name__)


class Pacer:
    """Spaces request starts at least 1/rate seconds apart (so at most `rate` in any second)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        # a hair over 1/rate: float rounding of the summed intervals never fits one start too many in a second
        self.interval, self.clock, self.sleep = 1.001 / rate, clock, sleep
        self.next_start: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.next_start is not None and now < self.next_start:
            self.sleep(self.next_start - now)
            now = self.next_start
        self.next_start = now + self.interval


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (delay in seconds or an HTTP date) as seconds from now; None if absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def is_retryable(exc: BaseException) -> bool:
    """Throttling (429), server errors (5xx) and transport failures (refused, timed out, dropped mid-body)."""
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


class EdgarClient:
    """One HTTP client for a fetch. `sleep` is what retry waits call (tests pass a recorder)."""

    def __init__(self, settings: EdgarSettings, *, sleep: Callable[[float], None] = time.sleep,
                 pacer: Pacer | None = None):
        self.settings = settings
        self.http = httpx.Client(headers={"User-Agent": settings.user_agent},
                                 timeout=httpx.Timeout(settings.timeout_seconds), follow_redirects=True)
        self.pacer = pacer or Pacer(settings.requests_per_second)
        self.retrying = tenacity.Retrying(
            sleep=sleep, stop=tenacity.stop_after_attempt(settings.attempts), wait=self._wait,
            retry=tenacity.retry_if_exception(is_retryable), before_sleep=self._log_retry, reraise=True,
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc.response.headers.get("Retry-After")) if isinstance(
            exc, httpx.HTTPStatusError) else None
        backoff = self.settings.backoff_seconds * 2 ** (state.attempt_number - 1)
        return min(asked if asked is not None else backoff, self.settings.max_wait_seconds)

    @staticmethod
    def _log_retry(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning("EDGAR: %s; retry %d in %.1f s", exc, state.attempt_number, wait)

    def get_json(self, url: str):
        def attempt():
            self.pacer.wait()
            response = self.http.get(url)
            response.raise_for_status()
            return response.json()

        return self.retrying(attempt)

    def download(self, url: str, target: Path) -> int:
        """Stream a document into `target` (overwritten on each attempt); raises if the body arrives incomplete."""
        def attempt() -> int:
            self.pacer.wait()
            with self.http.stream("GET", url) as response:
                response.raise_for_status()
                with target.open("wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                return response.num_bytes_downloaded

        return self.retrying(attempt)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EdgarClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
