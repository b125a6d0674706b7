"""The crawl commands' share of the CLI: option checks and the progress display (stderr only)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

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

from osce_scrape.errors import OsceScrapeError, OutputError, OutputLocked
from osce_scrape.exit_codes import (
    EXIT_DRIFT,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OUTPUT,
    EXIT_ROBOTS,
    EXIT_UNREACHABLE,
    crawl_exit_code,
)
from osce_scrape.harvest import HarvestConfig, ProgressFn, run_harvest
from osce_scrape.harvest_stats import RunStats
from osce_scrape.state import StateError

_LANGUAGE = re.compile(r"^[a-z]{2}$")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]{1,300}")  # what a header value may hold, without CR/LF


def check_base_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An absolute http(s) URL with a host and a valid port, no credentials, no path beyond '/'."""
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise click.BadParameter(f"{value!r} holds spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL with a host")
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked)
    except ValueError:
        raise click.BadParameter(f"{value!r} has an invalid port") from None
    if parts.username or parts.password:
        raise click.BadParameter(f"{value!r} holds credentials; the crawl needs none")
    if parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r} has a query or fragment; give the site's root")
    if parts.path.strip("/"):
        raise click.BadParameter(f"{value!r} has a path; give the site's root (the layout starts at /)")
    return value.rstrip("/")


def check_rate(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A finite number of requests per second (inf and nan would undo the pacing)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of requests per second")
    return value


def check_share(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A share between 0 and 1, not nan."""
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise click.BadParameter(f"{value} is not a share between 0 and 1 (0.2 is 20%)")
    return value


def check_user_agent(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A header value: printable ASCII, no line breaks (they would forge headers), 1-300 characters."""
    if not _PRINTABLE_ASCII.fullmatch(value) or not value.strip():
        raise click.BadParameter("want 1-300 printable ASCII characters, no line breaks")
    return value.strip()


def check_since(ctx: click.Context, param: click.Parameter, value: dt.datetime | None) -> dt.date | None:
    """A past date: a --since in the future would skip every item."""
    if value is None:
        return None
    if value.date() > dt.datetime.now(dt.UTC).date():
        raise click.BadParameter(f"{value.date()} is in the future; nothing would be crawled")
    return value.date()


def check_out(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A folder path (created if missing) that is not a file, nor under one."""
    if not str(value).strip() or "\0" in str(value):
        raise click.BadParameter("want a folder path")
    for parent in (value, *value.parents):
        if parent.exists():
            if not parent.is_dir():
                raise click.BadParameter(f"{parent} is a file, not a folder")
            break
    return value


def check_languages(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """'en,ru' -> ('en', 'ru'): two-letter codes, in order, without repeats."""
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    bad = [code for code in codes if not _LANGUAGE.match(code)]
    if bad or not codes:
        raise click.BadParameter(f"want two-letter codes joined by commas (en,ru), not {value!r}")
    return tuple(dict.fromkeys(codes))


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
    config: HarvestConfig, *, quiet: bool, log_json: bool, drift_threshold: float
) -> tuple[RunStats | None, int]:
    """Run the crawl; say on stderr how it ended (one JSON object with --log-json); return the
    stats (None when it could not run) and the exit code (`exit_codes`)."""
    try:
        with crawl_progress(quiet) as on_progress:
            stats = run_harvest(config, on_progress=on_progress)
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


def _verdict(stats: RunStats, code: int, drift_threshold: float) -> str | None:
    if code == EXIT_DRIFT:
        return (
            f"drift: {stats.rejected} of {stats.fetched} fetched pages rejected ({stats.reject_share:.0%} > "
            f"{drift_threshold:.0%}); the site's template probably changed (see rejects.jsonl)"
        )
    if code == EXIT_UNREACHABLE:
        return f"{stats.stop_reason}; what was stored is published, the rest waits for the next run"
    if code == EXIT_ROBOTS:
        return "robots.txt forbids the crawl (or answered 429/5xx: then nothing is allowed, RFC 9309)"
    if code == EXIT_INTERRUPTED:
        return f"{stats.stop_reason}: pages in flight finished and published; the next run goes on"
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
