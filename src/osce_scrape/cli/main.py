"""The command line: parses arguments, sets up logging, calls the pipeline, maps errors to exit codes."""

from __future__ import annotations

import click

from osce_scrape import __version__
from osce_scrape.cli.common import Group
from osce_scrape.cli.dataset import card_command, export_command, report_command
from osce_scrape.cli.harvest import crawl_command, demo_command
from osce_scrape.cli.mirror import mirror_command
from osce_scrape.cli.parse import evaluate_command, parse_command, schema_command


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osce-scrape")
def cli() -> None:
    """Turn the OSCE's press releases (www.osce.org) into a validated JSONL dataset."""


for command in (
    parse_command,
    evaluate_command,
    schema_command,
    crawl_command,
    demo_command,
    export_command,
    card_command,
    report_command,
    mirror_command,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="osce-scrape")
