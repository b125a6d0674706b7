"""Issue #4's fault drill, shared by tests/test_crawl_faults.py and benchmarks/fault_table.py.

Each `FaultCase` crawls a small mirror injecting one kind of fault, then crawls it again with the
faults off. `drill(case, out)` checks the promises and returns the table row: after the faulty run,
every page the mirror serves is a record or a reject naming its error (a page that recovered on a
retry is a record); after the clean run the dataset holds every press release; no record twice.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osce_scrape.harvest.crawl import HarvestConfig, RunStats, run_harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.mirror import FaultSpec, MirrorServer, MirrorSite, running_mirror
from osce_scrape.mirror.faults import FaultInjector, _retry_after

# Seeds of the faults that cannot recover within a run are chosen so the two listing pages are
# spared (a failed listing page is its own, tested case: the walk stops unfinished).
# Fast retries: the drill is about outcomes, not about waiting (the fetch tests check the waits).
FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "max_attempts": 4, "read_timeout": 2.0}


@dataclass(frozen=True)
class FaultCase:
    """A fault, how to inject it, and what a faulted page must end as in the faulty run."""

    name: str
    spec: str
    kinds: tuple[str, ...]  # FaultInjector kinds that count as this fault's injections
    reject_kind: str | None = None  # error kind of pages that stay faulted; None: all must recover
    fetch: dict[str, Any] = field(default_factory=dict)
    pages: int = 12
    robots: bool = False  # a robots.txt fault: the run is refused, the previous dataset stays


CASES = (
    FaultCase("429 + Retry-After (seconds and HTTP-date)", "429:0.15,first=1,retry-after=1,seed=4", ("429",)),
    FaultCase("503 burst (every URL, twice)", "503:1,first=2,retry-after=0", ("503",)),
    FaultCase("500 / 502 / 504", "500:0.2,502:0.2,504:0.2,first=2,seed=1", ("500", "502", "504")),
    FaultCase("connection reset", "reset:0.5,first=2,seed=2", ("reset",)),
    FaultCase("read timeout", "hang:0.4,first=1,hang=5,seed=3", ("hang",), fetch={"read_timeout": 0.3}),
    FaultCase(
        "server never answers",
        "hang:0.35,hang=20,seed=11",
        ("hang",),
        "NetworkError",
        fetch={"read_timeout": 0.3, "max_attempts": 2},
    ),
    FaultCase("truncated body", "truncate:0.5,first=2,seed=5", ("truncate",)),
    FaultCase("empty 200", "empty:0.25,seed=2", ("empty",), "UnexpectedContent"),
    FaultCase("wrong Content-Type", "wrong-type:0.3,seed=2", ("wrong-type",), "UnexpectedContent"),
    FaultCase("redirect loop", "redirect-loop:0.3,seed=2", ("redirect-loop",), "RedirectError"),
    FaultCase("off-host redirect", "offsite-redirect:0.3,seed=2", ("offsite-redirect",), "HostNotAllowed"),
    FaultCase("body over the cap", "bigbody:0.2,seed=2", ("bigbody",), "ResponseTooLarge"),
    FaultCase("gzip bomb", "gzipbomb:0.2,seed=2", ("gzipbomb",), "ResponseTooLarge"),
    FaultCase("cp1251 page, no charset", "cp1251:0.6,seed=13", ("cp1251",)),
    FaultCase("robots.txt answers 500", "robots-500", ("robots-500",), robots=True),
    FaultCase(
        "robots.txt never answers",
        "robots-timeout,hang=20",
        ("robots-timeout",),
        robots=True,
        fetch={"read_timeout": 0.3, "max_attempts": 2},
    ),
)


@dataclass
class DrillResult:
    """One row of the fault table, and the evidence behind it."""

    case: FaultCase
    injected: int
    lost: list[str]  # served press releases that ended as neither record nor reject (or missing at the end)
    duplicates: int
    faulty: RunStats
    clean: RunStats
    rejects: list[dict[str, Any]]
    problems: list[str]  # broken promises other than lost / duplicated

    def row(self) -> str:
        return f"| {self.case.name} | {self.injected} | {len(self.lost)} | {self.duplicates} |"


def crawl(server: MirrorServer, out: Path, **fetch: Any) -> RunStats:
    config = FetchConfig(base_url=server.base_url, **{"rate": 0, "concurrency": 4, **FAST, **fetch})
    return run_harvest(HarvestConfig(fetch=config, out=out))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def drill(case: FaultCase, out: Path) -> DrillResult:
    """Faulty run (then, for robots faults, a run that is refused), clean run, checks."""
    site = MirrorSite(pages=case.pages, fixtures_dir=None)
    problems: list[str] = []
    with running_mirror(site) as server:
        expected = site.expected_records()  # served URL -> record fields
        if case.robots:
            crawl(server, out)  # a dataset to keep intact
            before = (out / "press_releases.jsonl").read_bytes()
        server.faults = FaultInjector(FaultSpec.parse(case.spec))
        faulty = crawl(server, out, **case.fetch)
        injected = sum(server.faults.injected[kind] for kind in case.kinds)
        ids = {r["id"] for r in lines(out / "press_releases.jsonl")}
        rejects = lines(out / "rejects.jsonl")
        rejected = {r["url"]: r for r in rejects}
        lost = [url for url, want in expected.items() if want["id"] not in ids and url not in rejected]
        if case.robots:
            if (out / "press_releases.jsonl").read_bytes() != before:
                problems.append("the refused run changed the dataset")
            refused = faulty.robots_forbidden or faulty.stopped == "unreachable"  # 5xx / no answer
            if not refused or faulty.fetched:
                problems.append("a robots.txt failure did not refuse the crawl")
        elif case.reject_kind is None:
            problems += [f"{r['url']}: {r['kind']}" for r in rejects]  # every page must have recovered
            if faulty.retries < _retried(case, server, injected):
                problems.append(f"stats count {faulty.retries} retries for {injected} faults")
        else:
            kinds = {r["kind"] for r in rejects}
            if kinds != {case.reject_kind} or faulty.errors.get(case.reject_kind) != len(rejects):
                problems.append(f"rejects {Counter(r['kind'] for r in rejects)}, stats {faulty.errors}")
            problems += [f"{r['url']}: no reason" for r in rejects if not r["reason"]]
        if case.name.startswith("429"):
            problems += _both_retry_after_forms(server)
        server.faults = None
        clean = crawl(server, out)
    final = lines(out / "press_releases.jsonl")
    lost += [url for url, want in expected.items() if want["id"] not in {r["id"] for r in final}]
    duplicates = len(final) - len({r["id"] for r in final})
    if case.reject_kind is None and not case.robots:
        problems += _wrong_fields(final, expected)
    return DrillResult(case, injected, lost, duplicates, faulty, clean, rejects, problems)


def _retried(case: FaultCase, server: MirrorServer, injected: int) -> int:
    """Every injected fault of a recovering case costs one retry (cp1251 pages are no failure)."""
    return 0 if case.kinds == ("cp1251",) else injected


def _both_retry_after_forms(server: MirrorServer) -> list[str]:
    faulted = [r.path for r in server.request_log if r.status == 429]
    forms = {_retry_after(FaultSpec(retry_after=1), path).isdigit() for path in faulted}
    return [] if forms == {True, False} else [f"429s met only one Retry-After form: {faulted}"]


def _wrong_fields(final: list[dict[str, Any]], expected: dict[str, dict[str, Any]]) -> list[str]:
    """Recovered pages must give the very record a clean page gives."""
    by_id = {r["id"]: r for r in final}
    fields = ("title", "date", "place", "body", "language", "sources", "fields_of_work")
    wrong = []
    for url, want in expected.items():
        got = by_id.get(want["id"])
        if got is not None and (bad := [f for f in fields if got[f] != want[f]]):
            wrong.append(f"{url}: wrong {', '.join(bad)}")
    return wrong
