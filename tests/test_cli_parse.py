"""`osce-scrape parse` and `schema`: records out, rejections beside them, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from osce_scrape import PressRelease, pipeline
from osce_scrape.cli.main import cli
from osce_scrape.models import latest_date_on_earth
from pagekit import BODY, TITLE, page


def _folder(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    (pages / "nested").mkdir(parents=True)
    (pages / "good.html").write_text(page(f"<h1>{TITLE}</h1>{BODY}"), encoding="utf-8")
    (pages / "nested" / "listing.htm").write_text(page("<h1>Press releases</h1>"), encoding="utf-8")
    (pages / "ignored.json").write_text("{}", encoding="utf-8")
    return pages


def test_parse_folder_to_file_with_rejects(tmp_path: Path) -> None:
    """A folder is read recursively; records go to FILE, rejections to FILE's .rejects.jsonl; a page that
    is no press release is skipped, no failure: exit 0."""
    out = tmp_path / "out" / "records.jsonl"
    result = CliRunner().invoke(cli, ["parse", str(_folder(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["title"]) for r in records] == [("101809", TITLE)]
    rejects = [
        json.loads(line) for line in (tmp_path / "out" / "records.rejects.jsonl").read_text().splitlines()
    ]
    assert len(rejects) == 1 and rejects[0]["path"].endswith("listing.htm")
    assert "section name" in rejects[0]["reason"] and rejects[0]["kind"] == "NotAPressRelease"
    assert "1 parsed, 1 skipped (not press releases), 0 rejected" in result.stderr


def test_parse_to_stdout_all_good(tmp_path: Path) -> None:
    """With every page parsed, records go to stdout and the exit code is 0."""
    good = _folder(tmp_path) / "good.html"
    result = CliRunner().invoke(cli, ["parse", str(good)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == TITLE


def test_parse_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist is a usage error (exit 2) naming it."""
    result = CliRunner().invoke(cli, ["parse", str(tmp_path / "nope.html")])
    assert result.exit_code == 2 and "nope.html" in result.output


def test_an_unwritable_output_is_a_message_naming_it(tmp_path: Path) -> None:
    """-o under a regular file (no folder can be made there): exit 7, "cannot write PATH", no traceback."""
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "records.jsonl"
    result = CliRunner().invoke(cli, ["parse", str(_folder(tmp_path)), "-o", str(out)])
    assert result.exit_code == 7
    assert isinstance(result.exception, SystemExit)
    assert f"cannot write {out}" in result.output


def test_parse_help_names_the_reject_fields() -> None:
    """`parse --help` describes reject lines as they are written: path (or url), reason, kind, time."""
    result = CliRunner().invoke(cli, ["parse", "--help"])
    assert '{"path" (or "url"), "reason", "kind", "time"}' in " ".join(result.output.split())


def test_schema_lists_every_field() -> None:
    """`schema` prints the record's JSON Schema with all its fields required but the defaults."""
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).stdout)
    assert set(schema["properties"]) >= {
        "id", "url", "language", "content_type", "title", "date", "place", "sources",
        "fields_of_work", "body", "contacts", "translations", "provenance",
    }  # fmt: skip


def test_a_parser_crash_is_a_reject_not_the_end_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception on one file becomes a ParserCrash reject; the other files still parse."""
    pages = _folder(tmp_path)
    (pages / "boom.html").write_text("<html></html>", encoding="utf-8")
    real = pipeline.parse_file

    def crashing(path: Path) -> PressRelease:
        if path.name == "boom.html":
            raise RuntimeError("a bug")
        return real(path)

    monkeypatch.setattr(pipeline, "parse_file", crashing)
    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(cli, ["parse", str(pages), "-o", str(out)])
    assert result.exit_code == 1
    rejects = [json.loads(line) for line in (tmp_path / "records.rejects.jsonl").read_text().splitlines()]
    crash = next(r for r in rejects if r["path"].endswith("boom.html"))
    assert crash == {
        "path": crash["path"],
        "reason": "parser crashed: RuntimeError('a bug')",
        "kind": "ParserCrash",
        "time": crash["time"],
    }
    assert len(out.read_text().splitlines()) == 1


def test_a_release_dated_today_anywhere_on_earth_is_not_in_the_future() -> None:
    """The future starts after today in UTC+14, so a Vienna release of today validates on any clock."""
    assert latest_date_on_earth() >= dt.date.today()
    assert latest_date_on_earth() - dt.datetime.now(dt.UTC).date() <= dt.timedelta(days=1)
