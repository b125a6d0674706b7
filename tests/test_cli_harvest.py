"""`osce-scrape crawl` option checks: bad values are refused with a clear message, before any request."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from osce_scrape.cli import cli
from osce_scrape.cli_harvest import check_base_url, check_languages, is_live_site


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
    ],
)
def test_bad_options_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    """Each bad option exits 2 with a message naming the problem, and writes nothing."""
    result = CliRunner().invoke(cli, ["crawl", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_languages_are_normalised() -> None:
    """Codes are lower-cased, stripped and deduplicated, in order."""
    assert check_languages(click.Context(cli), None, " EN, ru,en ,fr") == ("en", "ru", "fr")  # type: ignore[arg-type]


def test_base_url_loses_its_trailing_slash() -> None:
    """The base URL is kept without a trailing slash, so paths join cleanly."""
    assert check_base_url(click.Context(cli), None, "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "live"),
    [
        ("https://www.osce.org", True),
        ("https://odihr.osce.org", True),
        ("http://127.0.0.1:1", False),
        ("https://notosce.org", False),
    ],
)
def test_is_live_site(url: str, live: bool) -> None:
    """osce.org and its subdomains are the live site; look-alike domains are not."""
    assert is_live_site(url) is live


def test_help_explains_every_option() -> None:
    """`crawl --help` names every option of issue #3."""
    result = CliRunner().invoke(cli, ["crawl", "--help"])
    for option in ("--base-url", "--out", "--discover", "--since", "--max-pages", "--rate",
                   "--concurrency", "--user-agent", "--recheck-days", "--languages", "-v", "-q",
                   "--log-json"):  # fmt: skip
        assert option in result.output
