"""Issue #4 over loopback: every fault kind injected by the mirror, and how the crawl ends for cron.

The fault table (tests/faultkit.py) is the one benchmarks/fault_table.py prints for docs/reliability.md.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faultkit import CASES, FAST, FaultCase, crawl, drill, lines
from osce_scrape.cli.exit_codes import EXIT_DRIFT, EXIT_ROBOTS, EXIT_UNREACHABLE
from osce_scrape.cli.harvest import run_crawl
from osce_scrape.cli.main import cli
from osce_scrape.harvest.crawl import HarvestConfig
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.harvest.jobs import ParseOutcome
from osce_scrape.mirror import FaultSpec, MirrorSite, running_mirror
from osce_scrape.mirror.faults import FaultInjector

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault_loses_and_duplicates_nothing(case: FaultCase, tmp_path: Path) -> None:
    """Each fault, injected: every served page ends as a record or a reject naming its error (pages
    that recovered on retry as records, with the right fields); the stats count it; a clean rerun
    completes the dataset; no record twice."""
    result = drill(case, tmp_path)
    assert result.injected > 0
    assert result.lost == []
    assert result.duplicates == 0
    assert result.problems == []
    assert result.clean.errors == {}


def crawl_cli(base_url: str, out: Path, *extra: str) -> Any:
    args = ["crawl", "--base-url", base_url, "--rate", "0", "--out", str(out), "--no-card", *extra]
    return CliRunner().invoke(cli, args)


def test_unreachable_site_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listening on the port (robots.txt gets no answer): exit 3, saying the site is
    unreachable, not that robots.txt forbids the crawl."""
    with running_mirror(MirrorSite(pages=1, fixtures_dir=None)) as server:
        base_url = server.base_url
    fetch = FetchConfig(base_url=base_url, rate=0, **FAST)  # the server is gone: connection refused
    stats, code = run_crawl(HarvestConfig(fetch=fetch, out=tmp_path), quiet=True,
                            log_json=False, drift_threshold=0.2)  # fmt: skip
    assert code == EXIT_UNREACHABLE
    assert stats is not None and stats.stopped == "unreachable" and not stats.robots_forbidden
    assert "site unreachable" in capsys.readouterr().err
    written = json.loads(next((tmp_path / "runs").glob("*.json")).read_text())
    assert written["stopped"] == "unreachable" and written["disallowed"] == 1


def test_circuit_breaker_stops_a_failing_crawl_and_the_next_run_completes(tmp_path: Path) -> None:
    """Item pages answering 503 forever: the breaker opens after --max-failures pages in a row,
    the run stops (exit 3) without trying every page; a later run, site healthy, gets them all."""
    site = MirrorSite(pages=40, fixtures_dir=None)
    with running_mirror(site) as server:
        crawl(server, tmp_path / "warm")  # nothing to do with the test folder: warms the parser
        item_paths = {a.path for a in site.articles}
        server.faults = _only(FaultSpec.parse("503:1,retry-after=0"), item_paths)
        result = crawl_cli(server.base_url, tmp_path / "out", "--max-failures", "5", "--concurrency", "1")
        assert result.exit_code == EXIT_UNREACHABLE, result.output
        stats = json.loads(next((tmp_path / "out" / "runs").glob("*.json")).read_text())
        assert stats["stopped"] == "unreachable" and 5 <= stats["errors"]["HttpStatusError"] < 40
        server.faults = None
        again = crawl(server, tmp_path / "out")
    assert again.new == 40 and again.errors == {}


def _only(spec: FaultSpec, paths: set[str]) -> FaultInjector:
    """An injector that spares every target not in `paths` (listing pages, /node/ redirects)."""

    class Only(FaultInjector):
        def choose(self, target: str) -> str | None:
            return super().choose(target) if target in paths else None

    return Only(spec)


def test_robots_failure_exits_4_and_keeps_the_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """robots.txt answering 500 means disallow all (RFC 9309): exit 4, nothing fetched, dataset as it was."""
    with running_mirror(MirrorSite(pages=8, fixtures_dir=None)) as server:
        config = HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0, **FAST), out=tmp_path)
        assert run_crawl(config, quiet=True, log_json=False, drift_threshold=0.2)[1] == 0
        before = (tmp_path / "press_releases.jsonl").read_bytes()
        start = len(server.request_log)
        server.faults = FaultInjector(FaultSpec.parse("robots-500"))
        _, code = run_crawl(config, quiet=True, log_json=False, drift_threshold=0.2)
        requested = {r.path for r in server.request_log[start:]}
    assert code == EXIT_ROBOTS
    assert "robots.txt forbids the crawl" in capsys.readouterr().err
    assert requested == {"/robots.txt"}
    assert (tmp_path / "press_releases.jsonl").read_bytes() == before


def test_drift_exits_6_when_over_the_threshold_of_pages_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser that suddenly rejects a third of the pages (a template change): exit 6, saying drift;
    with --drift-threshold 0.5 the same run is only incomplete (exit 1)."""
    from osce_scrape.harvest import run as harvest_run

    real = harvest_run.parse_job

    def changed_template(parser: Any, content: bytes, url: str, *args: Any) -> ParseOutcome:
        if zlib.crc32(url.rsplit("/", 1)[1].encode()) % 100 < 35:
            return ParseOutcome(None, "no title found", "ParseError")
        return real(parser, content, url, *args)

    monkeypatch.setattr(harvest_run, "parse_job", changed_template)
    with running_mirror(MirrorSite(pages=30, fixtures_dir=None)) as server:
        drift = crawl_cli(server.base_url, tmp_path / "a")
        tolerant = crawl_cli(server.base_url, tmp_path / "b", "--drift-threshold", "0.5")
    rejected = len(lines(tmp_path / "a" / "rejects.jsonl"))
    assert 30 * 0.2 < rejected < 30 * 0.5
    assert drift.exit_code == EXIT_DRIFT, drift.output
    assert f"drift: {rejected} of 30 fetched pages rejected" in drift.output
    assert tolerant.exit_code == 1, tolerant.output
