"""A report of the dataset a researcher can read, check and cite: one self-contained HTML page.

Sections: how to cite, provenance, press releases per year, languages and translations, content types,
fields of work over time (each year's share), sources, places by country, pages skipped and rejected, and
the harvest history. Every chart is inline SVG with real text and alternative text, states its coverage
("N of M records; K have none") and has its numbers in a collapsible table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from osce_scrape.dataset.card_markdown import SYNTHETIC_WARNING
from osce_scrape.dataset.citation import citation, dataset_version
from osce_scrape.dataset.columns import DATASET_FILE
from osce_scrape.dataset.folder import FolderFacts, folder_facts
from osce_scrape.dataset.gazetteer import country_name
from osce_scrape.dataset.reader import load
from osce_scrape.dataset.report_html import (
    contents,
    coverage,
    data_table,
    e,
    figure,
    paragraph,
    section,
    share,
)
from osce_scrape.dataset.report_svg import Alt, bar_chart, column_chart, heat_map
from osce_scrape.dataset.stats import NO_VALUE, DatasetStats, collect
from osce_scrape.models import PressRelease

TOP_SOURCES = 20
SECTIONS = (  # (id, heading), in page order; the browser test checks every one is there
    ("citation", "How to cite"),
    ("provenance", "Provenance"),
    ("per-year", "Press releases per year"),
    ("languages", "Languages and translations"),
    ("content-types", "Content types"),
    ("fields", "Fields of work over time"),
    ("sources", f"Top {TOP_SOURCES} sources"),
    ("places", "Places, by country"),
    ("rejects", "Pages skipped and rejected"),
    ("harvests", "Harvest history"),
)
_CSP = "default-src 'none'; style-src 'unsafe-inline'"  # nothing outside the page may load
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
body { padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
figure { margin: 0; } svg { max-width: 100%; height: auto; } figcaption { color: #444; margin: .4rem 0; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { padding: .2rem .8rem; border-bottom: 1px solid #eee; }
th { text-align: left; } .scroll { overflow-x: auto; } details { margin: .4rem 0 1rem; }
summary { cursor: pointer; color: #1f5a96; }
pre { background: #f5f5f5; padding: .6rem; white-space: pre-wrap; }
.synthetic { background: #fff3cd; border: 2px solid #c0392b; padding: .8rem; font-weight: bold; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .note { color: #666; }
nav ol { columns: 2; }
"""


def _years(stats: DatasetStats) -> list[int]:
    """Every year from the first to the last, those without records included (gaps show)."""
    return list(range(min(stats.by_year), max(stats.by_year) + 1)) if stats.by_year else []


def site_note(sites: list[str], synthetic: bool) -> str:
    """Which site the data comes from; a warning banner when it is not the live site."""
    named = ", ".join(sites) or "unknown (no harvest run recorded)"
    if synthetic:
        return paragraph(SYNTHETIC_WARNING.format(sites=named), "synthetic")
    return paragraph(f"Site crawled: {named}.", "note")


def citation_section(stats: DatasetStats, facts: FolderFacts) -> str:
    """The same citation block as the data card's."""
    from osce_scrape import __version__

    cited = citation(
        records=stats.records,
        date_range=stats.as_dict()["date_range"],
        version=dataset_version(facts.harvests),
        dataset_file=facts.dataset_file,
        sha256=facts.dataset_sha256,
        sites=facts.sites,
        synthetic=facts.synthetic,
        tool_version=__version__,
    )
    return section(
        "citation",
        "How to cite",
        f"<pre class=citation>{e(cited['text'])}</pre>",
        f"<pre>{e(cited['bibtex'])}</pre>",
    )


def provenance_section(stats: DatasetStats, facts: FolderFacts) -> str:
    """Where the data comes from, which parser made it, when it was harvested."""
    from osce_scrape import __version__

    starts = [str(run.get("started_at") or run["run"]) for run in facts.harvests]
    versions = ", ".join(f"{v} ({n} records)" for v, n in stats.parser_versions.most_common())
    rows = [
        ("site crawled", ", ".join(facts.sites) or "unknown (no harvest run recorded)"),
        (
            "synthetic data",
            "yes: not from www.osce.org, do not use for research" if facts.synthetic else "no",
        ),
        ("parser versions of the records", versions),
        ("parser version (current)", facts.parser_version_current),
        ("osce-scrape version", __version__),
        ("harvest runs", len(facts.harvests)),
        ("first harvest run", starts[0] if starts else "none recorded"),
        ("latest harvest run", starts[-1] if starts else "none recorded"),
        ("dataset file", facts.dataset_file),
        ("dataset sha256", facts.dataset_sha256 or "unknown (no output folder)"),
    ]
    return section("provenance", "Provenance", data_table("provenance", ("fact", "value"), rows))


def per_year_section(stats: DatasetStats) -> str:
    """Bars per year, every year labelled."""
    years = _years(stats)
    counts = [stats.by_year[y] for y in years]
    alt = Alt(
        "per-year",
        "Press releases per year",
        ", ".join(f"{y}: {n}" for y, n in zip(years, counts, strict=True)),
    )
    svg = column_chart(alt, [str(y) for y in years], counts, "press releases")
    table = data_table(
        "per-year",
        ("year", "press releases", "naming a field of work"),
        [(y, stats.by_year[y], stats.by_year_with_field[y]) for y in years],
    )
    caption = f"All {stats.records} records, by year of publication ({years[0]}–{years[-1]})."
    return section("per-year", "Press releases per year", figure(svg, caption, table))


def languages_section(stats: DatasetStats) -> str:
    """Records per language, and the languages their translations link to."""
    languages = data_table(
        "languages",
        ("language", "press releases", "share"),
        [(code, n, share(n, stats.records)) for code, n in stats.by_language.most_common()],
    )
    translations = data_table(
        "translations",
        ("translation into", "press releases linking one"),
        stats.by_translation_language.most_common(),
    )
    note = coverage(stats.with_translations, stats.records, stats.records - stats.with_translations,
                    "link a translation (hreflang)")  # fmt: skip
    return section("languages", "Languages and translations", languages, paragraph(note), translations)


def content_types_section(stats: DatasetStats) -> str:
    """Records per content type label ("(none)": the page gives no label)."""
    rows = [
        ("(no content type)" if label == NO_VALUE else label, n, share(n, stats.records))
        for label, n in stats.by_content_type.most_common()
    ]
    table = data_table("content-types", ("content type", "press releases", "share"), rows)
    return section("content-types", "Content types", table)


def fields_section(stats: DatasetStats) -> str:
    """The year × field heat map, shaded by each year's share; its table gives counts and shares."""
    fields = [name for name, _ in stats.by_field.most_common()]
    years = _years(stats)
    cells = [[(stats.by_field_year[(f, y)], stats.by_year_with_field[y]) for y in years] for f in fields]
    cover = stats.coverage()["fields_of_work"]
    caption = coverage(cover["with"], cover["records"], cover["without"], "name a field of work")
    if cover["only_unknown"]:
        caption += f" {cover['only_unknown']} name only values outside the taxonomy and are left out."
    caption += (
        " A cell's shade is the field's share of that year's records naming a field of work (a record "
        "with several fields counts for each), so busy years do not dominate; grey: no such record."
    )
    alt = Alt("fields", "Fields of work by year, as each year's share", caption)
    svg = heat_map(alt, fields, [str(y) for y in years], cells)
    header = ("field of work", *map(str, years))
    rows: list[list[Any]] = [["records naming a field", *(stats.by_year_with_field[y] for y in years)]]
    rows += [[f, *(f"{n} ({share(n, of)})" for n, of in line)] for f, line in zip(fields, cells, strict=True)]
    return section(
        "fields", "Fields of work over time", figure(svg, caption, data_table("fields", header, rows))
    )


def sources_section(stats: DatasetStats) -> str:
    """The sources with the most records, and the kinds of structure."""
    named = [(n, c) for n, c in stats.by_source.most_common() if n != NO_VALUE]
    top = named[:TOP_SOURCES]
    caption = coverage(stats.with_source, stats.records, stats.records - stats.with_source, "name a source")
    caption += (
        f" Shown: the top {len(top)} of {len(named)} sources; a record with two sources counts for both."
    )
    alt = Alt("sources", f"Top {len(top)} sources by press releases", caption)
    svg = bar_chart(alt, [n for n, _ in top], [c for _, c in top], "press releases")
    table = data_table("sources", ("source", "press releases"), top)
    kinds = data_table(
        "source-kinds", ("kind of structure", "press releases"), stats.by_source_kind.most_common()
    )
    return section("sources", f"Top {TOP_SOURCES} sources", figure(svg, caption, table), kinds)


def places_section(stats: DatasetStats) -> str:
    """Records per country of their dateline places (ISO 3166), and the places not resolved."""
    cover = coverage(stats.with_country, stats.records, stats.records - stats.with_country,
                     "have a dateline place resolved to a country")  # fmt: skip
    note = (
        f"{cover} {stats.with_place} records name a place; {stats.places_resolved} of {stats.places_named} "
        "places named were resolved (GeoNames). A record with places in two countries counts for both."
    )
    rows = [(country_name(code), code, n) for code, n in stats.by_country.most_common()]
    table = data_table("countries", ("country", "ISO 3166", "press releases"), rows)
    unresolved = data_table(
        "unresolved-places", ("place as written", "times"), stats.places_unresolved.most_common()
    )
    details = f"<details><summary>Places not resolved</summary>{unresolved}</details>"
    return section("places", "Places, by country", paragraph(note), table, details)


def rejects_section(facts: FolderFacts) -> str:
    """Pages that did not become records: skipped (no press release) and rejected, by reason."""
    if facts.rejects is None:
        return section(
            "rejects", "Pages skipped and rejected", paragraph("Not known: no output folder.", "note")
        )
    rejects = facts.rejects
    skipped, rejected = rejects["skipped_by_reason"], rejects["rejected_by_reason"]
    failed = rejects["count"] - rejects["skipped"]
    note = (
        f"{rejects['count']} pages did not become records: {rejects['skipped']} skipped (no press release: "
        f"an event, listing or error page) and {failed} rejected or not fetched."
    )
    return section(
        "rejects",
        "Pages skipped and rejected",
        paragraph(note),
        data_table("skipped", ("skipped: reason", "pages"), skipped.items()),
        data_table("rejected", ("rejected: reason", "pages"), rejected.items()),
    )


HARVEST_COLUMNS = ("run", "started_at", "base_url", "fetched", "new", "changed", "not_press_releases",
                   "rejected", "seconds")  # fmt: skip


def harvests_section(facts: FolderFacts) -> str:
    """One row per harvest run, oldest first."""
    rows = [[run.get(key) for key in HARVEST_COLUMNS] for run in facts.harvests]
    table = (
        data_table("harvests", HARVEST_COLUMNS, rows)
        if rows
        else paragraph("No harvest run recorded.", "note")
    )
    return section("harvests", "Harvest history", table)


def render_report(
    stats: DatasetStats, facts: FolderFacts | None = None, title: str = "OSCE press releases"
) -> str:
    """The whole HTML page."""
    facts = facts or FolderFacts()
    banner = site_note(facts.sites, facts.synthetic)
    if stats.records == 0:
        body = "<p>The dataset holds no records yet.</p>"
    else:
        summary = (
            f"{stats.records} press releases, {stats.first_date} – {stats.last_date}; "
            f"{stats.places_resolved} of {stats.places_named} dateline places resolved."
        )
        body = (
            contents(SECTIONS)
            + paragraph(summary)
            + "".join(
                [
                    citation_section(stats, facts),
                    provenance_section(stats, facts),
                    per_year_section(stats),
                    languages_section(stats),
                    content_types_section(stats),
                    fields_section(stats),
                    sources_section(stats),
                    places_section(stats),
                    rejects_section(facts),
                    harvests_section(facts),
                ]
            )
        )
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head>"
        f"<body><h1>{e(title)}</h1>{banner}{body}"
        f"<p class=note>Made by osce-scrape on {generated}.</p></body></html>\n"
    )


def build_report(
    records: Iterable[PressRelease],
    *,
    sites: list[str] | None = None,
    synthetic: bool = False,
    facts: FolderFacts | None = None,
) -> str:
    """Count `records` and render the report page. `facts`: what the output folder says (folder_facts);
    without it only `sites` (the sites crawled) and `synthetic` (not the live site) are known."""
    return render_report(collect(records), facts or FolderFacts(sites=sites or [], synthetic=synthetic))


def report_for_folder(out_dir: Path) -> str:
    """The report of an output folder: its records, runs, rejects and the dataset file's sha256."""
    return build_report(load(out_dir / DATASET_FILE), facts=folder_facts(out_dir))
