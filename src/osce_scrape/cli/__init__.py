"""The command line: parses arguments, sets up logging, runs the stages, maps errors to exit codes."""

from osce_scrape.cli.main import main

__all__ = ["main"]
