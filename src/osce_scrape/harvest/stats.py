"""A harvest run's numbers: counted as it goes, written to runs/<ts>.json, summed up in one line."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

MAX_EXAMPLES = 20  # disagreements kept verbatim in the stats file; all are logged

# Why a run stopped before its end: "" it did not; Ctrl-C or SIGTERM; the site stopped answering;
# --max-duration ran out.
StopKind = Literal["", "interrupted", "unreachable", "deadline"]


@dataclass
class RunStats:
    """What one run did. `not_press_releases` pages were fetched and are something else (event,
    landing, error pages): skipped, no failure. `rejected` pages looked like press releases but did
    not become valid records: a failure of the run (exit 1)."""

    run: str = ""
    base_url: str = ""  # the site crawled
    synthetic: bool = False  # the site is no live OSCE site (the offline mirror, a test server)
    discovery_documents: int = 0  # listing pages, sitemaps, feeds fetched
    discovered: int = 0  # distinct item URLs on allowed hosts
    off_host: int = 0  # URLs skipped because they leave the allowed hosts
    bad_links: int = 0  # listing or sitemap links skipped because they are no URL ("http://[bad")
    pager_loops: int = 0  # listing walks stopped at a page read before, or one adding no entry
    listing_drift: int = 0  # listing pages with no entries where entries were expected (template change?)
    queued: int = 0  # items the incremental rule wanted
    skipped: int = 0  # seen before and settled, or older than --since
    fetched: int = 0  # 200 responses for items
    not_modified: int = 0  # 304 responses for items
    new: int = 0
    changed: int = 0
    unchanged: int = 0  # refetched, parsed, same content
    not_press_releases: int = 0  # fetched, not press releases: fetched again after a backoff
    rejected: int = 0  # fetched, press releases that failed to parse or validate
    conflicts: int = 0  # pages whose record id another page's record already has (rejects lines)
    withdrawn: int = 0  # pages of records that answered 404/410 (records kept: withdrawn.jsonl)
    rederived: int = 0  # pages re-parsed from the archive by a new parser version, not refetched
    quarantined: int = 0  # damaged dataset lines, state records or state files set aside
    disallowed: int = 0  # robots.txt said no
    errors: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    bytes: int = 0  # decoded bodies of the responses used
    requests: int = 0  # HTTP requests sent: robots.txt, discovery, items, redirect hops, retries
    wire_bytes: int = 0  # bytes received on the wire (compressed), all requests
    seconds: float = 0.0
    listing_disagreements: dict[str, int] = field(default_factory=dict)
    disagreement_examples: list[dict[str, str]] = field(default_factory=list)
    stopped: StopKind = ""  # "" ran to the end; "interrupted" (Ctrl-C, SIGTERM); "unreachable"; "deadline"
    stop_reason: str = ""  # the stop in words
    robots_forbidden: bool = False  # robots.txt forbade (or could not be read for) a discovery document
    card: bool = False  # DATASET.md and manifest.json were rewritten after this run

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    @property
    def done(self) -> int:
        """Items finished, for progress: fetched, not modified, or failed."""
        return self.fetched + self.not_modified + self.failed + self.disallowed

    @property
    def reject_share(self) -> float:
        """Pages fetched (200s) that did not become records, rejected or skipped, as a share: the
        drift signal (after a template change, press releases may look like no press release)."""
        return (self.rejected + self.not_press_releases) / self.fetched if self.fetched else 0.0

    def disagree(self, what: str, url: str, listing: str, page: str) -> None:
        """The listing's `what` (title, date) differs from the page's; the page's value is kept."""
        self.listing_disagreements[what] = self.listing_disagreements.get(what, 0) + 1
        if len(self.disagreement_examples) < MAX_EXAMPLES:
            self.disagreement_examples.append({"url": url, "field": what, "listing": listing, "page": page})
        log.info("listing and page disagree on the %s of %s: %r vs %r", what, url, listing, page)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failed": self.failed, "reject_share": round(self.reject_share, 4)}

    def line(self, *, stop: bool = True) -> str:
        """The one-line summary (`stop`: with why the run stopped early, if it did)."""
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"{self.discovered} discovered, {self.fetched} fetched, "
            f"{self.not_modified} not modified, "
            f"{self.new} new, {self.changed} changed, "
            f"{self.not_press_releases} skipped (not press releases), {self.rejected} rejected, "
            f"errors: {errors}, {self.bytes / 1e6:.1f} MB in {self.seconds:.1f} s"
            + (f"; stopped: {self.stop_reason}" if self.stopped and stop else "")
            + ("; robots.txt forbids the crawl" if self.robots_forbidden and stop else "")
        )

    def progress_line(self, rate: float) -> str:
        """A periodic progress line for logs (off a terminal): done/queued, rate, errors."""
        return (
            f"{self.done}/{self.queued} pages done ({self.fetched} fetched, {self.not_modified} not "
            f"modified), {rate:.1f} pages/s, {self.new} new, {self.rejected} rejected, {self.failed} errors"
        )
