"""The parsing commands: parse saved pages and archives, score the parser, print the record's schema."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from osce_scrape.cli.common import logging_options, say, setup_logging, writing
from osce_scrape.cli.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from osce_scrape.files import atomic_writer


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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="all cores",
    help="Worker processes parsing pages; the output is the same, in the same order, for any number.",
)
@logging_options
def parse_command(
    paths: tuple[Path, ...], output: str, jobs: int, verbose: int, quiet: bool, log_json: bool
) -> None:
    """Parse saved pages (.html, .htm, .txt; folders recursively) into JSON lines.

    WARC archives (.warc, .warc.gz, as a crawl writes to OUT/archive/) give the newest
    200 HTML response of each URL (listing pages passed over): osce-scrape parse output/archive/
    re-derives the dataset.

    Pages that did not become records go, as {"path" (or "url"), "reason", "kind", "time"} lines
    (the crawl's rejects.jsonl format), to OUTPUT.rejects.jsonl (stderr when OUTPUT is -). Pages
    that are no press release (kind NotAPressRelease: events, landing and error pages) are skipped,
    no failure. Exit 0 when every press release parsed, 1 when some were rejected.

    Example: osce-scrape parse fixtures/pages -o output/fixtures.jsonl --jobs 4
    """
    from osce_scrape.pipeline import parse_paths  # the parser and pydantic: only when a command parses

    setup_logging(verbose, quiet, log_json)
    if output == "-":
        summary = parse_paths(paths, sys.stdout, sys.stderr, jobs)
    else:
        out = Path(output)
        rejects_path = (
            out.with_name(out.name + ".rejects.jsonl")
            if out.suffix != ".jsonl"
            else out.with_suffix(".rejects.jsonl")
        )
        with writing("parse", out), atomic_writer(out) as records, atomic_writer(rejects_path) as rejects:
            summary = parse_paths(paths, records, rejects, jobs)
    code = EXIT_INCOMPLETE if summary.rejected else EXIT_OK
    if not quiet:
        say("parse", summary.line(), log_json=log_json, exit_code=code)
    elif code:
        say("parse", f"{summary.rejected} press releases rejected", log_json=log_json, level="warning")
    sys.exit(code)


@click.command("evaluate")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--show-failures", is_flag=True, help="List every wrong field of every page.")
@logging_options
def evaluate_command(folder: Path, show_failures: bool, verbose: int, quiet: bool, log_json: bool) -> None:
    """Score the parser on pages with expected records (NAME.html + NAME.expected.json).

    Prints per-field accuracy, body token-F1, chrome leaks and non-articles rejected. A folder with
    no such pages is an error (exit 2).

    Example: osce-scrape evaluate fixtures/pages
    """
    from osce_scrape.evaluate import evaluate

    setup_logging(verbose, quiet, log_json)
    scores = evaluate(folder)
    if not scores.pages:
        raise click.BadParameter(
            f"{folder} holds no pages with expected records (NAME.html + NAME.expected.json)",
            param_hint="FOLDER",
        )
    click.echo(scores.table())
    if show_failures:
        for page in scores.pages:
            if page.wrong_fields or page.rejected != page.expected_rejected or page.leaks:
                click.echo(f"\n{page.page}: {page.error or ''}")
                for name, (want, got) in page.wrong_fields.items():
                    click.echo(f"  {name}: expected {want!r}\n  {' ' * len(name)}  got      {got!r}")


@click.command("schema")
@logging_options
def schema_command(verbose: int, quiet: bool, log_json: bool) -> None:
    """Print the JSON Schema of a record.

    Example: osce-scrape schema > record.schema.json
    """
    from osce_scrape.models import record_schema

    setup_logging(verbose, quiet, log_json)
    click.echo(json.dumps(record_schema(), indent=2))
