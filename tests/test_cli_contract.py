"""The operator's contract: exit codes a scheduler can trust, -q, progress off a terminal, one error style,
an unreachable site, a fresh card, synthetic data marked as such, consistent options and files."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from osce_scrape.cli.common import setup_logging
from osce_scrape.cli.exit_codes import EXIT_INCOMPLETE, EXIT_OK, EXIT_UNREACHABLE, crawl_exit_code
from osce_scrape.cli.harvest import progress_lines, run_crawl
from osce_scrape.cli.main import cli
from osce_scrape.dataset.card import sha256_file
from osce_scrape.harvest.config import HarvestConfig
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.harvest.politeness import is_live_site
from osce_scrape.harvest.stats import RunStats
from osce_scrape.mirror import MirrorServer, MirrorSite, running_mirror

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> MirrorSite:
    return MirrorSite(pages=6)


@pytest.fixture
def server(site: MirrorSite) -> Iterator[MirrorServer]:
    with running_mirror(site) as running:
        yield running


def crawl(server: MirrorServer, out: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["crawl", "--base-url", server.base_url, "--rate", "0", "--out", str(out),
                                    *args])  # fmt: skip


def run_stats(out: Path) -> list[dict[str, Any]]:
    """Each run's stats, oldest first (by the run's start, not by name: `T…Z-1` sorts before `T…Z`)."""
    runs = [json.loads(path.read_text()) for path in (out / "runs").glob("*.json")]
    return sorted(runs, key=lambda stats: (stats["run"][:16], len(stats["run"]), stats["run"]))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- exit 1 only for failures -------------------------------------------------------------------


def test_first_crawl_skips_non_articles_and_exits_0(tmp_path: Path, server: MirrorServer) -> None:
    """The mirror's 6 event, landing and error pages are skipped (stats, rejects.jsonl), not failures."""
    result = crawl(server, tmp_path)
    assert result.exit_code == EXIT_OK, result.output
    (stats,) = run_stats(tmp_path)
    assert (stats["not_press_releases"], stats["rejected"], stats["failed"]) == (6, 0, 0)
    rejects = lines(tmp_path / "rejects.jsonl")
    assert [set(r) for r in rejects] == [{"url", "reason", "kind", "time"}] * 6
    assert {r["kind"] for r in rejects} == {"NotAPressRelease"}


def test_recheck_run_does_not_refetch_skipped_pages(tmp_path: Path, server: MirrorServer) -> None:
    """A --recheck-days run revalidates recent press releases but leaves skipped pages alone; exit 0."""
    crawl(server, tmp_path)
    start = len(server.request_log)
    result = crawl(server, tmp_path, "--recheck-days", "100000")
    assert result.exit_code == EXIT_OK, result.output
    paths = {r.path for r in server.request_log[start:]}
    skipped = {url.removeprefix(server.base_url) for url in server.site.non_article_urls()}
    assert not paths & skipped
    assert run_stats(tmp_path)[-1]["not_press_releases"] == 0


@pytest.mark.parametrize(
    ("stats", "code"),
    [
        (RunStats(fetched=100, new=94, not_press_releases=6), EXIT_OK),
        (RunStats(fetched=100, new=93, not_press_releases=6, rejected=1), EXIT_INCOMPLETE),
        (RunStats(fetched=100, new=100, errors={"HttpStatusError": 1}), EXIT_INCOMPLETE),
    ],
)
def test_only_failures_exit_1(stats: RunStats, code: int) -> None:
    """Skipped pages are no failure; a rejected press release or a page not fetched is."""
    assert crawl_exit_code(stats) == code


def test_parse_of_the_archive_skips_listing_pages_and_exits_0(tmp_path: Path, server: MirrorServer) -> None:
    """`parse output/archive/` (the README's re-derivation) passes over listing pages and exits 0."""
    crawl(server, tmp_path / "out")
    records = tmp_path / "rederived.jsonl"
    result = CliRunner().invoke(cli, ["parse", str(tmp_path / "out" / "archive"), "-o", str(records)])
    assert result.exit_code == EXIT_OK, result.output
    rejects = lines(tmp_path / "rederived.rejects.jsonl")
    assert len(rejects) == 6 and {r["kind"] for r in rejects} == {"NotAPressRelease"}
    assert not [r for r in rejects if "?page=" in r["url"]]
    assert sorted(r["url"] for r in rejects) == sorted(
        r["url"] for r in lines(tmp_path / "out" / "rejects.jsonl")
    )
    assert len(records.read_text().splitlines()) == len(server.site.expected_records())


def test_parse_reject_lines_have_the_crawl_format(tmp_path: Path, fixtures_dir: Path) -> None:
    """parse writes {"path", "reason", "kind", "time"}; a page that is no press release is no failure."""
    page = fixtures_dir / "51-event-moldova-2013.html"
    result = CliRunner().invoke(cli, ["parse", str(page), "-o", str(tmp_path / "x.jsonl")])
    assert result.exit_code == EXIT_OK, result.output
    (reject,) = lines(tmp_path / "x.rejects.jsonl")
    assert set(reject) == {"path", "reason", "kind", "time"} and reject["kind"] == "NotAPressRelease"


# --- -q is quiet ------------------------------------------------------------------------------


def test_quiet_prints_nothing(tmp_path: Path, server: MirrorServer, fixtures_dir: Path) -> None:
    """crawl, export, card, report, parse with -q: nothing on stdout or stderr when all went well."""
    out = tmp_path / "out"
    runs = [
        ["crawl", "--base-url", server.base_url, "--rate", "0", "--out", str(out), "-q"],
        ["export", "--out", str(out), "--format", "csv", "-q"],
        ["card", "--out", str(out), "-q"],
        [
            "parse",
            str(fixtures_dir / "02-moscow-2009-secretariat.html"),
            "-o",
            str(tmp_path / "p.jsonl"),
            "-q",
        ],
    ]
    for args in runs:
        result = CliRunner().invoke(cli, args)
        assert (result.exit_code, result.output) == (0, ""), args


# --- progress off a terminal, timestamps -------------------------------------------------------


def test_progress_lines_every_interval_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Off a TTY a timestamped progress line (done/queued, rate, errors) every 30 s, none in between."""
    ticks = iter([0.0, 10.0, 31.0, 40.0, 62.0])
    update = progress_lines("crawl", False, clock=lambda: next(ticks))
    stats = RunStats(queued=100, fetched=31, errors={"NetworkError": 1})
    for _ in range(4):
        update(stats)
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 2
    assert re.match(r"osce-scrape crawl: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 32/100 pages done", said[0])
    assert "1.0 pages/s" in said[0] and "1 errors" in said[0]


def test_log_lines_carry_timestamps(capsys: pytest.CaptureFixture[str]) -> None:
    """Plain log lines start with their time."""
    setup_logging(0, False, False)
    logging.getLogger("osce_scrape.test").warning("something")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} WARNING osce_scrape.test: something",
                    capsys.readouterr().err)  # fmt: skip


# --- one error style --------------------------------------------------------------------------


def _one_line(result: Result) -> str:
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def test_unwritable_outputs_are_exit_7_in_one_line(tmp_path: Path, server: MirrorServer) -> None:
    """export, card, report and crawl into paths that cannot be written: one line naming it, exit 7."""
    out = tmp_path / "out"
    crawl(server, out, "-q")
    (out / "DATASET.md").unlink()
    (out / "DATASET.md").mkdir()  # a folder where the card's file goes: cannot be replaced, even as root
    cases = [
        (["export", "--out", str(out), "-o", "/proc/x/press_releases.parquet"], "/proc/x"),
        (["card", "--out", str(out)], "DATASET.md"),
        (["report", "--out", str(out), "-o", "/proc/x/report.html"], "/proc/x"),
        (["crawl", "--out", "/proc/x", "--base-url", server.base_url, "--rate", "0"], "/proc/x"),
    ]
    for args, path in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 7, (args, result.output)
        assert path in _one_line(result) and "cannot write" in result.output


def test_errors_are_json_with_log_json(tmp_path: Path) -> None:
    """Usage errors and command errors are one JSON object with --log-json, with their exit code."""
    for args, code in [
        (["crawl", "--rate", "x", "--log-json"], 2),
        (["export", "--out", str(tmp_path), "--log-json"], 1),
        (["export", "--out", str(tmp_path), "--bogus", "--log-json"], 2),
    ]:
        result = CliRunner().invoke(cli, args)
        line = json.loads(_one_line(result))
        assert (result.exit_code, line["exit_code"], line["level"]) == (code, code, "error"), args


def test_evaluate_and_schema_take_the_logging_options(tmp_path: Path) -> None:
    """evaluate and schema accept -v/-q/--log-json; evaluate on a folder with nothing to score is an error."""
    assert CliRunner().invoke(cli, ["schema", "-q", "--log-json"]).exit_code == 0
    result = CliRunner().invoke(cli, ["evaluate", str(tmp_path), "-v"])
    assert result.exit_code == 2 and "holds no pages with expected records" in result.output
    assert "100%" not in result.output


# --- an unreachable site ----------------------------------------------------------------------


def test_unreachable_site_is_said_once_and_publishes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site with nothing listening: exit 3, "unreachable" said in one line, no dataset and no card."""
    fetch = FetchConfig(base_url="http://127.0.0.1:1", rate=0, max_attempts=1)
    setup_logging(0, False, False)
    stats, code = run_crawl(HarvestConfig(fetch=fetch, out=tmp_path), quiet=False, log_json=False,
                            drift_threshold=0.2)  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_UNREACHABLE and stats is not None
    assert [line for line in err.splitlines() if "unreachable" in line] == [
        line for line in err.splitlines() if line.startswith("osce-scrape crawl: site unreachable")
    ]
    assert len([line for line in err.splitlines() if "unreachable" in line]) == 1, err
    assert "disallows" not in err and "nothing was published" in err
    assert not (tmp_path / "press_releases.jsonl").exists() and not (tmp_path / "DATASET.md").exists()


# --- the card stays fresh ---------------------------------------------------------------------


def test_card_is_refreshed_after_a_run_that_changed_nothing(tmp_path: Path, server: MirrorServer) -> None:
    """A second run with no change still refreshes the card: both runs, their WARCs, right sha256s."""
    crawl(server, tmp_path, "-q")
    crawl(server, tmp_path, "-q")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [run["card"] for run in run_stats(tmp_path)] == [True, True]
    assert len(manifest["harvests"]) == 2
    warcs = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "archive").glob("*.warc.gz"))
    assert len(warcs) == 2 and set(warcs) <= set(manifest["files"])
    for name, info in manifest["files"].items():
        assert sha256_file(tmp_path / name) == info["sha256"], name
    assert manifest["harvests"][-1]["run"] in (tmp_path / "DATASET.md").read_text()


# --- synthetic data is marked -----------------------------------------------------------------


def test_mirror_output_is_marked_synthetic(tmp_path: Path, server: MirrorServer) -> None:
    """base_url and synthetic in the run's stats and manifest; a banner in DATASET.md and the report."""
    crawl(server, tmp_path, "-q")
    assert CliRunner().invoke(cli, ["report", "--out", str(tmp_path), "-q"]).exit_code == 0
    (stats,) = run_stats(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (stats["base_url"], stats["synthetic"]) == (server.base_url, True)
    assert (manifest["base_url"], manifest["synthetic"]) == (server.base_url, True)
    assert "SYNTHETIC DATA" in (tmp_path / "DATASET.md").read_text().split("\n\n")[1]
    assert "SYNTHETIC DATA" in (tmp_path / "report.html").read_text()


def test_only_the_live_site_is_not_synthetic() -> None:
    """www.osce.org is the live site; the mirror on loopback is not (its runs are marked synthetic)."""
    assert is_live_site("https://www.osce.org")
    assert not is_live_site("http://127.0.0.1:8000")


def test_records_do_not_change_with_the_mirror_port(tmp_path: Path, site: MirrorSite) -> None:
    """The same mirror on two ports: no loopback URL in the records, and the second run changes none."""
    with running_mirror(site) as first:
        crawl(first, tmp_path, "-q")
    with running_mirror(site) as second:
        assert second.base_url != first.base_url
        crawl(second, tmp_path, "-q")
    assert [(s["new"], s["changed"]) for s in run_stats(tmp_path)][-1] == (0, 0)
    assert "127.0.0.1" not in (tmp_path / "press_releases.jsonl").read_text()


def test_demo_prints_its_summary_once_and_says_synthetic(tmp_path: Path) -> None:
    """The demo's crawl summary appears once; it says the data is synthetic; exit 0."""
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path), "--pages", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("discovered") == 1
    assert "synthetic" in result.stdout and "synthetic" in result.stderr


# --- consistent options and files -------------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "card", "report", "crawl", "demo"])
def test_every_folder_command_takes_out_and_out_dir(command: str) -> None:
    """--out DIR everywhere a command reads or writes a folder; --out-dir still accepted."""
    help_text = CliRunner().invoke(cli, [command, "--help"]).output
    assert "--out" in help_text and "--out-dir" in help_text


def test_out_dir_alias_works(tmp_path: Path, server: MirrorServer) -> None:
    """export --out-dir DIR is export --out DIR."""
    crawl(server, tmp_path, "-q")
    result = CliRunner().invoke(cli, ["export", "--out-dir", str(tmp_path), "--format", "jsonl", "-q"])
    assert result.exit_code == 0 and (tmp_path / "press_releases.jsonl").exists()


def test_help_names_files_and_the_mirror_port() -> None:
    """export --help names the file it writes; help examples use the mirror's default port (8000)."""
    assert "press_releases.parquet" in CliRunner().invoke(cli, ["export", "--help"]).output
    crawl_help = CliRunner().invoke(cli, ["crawl", "--help"]).output
    mirror_help = CliRunner().invoke(cli, ["mirror", "--help"]).output
    assert "127.0.0.1:8000" in crawl_help and "8080" not in crawl_help
    assert re.search(r"default:\s+8000", mirror_help)


def test_docs_speak_to_users() -> None:
    """No internal references ("issue #2") in the README or docs."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert not re.search(r"issue #\d|#\d+\b \(issue", path.read_text(encoding="utf-8"), re.I), path


def test_progress_sink_is_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    """Progress lines go to stderr, never stdout (stdout is for data)."""
    ticks = iter([0.0, 31.0])
    progress_lines("crawl", True, clock=lambda: next(ticks))(RunStats(queued=1, fetched=1))
    captured = capsys.readouterr()
    assert captured.out == "" and json.loads(captured.err)["progress"] == {"done": 1, "queued": 1}
