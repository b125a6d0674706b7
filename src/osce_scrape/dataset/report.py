"""A visual report of the dataset: one self-contained HTML page (charts inlined as SVG, no assets).

Press releases per year, fields of work over time (a year × field heat map), top sources, and the
dateline places as a country table. matplotlib's object API is used (no pyplot): no global state, no
display, the same output on a server.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from osce_scrape.dataset.card_markdown import SYNTHETIC_WARNING
from osce_scrape.dataset.gazetteer import country_name
from osce_scrape.dataset.stats import NO_VALUE, DatasetStats, collect
from osce_scrape.models import PressRelease

if TYPE_CHECKING:  # matplotlib itself is imported where a chart is drawn: it takes ~0.4 s
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

TOP_SOURCES = 20
TOP_COUNTRIES = 40
_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)  # the XML declaration and doctype
_BAR = "#1f5a96"
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
figure { margin: 0; } svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem; border-bottom: 1px solid #eee; }
.synthetic { background: #fff3cd; border: 2px solid #c0392b; padding: .8rem; font-weight: bold; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .note { color: #666; }
"""


def _svg(figure: Figure) -> str:
    """The figure as inline SVG: text drawn as paths (no fonts needed), stable ids between runs."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "osce-scrape"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _SVG_PROLOGUE.sub("", buffer.getvalue(), count=1)


def _years(stats: DatasetStats) -> list[int]:
    """Every year from the first to the last, those without records included (gaps show)."""
    return list(range(min(stats.by_year), max(stats.by_year) + 1)) if stats.by_year else []


def chart_per_year(stats: DatasetStats) -> Figure:
    """Bars: press releases per year."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 3.2))
    axes = figure.subplots()
    years = _years(stats)
    axes.bar(years, [stats.by_year[y] for y in years], color=_BAR)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("press releases")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def chart_fields_over_time(stats: DatasetStats) -> Figure:
    """Heat map: records per field of work (rows) and year (columns)."""
    from matplotlib.figure import Figure

    fields = [name for name, _ in stats.by_field.most_common()]
    years = _years(stats)
    figure = Figure(figsize=(10, 0.28 * max(len(fields), 4) + 1.2))
    axes = figure.subplots()
    grid = [[stats.by_field_year[(name, year)] for year in years] for name in fields]
    image = axes.imshow(grid or [[0]], aspect="auto", cmap="Blues", interpolation="nearest")
    axes.set_yticks(range(len(fields)), fields, fontsize=8)
    step = max(1, -(-len(years) // 12))  # at most 12 year labels: more overlap
    axes.set_xticks(range(0, len(years), step), [str(y) for y in years[::step]], fontsize=8)
    figure.colorbar(image, ax=axes, label="press releases")
    return figure


def chart_top_sources(stats: DatasetStats) -> Figure:
    """Horizontal bars: the sources with the most press releases."""
    from matplotlib.figure import Figure

    top = [(n, c) for n, c in stats.by_source.most_common() if n != NO_VALUE][:TOP_SOURCES]
    figure = Figure(figsize=(10, 0.3 * max(len(top), 3) + 0.8))
    axes = figure.subplots()
    axes.barh([n for n, _ in reversed(top)], [c for _, c in reversed(top)], color=_BAR)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_xlabel("press releases")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def country_table(stats: DatasetStats) -> str:
    """HTML table: records per country of their dateline places."""
    rows = [
        f"<tr><td>{html.escape(country_name(code))}</td><td>{code}</td><td class=n>{count}</td></tr>"
        for code, count in stats.by_country.most_common(TOP_COUNTRIES)
    ]
    head = "<tr><th>country</th><th>ISO 3166</th><th>press releases</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else "<p class=note>No resolved places.</p>"


def site_note(sites: list[str], synthetic: bool) -> str:
    """Which site the data comes from; a warning banner when it is not the live site."""
    named = ", ".join(sites) or "unknown (no harvest run recorded)"
    if synthetic:
        return f"<p class=synthetic>{html.escape(SYNTHETIC_WARNING.format(sites=named))}</p>"
    return f"<p class=note>Site crawled: {html.escape(named)}.</p>"


def render_report(
    stats: DatasetStats,
    title: str = "OSCE press releases",
    *,
    sites: list[str] | None = None,
    synthetic: bool = False,
) -> str:
    """The whole HTML page."""
    banner = site_note(sites or [], synthetic)
    if stats.records == 0:
        body = "<p>The dataset holds no records yet.</p>"
    else:
        span = f"{stats.first_date} – {stats.last_date}"
        body = "".join(
            [
                f"<p>{stats.records} press releases, {html.escape(span)}; "
                f"{stats.places_resolved} of {stats.places_named} dateline places resolved.</p>",
                "<h2>Press releases per year</h2>",
                f"<figure>{_svg(chart_per_year(stats))}</figure>",
                "<h2>Fields of work over time</h2>",
                f"<figure>{_svg(chart_fields_over_time(stats))}</figure>",
                f"<h2>Top {TOP_SOURCES} sources</h2>",
                f"<figure>{_svg(chart_top_sources(stats))}</figure>",
                "<h2>Places, by country</h2>",
                country_table(stats),
            ]
        )
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{banner}{body}"
        f"<p class=note>Made by osce-scrape on {generated}.</p></body></html>\n"
    )


def build_report(
    records: Iterable[PressRelease], *, sites: list[str] | None = None, synthetic: bool = False
) -> str:
    """Count `records` and render the report page (`sites`: the sites crawled, `synthetic`: not the
    live site, see card.harvest_sites)."""
    return render_report(collect(records), sites=sites, synthetic=synthetic)
