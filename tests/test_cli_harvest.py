"""`osce-scrape crawl` option checks: bad values are refused with a clear message, before any request."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fakesite import TODAY, FakeSite, crawl, dataset
from osce_scrape.cli.checks import check_base_url, check_languages
from osce_scrape.cli.harvest import card_after_run
from osce_scrape.cli.main import cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "ftp://example.org"], "not an http(s) URL with a host"),
        (["--base-url", "http://"], "not an http(s) URL with a host"),
        (["--base-url", "http://127.0.0.1:8080/?page=2"], "query or fragment"),
        (["--languages", "en,russian"], "two-letter codes"),
        (["--languages", ","], "two-letter codes"),
        (["--rate", "-1"], "-1"),
        (["--rate", "0"], "--rate 0 is for mirrors"),
        (["--concurrency", "0"], "0"),
        (["--max-pages", "0"], "0"),
        (["--since", "31/12/2024"], "31/12/2024"),
        (["--discover", "ftp"], "ftp"),
        (["--base-url", "http://127.0.0.1:99999"], "invalid port"),
        (["--base-url", "http://user:secret@127.0.0.1:8080"], "credentials"),
        (["--base-url", "http://127.0.0.1:8080/press-releases"], "has a path"),
        (["--base-url", "http://127.0.0.1:8080/\n"], "control characters"),
        (["--rate", "nan"], "not a finite number"),
        (["--rate", "inf"], "not a finite number"),
        (["--user-agent", "bot\r\nX-Evil: 1"], "printable ASCII"),
        (["--user-agent", " "], "printable ASCII"),
        (["--since", "2999-01-01"], "in the future"),
        (["--since", "2024-02-30"], "2024-02-30"),
        (["--drift-threshold", "1.5"], "1.5"),
        (["--drift-threshold", "nan"], "share between 0 and 1"),
        (["--max-failures", "-1"], "-1"),
        (["--parse-processes", "500"], "500"),
        (["--recheck-days", "-3"], "-3"),
        (["--max-duration", "0"], "0"),
        (["--max-duration", "inf"], "not a finite number of seconds"),
        (["--max-duration", "nan"], "not a finite number of seconds"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    """Each bad option exits 2 with a message naming the problem, and writes nothing."""
    result = CliRunner().invoke(cli, ["crawl", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    """--out naming a file, or a path under a file, exits 2 saying which path is a file."""
    (tmp_path / "file").write_text("x")
    for out in (tmp_path / "file", tmp_path / "file" / "sub"):
        result = CliRunner().invoke(cli, ["crawl", "--out", str(out)])
        assert result.exit_code == 2 and "is a file" in result.output, result.output


def test_languages_are_normalised() -> None:
    """Codes are lower-cased, stripped and deduplicated, in order."""
    assert check_languages(click.Context(cli), None, " EN, ru,en ,fr") == ("en", "ru", "fr")  # type: ignore[arg-type]


def test_base_url_loses_its_trailing_slash() -> None:
    """The base URL is kept without a trailing slash, so paths join cleanly."""
    assert check_base_url(click.Context(cli), None, "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"  # type: ignore[arg-type]


def test_help_explains_every_option() -> None:
    """`crawl --help` names every option of issue #3."""
    result = CliRunner().invoke(cli, ["crawl", "--help"])
    for option in ("--base-url", "--out", "--discover", "--since", "--max-pages", "--rate",
                   "--concurrency", "--user-agent", "--recheck-days", "--languages", "-v", "-q",
                   "--log-json", "--max-duration"):  # fmt: skip
        assert option in result.output


@pytest.mark.e2e
def test_log_json_makes_every_stderr_line_a_json_object(tmp_path: Path) -> None:
    """`crawl --log-json -v`: every stderr line is one JSON object (warnings of failed pages, info of
    the run, the closing summary with its exit code and stats)."""
    import json
    import subprocess
    import sys

    from osce_scrape.mirror import FaultSpec, MirrorSite, running_mirror

    with running_mirror(
        MirrorSite(pages=12, fixtures_dir=None), faults=FaultSpec.parse("404:0.3,seed=2")
    ) as s:
        command = [str(Path(sys.executable).parent / "osce-scrape"), "crawl", "--base-url", s.base_url,
                   "--rate", "0", "--out", str(tmp_path), "--log-json", "-v", "--no-card"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert {"warning", "info"} <= {line["level"] for line in lines}
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    summary = next(line for line in lines if "stats" in line)
    assert summary["exit_code"] == done.returncode == 1 and lines[-1]["level"] == "warning"
    assert summary["stats"]["errors"]["HttpStatusError"] == sum(
        1 for x in lines if "HTTP 404" in x["message"]
    )


def test_data_card_after_every_run(tmp_path: Path) -> None:
    """Every run that published rewrites DATASET.md and manifest.json, a run that changed nothing too
    (its harvest table gains the run); the run's stats file says the card was written."""
    site = FakeSite.make(4, TODAY)
    first = crawl(site, tmp_path / "out")
    assert card_after_run(tmp_path / "out", first)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert first.card and manifest["records"] == 4 and (tmp_path / "out" / "DATASET.md").exists()
    second = crawl(site, tmp_path / "out")
    assert (second.new, second.changed) == (0, 0)
    assert card_after_run(tmp_path / "out", second) and second.card
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [h["run"] for h in manifest["harvests"]] == [first.run, second.run]
    stats_file = json.loads((tmp_path / "out" / "runs" / f"{second.run}.json").read_text())
    assert stats_file["card"] is True


def test_a_card_that_fails_never_crashes_a_published_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card step that breaks (any error) is logged; the run returns its stats with the dataset published."""

    def broken(out_dir: Path) -> None:
        raise KeyError("a card bug")

    monkeypatch.setattr("osce_scrape.dataset.card.write_card", broken)
    stats = crawl(FakeSite.make(3, TODAY), tmp_path)
    assert not card_after_run(tmp_path, stats)
    assert (stats.new, stats.card) == (3, False)
    assert len(dataset(tmp_path)) == 3
