"""The dataset commands: export, card, report (the CLI's part; the work is in export, card, report)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from osce_scrape.cli.common import logging_options, setup_logging
from osce_scrape.dataset.card import DATASET_FILE, write_card
from osce_scrape.dataset.export import DEFAULT_NAMES, FORMATS, Format, export_file, write_stream
from osce_scrape.dataset.reader import load
from osce_scrape.errors import DatasetError
from osce_scrape.files import atomic_writer

_OUT_DIR_OPTION = click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The output folder (holding press_releases.jsonl).",
)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@_OUT_DIR_OPTION
@click.option("-o", "--output", help="File to write (default OUT_DIR/press_releases.FORMAT); - for stdout.")
@logging_options
def export_command(
    fmt: Format, out_dir: Path, output: str | None, verbose: int, quiet: bool, log_json: bool
) -> None:
    """Export the dataset, raw values and normalised facets side by side, as JSONL, CSV or Parquet.

    Example: osce-scrape export --format parquet --out-dir output -o press_releases.parquet
    """
    setup_logging(verbose, quiet, log_json)
    target = "stdout" if output == "-" else str(Path(output) if output else out_dir / DEFAULT_NAMES[fmt])
    try:
        records = load(out_dir / DATASET_FILE)
        if output == "-":
            count = write_stream(records, fmt, sys.stdout)
        else:
            count = export_file(records, fmt, Path(target))
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"osce-scrape export: {count} records -> {target}", err=True)


@click.command("card")
@_OUT_DIR_OPTION
@logging_options
def card_command(out_dir: Path, verbose: int, quiet: bool, log_json: bool) -> None:
    """Write the data card: OUT_DIR/DATASET.md and OUT_DIR/manifest.json (counts, rejects, sha256s).

    Example: osce-scrape card --out-dir output
    """
    setup_logging(verbose, quiet, log_json)
    try:
        manifest = write_card(out_dir)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"osce-scrape card: {manifest['records']} records, {manifest['rejects']['count']} rejects, "
        f"{len(manifest['files'])} files hashed -> {out_dir / 'DATASET.md'}",
        err=True,
    )


@click.command("report")
@_OUT_DIR_OPTION
@click.option("-o", "--output", help="HTML file to write (default OUT_DIR/report.html); - for stdout.")
@logging_options
def report_command(out_dir: Path, output: str | None, verbose: int, quiet: bool, log_json: bool) -> None:
    """Write a self-contained HTML report with charts (per year, fields of work, sources, places).

    Example: osce-scrape report --out-dir output -o report.html
    """
    setup_logging(verbose, quiet, log_json)
    from osce_scrape.dataset.report import build_report  # late: matplotlib adds ~0.4 s to every command

    try:
        page = build_report(load(out_dir / DATASET_FILE))
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    if output == "-":
        click.echo(page, nl=False)
        return
    target = Path(output) if output else out_dir / "report.html"
    with atomic_writer(target) as handle:
        handle.write(page)
    click.echo(f"osce-scrape report: {target}", err=True)
