"""`osce-scrape parse` and `schema`: records out, rejections beside them, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from osce_scrape import PressRelease, pipeline
from osce_scrape.cli.main import cli
from osce_scrape.harvest import jobs
from osce_scrape.harvest.archive import WarcWriter
from osce_scrape.harvest.fetch import FetchResult
from osce_scrape.models import latest_date_on_earth
from pagekit import BODY, TITLE, page

FIXTURE_PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


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


def _run_parse(tmp_path: Path, source: Path, jobs: int) -> tuple[bytes, list[dict[str, str]]]:
    """Records (bytes) and rejections (without their time) of `parse SOURCE --jobs N`."""
    out = tmp_path / f"jobs{jobs}.jsonl"
    result = CliRunner().invoke(cli, ["parse", str(source), "-o", str(out), "--jobs", str(jobs)])
    assert result.exit_code == 0, result.output
    rejects = [json.loads(line) for line in out.with_suffix(".rejects.jsonl").read_text().splitlines()]
    return out.read_bytes(), [{k: v for k, v in r.items() if k != "time"} for r in rejects]


def _archive(folder: Path) -> Path:
    """A WARC of every fixture page, served at an item URL of the site with its charset declared."""
    at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with WarcWriter(folder, name="run") as warc:
        for n, path in enumerate(sorted(FIXTURE_PAGES.glob("*.htm*"))):
            url = f"https://www.osce.org/test/{900000 + n}"
            headers = {"content-type": "text/html"}
            warc.write(FetchResult(url, url, 200, headers, path.read_bytes(), None, at, False, 0, {}))
    return folder


@pytest.mark.parametrize("source", ["pages", "warc"])
def test_parse_on_two_cores_writes_what_one_core_writes(tmp_path: Path, source: str) -> None:
    """`--jobs 2` gives the records of `--jobs 1` byte for byte, and the same rejections, in the same
    order: on a folder of pages and on a WARC archive."""
    folder = FIXTURE_PAGES if source == "pages" else _archive(tmp_path / "archive")
    records, rejects = _run_parse(tmp_path, folder, 1)
    assert len(records.splitlines()) > 2 * jobs.CHUNK_PAGES and rejects  # the pool is used, both kinds met
    assert _run_parse(tmp_path, folder, 2) == (records, rejects)


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_whole_number_of_at_least_one(tmp_path: Path, value: str) -> None:
    """`--jobs 0` (or negative, or no number) is a usage error (exit 2) naming the option."""
    result = CliRunner().invoke(cli, ["parse", str(_folder(tmp_path)), "--jobs", value])
    assert result.exit_code == 2 and "--jobs" in result.output


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers see the patch when forked"
)
def test_a_crash_in_a_worker_is_a_reject_with_its_traceback_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser crash in a worker process becomes a ParserCrash reject in its place; the traceback is
    logged by the parent; every other page still parses."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3 * jobs.CHUNK_PAGES):
        (pages / f"p{n:02}.html").write_text(page(f"<h1>{TITLE} {n}</h1>{BODY}"), encoding="utf-8")
    real = pipeline.parse_file

    def crashing(path: Path) -> PressRelease:
        if path.name == "p09.html":
            raise RuntimeError("a bug")
        return real(path)

    monkeypatch.setattr(pipeline, "parse_file", crashing)  # workers are forked: they see it too
    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(cli, ["parse", str(pages), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1
    [crash] = [json.loads(line) for line in (tmp_path / "records.rejects.jsonl").read_text().splitlines()]
    assert crash["path"].endswith("p09.html") and crash["kind"] == "ParserCrash"
    assert "RuntimeError: a bug" in result.stderr
    assert len(out.read_text().splitlines()) == 3 * jobs.CHUNK_PAGES - 1
