"""How to cite a dataset folder: title, version, date range, record count and the dataset file's sha256.

The same block goes on the data card (DATASET.md, manifest.json "citation") and in the report. The
version is the start of the latest harvest run (a UTC stamp such as 20261204T164148Z): the dataset
changes only when a run changes it. A folder with no run recorded (made by `osce-scrape parse`) is
versioned by its dataset file's sha256 alone, "unversioned" in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TITLE = "OSCE press releases"
LIVE_SITE = "https://www.osce.org"
UNVERSIONED = "unversioned"


def dataset_version(harvests: Sequence[Mapping[str, Any]]) -> str:
    """The latest harvest run's name (its UTC start stamp), or "unversioned" when none is recorded."""
    return str(harvests[-1]["run"]) if harvests else UNVERSIONED


def citation(
    *,
    records: int,
    date_range: Mapping[str, str | None],
    version: str,
    dataset_file: str,
    sha256: str | None,
    sites: Sequence[str],
    synthetic: bool,
    tool_version: str,
) -> dict[str, Any]:
    """The citation's facts, a one-paragraph text and a BibTeX entry."""
    facts: dict[str, Any] = {
        "title": TITLE,
        "version": version,
        "date_range": dict(date_range),
        "records": records,
        "dataset_file": dataset_file,
        "sha256": sha256,
        "source": ", ".join(sites) or LIVE_SITE,
        "synthetic": synthetic,
        "software": f"osce-scrape {tool_version}",
    }
    facts["text"] = citation_text(facts)
    facts["bibtex"] = citation_bibtex(facts)
    return facts


def citation_text(facts: Mapping[str, Any]) -> str:
    """The citation as one paragraph."""
    span = facts["date_range"]
    prefix = "SYNTHETIC DATA, not for research: " if facts["synthetic"] else ""
    return (
        f"{prefix}{facts['title']} [data set], version {facts['version']}. Harvested from "
        f"{facts['source']} with {facts['software']}. {facts['records']} press releases, "
        f"{span.get('first') or '?'} to {span.get('last') or '?'}. "
        f"File {facts['dataset_file']}, sha256 {facts['sha256'] or 'unknown'}."
    )


def citation_bibtex(facts: Mapping[str, Any]) -> str:
    """The citation as a BibTeX @misc entry (the key: osce_press_releases_<version>)."""
    span = facts["date_range"]
    key = "osce_press_releases_" + "".join(c for c in str(facts["version"]) if c.isalnum()).lower()
    note = (
        f"{facts['records']} press releases, {span.get('first') or '?'} to {span.get('last') or '?'}; "
        f"{facts['dataset_file']} sha256 {facts['sha256'] or 'unknown'}"
        + ("; SYNTHETIC DATA, not for research" if facts["synthetic"] else "")
    )
    lines = [
        f"@misc{{{key},",
        f"  title = {{{{{facts['title']}}}}},",
        f"  version = {{{facts['version']}}},",
        f"  howpublished = {{Harvested from {facts['source']} with {facts['software']}}},",
        f"  note = {{{note}}},",
        "}",
    ]
    return "\n".join(lines)
