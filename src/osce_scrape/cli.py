"""The command line: parses arguments, sets up logging, calls the pipeline, maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from osce_scrape import __version__
from osce_scrape.models import record_schema
from osce_scrape.output import atomic_writer
from osce_scrape.pipeline import parse_paths

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_SOME_REJECTED = 1
EXIT_USAGE = 2


class _JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": self.formatTime(record),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
            }
        )


def setup_logging(verbose: int, quiet: bool, log_json: bool) -> None:
    """Diagnostics go to stderr; library modules only log through their own loggers."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLogFormatter() if log_json else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def logging_options(func: F) -> F:
    """-v/-q/--log-json, meaning the same on every command."""
    func = click.option("--log-json", is_flag=True, help="One JSON object per log line on stderr.")(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")(func)
    func = click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osce-scrape")
def cli() -> None:
    """Turn the OSCE's press releases (www.osce.org) into a validated JSONL dataset."""


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "output", default="-", show_default=True, help="JSONL file for the records; - for stdout.")
@logging_options
def parse_command(paths: tuple[Path, ...], output: str, verbose: int, quiet: bool, log_json: bool) -> None:
    """Parse saved pages (.html, .htm, .txt; folders recursively) into JSON lines.

    WARC archives (.warc, .warc.gz, as a crawl writes to OUT/archive/) give the newest
    200 HTML response of each URL: osce-scrape parse output/archive/ re-derives the dataset.

    Rejected pages go, as {"path", "reason"} lines, to OUTPUT.rejects.jsonl (stderr when OUTPUT is -).
    Exit 0 when every page parsed, 1 when some were rejected.

    Example: osce-scrape parse fixtures/pages -o output/fixtures.jsonl
    """
    setup_logging(verbose, quiet, log_json)
    if output == "-":
        summary = parse_paths(paths, sys.stdout, sys.stderr)
    else:
        out = Path(output)
        rejects_path = out.with_name(out.name + ".rejects.jsonl") if out.suffix != ".jsonl" else out.with_suffix(".rejects.jsonl")
        with atomic_writer(out) as records, atomic_writer(rejects_path) as rejects:
            summary = parse_paths(paths, records, rejects)
    click.echo(f"osce-scrape parse: {summary.line()}", err=True)
    sys.exit(EXIT_SOME_REJECTED if summary.rejected else EXIT_OK)


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a record.

    Example: osce-scrape schema > record.schema.json
    """
    click.echo(json.dumps(record_schema(), indent=2))


def main() -> None:
    cli(prog_name="osce-scrape")
