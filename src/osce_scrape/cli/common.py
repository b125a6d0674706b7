"""What every command shares: logging to stderr (-v, -q, --log-json), the same on every command."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class _JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": self.formatTime(record),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
                **({"exception": self.formatException(record.exc_info)} if record.exc_info else {}),
            }
        )


def setup_logging(verbose: int, quiet: bool, log_json: bool) -> None:
    """Diagnostics go to stderr; library modules only log through their own loggers."""
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _JsonLogFormatter() if log_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def logging_options(func: F) -> F:
    """-v/-q/--log-json, meaning the same on every command."""
    func = click.option("--log-json", is_flag=True, help="One JSON object per log line on stderr.")(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")(func)
    func = click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")(
        func
    )
    return func
