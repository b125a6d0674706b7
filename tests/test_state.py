"""The harvest state: URLs, validators, records and publishing, in a real sqlite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from osce_scrape.harvest.state import (
    ERROR,
    NEW,
    OK,
    REJECTED,
    SCHEMA_VERSION,
    RecordConflict,
    State,
    StateError,
)

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State(tmp_path / "state.sqlite")


def test_opens_in_wal_mode_with_a_schema_version(tmp_path: Path) -> None:
    """A new state file is in WAL mode and records the schema version."""
    with State(tmp_path / "s.sqlite") as state:
        assert state.get_meta("schema_version") == str(SCHEMA_VERSION)
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_refuses_another_schema_version(tmp_path: Path) -> None:
    """A state written by another schema version is refused with a StateError naming the file."""
    path = tmp_path / "s.sqlite"
    State(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="schema version 99") as info:
        State(path)
    assert info.value.source == str(path)


@pytest.mark.parametrize("schema", ["99", "corrupt"])
def test_a_refused_state_closes_its_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                schema: str) -> None:  # fmt: skip
    """Another schema version, or a corrupt file, raises StateError with the connection closed."""
    path = tmp_path / "s.sqlite"
    if schema == "corrupt":
        path.write_bytes(b"not a database" * 100)
    else:
        State(path).close()
        with sqlite3.connect(path) as db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (schema,))
        db.close()
    opened: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def spy(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", spy)
    with pytest.raises(StateError):
        State(path)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    """A corrupt state file gives a StateError, not a raw sqlite3 error."""
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StateError):
        State(path)


def test_discovered_urls_are_new_and_keep_their_listing_values(state: State) -> None:
    """note_discovered stores listing title and date; a later listing without them keeps them."""
    state.note_discovered([("http://x/a/1", "Title", dt.date(2024, 5, 6))])
    state.note_discovered([("http://x/a/1", None, None)])
    known = state.get("http://x/a/1")
    assert known is not None
    assert (known.status, known.listing_title, known.listing_date) == (NEW, "Title", dt.date(2024, 5, 6))
    assert not known.seen
    assert state.get("http://x/other") is None


def test_fetch_outcome_keeps_validators_a_304_does_not_repeat(state: State) -> None:
    """Validators persist across a fetch that sends none; first_fetched stays, last_fetched moves."""
    url = "http://x/a/1"
    state.note_discovered([(url, "T", None)])
    state.note_fetch(url, status=OK, fetched_at=WHEN, http_status=200, etag='"v1"',
                     last_modified="Mon, 01 Jan 2024 00:00:00 GMT")  # fmt: skip
    later = WHEN + dt.timedelta(hours=1)
    state.note_fetch(url, status=OK, fetched_at=later, http_status=304)
    known = state.get(url)
    assert known is not None
    assert (known.etag, known.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert (known.first_fetched, known.last_fetched, known.http_status) == (WHEN, later, 304)
    assert known.seen


def test_errors_are_recorded_and_cleared(state: State) -> None:
    """A failed fetch stores its error; the next success clears it."""
    url = "http://x/a/1"
    state.note_fetch(url, status=ERROR, fetched_at=WHEN, http_status=503, error="HttpStatusError")
    failed = state.get(url)
    assert failed is not None and failed.last_error == "HttpStatusError" and not failed.seen
    state.note_fetch(url, status=OK, fetched_at=WHEN, http_status=200)
    ok = state.get(url)
    assert ok is not None and ok.last_error is None and ok.status == OK


def _store(state: State, record_id: str, sha: str, date: str = "2024-01-01") -> str:
    return state.store_record(
        f"http://x/a/{record_id}", record_id=record_id, date=dt.date.fromisoformat(date),
        sha256=sha, json_line=f'{{"id": "{record_id}", "sha": "{sha}"}}',
    )  # fmt: skip


def test_store_record_says_new_changed_unchanged(state: State) -> None:
    """The same content is unchanged, other content is a change; the URL learns the record's hash."""
    state.note_discovered([("http://x/a/1", None, None)])
    assert _store(state, "1", "a" * 64) == "new"
    assert _store(state, "1", "a" * 64) == "unchanged"
    assert _store(state, "1", "b" * 64) == "changed"
    known = state.get("http://x/a/1")
    assert known is not None
    assert (known.record_id, known.record_sha256, known.record_date) == (
        "1", "b" * 64, dt.date(2024, 1, 1))  # fmt: skip


def test_a_page_whose_id_changes_keeps_one_record(state: State) -> None:
    """A URL that gave record "7" and now gives "7-ru" (its language settled differently) leaves only
    "7-ru" in the dataset; another page's record is untouched."""
    url = "http://x/a/7"
    state.note_discovered([(url, None, None), ("http://x/a/8", None, None)])
    state.store_record(url, record_id="7", date=dt.date(2024, 1, 1), sha256="a" * 64, json_line='{"id": "7"}')
    _store(state, "8", "b" * 64)
    state.store_record(url, record_id="7-ru", date=dt.date(2024, 1, 1), sha256="a" * 64,
                       json_line='{"id": "7-ru"}')  # fmt: skip
    assert sorted(state.iter_dataset()) == ['{"id": "7-ru"}', f'{{"id": "8", "sha": "{"b" * 64}"}}']


def test_unpublished_records_are_labelled_for_readers(state: State) -> None:
    """A record new and changed before publishing is still 'new'; once published, a change is 'changed'."""
    _store(state, "1", "a" * 64)
    _store(state, "1", "b" * 64)
    assert [(r.id, r.change) for r in state.iter_unpublished()] == [("1", "new")]
    state.mark_published()
    assert list(state.iter_unpublished()) == []
    _store(state, "1", "c" * 64)
    assert [(r.id, r.change) for r in state.iter_unpublished()] == [("1", "changed")]


def test_dataset_is_sorted_by_date_then_id(state: State) -> None:
    """iter_dataset streams JSON lines ordered by date, then id."""
    _store(state, "b", "1" * 64, "2024-02-01")
    _store(state, "c", "2" * 64, "2023-12-31")
    _store(state, "a", "3" * 64, "2024-02-01")
    assert [line.split('"')[3] for line in state.iter_dataset()] == ["c", "a", "b"]


def test_adopted_records_never_override_ours(state: State) -> None:
    """Rows read back from a dataset file fill gaps only, and count as published."""
    _store(state, "1", "a" * 64)
    adopted = state.adopt_records([
        ("1", "http://x/a/1", "2024-01-01", "f" * 64, '{"id": "1", "old": true}'),
        ("2", "http://x/a/2", "2023-01-01", "e" * 64, '{"id": "2"}'),
    ])  # fmt: skip
    assert adopted == 1
    assert list(state.iter_dataset()) == ['{"id": "2"}', f'{{"id": "1", "sha": "{"a" * 64}"}}']
    assert [r.id for r in state.iter_unpublished()] == ["1"]


def test_counts_and_a_reopened_state_keep_everything(tmp_path: Path) -> None:
    """Everything committed survives closing and reopening (a killed run's work is kept)."""
    path = tmp_path / "s.sqlite"
    with State(path) as state:
        state.note_discovered([("http://x/1", None, None), ("http://x/2", None, None)])
        state.note_fetch("http://x/1", status=OK, fetched_at=WHEN)
        _store(state, "1", "a" * 64)
    with State(path) as state:
        assert state.counts() == {"new": 1, "ok": 1, "records": 1}


def test_rejections_back_off_and_a_record_ends_the_backoff(state: State) -> None:
    """Each rejection in a row puts the next try 1, 2, 4, ... days later (capped at 32); a due one
    is pending again; a record resets it."""
    url = "http://x/a/1"
    state.note_discovered([(url, None, None)])
    days = []
    for n in range(8):
        when = WHEN + dt.timedelta(days=n)
        state.note_fetch(url, status=REJECTED, fetched_at=when)
        known = state.get(url)
        assert known is not None and known.retry_on is not None and known.rejections == n + 1
        days.append((known.retry_on - when.date()).days)
    assert days == [1, 2, 4, 8, 16, 32, 32, 32]
    assert [u for u, _, _ in state.pending(known.retry_on - dt.timedelta(days=1))] == []
    assert [u for u, _, _ in state.pending(known.retry_on)] == [url]
    state.note_fetch(url, status=OK, fetched_at=WHEN)
    known = state.get(url)
    assert known is not None and (known.rejections, known.retry_on) == (0, None)


def test_a_schema_1_state_is_migrated_and_its_rejections_retried(tmp_path: Path) -> None:
    """A state written before schema 2 gains the new columns in place; its rejected pages (never
    retried before) are due a day after their last fetch; records and URLs are kept."""
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema_version', '1');"
        "CREATE TABLE urls (url TEXT PRIMARY KEY, listing_title TEXT, listing_date TEXT,"
        " status TEXT NOT NULL DEFAULT 'new', http_status INTEGER, etag TEXT, last_modified TEXT,"
        " record_id TEXT, record_sha256 TEXT, record_date TEXT, first_fetched TEXT, last_fetched TEXT,"
        " last_error TEXT);"
        "CREATE TABLE records (id TEXT PRIMARY KEY, url TEXT NOT NULL, date TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, json TEXT NOT NULL, change TEXT NOT NULL,"
        " published INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO urls (url, status, last_fetched)"
        " VALUES ('http://x/a/1', 'rejected', '2026-01-02T03:04:05');"
        "INSERT INTO records VALUES ('2', 'http://x/a/2', '2024-01-01', 'a', '{}', 'new', 1);"
    )  # fmt: skip
    db.close()
    with State(path) as state:
        assert state.get_meta("schema_version") == "2"
        known = state.get("http://x/a/1")
        assert known is not None and (known.rejections, known.retry_on) == (1, dt.date(2026, 1, 3))
        assert list(state.iter_dataset()) == ["{}"]


def test_another_pages_record_of_the_same_id_is_a_conflict(state: State) -> None:
    """A page whose record id another page already holds with other content raises RecordConflict
    naming both URLs and changes nothing; the same content from a second URL is one record."""
    first, second, third = "http://x/a/1", "http://x/b/1", "http://x/c/1"
    state.note_discovered([(first, None, None), (second, None, None), (third, None, None)])
    state.store_record(first, record_id="1", date=dt.date(2024, 1, 1), sha256="a" * 64, json_line='{"v": 1}')
    with pytest.raises(RecordConflict) as info:
        state.store_record(second, record_id="1", date=dt.date(2024, 1, 1), sha256="b" * 64,
                           json_line='{"v": 2}')  # fmt: skip
    assert (info.value.source, info.value.holder) == (second, first)
    assert list(state.iter_dataset()) == ['{"v": 1}']
    assert state.store_record(third, record_id="1", date=dt.date(2024, 1, 1), sha256="a" * 64,
                              json_line='{"v": 1}') == "unchanged"  # fmt: skip
    assert state.store_record(first, record_id="1", date=dt.date(2024, 1, 1), sha256="c" * 64,
                              json_line='{"v": 3}') == "changed"  # fmt: skip


def test_a_gone_page_marks_its_record_withdrawn_until_it_returns(state: State) -> None:
    """mark_withdrawn keeps the record and remembers the first time its page was gone; a URL without a
    record marks nothing; storing the record again makes it live."""
    _store(state, "1", "a" * 64)
    state.note_discovered([("http://x/a/1", None, None), ("http://x/a/9", None, None)])
    _store(state, "1", "a" * 64)
    assert state.mark_withdrawn("http://x/a/1", WHEN) == "1"
    assert state.mark_withdrawn("http://x/a/1", WHEN + dt.timedelta(days=1)) == "1"
    assert state.mark_withdrawn("http://x/a/9", WHEN) is None
    assert list(state.iter_withdrawn()) == [("1", "http://x/a/1", WHEN.isoformat())]
    assert len(list(state.iter_dataset())) == 1
    _store(state, "1", "a" * 64)
    assert list(state.iter_withdrawn()) == []


def test_an_alias_answering_404_does_not_withdraw_the_record_its_holder_serves(state: State) -> None:
    """Two URLs with the same content are one record, held by the first; the alias going 404 marks
    nothing withdrawn (the holder still serves it); the holder going 404 does."""
    state.note_discovered([("http://x/a/1", None, None), ("http://x/alias/1", None, None)])
    _store(state, "1", "a" * 64)
    state.store_record("http://x/alias/1", record_id="1", date=dt.date(2024, 1, 1), sha256="a" * 64,
                       json_line='{"id": "1", "sha": "' + "a" * 64 + '"}')  # fmt: skip
    assert state.mark_withdrawn("http://x/alias/1", WHEN) is None
    assert list(state.iter_withdrawn()) == []
    assert state.mark_withdrawn("http://x/a/1", WHEN) == "1"
