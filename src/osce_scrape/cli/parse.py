"""The parsing commands: parse saved pages and archives, score the parser, print the record's schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from osce_scrape.cli.common import logging_options, setup_logging
from osce_scrape.cli.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from osce_scrape.files import atomic_writer
from osce_scrape.models import record_schema
from osce_scrape.pipeline import parse_paths


@click.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    default="-",
    show_default=True,
    help="JSONL file for the records; - for stdout.",
)
@logging_options
def parse_command(paths: tuple[Path, ...], output: str, verbose: int, quiet: bool, log_json: bool) -> None:
    """Parse saved pages (.html, .htm, .txt; folders recursively) into JSON lines.

    WARC archives (.warc, .warc.gz, as a crawl writes to OUT/archive/) give the newest
    200 HTML response of each URL: osce-scrape parse output/archive/ re-derives the dataset.

    Rejected pages go, as {"path", "reason", "error"} lines, to OUTPUT.rejects.jsonl (stderr when
    OUTPUT is -).
    Exit 0 when every page parsed, 1 when some were rejected.

    Example: osce-scrape parse fixtures/pages -o output/fixtures.jsonl
    """
    setup_logging(verbose, quiet, log_json)
    if output == "-":
        summary = parse_paths(paths, sys.stdout, sys.stderr)
    else:
        out = Path(output)
        rejects_path = (
            out.with_name(out.name + ".rejects.jsonl")
            if out.suffix != ".jsonl"
            else out.with_suffix(".rejects.jsonl")
        )
        try:
            with atomic_writer(out) as records, atomic_writer(rejects_path) as rejects:
                summary = parse_paths(paths, records, rejects)
        except OSError as exc:  # a folder that cannot be made or written, a full disk
            raise click.ClickException(f"cannot write {out} (and {rejects_path.name}): {exc}") from exc
    click.echo(f"osce-scrape parse: {summary.line()}", err=True)
    sys.exit(EXIT_INCOMPLETE if summary.rejected else EXIT_OK)


@click.command("evaluate")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--show-failures", is_flag=True, help="List every wrong field of every page.")
def evaluate_command(folder: Path, show_failures: bool) -> None:
    """Score the parser on pages with expected records (NAME.html + NAME.expected.json).

    Prints per-field accuracy, body token-F1, chrome leaks and non-articles rejected.

    Example: osce-scrape evaluate fixtures/pages
    """
    from osce_scrape.evaluate import evaluate

    scores = evaluate(folder)
    click.echo(scores.table())
    if show_failures:
        for page in scores.pages:
            if page.wrong_fields or page.rejected != page.expected_rejected or page.leaks:
                click.echo(f"\n{page.page}: {page.error or ''}")
                for name, (want, got) in page.wrong_fields.items():
                    click.echo(f"  {name}: expected {want!r}\n  {' ' * len(name)}  got      {got!r}")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a record.

    Example: osce-scrape schema > record.schema.json
    """
    click.echo(json.dumps(record_schema(), indent=2))
