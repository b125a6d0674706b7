"""The README's command table and the real CLI agree, and every command's --help has an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from osce_scrape.cli.main import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme_and_back() -> None:
    """The README's table lists exactly the commands the CLI has."""
    documented = set(re.findall(r"^\| `osce-scrape (\w+)", README, flags=re.MULTILINE))
    documented |= set(re.findall(r"`osce-scrape (card|report)`", README))
    assert documented == set(cli.commands)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_help_has_an_example(command: str) -> None:
    """Each command's --help runs and shows a real example invocation."""
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "osce-scrape " + command in result.output
