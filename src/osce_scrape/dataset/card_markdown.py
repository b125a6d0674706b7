"""The manifest (card.build_manifest) as DATASET.md: the same facts, laid out for a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TOP = 25  # rows shown of long count tables; manifest.json has them all


def _table(headers: tuple[str, str], rows: Iterable[tuple[Any, Any]], limit: int | None = TOP) -> str:
    items = list(rows)
    shown = items if limit is None else items[:limit]
    lines = [f"| {headers[0]} | {headers[1]} |", "|---|---:|"]
    lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in shown]
    if len(items) > len(shown):
        lines.append(f"| … {len(items) - len(shown)} more (see manifest.json) | |")
    return "\n".join(lines) if items else "_none_"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _counts(
    title: str, header: str, counts: Mapping[str, int], limit: int | None = TOP, unit: str = "records"
) -> str:
    return f"### {title}\n\n{_table((header, unit), counts.items(), limit)}\n"


def render_card(manifest: Mapping[str, Any]) -> str:
    """DATASET.md for a manifest."""
    places = manifest["places"]
    rejects = manifest["rejects"]
    span = manifest["date_range"]
    parts = [
        f"# {manifest['name']}: data card\n",
        *synthetic_banner(manifest),
        "Press releases of the OSCE (www.osce.org) as validated records, one JSON object per line in "
        f"`{manifest['dataset_file']}` (schema: `osce-scrape schema`). Raw values are kept as published; "
        "normalised facets (fields of work, structures, places) are computed by `osce-scrape export`.\n",
        *citation_block(manifest.get("citation")),
        "## Summary\n",
        _table(
            ("", "value"),
            [
                ("site crawled", ", ".join(manifest.get("base_urls") or []) or "unknown (no harvest run)"),
                ("synthetic data", "yes: not from www.osce.org" if manifest.get("synthetic") else "no"),
                ("records", manifest["records"]),
                ("first date", span["first"]),
                ("last date", span["last"]),
                ("records with translations", manifest["records_with_translations"]),
                ("places named / resolved", f"{places['named']} / {places['resolved']}"),
                ("pages skipped (not press releases)", rejects.get("skipped", 0)),
                ("pages rejected or not fetched", rejects["count"] - rejects.get("skipped", 0)),
                ("harvest runs", len(manifest["harvests"])),
                ("first harvest run", _run_start(manifest["harvests"], 0)),
                ("latest harvest run", _run_start(manifest["harvests"], -1)),
                ("parser version (current)", manifest["parser_version_current"]),
                ("osce-scrape version", manifest["osce_scrape_version"]),
                ("card generated", manifest["generated_at"]),
            ],
            None,
        ),
        "\n## Coverage\n",
        coverage_table(manifest.get("coverage") or {}),
        "\n## Counts\n",
        _counts("By year", "year", manifest["by_year"], None),
        _counts("By language", "language", manifest["by_language"]),
        _counts("Translations offered, by language", "language", manifest.get("by_translation_language", {})),
        _counts("By content type", "content type", manifest["by_content_type"]),
        _counts("By field of work (normalised)", "field of work", manifest["by_field_of_work"], None),
        _counts("Field-of-work values outside the taxonomy", "raw value", manifest["fields_of_work_unknown"]),
        _counts("By source (canonical structure)", "source", manifest["by_source"]),
        _counts("By kind of structure", "kind", manifest["by_source_kind"]),
        _counts("Sources not in the structures table", "raw value", manifest["sources_unknown"]),
        _counts("By country of the dateline's places", "ISO 3166 code", places["records_by_country"]),
        _counts("Places the gazetteer did not resolve", "raw place", places["unresolved"]),
        "## Rejected pages\n",
        f"{rejects['count']} pages did not become records ({rejects.get('skipped', 0)} of them no press "
        "releases: kind NotAPressRelease).\n",
        _counts("By kind", "kind", rejects["by_kind"], unit="pages"),
        _counts(
            "Skipped (no press release), by reason",
            "reason",
            rejects.get("skipped_by_reason", {}),
            unit="pages",
        ),
        _counts(
            "Rejected or not fetched, by reason",
            "reason",
            rejects.get("rejected_by_reason", {}),
            unit="pages",
        ),
        "## Harvests\n",
        _harvests(manifest["harvests"]),
        "\n## Parser versions of the records\n",
        _table(("parser version", "records"), manifest["parser_versions"].items(), None),
        "\n## Files (sha256)\n",
        _files(manifest["files"]),
        "",
    ]
    return "\n".join(parts)


COVERAGE_ROWS = (  # (manifest key, what a record has when it counts as "with")
    ("sources", "a source"),
    ("fields_of_work", "a field of work in the taxonomy"),
    ("places", "a dateline place"),
    ("countries", "a place resolved to a country"),
    ("translations", "a translation"),
)


def coverage_table(coverage: Mapping[str, Mapping[str, int]]) -> str:
    """Per facet: records with a value, and with none (what the counts above leave out)."""
    lines = ["| facet | records with | records without | of |", "|---|---:|---:|---:|"]
    for key, label in COVERAGE_ROWS:
        if key in coverage:
            row = coverage[key]
            lines.append(f"| {label} | {row['with']} | {row['without']} | {row['records']} |")
    only_unknown = (coverage.get("fields_of_work") or {}).get("only_unknown", 0)
    if only_unknown:
        lines.append(f"\n{only_unknown} records name only fields of work outside the taxonomy.")
    return "\n".join(lines) + "\n"


def citation_block(cited: Mapping[str, Any] | None) -> list[str]:
    """How to cite: the text and a BibTeX entry (nothing for a manifest written before citations)."""
    if not cited:
        return []
    return [
        "## How to cite\n",
        f"{cited['text']}\n",
        f"```bibtex\n{cited['bibtex']}\n```\n",
    ]


def _run_start(runs: list[dict[str, Any]], index: int) -> str:
    return str(runs[index].get("started_at") or runs[index].get("run")) if runs else "none recorded"


SYNTHETIC_WARNING = (
    "SYNTHETIC DATA: harvested from {sites}, not from www.osce.org (the offline mirror or a test "
    "server). The records carry www.osce.org URLs and real fetch times but are generated or test "
    "pages: do not use them for research."
)


def synthetic_banner(manifest: Mapping[str, Any]) -> list[str]:
    """A warning at the top of the card when any run crawled no live site; nothing otherwise."""
    if not manifest.get("synthetic"):
        return []
    sites = ", ".join(manifest.get("base_urls") or []) or "a site that is not www.osce.org"
    return [f"> **{SYNTHETIC_WARNING.format(sites=sites)}**\n"]


def _harvests(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return "_no harvest runs recorded (runs/*.json)_\n"
    keys = ["run", "started_at", "base_url", "fetched", "new", "changed", "not_press_releases", "rejected",
            "seconds"]  # fmt: skip
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(run.get(k, "")) for k in keys) + " |" for run in runs]
    return "\n".join(lines) + "\n"


def _files(files: Mapping[str, Mapping[str, Any]]) -> str:
    lines = ["| file | bytes | sha256 |", "|---|---:|---|"]
    lines += [f"| `{name}` | {info['bytes']} | `{info['sha256']}` |" for name, info in files.items()]
    return "\n".join(lines) + "\n"
