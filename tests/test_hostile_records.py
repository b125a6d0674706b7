"""Issue 9 over loopback: records that collide, rejections retried, a parser upgrade, damaged files,
withdrawn pages; the real CLI against tests/hostilekit.py's raw server."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest

from hostilekit import HostileSite, Reply, article_html, crawl, last_stats, records, rejects, serving
from osce_scrape.errors import NotAPressRelease
from osce_scrape.harvest import jobs, rederive
from osce_scrape.harvest.crawl import HarvestConfig, harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.models import PressRelease
from osce_scrape.parse import PARSER_VERSION, parse_page

pytestmark = pytest.mark.e2e


def test_every_canonical_at_the_home_page_keeps_every_release(tmp_path: Path) -> None:
    """Twenty pages whose canonical all name "/" are twenty records (the canonical is no item URL,
    so each keeps its fetched URL and node id), not one; exit 0."""
    site = HostileSite.make(20)
    with serving(site) as server:
        for item in site.items:
            site.routes[item.path] = Reply(body=article_html(item.node, item.title, item.date,
                                                             canonical=server.base_url + "/"))  # fmt: skip
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == 0, result.output
    got = {(r["id"], r["url"], r["title"]) for r in records(tmp_path)}
    assert got == {(str(i.node), server.base_url + i.path, i.title) for i in site.items}


def test_two_pages_claiming_one_id_are_a_conflict_not_a_replacement(tmp_path: Path) -> None:
    """Page B (item 1) names page A (item 0) as its canonical: the first-stored record of A's id
    stays, the other page is a reject line naming both URLs, counted in the stats; exit 1. A later
    run where B claims A's id keeps A's record and B's own earlier one."""
    site = HostileSite.make(3)
    a, b = site.items[0], site.items[1]
    with serving(site) as server:
        assert crawl(server.base_url, tmp_path).exit_code == 0
        site.routes[b.path] = Reply(body=article_html(b.node, b.title, b.date,
                                                      canonical=server.base_url + a.path))  # fmt: skip
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == 1, result.output
    by_id = {r["id"]: (r["url"], r["title"]) for r in records(tmp_path)}
    assert by_id == {str(i.node): (server.base_url + i.path, i.title) for i in site.items}
    [conflict] = rejects(tmp_path)
    assert conflict["kind"] == "RecordConflict" and conflict["url"] == server.base_url + b.path
    assert f"record id {a.node} is already the record of {server.base_url}{a.path}" in conflict["reason"]
    assert f"{server.base_url}{b.path} claims it too" in conflict["reason"]
    stats = last_stats(tmp_path)
    assert (stats["conflicts"], stats["new"], stats["changed"]) == (1, 0, 0)


def test_a_conflict_in_one_run_keeps_the_first_record(tmp_path: Path) -> None:
    """Two pages of one run with one id (one canonical names the other): one record, whichever was
    stored first, unchanged; the other page's reject names both URLs; exit 1."""
    site = HostileSite.make(2)
    a, b = site.items
    with serving(site) as server:
        site.routes[b.path] = Reply(body=article_html(b.node, b.title, b.date,
                                                      canonical=server.base_url + a.path))  # fmt: skip
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == 1, result.output
    [kept] = records(tmp_path)
    assert (kept["id"], kept["url"]) == (str(a.node), server.base_url + a.path)
    assert kept["title"] in (a.title, b.title)
    [conflict] = rejects(tmp_path)
    loser = b if kept["title"] == a.title else a
    assert conflict["url"] == server.base_url + loser.path
    assert all(server.base_url + item.path in conflict["reason"] for item in (a, b))
    assert last_stats(tmp_path)["conflicts"] == 1


def test_a_rejected_page_is_retried_with_backoff_past_recheck_days(tmp_path: Path) -> None:
    """A page that showed an error template once is skipped (not a press release: exit 0), not retried
    the same day, then retried once its backoff (1 day) is over, even though it is older than
    --recheck-days: its record comes back, exit 0."""
    site = HostileSite.make(3, today=dt.date.today() - dt.timedelta(days=100))
    item = site.items[1]
    error_page = Reply(body=article_html(item.node, "Page not found", item.date))
    with serving(site) as server:
        site.routes[item.path] = error_page
        assert crawl(server.base_url, tmp_path).exit_code == 0
        assert last_stats(tmp_path)["not_press_releases"] == 1
        del site.routes[item.path]
        assert crawl(server.base_url, tmp_path).exit_code == 0  # the same day: not due yet
        assert str(item.node) not in {r["id"] for r in records(tmp_path)}
        _a_day_passes(tmp_path)
        site.requests.clear()
        result = crawl(server.base_url, tmp_path)
        assert site.paths_requested().count(item.path) == 1
    assert result.exit_code == 0, result.output
    assert {r["id"]: r["title"] for r in records(tmp_path)} == {str(i.node): i.title for i in site.items}
    assert last_stats(tmp_path)["new"] == 1
    [reject] = rejects(tmp_path)
    assert reject["url"].endswith(item.path) and "an error page" in reject["reason"]


def _a_day_passes(out: Path) -> None:
    with sqlite3.connect(out / "state.sqlite") as db:
        db.execute("UPDATE urls SET retry_on = date(retry_on, '-1 day') WHERE retry_on IS NOT NULL")
    db.close()


def _old_parser(content: bytes, url: str, *, encoding: str | None = None) -> PressRelease:
    """The parser before an upgrade: version "0.old", and a bug rejecting item 500001."""
    if b"item 500001" in content:
        raise NotAPressRelease("a bug of the old parser", source=url)
    record = parse_page(content, url, encoding=encoding)
    return record.model_copy(update={"provenance": record.provenance.model_copy(
        update={"parser_version": "0.old"})})  # fmt: skip


@pytest.mark.parametrize("pool", [False, True], ids=["here", "worker-processes"])
def test_a_new_parser_version_rederives_every_page_from_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: bool
) -> None:
    """After a parser upgrade every stored page is parsed again from the WARC archive, no item
    refetched: the page the old parser rejected becomes a record, the others carry the new version;
    the same in worker processes (a page a chunk, the pool used from the first page)."""
    pools: list[int] = []
    if pool:
        monkeypatch.setattr(rederive, "POOL_MIN_PAGES", 1)
        monkeypatch.setattr(jobs, "CHUNK_PAGES", 1)
        real_map = rederive.ordered_map
        monkeypatch.setattr(
            rederive, "ordered_map", lambda *args, **kw: (pools.append(args[2]), real_map(*args, **kw))[1]
        )
    site = HostileSite.make(3, today=dt.date.today() - dt.timedelta(days=100))
    with serving(site) as server:
        fetch = FetchConfig(base_url=server.base_url, rate=0)
        old = HarvestConfig(fetch=fetch, out=tmp_path, parser_version="0.old")
        first = asyncio.run(harvest(old, parser=_old_parser))
        assert (first.new, first.not_press_releases, first.rejected) == (2, 1, 0)
        site.requests.clear()
        stats = asyncio.run(harvest(HarvestConfig(fetch=fetch, out=tmp_path)))
    assert not {i.path for i in site.items} & set(site.paths_requested())
    assert (stats.rederived, stats.new, stats.changed, stats.fetched) == (3, 1, 2, 0)
    got = {r["id"]: (r["title"], r["provenance"]["parser_version"]) for r in records(tmp_path)}
    assert got == {str(i.node): (i.title, PARSER_VERSION) for i in site.items}
    assert pools == ([os.cpu_count() or 1] if pool else [])


def test_a_non_utf8_byte_in_the_dataset_is_mended_from_the_state(tmp_path: Path) -> None:
    """One bad byte in press_releases.jsonl: the next run sets the file aside, rebuilds the dataset
    from the state (no record lost), says so in a reject line; exit 1, never a traceback."""
    site = HostileSite.make(3)
    with serving(site) as server:
        assert crawl(server.base_url, tmp_path).exit_code == 0
        dataset = tmp_path / "press_releases.jsonl"
        dataset.write_bytes(dataset.read_bytes().replace(b"Item 1 of", b"Item \xff of"))
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert {r["id"]: r["title"] for r in records(tmp_path)} == {str(i.node): i.title for i in site.items}
    [reject] = rejects(tmp_path)
    assert reject["kind"] == "DatasetError" and "not UTF-8" in reject["reason"]
    assert len(list(tmp_path.glob("press_releases.jsonl.corrupt-*"))) == 1
    assert last_stats(tmp_path)["quarantined"] == 1


def test_invalid_json_in_the_state_is_quarantined_and_refetched(tmp_path: Path) -> None:
    """A record the state holds as invalid JSON is never published: it goes to quarantine.jsonl, its
    page is fetched again in the same run and the dataset is whole; exit 1 (not 7)."""
    site = HostileSite.make(3, today=dt.date.today() - dt.timedelta(days=100))
    item = site.items[2]
    with serving(site) as server:
        assert crawl(server.base_url, tmp_path).exit_code == 0
        with sqlite3.connect(tmp_path / "state.sqlite") as db:
            db.execute("UPDATE records SET json = substr(json, 1, 40) WHERE id = ?", (str(item.node),))
        db.close()
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == 1, result.output
    assert {r["id"]: r["title"] for r in records(tmp_path)} == {str(i.node): i.title for i in site.items}
    [quarantined] = [json.loads(x) for x in (tmp_path / "quarantine.jsonl").read_text().splitlines()]
    assert quarantined["id"] == str(item.node) and "Invalid JSON" in quarantined["problem"]
    stats = last_stats(tmp_path)
    assert (stats["quarantined"], stats["fetched"], stats["new"]) == (1, 1, 1)


def test_garbage_values_in_the_state_are_taken_as_unknown(tmp_path: Path) -> None:
    """Dates, times and counts in the state that are no such thing (a hand-edited or damaged state) are
    read as unknown, with a warning: the next run goes on, every record kept, no traceback (exit 0)."""
    site = HostileSite.make(3)
    with serving(site) as server:
        assert crawl(server.base_url, tmp_path).exit_code == 0
        with sqlite3.connect(tmp_path / "state.sqlite") as db:
            db.execute("UPDATE urls SET last_fetched = 'garbage', listing_date = 'x', retry_on = 'y', "
                       "first_fetched = '', rejections = 'many'")  # fmt: skip
        db.close()
        result = crawl(server.base_url, tmp_path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert {r["id"]: r["title"] for r in records(tmp_path)} == {str(i.node): i.title for i in site.items}


def test_a_corrupt_state_page_is_set_aside_and_the_state_rebuilt(tmp_path: Path) -> None:
    """A state with a garbage page: set aside as state.sqlite.corrupt-<time>, a fresh state reads the
    dataset back, the crawl goes on; every record kept, exit 1, no traceback."""
    site = HostileSite.make(30)
    with serving(site) as server:
        assert crawl(server.base_url, tmp_path).exit_code == 0
        state = tmp_path / "state.sqlite"
        data = bytearray(state.read_bytes())
        assert len(data) > 12288
        data[8192:12288] = b"\x5a" * 4096
        state.write_bytes(bytes(data))
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == 1, result.output
    assert {r["id"] for r in records(tmp_path)} == {str(i.node) for i in site.items}
    assert len(list(tmp_path.glob("state.sqlite.corrupt-*"))) == 1
    assert last_stats(tmp_path)["quarantined"] == 1


def test_a_page_gone_marks_its_record_withdrawn(tmp_path: Path) -> None:
    """A record's page answering 404 (or 410) keeps the record in the dataset, listed in
    withdrawn.jsonl and counted in the stats (exit 1); when it comes back it is live again."""
    site = HostileSite.make(3)
    gone, also = site.items[0], site.items[2]
    with serving(site) as server:
        assert crawl(server.base_url, tmp_path).exit_code == 0
        site.routes[gone.path] = Reply(404, b"<html><body><h1>Page not found</h1></body></html>")
        site.routes[also.path] = Reply(410, b"<html><body><h1>Gone</h1></body></html>")
        result = crawl(server.base_url, tmp_path)
        assert result.exit_code == 1, result.output
        assert {r["id"] for r in records(tmp_path)} == {str(i.node) for i in site.items}
        withdrawn = [json.loads(x) for x in (tmp_path / "withdrawn.jsonl").read_text().splitlines()]
        expected = [(str(item.node), server.base_url + item.path) for item in (gone, also)]
        assert [(w["id"], w["url"]) for w in withdrawn] == expected
        assert last_stats(tmp_path)["withdrawn"] == 2
        site.routes.clear()
        assert crawl(server.base_url, tmp_path).exit_code == 0
    assert not (tmp_path / "withdrawn.jsonl").exists()


@pytest.mark.parametrize("name", [".lock", "rejects.jsonl"])
def test_a_symlink_planted_in_the_output_folder_is_never_written_through(tmp_path: Path, name: str) -> None:
    """`.lock` or `rejects.jsonl` as a symbolic link to another file: the crawl refuses the folder (exit 7,
    one line naming the path) and the link's target is left as it was (it was truncated or appended to)."""
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    out = tmp_path / "out"
    site = HostileSite.make(3)
    site.routes[site.items[0].path] = Reply(404, b"<html><body><h1>Page not found</h1></body></html>")
    with serving(site) as server:
        out.mkdir()
        (out / name).symlink_to(target)
        result = crawl(server.base_url, out)
    assert result.exit_code == 7, result.output
    assert name in result.output and "symbolic links" in result.output
    assert target.read_text() == "keep me\n"
