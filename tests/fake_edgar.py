"""A fake SEC EDGAR on 127.0.0.1 (pytest-httpserver: a real HTTP server) serving the documented response shapes.

- `{data}/submissions/CIK##########.json`: the issuer, `filings.recent` as columnar arrays (one array per
  field, one position per filing) and `filings.files` naming older pages; an older page
  (`CIK##########-submissions-001.json`) has the same columns at its top level.
- `{archives}/Archives/edgar/data/{cik}/{accession without dashes}/index.json`: `directory.item[]` with
  `name`, `type`, `size`, `last-modified`; and each document of the filing's folder.

`fail(path, *responses)` queues responses served before the real one (a 503, a 429 with Retry-After, a
connection dropped mid-body); `paths()` and `user_agents()` read the server's request log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

USER_AGENT = "Qfin Pipeline Tests tests@example.com"


@dataclass
class Filing:
    accession: str
    filing_date: str
    form: str
    documents: dict[str, bytes]  # the filing's folder: name -> bytes (the first is the primary document)
    description: str = ""
    extra_items: list[str] = field(default_factory=list)  # names the index lists but the folder does not serve

    @property
    def folder(self) -> str:
        return self.accession.replace("-", "")


def _columns(filings: list[Filing]) -> dict[str, list]:
    """Filings -> the submissions API's columnar arrays."""
    return {
        "accessionNumber": [f.accession for f in filings],
        "filingDate": [f.filing_date for f in filings],
        "reportDate": ["" for _ in filings],
        "acceptanceDateTime": [f"{f.filing_date}T06:01:23.000Z" for f in filings],
        "act": ["34" for _ in filings],
        "form": [f.form for f in filings],
        "fileNumber": ["001-38752" for _ in filings],
        "filmNumber": [str(241470000 + i) for i, _ in enumerate(filings)],
        "items": ["" for _ in filings],
        "core_type": [f.form for f in filings],
        "size": [sum(len(d) for d in f.documents.values()) for f in filings],
        "isXBRL": [0 for _ in filings],
        "isInlineXBRL": [0 for _ in filings],
        "primaryDocument": [next(iter(f.documents), "") for f in filings],
        "primaryDocDescription": [f.description or f.form for f in filings],
    }


def dropped_mid_body(request: Request) -> Response:
    """Announces 50,000 bytes, sends 1,000, then the server drops the connection."""
    def body():
        yield b"<html><body><p>" + b"x" * 985
        raise ConnectionAbortedError("fake EDGAR: connection dropped mid-document")

    return Response(body(), headers={"Content-Length": "50000", "Content-Type": "text/html"})


class FakeEdgar:
    def __init__(self, server: HTTPServer, cik: str, recent: list[Filing], older: list[Filing]):
        self.server, self.cik = server, cik
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self.faults: dict[str, list[Response | Callable[[Request], Response]]] = {}
        page = f"CIK{int(cik):010d}-submissions-001.json"
        self.submissions_path = f"/data/submissions/CIK{int(cik):010d}.json"
        self.page_path = f"/data/submissions/{page}"
        dates = sorted(f.filing_date for f in older)
        files = [{"name": page, "filingCount": len(older), "filingFrom": dates[0], "filingTo": dates[-1]}] if older else []
        self._json(self.submissions_path, {
            "cik": str(int(cik)), "entityType": "operating", "sic": "7389", "name": "Qifu Technology, Inc.",
            "tickers": ["QFIN"], "exchanges": ["Nasdaq"], "fiscalYearEnd": "1231", "category": "Large Accelerated Filer",
            "formerNames": [{"name": "360 DigiTech, Inc.", "from": "2020-01-01T00:00:00.000Z", "to": "2023-02-28T00:00:00.000Z"}],
            "filings": {"recent": _columns(recent), "files": files},
        })
        if older:
            self._json(self.page_path, _columns(older))
        for filing in recent + older:
            self._filing(filing)
        server.expect_request(re.compile(".*")).respond_with_handler(self._dispatch)

    @property
    def data_url(self) -> str:
        return self.server.url_for("/data")

    @property
    def archives_url(self) -> str:
        return self.server.url_for("/www")

    def env(self, user_agent: str | None = USER_AGENT) -> dict[str, str | None]:
        return {"QFIN_EDGAR_USER_AGENT": user_agent, "QFIN_EDGAR_DATA_URL": self.data_url,
                "QFIN_EDGAR_ARCHIVES_URL": self.archives_url}

    def folder_path(self, filing: Filing) -> str:
        return f"/www/Archives/edgar/data/{int(self.cik)}/{filing.folder}"

    def fail(self, path: str, *responses: Response | Callable[[Request], Response]) -> None:
        self.faults.setdefault(path, []).extend(responses)

    def paths(self) -> list[str]:
        return [request.path for request, _ in self.server.log]

    def user_agents(self) -> set[str | None]:
        return {request.headers.get("User-Agent") for request, _ in self.server.log}

    def _json(self, path: str, payload) -> None:
        self.routes[path] = lambda request: Response(json.dumps(payload), content_type="application/json")

    def _filing(self, filing: Filing) -> None:
        folder = self.folder_path(filing)
        items = [{"last-modified": f"{filing.filing_date} 06:01:23", "name": name, "type": "text.gif",
                  "size": str(len(data))} for name, data in filing.documents.items()]
        items += [{"last-modified": f"{filing.filing_date} 06:01:23", "name": name, "type": "text.gif", "size": ""}
                  for name in [*filing.extra_items, f"{filing.accession}-index-headers.html",
                               f"{filing.accession}-index.htm", f"{filing.accession}.txt"]]
        self._json(f"{folder}/index.json", {"directory": {
            "item": items, "name": folder.removeprefix("/www"), "parent-dir": f"/Archives/edgar/data/{int(self.cik)}/"}})
        for name, data in filing.documents.items():
            self.routes[f"{folder}/{name}"] = lambda request, data=data: Response(data, content_type="text/html")

    def _dispatch(self, request: Request) -> Response:
        queued = self.faults.get(request.path)
        if queued:
            fault = queued.pop(0)
            return fault(request) if callable(fault) and not isinstance(fault, Response) else fault
        route = self.routes.get(request.path)
        return route(request) if route else Response("Not Found", status=404)


@contextmanager
def serve(cik: str, recent: list[Filing], older: list[Filing]):
    """A fresh fake EDGAR on a free port of 127.0.0.1, stopped on exit."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield FakeEdgar(server, cik, recent, older)
    finally:
        server.clear()
        if server.is_running():
            server.stop()
