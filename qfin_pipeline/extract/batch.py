"""Extract many releases at once: in worker processes when there are enough to pay for them (one per core).

Workers are spawned, not forked: a fork of a process whose Polars thread pool is running can deadlock.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from qfin_pipeline.extract import Document, Extraction, ReleaseError, extract_release

PARALLEL_FROM = 32  # below this, starting workers costs more than it saves


def _extract_one(doc: Document) -> tuple[str, Extraction | None, str | None]:
    try:
        return doc.info.release_id, extract_release(doc), None
    except ReleaseError as exc:
        return doc.info.release_id, None, (f"line {exc.line}: " if exc.line else "") + exc.problem


def extract_many(docs: list[Document], workers: int | None = None) -> list[tuple[str, Extraction | None, str | None]]:
    """(release_id, extraction (facts and unread prose figures) or None, problem or None) per document, in order."""
    workers = workers or os.cpu_count() or 1
    if len(docs) < PARALLEL_FROM or workers < 2:
        return [_extract_one(doc) for doc in docs]
    chunk = max(1, len(docs) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_extract_one, docs, chunksize=chunk))
