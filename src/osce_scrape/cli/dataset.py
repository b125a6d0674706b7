"""The dataset commands: export, card, report (the CLI's part; the work is in export, card, report)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from osce_scrape.cli.common import fail, logging_options, out_option, say, setup_logging, writing
from osce_scrape.dataset.columns import DATASET_FILE, DEFAULT_NAMES, FORMATS, Format
from osce_scrape.errors import DatasetError
from osce_scrape.files import atomic_writer

# The work (pydantic records, pyarrow, the card's statistics) is imported inside each command, so that
# `osce-scrape --help` and the other commands do not pay for it (bench_startup.py).

_OUT_HELP = "The output folder (holding press_releases.jsonl)."


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@out_option(_OUT_HELP)
@click.option(
    "-o",
    "--output",
    help="File to write (default OUT/press_releases.FORMAT: .parquet, .csv, .jsonl); - for stdout.",
)
@logging_options
def export_command(
    fmt: Format, out: Path, output: str | None, verbose: int, quiet: bool, log_json: bool
) -> None:
    """Export the dataset, raw values and normalised facets side by side, as JSONL, CSV or Parquet.

    Reads OUT/press_releases.jsonl and writes OUT/press_releases.parquet (or .csv, .jsonl with
    --format; another file with -o).

    Example: osce-scrape export --format parquet --out output -o press_releases.parquet
    """
    from osce_scrape.dataset.export import export_file, write_stream
    from osce_scrape.dataset.reader import load

    setup_logging(verbose, quiet, log_json)
    target = "stdout" if output == "-" else str(Path(output) if output else out / DEFAULT_NAMES[fmt])
    try:
        records = load(out / DATASET_FILE)
        with writing("export", target):
            if output == "-":
                count = write_stream(records, fmt, sys.stdout)
            else:
                count = export_file(records, fmt, Path(target))
    except DatasetError as exc:
        fail("export", str(exc))
    if not quiet:
        say("export", f"{count} records -> {target}", log_json=log_json)


@click.command("card")
@out_option(_OUT_HELP)
@logging_options
def card_command(out: Path, verbose: int, quiet: bool, log_json: bool) -> None:
    """Write the data card: OUT/DATASET.md and OUT/manifest.json (counts, rejects, sites, sha256s).

    Example: osce-scrape card --out output
    """
    from osce_scrape.dataset.card import write_card

    setup_logging(verbose, quiet, log_json)
    try:
        with writing("card", out):
            manifest = write_card(out)
    except DatasetError as exc:
        fail("card", str(exc))
    if not quiet:
        message = (
            f"{manifest['records']} records, {manifest['rejects']['count']} rejects, "
            f"{len(manifest['files'])} files hashed -> {out / 'DATASET.md'}"
        )
        say("card", message + (" (synthetic data)" if manifest["synthetic"] else ""), log_json=log_json)


@click.command("report")
@out_option(_OUT_HELP)
@click.option("-o", "--output", help="HTML file to write (default OUT/report.html); - for stdout.")
@logging_options
def report_command(out: Path, output: str | None, verbose: int, quiet: bool, log_json: bool) -> None:
    """Write a self-contained HTML report: how to cite, provenance, charts with their tables (per year,
    languages, content types, fields of work, sources, places), rejects and the harvest history.

    Example: osce-scrape report --out output -o report.html
    """
    setup_logging(verbose, quiet, log_json)
    from osce_scrape.dataset.report import report_for_folder  # late: the gazetteer and stats stay unloaded

    try:
        page = report_for_folder(out)
    except DatasetError as exc:
        fail("report", str(exc))
    if output == "-":
        click.echo(page, nl=False)
        return
    target = Path(output) if output else out / "report.html"
    with writing("report", target), atomic_writer(target) as handle:
        handle.write(page)
    if not quiet:
        say("report", str(target), log_json=log_json)
