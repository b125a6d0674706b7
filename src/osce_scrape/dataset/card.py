"""The data card: output/DATASET.md for people and output/manifest.json for programs.

What the folder holds (records, date range, counts by year, language, content type, field of work and
source), what did not make it (rejected pages and why), when it was harvested, by which parser, and the
sha256 of every file, so a copy can be checked. `write_card(out_dir)` is called by each crawl and by
`osce-scrape card`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from osce_scrape.dataset.card_markdown import render_card
from osce_scrape.dataset.citation import TITLE, citation, dataset_version
from osce_scrape.dataset.columns import DATASET_FILE
from osce_scrape.dataset.reader import load
from osce_scrape.dataset.stats import collect
from osce_scrape.errors import DatasetError
from osce_scrape.files import RUN_STAMP, atomic_writer
from osce_scrape.parse.version import PARSER_VERSION

log = logging.getLogger(__name__)

CARD_FILE = "DATASET.md"
MANIFEST_FILE = "manifest.json"
REJECTS_FILE = "rejects.jsonl"
WITHDRAWN_FILE = "withdrawn.jsonl"  # records whose page answers 404/410 (the crawl rewrites it)
RUNS_DIR = "runs"
SKIPPED_KIND = "NotAPressRelease"  # the kind of a reject line for a page that is no press release
# Not hashed: the card itself, and files that change while a crawl runs or that only exist during one.
_UNHASHED_SUFFIXES = (".tmp", ".lock", "-wal", "-shm", "-journal")
_HASH_CHUNK = 1 << 20


def write_card(out_dir: Path) -> dict[str, Any]:
    """Write DATASET.md and manifest.json into `out_dir`; return the manifest.

    Both are written whole beside their targets first, then renamed one after the other: a kill
    leaves the old pair or the new one (or, between the two renames, a new DATASET.md beside the
    old manifest, which the next run's card replaces)."""
    manifest = build_manifest(out_dir)
    card = render_card(manifest)
    with (
        atomic_writer(out_dir / MANIFEST_FILE) as manifest_file,
        atomic_writer(out_dir / CARD_FILE) as card_file,
    ):
        json.dump(manifest, manifest_file, indent=2, ensure_ascii=False)
        manifest_file.write("\n")
        card_file.write(card)
    log.info("wrote %s and %s in %s", CARD_FILE, MANIFEST_FILE, out_dir)
    return manifest


def build_manifest(out_dir: Path) -> dict[str, Any]:
    """Everything the card states, as JSON-ready data."""
    dataset = out_dir / DATASET_FILE
    if not dataset.is_file():
        raise DatasetError(f"no {DATASET_FILE}: crawl or parse into this folder first", source=str(out_dir))
    from osce_scrape import __version__  # late: the package may still be loading when we are imported

    harvests = read_runs(out_dir / RUNS_DIR)
    manifest: dict[str, Any] = {
        "name": TITLE,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dataset_file": DATASET_FILE,
        "osce_scrape_version": __version__,
        "parser_version_current": PARSER_VERSION,
        **collect(load(dataset)).as_dict(),
        **harvest_sites(harvests),
        "rejects": read_rejects(out_dir / REJECTS_FILE),
        "withdrawn": read_withdrawn(out_dir / WITHDRAWN_FILE),
        "harvests": harvests,
        "files": hash_files(out_dir, previous_files(out_dir)),
    }
    manifest["citation"] = citation(
        records=manifest["records"],
        date_range=manifest["date_range"],
        version=dataset_version(harvests),
        dataset_file=DATASET_FILE,
        sha256=manifest["files"][DATASET_FILE]["sha256"],
        sites=manifest["base_urls"],
        synthetic=manifest["synthetic"],
        tool_version=__version__,
    )
    return manifest


def read_rejects(path: Path) -> dict[str, Any]:
    """Rejected pages, counted by kind of error and by reason (crawl and `parse` formats alike)."""
    kinds: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    skipped: Counter[str] = Counter()  # reasons of pages that are no press release
    for item in _reject_lines(path):
        kind = str(item.get("kind") or item.get("error") or "unknown")
        reason = str(item.get("reason") or "unknown")
        kinds[kind] += 1
        reasons[reason] += 1
        skipped[reason] += kind == SKIPPED_KIND
    rejected = reasons - skipped
    return {
        "count": sum(kinds.values()),
        "skipped": kinds[SKIPPED_KIND],  # pages that are no press release: no failure
        "by_kind": dict(kinds.most_common()),
        "by_reason": dict(reasons.most_common()),
        "skipped_by_reason": dict((+skipped).most_common()),
        "rejected_by_reason": dict(rejected.most_common()),
    }


def _reject_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of rejects.jsonl; a line that is no JSON object counts as kind 'unreadable'."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                item = None
            if not isinstance(item, dict):  # not JSON, or JSON that is no object ([1], "x")
                log.warning("%s:%d is no JSON object; counted as 'unreadable'", path, number)
                item = {"kind": "unreadable", "reason": "unreadable line in rejects.jsonl"}
            yield item


def read_withdrawn(path: Path) -> list[dict[str, Any]]:
    """The records listed as withdrawn (their page answers 404/410), as the crawl wrote them."""
    if not path.is_file():
        return []
    entries: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                entry = None
            if isinstance(entry, dict):
                entries.append(entry)
            elif line.strip():
                log.warning("%s:%d is no JSON object; skipped", path, number)
    return entries


def read_runs(runs_dir: Path) -> list[dict[str, Any]]:
    """One entry per harvest run (runs/<stamp>.json), oldest first: when, and what it did."""
    runs: list[dict[str, Any]] = []
    for path in sorted(runs_dir.glob("*.json"), key=_run_order) if runs_dir.is_dir() else []:
        try:
            stats = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not JSON
            log.warning("skipping unreadable run file %s: %s", path, exc)
            continue
        if not isinstance(stats, dict):
            log.warning("skipping run file %s: no JSON object", path)
            continue
        name = str(stats.get("run") or path.stem)
        entry: dict[str, Any] = {"run": name, "started_at": _run_time(name)}
        keys = ("base_url", "synthetic", "fetched", "new", "changed", "unchanged", "not_press_releases",
                "rejected", "conflicts", "withdrawn", "rederived", "quarantined", "seconds")  # fmt: skip
        for key in keys:
            if key in stats:
                entry[key] = stats[key]
        runs.append(entry)
    return runs


def _run_order(path: Path) -> tuple[str, int, str]:
    """Runs by start: `<stamp>` before `<stamp>-1` (a second run in the same second), which plain
    sorting puts the other way round ('-' < '.')."""
    return path.stem[:16], len(path.stem), path.stem


def harvest_sites(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Which sites the runs crawled: "base_url" (the latest run's), "base_urls" (all, oldest first),
    and "synthetic": true when any run crawled no live OSCE site (the offline mirror, a test server),
    whose records look real (www.osce.org URLs, fetch times) but are not."""
    urls = [str(run["base_url"]) for run in runs if run.get("base_url")]
    return {
        "base_url": urls[-1] if urls else None,
        "base_urls": list(dict.fromkeys(urls)),
        "synthetic": any(run.get("synthetic") is True for run in runs),
    }


def _run_time(name: str) -> str | None:
    try:
        return dt.datetime.strptime(name[:16], RUN_STAMP).replace(tzinfo=dt.UTC).isoformat()
    except ValueError:
        return None


def hash_files(out_dir: Path, previous: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """{relative path: {"bytes", "mtime_ns", "sha256"}} of every file under `out_dir` but the card's own.

    A file whose size and mtime_ns are those `previous` (the last manifest's "files") holds keeps its
    sha256 unread: a long-lived folder's archive/ runs to gigabytes and only its newest WARC changes.
    """
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(out_dir).as_posix()
        if relative in {CARD_FILE, MANIFEST_FILE} or _transient(path):
            continue
        info = path.stat()
        entry: dict[str, Any] = {"bytes": info.st_size, "mtime_ns": info.st_mtime_ns}
        known = (previous or {}).get(relative)
        if isinstance(known, dict) and {k: known.get(k) for k in entry} == entry and _is_sha256(known):
            entry["sha256"] = known["sha256"]
        else:
            entry["sha256"] = sha256_file(path)
        files[relative] = entry
    return files


def previous_files(out_dir: Path) -> dict[str, Any]:
    """The "files" of the manifest already in `out_dir` (empty when there is none, or it is unreadable)."""
    try:
        manifest = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = manifest.get("files") if isinstance(manifest, dict) else None
    return files if isinstance(files, dict) else {}


def _is_sha256(entry: dict[str, Any]) -> bool:
    digest = entry.get("sha256")
    return isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


def _transient(path: Path) -> bool:
    return path.name.startswith(".") or path.name.endswith(_UNHASHED_SUFFIXES)


def sha256_file(path: Path) -> str:
    """The file's sha256, read in 1 MiB chunks (WARC files run to gigabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
