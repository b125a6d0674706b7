"""The hostile-input drill: every kind of hostile or broken input the crawl was found to choke on, as one
table of cases run against tests/hostilekit.py's raw server, each measured the same way:

- lost: an item of the site that is neither a record, nor a line of rejects.jsonl, nor queued in the state
  for the next run (dropped silently);
- silently replaced: a record at an item's URL or id that holds another item's text, with no reject line;
- seconds: the slowest run, against the case's deadline (no hang).

tests/test_hostile_table.py asserts every row; benchmarks/fault_table.py prints the table for
docs/reliability.md. Each kind also has its own end-to-end test (tests/test_hostile_*.py) with the details.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hostilekit import HostileSite, Reply, article_html, json_lines, listing_entry, listing_html, serving
from osce_scrape.cli.exit_codes import DEFAULT_DRIFT_THRESHOLD, crawl_exit_code
from osce_scrape.harvest.crawl import HarvestConfig, RunStats, run_harvest
from osce_scrape.harvest.fetch import FetchConfig

Arrange = Callable[[HostileSite, str], None]  # (site, base URL): make the site hostile
Damage = Callable[[Path], None]  # (output folder): break a file between two runs


@dataclass(frozen=True)
class Case:
    name: str
    arrange: Arrange
    pages: int = 3
    hostile: frozenset[int] = frozenset()  # items that must end as reject lines, not records
    exit_code: int = 0  # of the last run
    runs: int = 1
    damage: Damage | None = None  # applied after every run but the last
    fetch: dict[str, Any] = field(default_factory=dict)  # FetchConfig options
    harvest: dict[str, Any] = field(default_factory=dict)  # HarvestConfig options
    deadline: float = 30.0  # seconds the slowest run may take
    finds_nothing: bool = False  # robots.txt refuses the crawl, or the listing shows no item at all


@dataclass
class Outcome:
    case: Case
    items: int
    records: int
    rejects: int
    lost: list[str]
    replaced: list[str]
    exit_code: int
    seconds: float

    @property
    def problems(self) -> list[str]:
        found = [f"lost {url}" for url in self.lost] + [f"replaced {url}" for url in self.replaced]
        if self.exit_code != self.case.exit_code:
            found.append(f"exit {self.exit_code}, want {self.case.exit_code}")
        if self.seconds > self.case.deadline:
            found.append(f"took {self.seconds:.1f} s, deadline {self.case.deadline:.0f} s")
        return found

    def row(self) -> str:
        return (
            f"| {self.case.name} | {self.case.runs} | {self.items} | {self.records} | {self.rejects} | "
            f"{len(self.lost)} | {len(self.replaced)} | {self.exit_code} | "
            f"{self.seconds:.1f} (≤ {self.case.deadline:.0f}) |"
        )


HEADER = (
    "| hostile input | runs | items | records | reject lines | lost | silently replaced | exit "
    "| slowest run, s |\n|---|---|---|---|---|---|---|---|---|"
)


def drill(case: Case, out: Path) -> Outcome:
    """Serve the case's site, crawl it `runs` times into `out`, account for every item."""
    site = HostileSite.make(case.pages, dt.date.today() - dt.timedelta(days=2))
    seconds, stats = 0.0, RunStats()
    with serving(site) as server:
        case.arrange(site, server.base_url)
        for run in range(case.runs):
            config = FetchConfig(base_url=server.base_url, rate=0, **case.fetch)
            started = time.monotonic()
            stats = run_harvest(HarvestConfig(fetch=config, out=out, **case.harvest))
            seconds = max(seconds, time.monotonic() - started)
            if case.damage is not None and run < case.runs - 1:
                case.damage(out)
        base = server.base_url
    records = json_lines(out / "press_releases.jsonl")
    rejects = json_lines(out / "rejects.jsonl")
    rejected_urls = {line.get("url") for line in rejects} | _queued(out)
    by_url = {record["url"]: record for record in records}
    lost, replaced = [], []
    for index, item in enumerate(site.items):
        url = base + item.path
        record = by_url.get(url)
        if record is not None and record["title"] != item.title and url not in rejected_urls:
            replaced.append(url)
        elif case.finds_nothing:
            continue
        elif (record is None or index in case.hostile) and url not in rejected_urls:
            lost.append(url)
    code = crawl_exit_code(stats, DEFAULT_DRIFT_THRESHOLD)
    return Outcome(case, len(site.items), len(records), len(rejects), lost, replaced, code, seconds)


def _queued(out: Path) -> set[str]:
    """URLs the state keeps for the next run (discovered and not fetched, or failed)."""
    if not (out / "state.sqlite").exists():
        return set()
    with sqlite3.connect(out / "state.sqlite") as db:
        rows = db.execute("SELECT url FROM urls WHERE status IN ('new', 'error')").fetchall()
    db.close()
    return {str(row[0]) for row in rows}


# --- the cases -----------------------------------------------------------------------------------------
def _page(site: HostileSite, index: int, **options: Any) -> bytes:
    item = site.items[index]
    return article_html(item.node, item.title, item.date, **options)


def nesting_bomb(site: HostileSite, base: str) -> None:
    site.routes[site.items[0].path] = Reply(body=b"<div>" * 20_000 + _page(site, 0) + b"</div>" * 20_000)


def unclosed_nesting(site: HostileSite, base: str) -> None:
    site.routes[site.items[0].path] = Reply(body=b"<html><body>" + b"<div>" * 200_000 + _page(site, 0))


def attribute_bomb(site: HostileSite, base: str) -> None:
    attributes = " ".join(f"a{i}=x" for i in range(100_000)).encode()
    site.routes[site.items[0].path] = Reply(body=b"<p " + attributes + b">x</p>" + _page(site, 0))


def non_ascii_link(site: HostileSite, base: str) -> None:
    entries = [listing_entry(f"/ru/секретариат/{item.node}", item.title, item.date) for item in site.items]
    site.routes["/press-releases"] = Reply(body=listing_html(entries, None))
    for index, item in enumerate(site.items):
        encoded = "/ru/%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82%D0%B0%D1%80%D0%B8%D0%B0%D1%82"
        item_path = f"{encoded}/{item.node}"
        site.routes[item_path] = Reply(body=_page(site, index, lang="ru"))
        site.items[index] = _Moved(item.node, item.title, item.date, item_path)


@dataclass
class _Moved:
    """An item served at another path than /secretariat/<node> (the accounting reads `.path`)."""

    node: int
    title: str
    date: dt.date
    path: str


def cookies_and_odd_headers(site: HostileSite, base: str) -> None:
    cookies = [(b"Set-Cookie", b"c%d=%s" % (i, b"x" * 100)) for i in range(100)]
    odd = [(b"ETag", '"café"'.encode()), (b"Last-Modified", b"Mon, 01 Jan 2024 00:00:00 GMT\xe9")]
    headers = [(b"Set-Cookie", "s=café".encode()), *cookies, *odd, (b"X-Note", "☃".encode())]
    for index, item in enumerate(site.items):
        site.routes[item.path] = Reply(body=_page(site, index), headers=headers)


def drip_and_silence(site: HostileSite, base: str) -> None:
    site.routes[site.items[0].path] = Reply(body=_page(site, 0), drip=1.0)
    site.routes[site.items[1].path] = Reply(body=_page(site, 1), header_delay=600)


def crawl_delay(site: HostileSite, base: str) -> None:
    site.robots = b"User-agent: *\nCrawl-delay: 1000000000\nAllow: /\n"


def robots_bom(site: HostileSite, base: str) -> None:
    site.robots = b"\xef\xbb\xbfUser-agent: *\nDisallow: /\n"


def canonicals_at_home(site: HostileSite, base: str) -> None:
    for index, item in enumerate(site.items):
        site.routes[item.path] = Reply(body=_page(site, index, canonical=base + "/"))


def canonical_at_another_page(site: HostileSite, base: str) -> None:
    site.routes[site.items[1].path] = Reply(body=_page(site, 1, canonical=base + site.items[0].path))


def canonical_on_another_host(site: HostileSite, base: str) -> None:
    other = site.items[1]
    site.routes[site.items[0].path] = Reply(
        body=_page(site, 0, canonical=f"https://evil.example{other.path}")
    )


def url_variants(site: HostileSite, base: str) -> None:
    one = site.items[0]
    hrefs = [one.path, one.path + "/", one.path + "?utm=x", one.path + "#top", base.upper() + one.path]
    entries = [listing_entry(href, one.title, one.date) for href in hrefs]
    entries += [listing_entry(item.path, item.title, item.date) for item in site.items[1:]]
    site.routes["/press-releases"] = Reply(body=listing_html(entries, None))


def gone_after_first_run(site: HostileSite, base: str) -> None:
    """Item 0 answers 410 from its second request on (its record stays, listed as withdrawn)."""
    served: list[int] = []
    page = _page(site, 0)

    def answer(request: Any) -> Reply:
        served.append(1)
        return (
            Reply(body=page) if len(served) == 1 else Reply(410, b"<html><body><h1>Gone</h1></body></html>")
        )

    site.routes[site.items[0].path] = answer


def bad_byte_in_dataset(out: Path) -> None:
    dataset = out / "press_releases.jsonl"
    dataset.write_bytes(dataset.read_bytes().replace(b"Item 1 of", b"Item \xff of"))


def invalid_json_in_state(out: Path) -> None:
    with sqlite3.connect(out / "state.sqlite") as db:
        db.execute("UPDATE records SET json = substr(json, 1, 40)")
    db.close()


def corrupt_state_page(out: Path) -> None:
    state = out / "state.sqlite"
    data = bytearray(state.read_bytes())
    data[4096 : min(len(data), 12288)] = b"\x5a" * (min(len(data), 12288) - 4096)
    state.write_bytes(bytes(data))


def pager_back_to_page_0(site: HostileSite, base: str) -> None:
    """Three listing pages; the last one's pager leads back to page 0."""

    def answer(request: Any) -> Reply:
        number = int(request.query.get("page", "0") or 0)
        listing = site.listing(number)
        if number == 2:
            chunk = site.items[20:]
            entries = [listing_entry(item.path, item.title, item.date) for item in chunk]
            return Reply(body=listing_html(entries, "/press-releases?page=0"))
        return listing

    site.routes["/press-releases"] = answer


def pager_without_end(site: HostileSite, base: str) -> None:
    """Every listing page shows the same entries and a next page."""

    def answer(request: Any) -> Reply:
        number = int(request.query.get("page", "0") or 0)
        entries = [listing_entry(item.path, item.title, item.date) for item in site.items]
        return Reply(body=listing_html(entries, f"/press-releases?page={number + 1}"))

    site.routes["/press-releases"] = answer


def listing_template_changed(site: HostileSite, base: str) -> None:
    site.routes["/press-releases"] = Reply(
        body=b"<html><body><main><p>A new layout.</p></main></body></html>"
    )


def listing_attribute_bomb(site: HostileSite, base: str) -> None:
    attributes = " ".join(f"a{i}=x" for i in range(100_000)).encode()
    site.routes["/press-releases"] = Reply(body=b"<div " + attributes + b">x</div>" + site.listing(0).body)


def sitemap_naming_itself(site: HostileSite, base: str) -> None:
    """An index that lists itself beside a child sitemap of the items (read once each)."""
    urls = "".join(f"<url><loc>{base}{item.path}</loc></url>" for item in site.items)
    index = f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap><sitemap><loc>{base}/items.xml</loc></sitemap>"
    xml = b"text/xml"
    site.routes["/sitemap.xml"] = Reply(
        body=f"<sitemapindex>{index}</sitemapindex>".encode(), content_type=xml
    )
    site.routes["/items.xml"] = Reply(body=f"<urlset>{urls}</urlset>".encode(), content_type=xml)


def empty_sitemap(site: HostileSite, base: str) -> None:
    site.routes["/sitemap.xml"] = Reply(body=b"<urlset></urlset>", content_type=b"text/xml")


def empty_feed(site: HostileSite, base: str) -> None:
    feed = b'<rss version="2.0"><channel><title>News</title></channel></rss>'
    site.routes["/rss.xml"] = Reply(body=feed, content_type=b"application/rss+xml")


def everything_drips(site: HostileSite, base: str) -> None:
    """Every item page drips a byte a second: only the run deadline ends the run."""
    for index, item in enumerate(site.items):
        site.routes[item.path] = Reply(body=_page(site, index), drip=1.0)


def well_behaved(site: HostileSite, base: str) -> None:
    """Nothing hostile: the reference row."""


FAST = {"response_deadline": 1.0, "max_attempts": 2, "backoff_initial": 0.05}
CASES = [
    Case("a well-behaved site (reference)", well_behaved),
    Case("20,000 nested elements (memory bomb)", nesting_bomb, hostile=frozenset({0}), exit_code=1),
    Case(
        "200,000 unclosed <div>s (quadratic in the HTML parser)",
        unclosed_nesting,
        hostile=frozenset({0}),
        exit_code=1,
        deadline=5,
    ),
    Case("100,000 attributes on one element", attribute_bomb, hostile=frozenset({0}), exit_code=1),
    Case("raw non-ASCII links in the listing", non_ascii_link, runs=2),
    Case(
        "non-ASCII Set-Cookie, 100 cookies, non-ASCII ETag / Last-Modified", cookies_and_odd_headers, runs=2
    ),
    Case(
        "a 1 byte/s body; headers that never come",
        drip_and_silence,
        hostile=frozenset({0, 1}),
        exit_code=1,
        fetch=FAST,
        deadline=15,
    ),
    Case("`Crawl-delay: 1000000000`", crawl_delay, fetch={"max_crawl_delay": 0.2}, deadline=10),
    Case("robots.txt `Disallow: /` after a UTF-8 BOM", robots_bom, exit_code=4, finds_nothing=True),
    Case("the pager's last page leads back to page 0", pager_back_to_page_0, pages=25, exit_code=1),
    Case("every listing page has a next page, same entries", pager_without_end, exit_code=1),
    Case(
        "the listing's template changed: no entries",
        listing_template_changed,
        exit_code=6,
        finds_nothing=True,
    ),
    Case(
        "100,000 attributes in a listing page",
        listing_attribute_bomb,
        exit_code=1,
        finds_nothing=True,
        deadline=5,
    ),
    Case(
        "every page drips; `--max-duration 3`",
        everything_drips,
        exit_code=8,
        deadline=10,
        harvest={"max_duration": 3.0, "stop_grace": 1.0},
    ),
    Case("every canonical names the home page", canonicals_at_home, pages=20),
    Case("a canonical names another release", canonical_at_another_page, hostile=frozenset({1}), exit_code=1),
    Case("a canonical names a release on another host", canonical_on_another_host),
    Case("five URL variants of one page", url_variants),
    Case("a known page answers 410 (withdrawn)", gone_after_first_run, runs=2, exit_code=1),
    Case(
        "a non-UTF-8 byte in press_releases.jsonl",
        well_behaved,
        runs=2,
        damage=bad_byte_in_dataset,
        exit_code=1,
    ),
    Case(
        "invalid JSON in the state's records", well_behaved, runs=2, damage=invalid_json_in_state, exit_code=1
    ),
    Case(
        "a corrupt page in state.sqlite",
        well_behaved,
        pages=30,
        runs=2,
        damage=corrupt_state_page,
        exit_code=1,
    ),
]
