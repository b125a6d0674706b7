"""The off-loop parse job: records stamped and hashed, rejections and parser crashes as outcomes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fakesite import fake_parse
from osce_scrape.harvest.jobs import parse_job
from osce_scrape.models import PressRelease

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
PAGE = b"<div class='press'><h1>Title</h1><time>2024-05-06</time><p>Body.</p></div>"


def test_a_record_is_stamped_serialised_and_hashed() -> None:
    """provenance.fetched_at is the fetch time; the hash ignores it, so a later fetch hashes alike."""
    outcome = parse_job(fake_parse, PAGE, "http://x/secretariat/7", None, WHEN)
    assert outcome.record is not None
    record = PressRelease.model_validate_json(outcome.record.json_line)
    assert record.provenance.fetched_at == WHEN
    assert (outcome.record.id, outcome.record.date, outcome.record.title) == (
        "7",
        dt.date(2024, 5, 6),
        "Title",
    )
    later = parse_job(fake_parse, PAGE, "http://x/secretariat/7", None, WHEN + dt.timedelta(days=1))
    assert later.record is not None and later.record.sha256 == outcome.record.sha256
    assert json.loads(later.record.json_line) != json.loads(outcome.record.json_line)


@pytest.mark.parametrize(
    "page", [PAGE.replace(b"Body.", b"Body, edited."), PAGE.replace(b"Title", b"Title v2"),
             PAGE.replace(b"2024-05-06", b"2024-05-07")],
)  # fmt: skip
def test_the_hash_changes_with_the_content(page: bytes) -> None:
    """An edited body, title or date hashes differently: the hash is of the record, not a constant."""
    first = parse_job(fake_parse, PAGE, "http://x/secretariat/7", None, WHEN).record
    edited = parse_job(fake_parse, page, "http://x/secretariat/7", None, WHEN).record
    assert first is not None and edited is not None
    assert edited.sha256 != first.sha256 and len(edited.sha256) == 64


def test_a_parse_error_is_a_rejection_with_its_reason() -> None:
    """NotAPressRelease comes back as an outcome naming the reason and the error kind."""
    outcome = parse_job(fake_parse, b"<div class='event'></div>", "http://x/e/1", None, WHEN)
    assert (outcome.record, outcome.reason, outcome.kind) == (
        None, "an event, not a press release", "NotAPressRelease")  # fmt: skip


def _crashing(html: bytes, url: str, *, encoding: str | None = None) -> PressRelease:
    raise KeyError("bug")


def test_a_parser_crash_is_contained(caplog: pytest.LogCaptureFixture) -> None:
    """A parser bug on one page is a 'ParserCrash' rejection (logged with its traceback), not a dead crawl."""
    outcome = parse_job(_crashing, PAGE, "http://x/a/1", None, WHEN)
    assert (outcome.record, outcome.kind) == (None, "ParserCrash")
    assert "KeyError" in outcome.reason and "parser crashed on http://x/a/1" in caplog.text
