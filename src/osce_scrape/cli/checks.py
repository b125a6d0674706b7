"""Checks of the crawl's options: a bad value is a usage error (exit 2) naming the option and the problem."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from urllib.parse import urlsplit

import click

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


def check_duration(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A finite number of seconds, or none (inf and nan would be no deadline at all)."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds")
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
