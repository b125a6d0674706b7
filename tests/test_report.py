"""The HTML report: self-contained, with its charts and country table; rendered in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

from osce_scrape.cli.main import cli
from osce_scrape.dataset.report import build_report, render_report
from osce_scrape.dataset.stats import collect
from recordkit import make_record, records_from_listing

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_TIMEOUT = 60  # seconds; a cold start on a loaded 2-core machine takes ~5


@pytest.fixture(scope="module")
def report_html() -> str:
    """The report of the 239 real listing entries."""
    return build_report(records_from_listing())


def test_report_has_its_charts_and_country_table(report_html: str) -> None:
    """Three inline SVG charts, the section heads, and a country table with real rows."""
    assert report_html.count("<svg") == 3
    for head in (
        "Press releases per year",
        "Fields of work over time",
        "Top 20 sources",
        "Places, by country",
    ):
        assert f"<h2>{head}</h2>" in report_html
    assert "<td>Austria</td><td>AT</td>" in report_html
    assert "<td>Kosovo</td><td>XK</td>" in report_html
    assert "239 press releases, 1997-03-10 – 2025-09-24" in report_html


def test_report_is_self_contained(report_html: str) -> None:
    """No external asset: no link, script, image or font reference to another file or host."""
    assert not re.search(r"<(link|script|img|iframe)\b", report_html)
    assert not re.search(r"(src|href)=\"(https?:|//|file:)", report_html)
    assert "@import" not in report_html and "url(http" not in report_html


def test_report_escapes_dataset_text() -> None:
    """Text from the data (source names here) cannot inject markup into the page."""
    record = make_record(sources=["<script>alert(1)</script>"])
    page = build_report([record])
    assert "<script>" not in page


def test_empty_dataset_gives_a_page_without_charts() -> None:
    """An empty dataset still gives a valid page, saying it is empty."""
    page = render_report(collect([]))
    assert "holds no records" in page and "<svg" not in page


def test_cli_report_writes_the_page(tmp_path: Path) -> None:
    """`osce-scrape report --out-dir D -o F` writes the page to F."""
    out = tmp_path / "output"
    out.mkdir()
    records = records_from_listing()[:30]
    (out / "press_releases.jsonl").write_text("".join(r.to_json_line() + "\n" for r in records), "utf-8")
    target = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--out-dir", str(out), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8").count("<svg") == 3


def _chromium() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@pytest.mark.browser
def test_report_renders_in_headless_chromium(report_html: str, tmp_path: Path) -> None:
    """Chromium renders the page offline into a screenshot that is not blank (pixel variance)."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (make browser-deps installs it as root)")
    page = tmp_path / "report.html"
    page.write_text(report_html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=CHROMIUM_TIMEOUT)
    with Image.open(shot) as image:
        grey = image.convert("L")
        assert grey.size == (1200, 1600)
        variance = ImageStat.Stat(grey).var[0]
        dark = sum(grey.histogram()[:128]) / (grey.size[0] * grey.size[1])
    assert variance > 500  # a blank page has 0; text and bars give thousands
    assert 0.005 < dark < 0.6  # some ink (text, bars), but not a black or error screen
