"""Generated press releases: the real listing items' metadata, varied deterministically from a seed.

Each generated article knows the record a correct parser must make of its page (`expected()`): the
record is derived from the same data the page is rendered from, never from parsing the page.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osce_scrape.mirror.catalog import PARTICIPATING_STATES, structure_slug

REAL_ITEMS = Path(__file__).resolve().parent.parent / "data" / "real_listing_items.jsonl"
CANONICAL_BASE = "https://www.osce.org"  # generated pages name the live site as canonical, as a mirror does
FIRST_DATE = dt.date(1997, 1, 1)  # the listing's oldest items
MAX_SHIFT_DAYS = 700  # copies of an item move by up to ~2 years, so dates spread over the listing
NODE_IDS = (60_000, 600_000)  # real node ids seen run from ~43,000 to ~600,000 and do not follow dates

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH += r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
# A dateline: "VIENNA, 18 June 1997- ", "OSH, Kyrgyzstan, 14 March 2006- ", "BISHKEK, 12 April- ".
_DATELINE = re.compile(
    r"^(?P<place>[^,\d]{2,40}(?:, [A-Z][a-z]+)?), (?P<day>\d{1,2}) (?P<month>" + _MONTH + r")\.?"
    r"(?:(?P<comma>,)? (?P<year>\d{4}))?"
)
_STATES = tuple(s.split(" – ")[0] for s in PARTICIPATING_STATES)  # "Finland – OSCE ..." -> "Finland"

# Paragraphs added after the lead so pages have a body of realistic length; neutral wording with no
# dates, labels or contact details that could be mistaken for metadata.
_EXTRA = (
    "The {source} has supported this work for several years, in close co-operation with national "
    "institutions, civil society and international partners.",
    "Participants discussed practical steps to strengthen {field} and agreed to continue the "
    "dialogue at expert level.",
    "The activity is part of a wider project that helps the authorities implement their OSCE "
    "commitments on {field}.",
    "Representatives of the host country welcomed the initiative and underlined the importance of "
    "regional co-operation.",
    "“We remain committed to supporting these efforts in the long term,” said the Head of the {source}.",
)


@dataclass
class Article:
    """One press-release page of the mirror and everything needed to render it and to check it."""

    node_id: int
    path: str
    title: str
    date: dt.date
    content_type: str | None
    sources: tuple[str, ...]
    fields: tuple[str, ...]
    paragraphs: tuple[str, ...]
    place: str | None
    template: str
    contacts: tuple[str, ...] | None = None
    revision: int = 0
    modified: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def canonical_url(self) -> str:
        return CANONICAL_BASE + self.path

    @property
    def etag(self) -> str:
        return f'"{self.node_id}-{self.revision}"'

    @property
    def lead(self) -> str:
        return self.paragraphs[0]

    def shown_sources(self) -> tuple[str, ...]:
        """Sources the page shows (the Newsroom layout has no metadata block)."""
        return () if self.template == "newsroom" else self.sources

    def shown_fields(self) -> tuple[str, ...]:
        return () if self.template == "newsroom" else self.fields

    def shown_content_type(self) -> str | None:
        return None if self.template == "newsroom" else self.content_type

    def expected(self) -> dict[str, Any]:
        """The record a correct parser makes of this page (the fields of issue #2's contract)."""
        return {
            "id": str(self.node_id),
            "url": self.canonical_url,
            "language": "en",
            "content_type": self.shown_content_type(),
            "title": self.title,
            "date": self.date.isoformat(),
            "place": self.place,
            "sources": list(self.shown_sources()),
            "fields_of_work": list(self.shown_fields()),
            "body": "\n\n".join(self.paragraphs),
            "contacts": "\n".join(self.contacts) if self.contacts else None,
            "translations": {},
        }


def load_real_items(path: Path = REAL_ITEMS) -> list[dict[str, Any]]:
    """The 219 real listing entries (title, date, content type, sources, fields, lead)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class ArticleFactory:
    """Makes the k-th generated article for a seed; the same (seed, k) always gives the same article."""

    def __init__(self, seed: int, taken_ids: set[int], today: dt.date | None = None) -> None:
        self.seed = seed
        self.today = today or dt.date.today()
        self.items = load_real_items()
        random.Random(seed).shuffle(self.items)
        self._ids = random.Random(f"ids:{seed}")
        self._taken = set(taken_ids)

    def make(self, k: int, *, on: dt.date | None = None) -> Article:
        """Article number k; `on` forces its date (new items published today)."""
        rng = random.Random(f"{self.seed}:{k}")
        item = self.items[k % len(self.items)]
        copy = k // len(self.items)
        base_date = dt.date.fromisoformat(item["date"])
        date = on or (base_date if copy == 0 else _shift(base_date, rng, self.today))
        lead, place = _retime_lead(_finish(item["lead"], item["lead_truncated"]), date - base_date)
        sources = tuple(item["sources"]) if item["content_type"] else ()
        fields = tuple(item["fields"]) if item["content_type"] else ()
        node_id = self._new_id()
        template = _template(rng, date, place)
        return Article(
            node_id=node_id,
            path=f"/{structure_slug(sources[0] if sources else None)}/{node_id}",
            title=_title(item["title"], copy, self.seed),
            date=date,
            content_type=item["content_type"],
            sources=sources,
            fields=fields,
            paragraphs=(lead, *_extra_paragraphs(rng, sources, fields)),
            place=place,
            template=template,
            contacts=_contacts(rng, sources) if template == "modern" else None,
            modified=dt.datetime.combine(date, dt.time(12), dt.UTC),
        )

    def _new_id(self) -> int:
        while (node_id := self._ids.randrange(*NODE_IDS)) in self._taken:
            pass
        self._taken.add(node_id)
        return node_id


def _shift(date: dt.date, rng: random.Random, today: dt.date) -> dt.date:
    shifted = date + dt.timedelta(days=rng.randint(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS))
    return min(max(shifted, FIRST_DATE), today)


def _title(title: str, copy: int, seed: int) -> str:
    """Copy 0 keeps the real title; later copies name a participating State (distinct per copy)."""
    if copy == 0:
        return title
    state = _STATES[(copy - 1 + seed) % len(_STATES)]
    round_ = (copy - 1) // len(_STATES)
    return f"{title} – {state}" + (f" ({round_ + 1})" if round_ else "")


def _finish(lead: str, truncated: bool) -> str:
    """A truncated lead ("... Dr....") ends as a sentence instead of with the listing's ellipsis."""
    return lead.rstrip(". …") + "." if truncated or lead.endswith("..") else lead


def _retime_lead(lead: str, shift: dt.timedelta) -> tuple[str, str | None]:
    """Move the dateline's date by `shift` (keeping its form) and return the lead and its place."""
    match = _DATELINE.match(lead)
    if match is None or not _is_place(match["place"]):
        return lead, None
    if not shift:
        return lead, match["place"]
    month = _month_number(match["month"])
    year = int(match["year"]) if match["year"] else 2001  # yearless datelines keep no year
    try:
        moved = dt.date(year, month, int(match["day"])) + shift
    except ValueError:
        return lead, match["place"]
    when = f"{moved.day} {_MONTH_NAMES[moved.month - 1]}"
    if match["year"]:
        when += f"{match['comma'] or ''} {moved.year}"
    return f"{match['place']}, {when}{lead[match.end() :]}", match["place"]


def _is_place(place: str) -> bool:
    """ "VIENNA", "VIENNA/THE HAGUE", "BATKEN, Kyrgyzstan", "Prishtinë/Priština"; not "On his visit"."""
    head = place.split(", ")[0]
    return head.upper() == head or bool(re.fullmatch(r"[^\W\d_]+(?:/[^\W\d_]+)+", head))


def _month_number(name: str) -> int:
    return next(i for i, m in enumerate(_MONTH_NAMES, 1) if m.lower().startswith(name.lower()[:3]))


def _template(rng: random.Random, date: dt.date, place: str | None) -> str:
    """Old items may use the Newsroom layout (needs a one-place dateline); the rest the two others."""
    roll = rng.random()
    if date.year < 2009 and place and "," not in place and roll < 0.4:
        return "newsroom"
    return "panels" if roll < 0.45 else "modern"


def _extra_paragraphs(rng: random.Random, sources: tuple[str, ...], fields: tuple[str, ...]) -> list[str]:
    source = sources[0].removeprefix("OSCE ") if sources else "OSCE"
    words = {"source": f"OSCE {source}" if sources else "OSCE", "field": "co-operation"}
    if fields:
        words["field"] = fields[0].lower()
    chosen = rng.sample(_EXTRA, rng.randint(1, 3))
    return [text.format(**words).replace("OSCE OSCE", "OSCE") for text in chosen]


def _contacts(rng: random.Random, sources: tuple[str, ...]) -> tuple[str, ...] | None:
    if rng.random() >= 0.3:
        return None
    office = sources[0] if sources else "OSCE Secretariat"
    return (
        "Communication and Media Relations Section",
        office,
        "Wallnerstrasse 6, 1010 Vienna, Austria",
        f"Office: +43 1 514 36 {6000 + rng.randrange(1000)}",
        "press@osce.org",
    )
