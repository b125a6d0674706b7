"""The crawl commands' share of the CLI: option checks and the progress display (stderr only)."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
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

from osce_scrape.discover import LIVE_SITE_DOMAIN
from osce_scrape.harvest import ProgressFn
from osce_scrape.harvest_stats import RunStats

LIVE_BASE_URL = "https://www.osce.org"
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def check_base_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An absolute http(s) URL with a host; no path beyond '/' (the site's layout starts there)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r} has a query or fragment; give the site's root")
    return value.rstrip("/")


def check_languages(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """'en,ru' -> ('en', 'ru'): two-letter codes, in order, without repeats."""
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    bad = [code for code in codes if not _LANGUAGE.match(code)]
    if bad or not codes:
        raise click.BadParameter(f"want two-letter codes joined by commas (en,ru), not {value!r}")
    return tuple(dict.fromkeys(codes))


def is_live_site(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host == LIVE_SITE_DOMAIN or host.endswith("." + LIVE_SITE_DOMAIN)


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
