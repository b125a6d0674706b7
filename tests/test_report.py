"""The HTML report: sections, coverage, shares, accessible SVG charts with their tables; rendered in headless
Chromium and its tables checked against numbers pyarrow computes from the Parquet export."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

from osce_scrape.cli.main import cli
from osce_scrape.dataset.export import export_file
from osce_scrape.dataset.gazetteer import country_name
from osce_scrape.dataset.report import SECTIONS, TOP_SOURCES, build_report, render_report, report_for_folder
from osce_scrape.dataset.stats import collect
from osce_scrape.models import PressRelease
from recordkit import make_record, records_from_listing, synthetic_records

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_TIMEOUT = 60  # seconds; a cold start on a loaded 2-core machine takes ~5
REJECTS = [
    {
        "url": "https://www.osce.org/event/1",
        "reason": "an event page",
        "kind": "NotAPressRelease",
        "time": "t",
    },
    {
        "url": "https://www.osce.org/event/2",
        "reason": "an event page",
        "kind": "NotAPressRelease",
        "time": "t",
    },
    {"url": "https://www.osce.org/x/3", "reason": "no title", "kind": "ParseError", "time": "t"},
]


def _records() -> list[PressRelease]:
    """The 239 real listing entries and 12 synthetic ones in other languages, with translations."""
    return records_from_listing() + list(synthetic_records(12))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder as a mirror crawl leaves it: dataset, rejects, two runs (synthetic)."""
    out = tmp_path_factory.mktemp("report") / "output"
    (out / "runs").mkdir(parents=True)
    records = _records()
    (out / "press_releases.jsonl").write_text("".join(r.to_json_line() + "\n" for r in records), "utf-8")
    (out / "rejects.jsonl").write_text("".join(json.dumps(r) + "\n" for r in REJECTS), "utf-8")
    for stamp, new in (("20261127T101500Z", 200), ("20261128T045704Z", 51)):
        run = {
            "run": stamp,
            "base_url": "http://127.0.0.1:8000",
            "synthetic": True,
            "new": new,
            "fetched": new,
        }
        (out / "runs" / f"{stamp}.json").write_text(json.dumps(run), "utf-8")
    export_file(records, "parquet", out / "press_releases.parquet")
    (out / "report.html").write_text(report_for_folder(out), "utf-8")
    return out


@pytest.fixture(scope="module")
def report_html(folder: Path) -> str:
    """The report of the folder."""
    return (folder / "report.html").read_text("utf-8")


def test_report_has_every_section_and_the_real_counts(report_html: str) -> None:
    """Each section (citation ... harvest history) is there; the summary and country table hold real rows."""
    for ident, head in SECTIONS:
        assert f'<section id="{ident}"><h2>{head}</h2>' in report_html
    assert "<td>Austria</td><td>AT</td>" in report_html
    assert "<td>Kosovo</td><td>XK</td>" in report_html
    assert (
        "251 press releases, 1997-03-10 – 2025-09-24" in report_html
        or "251 press releases, 1997-" in report_html
    )


def test_each_chart_states_its_coverage() -> None:
    """The sources chart and the heat map say how many records they cover and how many have none."""
    records = records_from_listing()
    page = build_report(records)
    with_source = sum(bool(r.sources) for r in records)
    without_field = sum(not r.fields_of_work for r in records)
    assert (with_source, without_field) == (166, 108)  # 31% name no source, 45% no field of work
    assert "166 of 239 records name a source; 73 have none." in page
    assert "131 of 239 records name a field of work; 108 have none." in page
    assert "have a dateline place resolved to a country;" in page


def test_heat_map_shades_each_years_share_and_labels_every_year() -> None:
    """Cells are the field's share of the year's records naming a field; every year is written."""

    def rec(n: int, year: int, fields: list[str]) -> PressRelease:
        return make_record(id=f"r{n}", date=make_record().date.replace(year=year), fields_of_work=fields)

    records = [rec(i, 2001, ["Elections"]) for i in range(3)] + [rec(3, 2001, ["Policing"])]
    records += [rec(4, 2003, ["Elections"]), rec(5, 2003, [])]
    page = build_report(records)
    assert (
        "<td>Elections</td><td class=n>3 (75.0%)</td><td class=n>0 (–)</td><td class=n>1 (100.0%)</td>"
        in page
    )
    assert "Elections, 2001: 3 of 4 (75%)" in page and "Elections, 2002: no record" in page
    heat = page[page.index('<section id="fields">') : page.index('<section id="sources">')]
    assert all(f">{year}</text>" in heat for year in (2001, 2002, 2003))


def test_charts_are_svg_with_text_alt_text_caption_and_table(report_html: str) -> None:
    """Three SVG charts: role=img with <title>/<desc>, real <text>, a figcaption and a collapsible table."""
    figures = re.findall(r"<figure>(.*?)</figure>", report_html, re.DOTALL)
    assert len(figures) == 3
    for item in figures:
        assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="[\w-]+-t [\w-]+-d"', item)
        assert re.search(r"<title id=\"[\w-]+-t\">[^<]+</title><desc id=\"[\w-]+-d\">[^<]+</desc>", item)
        assert "<text" in item and "<path" not in item  # text as text, not glyph outlines
        assert re.search(r"<figcaption>[^<]+</figcaption><details><summary>", item)
        assert "<table class=data" in item
    assert ">OSCE Chairpersonship</text>" in report_html


def test_provenance_and_citation(folder: Path, report_html: str) -> None:
    """The report names the site, says synthetic, gives runs, parser version and the dataset's sha256."""
    digest = hashlib.sha256((folder / "press_releases.jsonl").read_bytes()).hexdigest()
    assert f"<td>dataset sha256</td><td>{digest}</td>" in report_html
    assert "<td>synthetic data</td><td>yes: not from www.osce.org" in report_html
    assert "<td>first harvest run</td><td>2026-11-27T10:15:00+00:00</td>" in report_html
    assert "<td>parser versions of the records</td><td>test-1 (251 records)</td>" in report_html
    assert "version 20261128T045704Z. Harvested from http://127.0.0.1:8000 with osce-scrape" in report_html
    assert "251 press releases, 1997-03-10 to 2025-" in report_html and f"sha256 {digest}." in report_html


def test_report_is_self_contained(report_html: str) -> None:
    """No external asset: no link, script, image or font reference; a CSP forbids loading any."""
    assert not re.search(r"<(link|script|img|iframe)\b", report_html)
    assert not re.search(r"(src|href)=\"(https?:|//|file:)", report_html)
    assert "@import" not in report_html and "url(http" not in report_html
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'\"" in report_html


def test_report_escapes_dataset_text() -> None:
    """Text from the data (source names here) cannot inject markup into the page."""
    page = build_report([make_record(sources=["<script>alert(1)</script>"])])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_dataset_gives_a_page_without_charts() -> None:
    """An empty dataset still gives a valid page, saying it is empty."""
    page = render_report(collect([]))
    assert "holds no records" in page and "<svg" not in page


def test_cli_report_writes_the_page(folder: Path, tmp_path: Path) -> None:
    """`osce-scrape report --out D -o F` writes the page to F, with the folder's rejects by reason."""
    target = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--out", str(folder), "-o", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text("utf-8")
    assert page.count("<svg") == 3
    assert "3 pages did not become records: 2 skipped" in page
    assert (
        "<td>an event page</td><td class=n>2</td>" in page and "<td>no title</td><td class=n>1</td>" in page
    )


# --- in headless Chromium -------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The rendered DOM's section ids and data tables ({name: [[cell, ...], ...]}, header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        elif tag == "table" and values.get("data-table"):
            self._table = values["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _chromium() -> str:
    found = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if found is None:
        pytest.skip("chromium is not installed (make browser-deps installs it as root)")
    return found


def _run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", *args, page.as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT)


@pytest.fixture(scope="module")
def rendered(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[_Tables, str]:
    """The DOM Chromium renders from the report (--dump-dom), parsed; and Chromium's log."""
    done = _run_chromium(folder / "report.html", tmp_path_factory.mktemp("profile"), "--dump-dom")
    tables = _Tables()
    tables.feed(done.stdout)
    return tables, done.stderr


def _dataset(folder: Path) -> pa.Table:
    return pq.read_table(folder / "press_releases.parquet")


def _count(values: pa.Array | pa.ChunkedArray) -> dict[str, int]:
    return {str(item["values"]): item["counts"] for item in pc.value_counts(values).to_pylist()}


def _rows(tables: _Tables, name: str) -> dict[str, int]:
    return {row[0]: int(row[1]) for row in tables.tables[name][1:]}


def _per_record(table: pa.Table, column: str, field: str) -> Counter[str]:
    """Records per distinct value of `field` in the list<struct> `column` (a record counts once a value)."""
    lists = table.column(column).combine_chunks()
    flat = pc.struct_field(pc.list_flatten(lists), field)
    pairs = {
        (p, v) for p, v in zip(pc.list_parent_indices(lists).to_pylist(), flat.to_pylist(), strict=True) if v
    }
    return Counter(v for _, v in pairs)


@pytest.mark.browser
def test_report_renders_without_console_errors_and_with_every_section(rendered: tuple[_Tables, str]) -> None:
    """Chromium logs no console message (no error, no blocked load) and the DOM has every section."""
    tables, log = rendered
    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []
    assert tables.sections == [ident for ident, _ in SECTIONS]


@pytest.mark.browser
def test_rendered_tables_match_the_parquet_export(folder: Path, rendered: tuple[_Tables, str]) -> None:
    """Per year, languages, translations, content types, countries and sources, as pyarrow counts them."""
    tables, _ = rendered
    data = _dataset(folder)
    per_year = {row[0]: int(row[1]) for row in tables.tables["per-year"][1:] if row[1] != "0"}
    assert per_year == _count(pc.year(data.column("date")))
    assert _rows(tables, "languages") == _count(data.column("language"))
    keys = data.column("translations").combine_chunks().keys
    assert _rows(tables, "translations") == _count(keys)
    types = _count(pc.fill_null(data.column("content_type"), "(no content type)"))
    assert _rows(tables, "content-types") == types
    countries = {code: n for code, n in _per_record(data, "places", "country_code").items()}
    assert {row[1]: int(row[2]) for row in tables.tables["countries"][1:]} == countries
    assert tables.tables["countries"][1][0] == country_name(tables.tables["countries"][1][1])
    names = pc.struct_field(pc.list_flatten(data.column("sources_normalized")), "name")
    top = sorted(_count(names).items(), key=lambda item: -item[1])[:TOP_SOURCES]
    assert sorted(_rows(tables, "sources").values(), reverse=True) == [n for _, n in top]


@pytest.mark.browser
def test_rendered_heat_map_table_matches_the_parquet_export(
    folder: Path, rendered: tuple[_Tables, str]
) -> None:
    """Each heat-map cell "n (share)" is pyarrow's count of records naming that field in that year."""
    tables, _ = rendered
    data = _dataset(folder)
    lists = data.column("fields_of_work_normalized").combine_chunks()
    years = pc.year(data.column("date")).to_pylist()
    expected = Counter(
        (field, years[parent])
        for parent, field in zip(
            pc.list_parent_indices(lists).to_pylist(), pc.list_flatten(lists).to_pylist(), strict=True
        )
    )
    named = Counter(year for year, n in zip(years, pc.list_value_length(lists).to_pylist(), strict=True) if n)
    header, denominators, *rows = tables.tables["fields"]
    assert {int(y): int(n) for y, n in zip(header[1:], denominators[1:], strict=True) if n != "0"} == named
    for row in rows:
        for year, cell in zip(header[1:], row[1:], strict=True):
            count = int(cell.split(" ")[0])
            assert count == expected[(row[0], int(year))], (row[0], year)
            if count:
                assert cell == f"{count} ({100 * count / named[int(year)]:.1f}%)"


@pytest.mark.browser
def test_report_renders_in_headless_chromium(folder: Path, tmp_path: Path) -> None:
    """Chromium renders the page offline into a screenshot that is not blank (pixel variance)."""
    shot = tmp_path / "shot.png"
    _run_chromium(
        folder / "report.html", tmp_path / "profile", "--window-size=1200,1600", f"--screenshot={shot}"
    )
    with Image.open(shot) as image:
        grey = image.convert("L")
        assert grey.size == (1200, 1600)
        variance = ImageStat.Stat(grey).var[0]
        dark = sum(grey.histogram()[:128]) / (grey.size[0] * grey.size[1])
    assert variance > 500  # a blank page has 0; text and bars give thousands
    assert 0.005 < dark < 0.6  # some ink (text, bars), but not a black or error screen
