"""`qfin fetch` and the `edgar_filings` asset against a fake SEC EDGAR on 127.0.0.1 (tests/fake_edgar.py).

The fake lists two earnings-release 6-Ks (Q3 2024 in the recent filings, Q2 2024 on an older page), a 6-K whose
exhibit is an AGM notice, and a 20-F; only the two releases may land in raw/, and `qfin run` loads them.
"""

from __future__ import annotations

import email.utils
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import httpx
import pytest
from werkzeug import Response

from qfin_pipeline import catalog
from qfin_pipeline.cli import main
from qfin_pipeline.defs import build_defs
from qfin_pipeline.defs.edgar import build_edgar_schedule, edgar_filings
from qfin_pipeline.defs.resources import build_resources
from qfin_pipeline.edgar import EdgarClient, EdgarSettings, FetchRecord, Pacer, fetch
from tests import forms
from tests import release_builder_values as values
from tests.conftest import SHIPPED, Warehouse
from tests.fake_edgar import USER_AGENT, FakeEdgar, Filing, dropped_mid_body, serve
from tests.release_builder import build_release

CIK = next(issuer.cik for issuer in catalog.issuers().rows if issuer.ticker == "QFIN")


def exhibit_html(text: str, *, filing_agent: bool = False) -> bytes:
    """A release as its 6-K exhibit 99.1 document: the filing agent's HTML (tests.forms.to_edgar: font wrappers,
    layout tables, page furniture), or the newswire's HTML page some exhibits reproduce."""
    return (forms.to_edgar(text) if filing_agent else forms.to_html(text)).encode()


def cover(month: str) -> bytes:
    return f"""<html><body><p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p><p>Washington, D.C. 20549</p>
<p>FORM 6-K</p><p>REPORT OF FOREIGN PRIVATE ISSUER PURSUANT TO RULE 13a-16 OR 15d-16 UNDER THE SECURITIES
EXCHANGE ACT OF 1934</p><p>For the month of {month}</p><p>Commission File Number: 001-38752</p>
<p>Qifu Technology, Inc.</p><p>EXHIBIT INDEX</p><p>Exhibit 99.1 - Press Release</p></body></html>""".encode()


AGM_NOTICE = b"""<html><head><title>Exhibit 99.1</title></head><body>
<p style="text-align: right">Exhibit 99.1</p>
<p style="text-align: center"><b>Qifu Technology Announces Results of Annual General Meeting</b></p>
<p>SHANGHAI, China, June 28, 2024 (GLOBE NEWSWIRE) -- Qifu Technology, Inc. (NASDAQ: QFIN; HKEx: 3660)
("Qifu Technology" or the "Company"), a leading Credit-Tech platform in China, today announced that all the
proposed resolutions submitted for shareholder approval have been duly passed at its annual general meeting of
shareholders held in Shanghai today.</p>
<p>Specifically, the shareholders adopted as ordinary resolutions the re-election of Mr. Jiang Wu and Ms. Jiao
Jiao as directors of the Company, the general mandate to repurchase shares not exceeding 10% of the issued
shares, and the re-appointment of PricewaterhouseCoopers Zhong Tian LLP as auditor for the fiscal year 2024.</p>
<p><b>About Qifu Technology</b></p>
<p>Qifu Technology is a Credit-Tech platform in China. The Company is committed to making credit accessible
and personalized to consumers and small businesses at sustainable costs.</p>
<p>For more information, please visit: https://ir.qifu.tech</p>
<p>Qifu Technology<br>E-mail: ir@360shuke.com</p>
</body></html>"""

Q3 = "0001104659-24-120165"
Q2 = "0001104659-24-091650"
AGM = "0001104659-24-075321"
ANNUAL = "0001104659-24-051234"


def filings() -> tuple[list[Filing], list[Filing]]:
    """(recent, older page) as EDGAR lists them."""
    recent = [Filing(Q3, "2024-11-19", "6-K", {"tm2428627d1_6k.htm": cover("November 2024"),
                                                "tm2428627d1_ex99-1.htm": exhibit_html(SHIPPED.read_text(), filing_agent=True)})]
    older = [
        Filing(Q2, "2024-08-19", "6-K", {"tm2421794d1_6k.htm": cover("August 2024"),
                                          "tm2421794d1_ex991.htm": exhibit_html(build_release(2024, 2))}),
        Filing(AGM, "2024-06-28", "6-K", {"tm2418000d1_6k.htm": cover("June 2024"),
                                           "tm2418000d1_exv99w1.htm": AGM_NOTICE}),
        # a release among a 20-F's exhibits would land in raw/ if the fetch looked at annual reports
        Filing(ANNUAL, "2024-04-25", "20-F", {"tm2411111d1_20f.htm": b"<html><body>Annual report</body></html>",
                                              "tm2411111d1_ex99-1.htm": exhibit_html(build_release(2023, 4))}),
    ]
    return recent, older


RELEASE_FILES = [f"edgar-{Q2}-tm2421794d1_ex991.htm", f"edgar-{Q3}-tm2428627d1_ex99-1.htm"]


def folder(fake: FakeEdgar, accession: str) -> str:
    return f"/www/Archives/edgar/data/{CIK}/{accession.replace('-', '')}"


def fetch_cli(fake: FakeEdgar, warehouse: Path, *args: str, raw: Path | None = None,
              user_agent: str | None = USER_AGENT) -> int:
    """`qfin fetch ARGS` with the fake's settings, QFIN_WAREHOUSE and (unless --raw-dir is given) QFIN_RAW_DIR."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in fake.env(user_agent).items():
            mp.setenv(name, value) if value is not None else mp.delenv(name, raising=False)
        mp.setenv("QFIN_WAREHOUSE", str(warehouse))
        mp.setenv("QFIN_RAW_DIR", str(raw or warehouse.parent / "unused-raw"))
        return main(["fetch", *args])


@pytest.fixture(scope="module")
def edgar():
    with serve(CIK, *filings()) as fake:
        yield fake


@pytest.fixture(scope="module")
def fetched(edgar: FakeEdgar, tmp_path_factory) -> SimpleNamespace:
    """One `qfin fetch` into an empty raw folder, then one `qfin run` of what it fetched."""
    wh = Warehouse(tmp_path_factory.mktemp("fetched"))
    edgar.server.clear_log()
    code = fetch_cli(edgar, wh.path, raw=wh.raw)
    paths, agents = edgar.paths(), edgar.user_agents()
    return SimpleNamespace(wh=wh, code=code, paths=paths, agents=agents, run_code=wh.run())


def records(path: Path) -> list[tuple]:
    """fetched_filings, oldest filing first."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql("select accession, form, filing_date, document, outcome, release_id, source_file "
                       "from fetched_filings order by filing_date, document").fetchall()


EXPECTED_RECORDS = [
    (AGM, "6-K", date(2024, 6, 28), "tm2418000d1_exv99w1.htm", "not a release", None, None),
    (Q2, "6-K", date(2024, 8, 19), "tm2421794d1_ex991.htm", "release", "QFIN-2024Q2", RELEASE_FILES[0]),
    (Q3, "6-K", date(2024, 11, 19), "tm2428627d1_ex99-1.htm", "release", "QFIN-2024Q3", RELEASE_FILES[1]),
]


def test_fetch_lists_every_page_and_downloads_only_the_two_releases(fetched, edgar):
    assert fetched.code == 0
    assert sorted(p.name for p in fetched.wh.raw.iterdir()) == RELEASE_FILES  # no temporary file left either
    assert records(fetched.wh.path) == EXPECTED_RECORDS  # the 20-F is listed, not looked at
    assert sorted(fetched.paths) == sorted([
        edgar.submissions_path, edgar.page_path,  # the older page that filings.files names is followed
        f"{folder(edgar, Q3)}/index.json", f"{folder(edgar, Q3)}/tm2428627d1_ex99-1.htm",
        f"{folder(edgar, Q2)}/index.json", f"{folder(edgar, Q2)}/tm2421794d1_ex991.htm",
        f"{folder(edgar, AGM)}/index.json", f"{folder(edgar, AGM)}/tm2418000d1_exv99w1.htm",
    ])  # no cover page, nothing of the 20-F
    assert fetched.agents == {USER_AGENT}  # on every request


def test_qfin_run_loads_the_fetched_releases(fetched):
    wh = fetched.wh
    assert fetched.run_code == 0
    assert wh.sql("select release_id, source_file from releases order by release_id") == [
        ("QFIN-2024Q2", RELEASE_FILES[0]), ("QFIN-2024Q3", RELEASE_FILES[1])]
    revenue = dict(wh.sql("""select release_id, value from facts where metric_id = 'total_net_revenue'
        and kind = 'table' and period_type = '3M' and currency = 'RMB' and period_end = (
            select period_end from releases r where r.release_id = facts.release_id)"""))
    q2 = values.period(values.qindex(2024, 2))["total_net_revenue"] * 1000
    assert revenue == {"QFIN-2024Q3": Decimal("4370158000"), "QFIN-2024Q2": Decimal(q2)}
    # the Q3 exhibit is the filing agent's form: every table cell of the release, as from its text form
    assert wh.scalar("select count(*) from facts where release_id = 'QFIN-2024Q3' and kind = 'table'") == 499


def test_second_fetch_downloads_nothing(fetched, edgar):
    before = {p.name: p.read_bytes() for p in fetched.wh.raw.iterdir()}
    edgar.server.clear_log()
    assert fetch_cli(edgar, fetched.wh.path, raw=fetched.wh.raw) == 0
    assert edgar.paths() == [edgar.submissions_path, edgar.page_path]  # the listing only
    assert {p.name: p.read_bytes() for p in fetched.wh.raw.iterdir()} == before
    assert records(fetched.wh.path) == EXPECTED_RECORDS


def test_a_file_already_in_the_raw_folder_is_not_downloaded_again(fetched, edgar, tmp_path):
    """After `qfin run --rebuild` the record may be gone; the raw folder still holds the file."""
    rebuilt = tmp_path / "rebuilt.duckdb"
    edgar.server.clear_log()
    assert fetch_cli(edgar, rebuilt, raw=fetched.wh.raw) == 0
    assert not [p for p in edgar.paths() if p.endswith(("ex99-1.htm", "ex991.htm"))]
    assert f"{folder(edgar, AGM)}/tm2418000d1_exv99w1.htm" in edgar.paths()  # not kept, so asked again
    assert records(rebuilt) == EXPECTED_RECORDS


def test_since_filters_by_filing_date(edgar, tmp_path):
    edgar.server.clear_log()
    raw = tmp_path / "since-july"
    assert fetch_cli(edgar, tmp_path / "a.duckdb", "--since", "2024-07-01", "--raw-dir", str(raw)) == 0
    assert sorted(p.name for p in raw.iterdir()) == RELEASE_FILES
    assert not [p for p in edgar.paths() if folder(edgar, AGM) in p]  # filed 2024-06-28
    assert [r[0] for r in records(tmp_path / "a.duckdb")] == [Q2, Q3]

    edgar.server.clear_log()
    raw = tmp_path / "since-september"
    assert fetch_cli(edgar, tmp_path / "b.duckdb", "--since", "2024-09-01", "--raw-dir", str(raw)) == 0
    assert sorted(p.name for p in raw.iterdir()) == RELEASE_FILES[1:]
    assert edgar.page_path not in edgar.paths()  # the older page ends 2024-08-19: not even requested


@pytest.mark.parametrize("user_agent", [None, "  ", "Jane Analyst"])
def test_missing_user_agent_is_a_clear_error_with_exit_code_2(edgar, tmp_path, capsys, user_agent):
    edgar.server.clear_log()
    raw = tmp_path / "raw"
    assert fetch_cli(edgar, tmp_path / "qfin.duckdb", raw=raw, user_agent=user_agent) == 2
    err = capsys.readouterr().err
    assert "QFIN_EDGAR_USER_AGENT" in err and 'export QFIN_EDGAR_USER_AGENT="' in err and "e-mail" in err
    assert edgar.paths() == []
    assert not raw.exists() and not (tmp_path / "qfin.duckdb").exists()


def test_retries_back_off_and_honor_retry_after_capped(edgar):
    waits: list[float] = []
    settings = EdgarSettings(USER_AGENT, data_url=edgar.data_url, archives_url=edgar.archives_url)
    in_30s = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    edgar.server.clear_log()
    edgar.fail(edgar.submissions_path,
               Response("slow down", status=429, headers={"Retry-After": "7"}),
               Response("slow down", status=429, headers={"Retry-After": in_30s}),
               Response("slow down", status=429, headers={"Retry-After": "86400"}),
               Response("unavailable", status=503))
    with EdgarClient(settings, sleep=waits.append) as client:
        listing = client.get_json(f"{edgar.data_url}/submissions/CIK{int(CIK):010d}.json")
    assert listing["filings"]["recent"]["accessionNumber"] == [Q3]
    assert edgar.paths() == [edgar.submissions_path] * 5
    assert waits[0] == 7 and 25 < waits[1] <= 30  # Retry-After in seconds, then as an HTTP date
    assert waits[2:] == [settings.max_wait_seconds, 8.0]  # a day is capped; a 503 without it: 1 s doubled 3 times


def test_a_server_that_does_not_answer_times_out_and_is_retried(edgar):
    answered = []

    def stalled(request):
        time.sleep(1.0)  # five times the client's timeout: late even on a loaded machine
        answered.append(request.path)
        return Response("late", status=200)

    settings = EdgarSettings(USER_AGENT, data_url=edgar.data_url, archives_url=edgar.archives_url,
                             timeout_seconds=0.2, attempts=2)
    edgar.fail(edgar.submissions_path, stalled, stalled)
    waits: list[float] = []
    with EdgarClient(settings, sleep=waits.append) as client, pytest.raises(httpx.ReadTimeout):
        client.get_json(f"{edgar.data_url}/submissions/CIK{int(CIK):010d}.json")
    assert waits == [1.0]
    deadline = time.monotonic() + 10  # the fake answers the second attempt late, after the client gave up
    while len(answered) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert answered == [edgar.submissions_path] * 2


def test_a_503_is_retried_and_a_dropped_download_leaves_no_file(tmp_path):
    recent, older = filings()
    with serve(CIK, recent, older[:1]) as fake:
        q3_doc, q2_doc = f"{folder(fake, Q3)}/tm2428627d1_ex99-1.htm", f"{folder(fake, Q2)}/tm2421794d1_ex991.htm"
        fake.fail(q3_doc, Response("unavailable", status=503))
        fake.fail(q2_doc, *[dropped_mid_body] * 5)  # every attempt of this fetch
        settings = EdgarSettings(USER_AGENT, data_url=fake.data_url, archives_url=fake.archives_url)
        raw, wh = tmp_path / "raw", str(tmp_path / "qfin.duckdb")
        waits: list[float] = []
        report = fetch(raw, FetchRecord.published(wh), settings=settings, client=EdgarClient(settings, sleep=waits.append))
        assert [(o.accession, o.outcome) for o in report.outcomes] == [(Q2, "failed"), (Q3, "release")]
        assert "RemoteProtocolError" in report.outcomes[0].reason
        assert fake.paths().count(q2_doc) == 5 and fake.paths().count(q3_doc) == 2
        assert waits == [1.0, 2.0, 4.0, 8.0, 1.0]
        assert sorted(p.name for p in raw.iterdir()) == RELEASE_FILES[1:]  # no partial file, hidden or not
        assert [(r[0], r[4]) for r in records(Path(wh))] == [(Q2, "failed"), (Q3, "release")]

        fake.server.clear_log()  # the next fetch retries what failed, and only that
        report = fetch(raw, FetchRecord.published(wh), settings=settings)
        assert fake.paths() == [fake.submissions_path, fake.page_path, f"{folder(fake, Q2)}/index.json", q2_doc]
        assert sorted(p.name for p in raw.iterdir()) == RELEASE_FILES
        assert [(r[0], r[4]) for r in records(Path(wh))] == [(Q2, "release"), (Q3, "release")]


def test_edgar_names_never_become_paths_outside_raw(tmp_path):
    unsafe = ["../../escape_ex99-1.htm", "nested/dir_ex99-1.htm", "..\\win_ex99-1.htm", ".hidden_ex99-1.htm",
              "a..b_ex99-1.htm"]
    filing = Filing("0001104659-24-130001", "2024-12-02", "6-K", {"tm1_6k.htm": cover("December 2024")},
                    extra_items=unsafe)
    bad_accession = Filing("0001104659-24-1/../../x", "2024-12-03", "6-K", {})
    with serve(CIK, [filing, bad_accession], []) as fake:
        raw = tmp_path / "a" / "b" / "raw"  # ../.. of a name inside raw/ would still land under tmp_path
        raw.mkdir(parents=True)
        before = {p for p in tmp_path.rglob("*")}
        assert fetch_cli(fake, tmp_path / "qfin.duckdb", raw=raw) == 0
        assert list(raw.iterdir()) == []
        # only the warehouse (and its writer lock beside it) is new: nothing of EDGAR's names landed anywhere
        assert {p for p in tmp_path.rglob("*")} - before == {tmp_path / "qfin.duckdb", tmp_path / "qfin.duckdb.lock"}
        assert fake.paths() == [fake.submissions_path, f"{folder(fake, filing.accession)}/index.json"]
        assert sorted((r[0], r[3], r[4]) for r in records(tmp_path / "qfin.duckdb")) == sorted(
            [(filing.accession, name, "not a release") for name in unsafe]
            + [(bad_accession.accession, None, "not a release")])


def test_pacer_keeps_to_ten_requests_a_second():
    now = [0.0]
    pacer = Pacer(10.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    starts = []
    for _ in range(25):
        pacer.wait()
        starts.append(now[0])
        now[0] += 0.01  # each request takes 10 ms
    assert max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts) == 10
    assert starts[-1] == pytest.approx(2.4, rel=0.01)  # no slower than needed


def test_edgar_filings_asset_materializes_against_the_fake(edgar, tmp_path, monkeypatch):
    for name, value in edgar.env().items():
        monkeypatch.setenv(name, value)
    raw, wh = tmp_path / "raw", tmp_path / "qfin.duckdb"
    result = dg.materialize([edgar_filings], resources=build_resources(str(raw), str(wh)))
    assert result.success
    metadata = {k: v.value for k, v in result.asset_materializations_for_node("edgar_filings")[0].metadata.items()}
    assert metadata | {"source": None} == {
        "filings_listed": 4, "current_reports": 3, "already_recorded": 0, "releases": 2, "not_a_release": 1,
        "failed": 0, "downloaded": 3, "source": None,
        "new_files": {RELEASE_FILES[0]: "QFIN-2024Q2", RELEASE_FILES[1]: "QFIN-2024Q3"},
    }
    assert sorted(p.name for p in raw.iterdir()) == RELEASE_FILES
    assert records(wh) == EXPECTED_RECORDS


def test_asset_graph_shows_edgar_upstream_of_raw_files_and_load_jobs_stay_offline(tmp_path, monkeypatch):
    monkeypatch.delenv("QFIN_EDGAR_USER_AGENT", raising=False)
    defs = build_defs(str(tmp_path / "raw"), str(tmp_path / "qfin.duckdb"))
    edgar_key = dg.AssetKey("edgar_filings")
    assert edgar_key in defs.resolve_asset_graph().get(dg.AssetKey("raw_files")).parent_keys
    for job in ("load_releases", "refresh_folder"):
        assert edgar_key not in defs.resolve_job_def(job).asset_layer.selected_asset_keys
    assert defs.resolve_job_def("fetch_edgar").asset_layer.selected_asset_keys == {edgar_key}

    schedule = defs.resolve_schedule_def("edgar_hourly")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    tick = schedule.evaluate_tick(dg.build_schedule_context())
    assert not tick.run_requests and "QFIN_EDGAR_USER_AGENT is not set" in tick.skip_message

    monkeypatch.setenv("QFIN_EDGAR_USER_AGENT", USER_AGENT)
    schedule = build_edgar_schedule()
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert len(schedule.evaluate_tick(dg.build_schedule_context()).run_requests) == 1
