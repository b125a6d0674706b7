"""The output contract: one validated, frozen record per press release."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

EARLIEST_DATE = dt.date(1973, 1, 1)  # the CSCE's Helsinki consultations: nothing on the site is older
_URL = re.compile(r"^(https?://[^\s/]+|file://)/?\S*$", re.IGNORECASE)

# Text of menus and section heads, casefolded: never a headline, so never a record's title.
MENU_LABELS = frozenset(
    {
        "our work", "fields of work", "countries", "structures and institutions", "secretariat",
        "institutions", "field operations", "meetings and conferences", "participating states",
        "about us", "organizational structure", "newsroom", "news", "press releases", "resources",
        "home", "menu", "search", "skip navigation", "skip links", "all", "partnerships",
        "projects", "events", "contacts", "press release", "osce", "what we do", "where we are",
        "related content", "page not found", "access denied", "error",
    }
)  # fmt: skip

NonEmpty = Annotated[str, Field(min_length=1)]


def latest_date_on_earth() -> dt.date:
    """Today where it is latest (UTC+14): a release dated today in Vienna is never "in the future" on a
    machine whose clock is hours behind."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()


class Provenance(BaseModel):
    """How a record was made: which parser, when fetched, and which rule produced each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parser_version: NonEmpty
    fetched_at: dt.datetime | None = None
    body_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    rules: dict[str, str] = Field(default_factory=dict)


class PressRelease(BaseModel):
    """One press release as published on www.osce.org."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmpty
    url: NonEmpty
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    content_type: str | None
    title: NonEmpty
    date: dt.date
    place: str | None
    sources: list[str]
    fields_of_work: list[str]
    body: NonEmpty
    contacts: str | None
    translations: dict[str, str] = Field(default_factory=dict)
    provenance: Provenance

    @field_validator("url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not _URL.match(value):
            raise ValueError(f"url: {value!r} is not an absolute http(s) or file URL")
        return value

    @field_validator("title")
    @classmethod
    def _real_title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title: is blank")
        if value.strip().casefold() in MENU_LABELS:
            raise ValueError(f"title: {value!r} is a menu label, not a headline")
        return value

    @field_validator("body")
    @classmethod
    def _real_body(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("body: is blank")
        return value

    @field_validator("date")
    @classmethod
    def _plausible_date(cls, value: dt.date) -> dt.date:
        if value < EARLIEST_DATE:
            raise ValueError(f"date: {value.isoformat()} is before {EARLIEST_DATE.isoformat()}")
        if value > latest_date_on_earth():
            raise ValueError(f"date: {value.isoformat()} is in the future")
        return value

    def to_json_line(self) -> str:
        """The record as one line of JSONL (no trailing newline)."""
        return self.model_dump_json()


def record_schema() -> dict[str, Any]:
    """The JSON Schema of a record, for `osce-scrape schema`."""
    return PressRelease.model_json_schema()


def record_sha256(data: dict[str, Any]) -> str:
    """A record's content hash, blind to when it was fetched (refetching a page is no change)."""
    content = dict(data)
    content["provenance"] = {k: v for k, v in data["provenance"].items() if k != "fetched_at"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
