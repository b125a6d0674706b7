"""The harvest state: `state.sqlite` in the output folder (stdlib sqlite3, WAL).

Two tables. `urls`: every URL discovered, with its listing title/date, fetch status, HTTP
validators (ETag, Last-Modified), the hash and date of its record, the last error, and when a
rejected or skipped page is tried again (`rejections`, `retry_on`: backoff); it makes re-runs incremental.
`records`: the latest version of every record (keyed by record id), the URL that gave it, whether
the dataset file already holds it (`published`), and since when its page answers 404/410
(`withdrawn`); a killed run loses nothing because each page's outcome is committed at once, and the
next run publishes what the killed one could not.

Schema 1 lacked `rejections`, `retry_on` and `withdrawn`: it is migrated in place,
its rejected pages due again a day after their last fetch.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from osce_scrape.errors import OsceScrapeError
from osce_scrape.harvest.pausepoints import pause_point

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# Columns schema 2 added to schema 1's tables (migrated in place by ALTER TABLE).
_ADDED_IN_2 = (
    ("urls", "rejections INTEGER NOT NULL DEFAULT 0"),
    ("urls", "retry_on TEXT"),
    ("records", "withdrawn TEXT"),
)
# A rejected page is tried again after 1, 2, 4, ... days: a page that showed an error template for an
# hour, or a date the server's slow clock put in the future, comes back; one that is really no press
# release costs the site a request a month once the delay reaches its cap.
RETRY_FIRST_DAYS = 1
RETRY_MAX_DAYS = 32

# URL statuses. `new`: discovered, never fetched; `error`: the last fetch failed (retried next run);
# `skipped`: not a press release (event, landing, error page), fetched again after a backoff.
NEW, OK, REJECTED, ERROR, SKIPPED = "new", "ok", "rejected", "error", "skipped"
_SEEN = (OK, REJECTED, SKIPPED)  # fetched and settled: only revalidated while recent
# Fetched again after a backoff (1, 2, 4 … 32 days): a rejected press release (an error template shown
# for an hour, a slow clock) and a page that was no press release (the same error template, an event
# page) alike, so a passing fault never loses a record for good and an event page costs a request a month.
_BACKED_OFF = (REJECTED, SKIPPED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    listing_title TEXT,
    listing_date TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    record_id TEXT,
    record_sha256 TEXT,
    record_date TEXT,
    first_fetched TEXT,
    last_fetched TEXT,
    last_error TEXT,
    rejections INTEGER NOT NULL DEFAULT 0,
    retry_on TEXT
);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    date TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    json TEXT NOT NULL,
    change TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    withdrawn TEXT
);
CREATE INDEX IF NOT EXISTS records_order ON records (date, id);
CREATE INDEX IF NOT EXISTS records_unpublished ON records (published) WHERE published = 0;
"""


class StateError(OsceScrapeError):
    """The state file is unusable (another schema version, or corrupt)."""


class StateDamaged(StateError):
    """The state file is damaged (not a database, a corrupt page): it can be set aside and rebuilt."""


class RecordConflict(OsceScrapeError):
    """Another page already gave the record of this id: the first one's record stays."""

    def __init__(self, record_id: str, holder: str, *, source: str) -> None:
        self.record_id = record_id
        self.holder = holder
        super().__init__(
            f"record id {record_id} is already the record of {holder}; {source} claims it too "
            "(a wrong canonical URL on one of them?): the first record is kept",
            source=source,
        )


@dataclass(frozen=True)
class UrlState:
    """What the state knows of one URL."""

    url: str
    listing_title: str | None
    listing_date: dt.date | None
    status: str
    http_status: int | None
    etag: str | None
    last_modified: str | None
    record_id: str | None
    record_sha256: str | None
    record_date: dt.date | None
    first_fetched: dt.datetime | None
    last_fetched: dt.datetime | None
    last_error: str | None
    record_parser: str | None = None  # provenance.parser_version of its record, if it has one
    rejections: int = 0  # rejections in a row
    retry_on: dt.date | None = None  # a rejected page is due again on this day

    def retry_due(self, today: dt.date) -> bool:
        """A rejected or skipped page whose backoff is over."""
        return self.status in _BACKED_OFF and self.retry_on is not None and self.retry_on <= today

    @property
    def seen(self) -> bool:
        """Fetched before with a settled outcome (a record or a rejection)."""
        return self.status in _SEEN


@dataclass(frozen=True)
class StoredRecord:
    """A record as the state holds it: its JSON line and whether it is new or changed."""

    id: str
    date: str
    json: str
    change: str


def _date(value: str | None) -> dt.date | None:
    """A stored date; None (unknown) for a value that is none, in a damaged or hand-edited state."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        log.warning("state: %r is no date; taken as unknown", value)
        return None


def _time(value: str | None) -> dt.datetime | None:
    """A stored time; None (unknown) for a value that is none, in a damaged or hand-edited state."""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        log.warning("state: %r is no time; taken as unknown", value)
        return None


def _count(value: object) -> int:
    """A stored count; 0 for a value that is none."""
    if value is None:
        return 0
    try:
        return max(int(str(value)), 0)
    except ValueError:
        log.warning("state: %r is no count; taken as 0", value)
        return 0


def _url_state(row: sqlite3.Row) -> UrlState:
    return UrlState(
        url=row["url"],
        listing_title=row["listing_title"],
        listing_date=_date(row["listing_date"]),
        status=row["status"],
        http_status=row["http_status"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        record_id=row["record_id"],
        record_sha256=row["record_sha256"],
        record_date=_date(row["record_date"]),
        first_fetched=_time(row["first_fetched"]),
        last_fetched=_time(row["last_fetched"]),
        last_error=row["last_error"],
        record_parser=row["record_parser"],
        rejections=_count(row["rejections"]),
        retry_on=_date(row["retry_on"]),
    )


def retry_delay(rejections: int) -> dt.timedelta:
    """How long after its `rejections`-th rejection in a row a page is tried again."""
    return dt.timedelta(days=min(RETRY_FIRST_DAYS << min(max(rejections - 1, 0), 16), RETRY_MAX_DAYS))


class State:
    """The harvest state of one output folder. Every method is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None)  # autocommit; explicit BEGINs
        except sqlite3.DatabaseError as exc:
            raise StateDamaged(f"cannot open the state: {exc}", source=str(path)) from exc
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints
            self._db.execute("PRAGMA busy_timeout=5000")
            self._check()
            self._migrate()
        except BaseException as exc:
            self._db.close()  # a refused state must not keep the file open (nor its WAL)
            if isinstance(exc, sqlite3.DatabaseError):
                raise StateDamaged(f"cannot open the state: {exc}", source=str(path)) from exc
            raise

    def _check(self) -> None:
        """A corrupt page found now, not as a traceback halfway through a run (quick_check reads every
        page once: well under a second for a state of 100,000 records)."""
        problems = [str(row[0]) for row in self._db.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise StateDamaged(f"the state is damaged: {'; '.join(problems)}", source=str(self.path))

    def _migrate(self) -> None:
        self._db.executescript(_SCHEMA)  # idempotent; executescript commits on its own
        with self._transaction():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif row["value"] == "1":
                self._migrate_from_1()
            elif row["value"] != str(SCHEMA_VERSION):
                raise StateError(
                    f"schema version {row['value']}, this osce-scrape reads {SCHEMA_VERSION}",
                    source=str(self.path),
                )

    def _migrate_from_1(self) -> None:
        """Add schema 2's columns; rejected pages, never retried by schema 1, are due a day after."""
        for table, column in _ADDED_IN_2:
            self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        self._db.execute(
            "UPDATE urls SET rejections = 1, retry_on = date(last_fetched, '+1 day') WHERE status = ?",
            (REJECTED,),
        )
        self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    def __enter__(self) -> State:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> sqlite3.Connection:
        # sqlite3's context manager commits or rolls back; BEGIN first: we run in autocommit mode.
        self._db.execute("BEGIN")
        return self._db

    # --- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- urls -------------------------------------------------------------------------------

    def get(self, url: str) -> UrlState | None:
        row = self._db.execute(
            "SELECT urls.*, CASE WHEN json_valid(records.json) THEN "  # a damaged line is no crash here
            "json_extract(records.json, '$.provenance.parser_version') END AS record_parser "
            "FROM urls LEFT JOIN records ON records.id = urls.record_id WHERE urls.url = ?",
            (url,),
        ).fetchone()
        return None if row is None else _url_state(row)

    def note_discovered(self, entries: Iterable[tuple[str, str | None, dt.date | None]]) -> None:
        """Remember (url, listing title, listing date) triples; keep the rest of known URLs."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO urls (url, listing_title, listing_date) VALUES (?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET "
                "listing_title = coalesce(excluded.listing_title, listing_title), "
                "listing_date = coalesce(excluded.listing_date, listing_date)",
                [(u, t, d.isoformat() if d else None) for u, t, d in entries],
            )

    def pending(self, today: dt.date | None = None) -> list[tuple[str, str | None, dt.date | None]]:
        """(url, listing title, listing date) of URLs discovered but never settled: queued when a run
        was killed or stopped, or failed last time; and, given `today`, rejected pages due again (a
        walk that stops at the first page with nothing due would not reach old ones). The next run
        fetches them before walking."""
        query = (
            "SELECT url, listing_title, listing_date FROM urls WHERE status IN (?, ?) "
            "OR (status IN (?, ?) AND retry_on <= ?) ORDER BY url"
        )
        rows = self._db.execute(query, (NEW, ERROR, *_BACKED_OFF, today.isoformat() if today else ""))
        return [(r["url"], r["listing_title"], _date(r["listing_date"])) for r in rows]

    def note_fetch(
        self,
        url: str,
        *,
        status: str,
        fetched_at: dt.datetime,
        http_status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record the outcome of fetching `url` (validators are kept when the response has none). A
        rejection is tried again after a backoff (`retry_delay`); a record ends the backoff."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO urls (url, status, http_status, etag, last_modified, "
                "first_fetched, last_fetched, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET status = excluded.status, "
                "http_status = coalesce(excluded.http_status, http_status), "
                "etag = coalesce(excluded.etag, etag), "
                "last_modified = coalesce(excluded.last_modified, last_modified), "
                "first_fetched = coalesce(first_fetched, excluded.first_fetched), "
                "last_fetched = excluded.last_fetched, last_error = excluded.last_error",
                (url, status, http_status, etag, last_modified, fetched_at.isoformat(),
                 fetched_at.isoformat(), error),
            )  # fmt: skip
            if status in (OK, *_BACKED_OFF):
                self._schedule_retry(url, status, fetched_at.date())

    def _schedule_retry(self, url: str, status: str, day: dt.date) -> None:
        if status == OK:
            self._db.execute("UPDATE urls SET rejections = 0, retry_on = NULL WHERE url = ?", (url,))
            return
        row = self._db.execute("SELECT rejections FROM urls WHERE url = ?", (url,)).fetchone()
        rejections = _count(row["rejections"]) + 1
        retry_on = day + retry_delay(rejections)
        self._db.execute("UPDATE urls SET rejections = ?, retry_on = ? WHERE url = ?",
                         (rejections, retry_on.isoformat(), url))  # fmt: skip

    def store_record(self, url: str, *, record_id: str, date: dt.date, sha256: str, json_line: str) -> str:
        """Keep the latest version of a record; return 'new', 'changed' or 'unchanged'.

        One page, one record: when the page's id settled differently this time (its language or
        canonical URL), the record it gave before is dropped, so the dataset never holds both. One
        record, one page: when another page already gave this id other content, RecordConflict is
        raised and nothing changes (the first record stays; same content from two URLs is one record).
        """
        with self._transaction():
            holder = self._db.execute(
                "SELECT records.url FROM records JOIN urls ON urls.url = records.url "
                "AND urls.record_id = records.id WHERE records.id = ? AND records.url != ? "
                "AND records.sha256 != ?",
                (record_id, url, sha256),
            ).fetchone()
            if holder is not None:
                raise RecordConflict(record_id, str(holder["url"]), source=url)
            before = self._db.execute("SELECT record_id FROM urls WHERE url = ?", (url,)).fetchone()
            if before is not None and before["record_id"] not in (None, record_id):
                self._db.execute("DELETE FROM records WHERE id = ? AND url = ?", (before["record_id"], url))
            row = self._db.execute(
                "SELECT sha256, change, published FROM records WHERE id = ?", (record_id,)
            ).fetchone()
            if row is not None and row["sha256"] == sha256:
                outcome = "unchanged"
            else:
                outcome = "new" if row is None else "changed"
                # Not yet published: readers have not seen it, so it keeps its first label.
                change = row["change"] if row is not None and not row["published"] else outcome
                self._db.execute(
                    "INSERT OR REPLACE INTO records (id, url, date, sha256, json, change, published) "
                    "VALUES (?, ?, ?, ?, ?, ?, 0)",
                    (record_id, url, date.isoformat(), sha256, json_line, change),
                )
                pause_point("state-commit")  # a kill here: the transaction rolls back, the page is refetched
            self._db.execute(
                "UPDATE urls SET record_id = ?, record_sha256 = ?, record_date = ? WHERE url = ?",
                (record_id, sha256, date.isoformat(), url),
            )
            self._db.execute("UPDATE records SET withdrawn = NULL WHERE id = ?", (record_id,))  # it is back
        return outcome

    def mark_withdrawn(self, url: str, when: dt.datetime) -> str | None:
        """The page of a record answers 404/410: the record stays, marked withdrawn since `when` (its
        first such answer); return its id, or None when the URL gave no record."""
        with self._transaction():
            row = self._db.execute(
                # Only the page that holds the record: an alias with the same content answering 404 is no
                # withdrawal of the record its holder still serves.
                "SELECT records.id FROM records JOIN urls ON urls.record_id = records.id "
                "AND records.url = urls.url WHERE urls.url = ?",
                (url,),
            ).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE records SET withdrawn = coalesce(withdrawn, ?) WHERE id = ?",
                             (when.isoformat(), row["id"]))  # fmt: skip
        return str(row["id"])

    def iter_withdrawn(self) -> Iterator[tuple[str, str, str]]:
        """(id, url, since) of every record whose page answers 404/410, by id."""
        query = "SELECT id, url, withdrawn FROM records WHERE withdrawn IS NOT NULL ORDER BY id"
        for row in self._db.execute(query):
            yield str(row["id"]), str(row["url"]), str(row["withdrawn"])

    def drop_record(self, record_id: str) -> None:
        """Forget a damaged record: its pages are fetched whole again (status `new`, no validators)."""
        with self._transaction():
            self._db.execute("DELETE FROM records WHERE id = ?", (record_id,))
            self._db.execute(
                "UPDATE urls SET status = ?, record_id = NULL, record_sha256 = NULL, record_date = NULL, "
                "etag = NULL, last_modified = NULL WHERE record_id = ?",
                (NEW, record_id),
            )

    def adopt_records(self, rows: Iterable[tuple[str, str, str, str, str]]) -> int:
        """Take (id, url, date, sha256, json) rows of a dataset file as published; ours win."""
        with self._transaction():
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO records (id, url, date, sha256, json, change, published) "
                "VALUES (?, ?, ?, ?, ?, 'new', 1)",
                rows,
            )
            return self._db.total_changes - before

    # --- publishing -------------------------------------------------------------------------

    def iter_dataset(self) -> Iterator[str]:
        """Every record's JSON line, sorted by date then id, streamed (the dataset may be large)."""
        for row in self._db.execute("SELECT json FROM records ORDER BY date, id"):
            yield str(row["json"])

    def iter_records(self) -> Iterator[tuple[str, str, str]]:
        """(id, url, json) of every record, in no particular order, streamed."""
        for row in self._db.execute("SELECT id, url, json FROM records"):
            yield str(row["id"]), str(row["url"]), str(row["json"])

    def has_outcomes(self) -> bool:
        """Some page was fetched and settled (a record, a rejection or a skipped page)."""
        query = f"SELECT 1 FROM urls WHERE status IN ({', '.join('?' * len(_SEEN))}) LIMIT 1"
        return self._db.execute(query, _SEEN).fetchone() is not None

    def iter_unpublished(self) -> Iterator[StoredRecord]:
        """Records new or changed since the dataset file was last written, by date then id."""
        query = "SELECT id, date, json, change FROM records WHERE published = 0 ORDER BY date, id"
        for row in self._db.execute(query):
            yield StoredRecord(row["id"], row["date"], row["json"], row["change"])

    def mark_published(self) -> None:
        with self._transaction():
            self._db.execute("UPDATE records SET published = 1 WHERE published = 0")

    def counts(self) -> dict[str, int]:
        """URLs by status, and records, for summaries."""
        result = {
            str(r["status"]): int(r["n"])
            for r in self._db.execute("SELECT status, count(*) AS n FROM urls GROUP BY status")
        }
        result["records"] = int(self._db.execute("SELECT count(*) FROM records").fetchone()[0])
        return result
