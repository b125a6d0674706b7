"""The crawl commands (crawl, demo): the harvest, then the data card; progress on stderr only."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

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
from osce_scrape.cli.common import logging_options, out_option, output_error, say, setup_logging
from osce_scrape.cli.exit_codes import (
    DEFAULT_DRIFT_THRESHOLD,
    EXIT_DEADLINE,
    EXIT_DRIFT,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OUTPUT,
    EXIT_ROBOTS,
    EXIT_UNREACHABLE,
    crawl_exit_code,
)
from osce_scrape.dataset.columns import DATASET_FILE
from osce_scrape.errors import DatasetError, OutputError, OutputLocked

if TYPE_CHECKING:
    from osce_scrape.harvest.config import Discovery, HarvestConfig
    from osce_scrape.harvest.crawl import ProgressFn
    from osce_scrape.harvest.stats import RunStats

# The crawler (httpx, pydantic, the parser), rich and the data card are imported inside the functions
# that use them: `osce-scrape --help` and the other commands do not pay for them (bench_startup.py).
log = logging.getLogger(__name__)

# Off a terminal (cron, a pipe, a log file) a progress line every 30 s, like Scrapy's LogStats: often
# enough to see a long crawl move, rare enough that an hourly cron log stays short.
PROGRESS_INTERVAL = 30.0
MIRROR_PORT = 8000  # the demo's mirror port (`osce-scrape mirror`'s default too); a free one if taken


def _default_user_agent() -> str:
    from osce_scrape.harvest.fetch import DEFAULT_USER_AGENT  # httpx and the fetcher: only when used

    return DEFAULT_USER_AGENT


class _ResolvedDefault(click.Option):
    """An option whose default is a function called when the value is needed or `--help` shows it, so
    that importing the command imports nothing the default comes from."""

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        value = super().get_default(ctx, call=call)
        return value() if callable(value) else value


@contextlib.contextmanager
def crawl_progress(quiet: bool, log_json: bool, command: str = "crawl") -> Iterator[ProgressFn | None]:
    """A live progress bar on stderr when it is a terminal; off a terminal (cron, pipes) a timestamped
    line every PROGRESS_INTERVAL seconds; nothing with -q."""
    if quiet:
        yield None
    elif sys.stderr.isatty() and not log_json:
        with _progress_bar() as update:
            yield update
    else:
        yield progress_lines(command, log_json)


def progress_lines(
    command: str, log_json: bool, clock: Callable[[], float] = time.monotonic
) -> Callable[[RunStats], None]:
    """A progress callback that says how the crawl goes, at most once per PROGRESS_INTERVAL."""
    started = clock()
    last = started

    def update(stats: RunStats) -> None:
        nonlocal last
        now = clock()
        if now - last < PROGRESS_INTERVAL:
            return
        last = now
        rate = stats.done / (now - started) if now > started else 0.0
        message = stats.progress_line(rate)
        if not log_json:
            message = f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} {message}"
        say(command, message, log_json=log_json, progress={"done": stats.done, "queued": stats.queued})

    return update


@contextlib.contextmanager
def _progress_bar() -> Iterator[ProgressFn]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

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
                f"{stats.not_modified} not modified · {stats.not_press_releases} skipped · "
                f"{stats.rejected} rejected · {stats.failed} failed"
            )
            progress.update(task, total=stats.queued or None, completed=stats.done, detail=detail)

        yield update


def run_crawl(
    config: HarvestConfig,
    *,
    quiet: bool,
    log_json: bool,
    drift_threshold: float,
    card: bool = True,
    command: str = "crawl",
) -> tuple[RunStats | None, int]:
    """Run the crawl, then (when it published) refresh the data card; say on stderr how it ended (one
    JSON object with --log-json; with -q only when something went wrong); return the stats (None
    when it could not run) and the exit code (`exit_codes`)."""
    from osce_scrape.harvest.crawl import run_harvest
    from osce_scrape.harvest.state import StateError

    try:
        with crawl_progress(quiet, log_json, command) as on_progress:
            stats = run_harvest(config, on_progress=on_progress)
        if card:
            card_after_run(config.out, stats)
    except OutputLocked as exc:
        return None, _fail(command, str(exc), EXIT_LOCKED, log_json)
    except (OutputError, StateError) as exc:
        return None, _fail(command, str(exc), EXIT_OUTPUT, log_json)
    except OSError as exc:  # the folder cannot be made at all (/proc/x), or another storage failure
        if (message := output_error(exc, config.out)) is None:
            raise
        return None, _fail(command, message, EXIT_OUTPUT, log_json)
    except KeyboardInterrupt:
        message = "interrupted twice: stopped at once; stored pages are safe, the next run publishes them"
        return None, _fail(command, message, EXIT_INTERRUPTED, log_json)
    code = crawl_exit_code(stats, drift_threshold)
    if not quiet:
        say(command, stats.line(stop=False), log_json=log_json, exit_code=code, stats=stats.as_dict())
    if note := _verdict(config.out, stats, code, drift_threshold):
        level = "warning" if code == EXIT_INCOMPLETE else "error"
        say(command, note, log_json=log_json, level=level, exit_code=code)
    return stats, code


def card_after_run(out: Path, stats: RunStats) -> bool:
    """Refresh the data card after every run that published (its harvest table and file list name
    this run and its WARC); a card that cannot be made is logged, never a crash of the published run.
    The run's stats file says "card": true, written before the card so the card hashes it as it stays."""
    from osce_scrape.dataset.card import write_card
    from osce_scrape.harvest.store import OutputFolder

    if not (out / DATASET_FILE).exists():
        return False
    if stats.run:
        stats.card = True
        OutputFolder(out).write_stats(stats.run, stats.as_dict())
    try:
        write_card(out)
    except DatasetError as exc:
        log.warning("data card not written: %s", exc)
    except Exception:  # the run has published: a card bug or a full disk must not turn it into a crash
        log.exception("data card not written")
    else:
        return True
    if stats.run:
        stats.card = False
        OutputFolder(out).write_stats(stats.run, stats.as_dict())
    return False


def _verdict(out: Path, stats: RunStats, code: int, drift_threshold: float) -> str | None:
    if code == EXIT_DRIFT and stats.listing_drift:
        return (
            f"drift: {stats.listing_drift} discovery document(s) (listing page, sitemap, feed) had no entry "
            "where entries were expected; the site's template probably changed (see rejects.jsonl); the "
            "backfill is not marked complete"
        )
    if code == EXIT_DRIFT:
        return (
            f"drift: {stats.rejected + stats.not_press_releases} of {stats.fetched} fetched pages rejected "
            f"or skipped ({stats.reject_share:.0%} > {drift_threshold:.0%}); the site's template "
            "probably changed (see rejects.jsonl)"
        )
    if code == EXIT_UNREACHABLE:
        published = (out / DATASET_FILE).exists()
        rest = "what was stored is published, the rest waits for the next run" if published else (
            "nothing was published (nothing has been fetched yet)")  # fmt: skip
        return f"{stats.stop_reason}; {rest}"
    if code == EXIT_ROBOTS:
        return "robots.txt forbids the crawl (or answered 429/5xx: then nothing is allowed, RFC 9309)"
    if code == EXIT_DEADLINE:
        return f"{stats.stop_reason}: what was stored is published, the rest waits for the next run"
    if code == EXIT_INTERRUPTED:
        return f"{stats.stop_reason}: what was stored is published; the next run goes on"
    if code == EXIT_INCOMPLETE:
        counts = {
            "press releases rejected": stats.rejected,
            "pages not fetched": stats.failed,
            "id conflicts": stats.conflicts,
            "damaged files or records set aside": stats.quarantined,
        }
        said = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        return f"incomplete: {said or 'see rejects.jsonl'} (see rejects.jsonl)"
    return None


def _fail(command: str, message: str, code: int, log_json: bool) -> int:
    say(command, f"error: {message}", log_json=log_json, level="error", exit_code=code)
    return code


@click.command("crawl")
@click.option(
    "--base-url",
    default="https://www.osce.org",
    show_default=True,
    callback=check_base_url,
    help=f"Root of the site to crawl; point it at a mirror (http://127.0.0.1:{MIRROR_PORT}).",
)
@out_option("Output folder: dataset, runs/, rejects, archive/, state.", callback=check_out)
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
    cls=_ResolvedDefault,
    default=_default_user_agent,
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
    help="Exit 6 (drift) when more than this share of the fetched pages (10 or more) is rejected or skipped.",
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
    new or recent. Pages that are no press release (events, landing and error pages) are skipped:
    listed in rejects.jsonl with their kind, no failure. Exit 0 when every press release became a
    record, 1 when some were rejected or pages could not be fetched; 3 site unreachable, 4 robots.txt
    forbids, 5 locked, 6 drift, 7 output not writable, 8 --max-duration ran out,
    130 Ctrl-C or SIGTERM.

    Example: osce-scrape crawl --base-url http://127.0.0.1:8000 --rate 0 --out output
    """  # fmt: skip
    from osce_scrape.harvest.config import HarvestConfig
    from osce_scrape.harvest.fetch import FetchConfig
    from osce_scrape.harvest.politeness import is_live_site

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
@out_option("Output folder of the crawl.", callback=check_out)
@click.option(
    "--pages",
    type=click.IntRange(1, 100_000),
    default=250,
    show_default=True,
    help="Press releases the mirror serves.",
)
@logging_options
def demo_command(out: Path, pages: int, verbose: int, quiet: bool, log_json: bool) -> None:
    """Start the offline mirror (port 8000, else a free one), crawl it into OUT, stop it, say where
    the data is. Its records are synthetic: the card, manifest and report say so.

    Example: osce-scrape demo --out output --pages 250
    """
    setup_logging(verbose, quiet, log_json)
    try:
        stats, code = _demo(out, pages, quiet=quiet, log_json=log_json)
    except KeyboardInterrupt:  # Ctrl-C outside the crawl (which handles its own): the mirror starting
        sys.exit(_fail("demo", "interrupted while the mirror was starting or stopping", EXIT_INTERRUPTED,
                       log_json))  # fmt: skip
    if stats is not None and not quiet:
        _demo_summary(out, stats)
    sys.exit(code)


def _demo(out: Path, pages: int, *, quiet: bool, log_json: bool) -> tuple[RunStats | None, int]:
    from osce_scrape.harvest.config import HarvestConfig
    from osce_scrape.harvest.fetch import FetchConfig
    from osce_scrape.mirror import MirrorServer, MirrorSite  # the mirror is for demos and tests

    site = MirrorSite(pages=pages)
    server = MirrorServer(site)
    try:
        server.start(MIRROR_PORT)  # a fixed port: a second demo crawls the same URLs and revalidates
    except RuntimeError:
        log.info("port %d is taken: the mirror takes a free one", MIRROR_PORT)
        server = MirrorServer(site)
        server.start(0)
    try:
        if not quiet:
            served = (
                f"{len(site.expected_records())} press releases, {len(site.non_article_urls())} other pages"
            )
            say("demo", f"mirror serving {served} at {server.base_url} (synthetic data, not www.osce.org)",
                log_json=log_json)  # fmt: skip
        config = HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out)
        return run_crawl(config, quiet=quiet, log_json=log_json, drift_threshold=DEFAULT_DRIFT_THRESHOLD,
                         command="demo")  # fmt: skip
    finally:
        server.stop()


def _demo_summary(out: Path, stats: RunStats) -> None:
    """Where the data is, on stdout (the crawl's summary line is already on stderr)."""
    dataset = out / DATASET_FILE
    total = 0
    if dataset.exists():
        with dataset.open(encoding="utf-8") as handle:
            total = sum(1 for _ in handle)
    click.echo(f"dataset: {dataset} ({total} press releases, synthetic: from the offline mirror)")
    click.echo(f"this run: {out / 'runs' / stats.run}.jsonl ({stats.new} new, {stats.changed} changed)")
    click.echo(
        f"rejects: {out / 'rejects.jsonl'} · archive: {out / 'archive'} · state: {out / 'state.sqlite'}"
    )
