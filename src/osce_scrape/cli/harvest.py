"""The crawl commands (crawl, demo): the harvest, then the data card; progress on stderr only."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from osce_scrape.cli.checks import (
    check_base_url,
    check_duration,
    check_languages,
    check_out,
    check_rate,
    check_share,
    check_since,
    check_user_agent,
)
from osce_scrape.cli.common import logging_options, setup_logging
from osce_scrape.cli.exit_codes import (
    DEFAULT_DRIFT_THRESHOLD,
    EXIT_DEADLINE,
    EXIT_DRIFT,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OUTPUT,
    EXIT_ROBOTS,
    EXIT_UNREACHABLE,
    crawl_exit_code,
)
from osce_scrape.dataset.card import DATASET_FILE, write_card
from osce_scrape.errors import DatasetError, OsceScrapeError, OutputError, OutputLocked
from osce_scrape.harvest.config import Discovery, HarvestConfig
from osce_scrape.harvest.crawl import ProgressFn, run_harvest
from osce_scrape.harvest.fetch import DEFAULT_USER_AGENT, FetchConfig
from osce_scrape.harvest.politeness import is_live_site
from osce_scrape.harvest.state import StateError
from osce_scrape.harvest.stats import RunStats
from osce_scrape.harvest.store import OutputFolder

log = logging.getLogger(__name__)


@contextlib.contextmanager
def crawl_progress(quiet: bool) -> Iterator[ProgressFn | None]:
    """A live progress bar on stderr when it is a terminal; nothing otherwise (cron, pipes, -q)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]crawl"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("crawl", total=None, detail="")

        def update(stats: RunStats) -> None:
            detail = (
                f"{stats.discovery_documents} listing docs · {stats.fetched} fetched · "
                f"{stats.not_modified} not modified · {stats.rejected} rejected · "
                f"{stats.failed} failed"
            )
            progress.update(task, total=stats.queued or None, completed=stats.done, detail=detail)

        yield update


def run_crawl(
    config: HarvestConfig, *, quiet: bool, log_json: bool, drift_threshold: float, card: bool = True
) -> tuple[RunStats | None, int]:
    """Run the crawl, then (when it changed something, or there is none yet) the data card; say on
    stderr how it ended (one JSON object with --log-json); return the stats (None when it could not
    run) and the exit code (`exit_codes`)."""
    try:
        with crawl_progress(quiet) as on_progress:
            stats = run_harvest(config, on_progress=on_progress)
        if card:
            card_after_run(config.out, stats)
    except OutputLocked as exc:
        return None, _fail(exc, EXIT_LOCKED, log_json)
    except (OutputError, StateError) as exc:
        return None, _fail(exc, EXIT_OUTPUT, log_json)
    except KeyboardInterrupt:
        message = "interrupted twice: stopped at once; stored pages are safe, the next run publishes them"
        return None, _say(message, EXIT_INTERRUPTED, log_json, level="error")
    code = crawl_exit_code(stats, drift_threshold)
    _say(stats.line(), code, log_json, level="info", stats=stats)
    if note := _verdict(stats, code, drift_threshold):
        _say(note, code, log_json, level="error")
    return stats, code


def card_after_run(out: Path, stats: RunStats) -> bool:
    """The data card after a run that changed the dataset (or when there is none yet); a card that
    cannot be made is logged, never a crash of the published run. The run's stats file then says
    whether the card was written."""
    if not (stats.new or stats.changed or not (out / DATASET_FILE).exists()):
        return False
    try:
        write_card(out)
    except DatasetError as exc:
        log.warning("data card not written: %s", exc)
        return False
    except Exception:  # the run has published: a card bug or a full disk must not turn it into a crash
        log.exception("data card not written")
        return False
    if stats.run:
        stats.card = True
        OutputFolder(out).write_stats(stats.run, stats.as_dict())
    return True


def _verdict(stats: RunStats, code: int, drift_threshold: float) -> str | None:
    if code == EXIT_DRIFT and stats.listing_drift:
        return (
            f"drift: {stats.listing_drift} listing page(s) had no entries where entries were expected; the "
            "listing's template probably changed (see rejects.jsonl); the backfill is not marked complete"
        )
    if code == EXIT_DRIFT:
        return (
            f"drift: {stats.rejected} of {stats.fetched} fetched pages rejected ({stats.reject_share:.0%} > "
            f"{drift_threshold:.0%}); the site's template probably changed (see rejects.jsonl)"
        )
    if code == EXIT_UNREACHABLE:
        return f"{stats.stop_reason}; what was stored is published, the rest waits for the next run"
    if code == EXIT_ROBOTS:
        return "robots.txt forbids the crawl (or answered 429/5xx: then nothing is allowed, RFC 9309)"
    if code == EXIT_DEADLINE:
        return f"{stats.stop_reason}: what was stored is published, the rest waits for the next run"
    if code == EXIT_INTERRUPTED:
        return f"{stats.stop_reason}: what was stored is published; the next run goes on"
    return None


def _fail(exc: OsceScrapeError, code: int, log_json: bool) -> int:
    return _say(f"error: {exc}", code, log_json, level="error")


def _say(message: str, code: int, log_json: bool, *, level: str, stats: RunStats | None = None) -> int:
    """One line on stderr, always (even with -q): plain, or a JSON object for log shippers."""
    if log_json:
        line: dict[str, object] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "logger": "osce_scrape.crawl",
            "message": message,
            "exit_code": code,
        }
        if stats is not None:
            line["stats"] = stats.as_dict()
        click.echo(json.dumps(line, ensure_ascii=False), err=True)
    else:
        click.echo(f"osce-scrape crawl: {message}", err=True)
    return code


@click.command("crawl")
@click.option(
    "--base-url",
    default="https://www.osce.org",
    show_default=True,
    callback=check_base_url,
    help="Root of the site to crawl; point it at a mirror (http://127.0.0.1:8080).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    callback=check_out,
    help="Output folder: dataset, runs/, rejects, archive/, state.",
)
@click.option(
    "--discover",
    "discovery",
    type=click.Choice(["listing", "sitemap", "rss"]),
    default="listing",
    show_default=True,
    help="Where URLs come from: the paged listing, sitemap.xml, or rss.xml.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=check_since,
    help="Ignore items older than this date (YYYY-MM-DD); the listing stops there.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    help="Read at most N listing pages per language (or N sitemaps).",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    callback=check_rate,
    help="Requests per second to the host; 0 means unlimited (mirrors only).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--user-agent",
    default=DEFAULT_USER_AGENT,
    show_default=True,
    callback=check_user_agent,
    help="User-Agent header: name the tool and a contact.",
)
@click.option(
    "--recheck-days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Revalidate items this recent (conditional requests) to catch edits.",
)
@click.option(
    "--languages",
    default="en",
    show_default=True,
    callback=check_languages,
    help="Listings to walk, by language prefix (en,ru,fr: /ru/press-releases).",
)
@click.option(
    "--parse-processes",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Parse and archive in N worker processes (0: in threads beside the crawl). Faster on "
    "several cores, at about 100 MB of memory per process.",
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Circuit breaker: stop (exit 3) after N pages in a row fail after their retries; 0: never.",
)
@click.option(
    "--drift-threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_DRIFT_THRESHOLD,
    show_default=True,
    callback=check_share,
    help="Exit 6 (drift) when more than this share of the fetched pages (10 or more) is rejected.",
)
@click.option(
    "--max-duration",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    callback=check_duration,
    help="Stop cleanly after this many seconds (exit 8): pages in flight get 5 s, what was stored is "
    "published, the next run goes on.",
)
@click.option("--no-card", is_flag=True, help="Do not rewrite DATASET.md and manifest.json after the run.")
@logging_options
def crawl_command(
    base_url: str,
    out: Path,
    discovery: Discovery,
    since: dt.date | None,
    max_pages: int | None,
    rate: float,
    concurrency: int,
    user_agent: str,
    recheck_days: int,
    languages: tuple[str, ...],
    parse_processes: int,
    max_failures: int,
    drift_threshold: float,
    max_duration: float | None,
    no_card: bool,
    verbose: int,
    quiet: bool,
    log_json: bool,
) -> None:
    """Harvest the site's press releases into an output folder, politely and incrementally.

    Writes OUT/press_releases.jsonl (the whole dataset, replaced atomically), OUT/runs/<UTC time>.jsonl
    (this run's new or changed records) and .json (its stats), appends OUT/rejects.jsonl, archives every
    response in OUT/archive/*.warc.gz and keeps OUT/state.sqlite so the next run only fetches what is
    new or recent. Exit 0 when every page became a record, 1 when some were rejected or failed;
    3 site unreachable, 4 robots.txt forbids, 5 locked, 6 drift, 7 output not writable,
    8 --max-duration ran out, 130 Ctrl-C or SIGTERM.

    Example: osce-scrape crawl --base-url http://127.0.0.1:8080 --rate 0 --out output
    """  # fmt: skip
    setup_logging(verbose, quiet, log_json)
    if rate == 0 and is_live_site(base_url):
        raise click.BadParameter("--rate 0 is for mirrors; be polite to the live site", param_hint="--rate")
    config = HarvestConfig(
        fetch=FetchConfig(base_url=base_url, user_agent=user_agent, rate=rate, concurrency=concurrency),
        out=out, discover=discovery, since=since, max_pages=max_pages, recheck_days=recheck_days,
        languages=languages, parse_processes=parse_processes, max_failures=max_failures,
        max_duration=max_duration,
    )  # fmt: skip
    _stats, code = run_crawl(config, quiet=quiet, log_json=log_json, drift_threshold=drift_threshold,
                             card=not no_card)  # fmt: skip
    sys.exit(code)


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder of the crawl.",
)
@click.option(
    "--pages",
    type=click.IntRange(1, 100_000),
    default=250,
    show_default=True,
    help="Press releases the mirror serves.",
)
@logging_options
def demo_command(out: Path, pages: int, verbose: int, quiet: bool, log_json: bool) -> None:
    """Start the offline mirror on a free port, crawl it into OUT, stop it, say where the data is.

    Example: osce-scrape demo --out output --pages 250
    """
    from osce_scrape.mirror import MirrorSite, running_mirror  # the mirror is for demos and tests

    setup_logging(verbose, quiet, log_json)
    try:
        site = MirrorSite(pages=pages)
        with running_mirror(site) as server:
            served = (
                f"{len(site.expected_records())} press releases, {len(site.non_article_urls())} other pages"
            )
            click.echo(f"mirror serving {served} at {server.base_url}", err=True)
            config = HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out)
            drift = DEFAULT_DRIFT_THRESHOLD
            stats, code = run_crawl(config, quiet=quiet, log_json=log_json, drift_threshold=drift)
    except KeyboardInterrupt:  # Ctrl-C outside the crawl (which handles its own): the mirror starting
        click.echo("osce-scrape demo: interrupted while the mirror was starting or stopping", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if stats is None:
        sys.exit(code)
    dataset = out / "press_releases.jsonl"
    with dataset.open(encoding="utf-8") as handle:
        total = sum(1 for _ in handle)
    click.echo(f"osce-scrape demo: {stats.line()}")
    click.echo(f"dataset: {dataset} ({total} press releases)")
    click.echo(f"this run: {out / 'runs' / stats.run}.jsonl ({stats.new} new, {stats.changed} changed)")
    click.echo(
        f"rejects: {out / 'rejects.jsonl'} · archive: {out / 'archive'} · state: {out / 'state.sqlite'}"
    )
