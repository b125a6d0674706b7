"""What an output folder says beside its records: sites crawled, runs, rejects, the dataset's sha256.

The report shows these facts; the data card states them too (card.build_manifest reads the same files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osce_scrape.dataset.card import (
    REJECTS_FILE,
    RUNS_DIR,
    harvest_sites,
    previous_files,
    read_rejects,
    read_runs,
    sha256_file,
)
from osce_scrape.dataset.columns import DATASET_FILE
from osce_scrape.parse.version import PARSER_VERSION


@dataclass(frozen=True)
class FolderFacts:
    """The provenance of a dataset. Built from records alone (no folder), only `sites`/`synthetic` may
    be known: `rejects` is None and `harvests` empty."""

    sites: list[str] = field(default_factory=list)
    synthetic: bool = False
    harvests: list[dict[str, Any]] = field(default_factory=list)
    rejects: dict[str, Any] | None = None
    dataset_file: str = DATASET_FILE
    dataset_sha256: str | None = None
    parser_version_current: str = PARSER_VERSION


def folder_facts(out_dir: Path) -> FolderFacts:
    """Read the folder's runs/*.json, rejects.jsonl and hash its dataset file (the manifest's sha256 is
    reused when the file's size and mtime are those it lists)."""
    harvests = read_runs(out_dir / RUNS_DIR)
    sites = harvest_sites(harvests)
    return FolderFacts(
        sites=sites["base_urls"],
        synthetic=sites["synthetic"],
        harvests=harvests,
        rejects=read_rejects(out_dir / REJECTS_FILE),
        dataset_sha256=dataset_sha256(out_dir / DATASET_FILE),
    )


def dataset_sha256(path: Path) -> str | None:
    """The dataset file's sha256 (None when there is no file)."""
    if not path.is_file():
        return None
    known = previous_files(path.parent).get(path.name)
    info = path.stat()
    if (
        isinstance(known, dict)
        and known.get("bytes") == info.st_size
        and known.get("mtime_ns") == info.st_mtime_ns
        and isinstance(known.get("sha256"), str)
    ):
        return str(known["sha256"])
    return sha256_file(path)
