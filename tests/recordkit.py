"""Real PressRelease records for dataset tests and benchmarks: valid dates, body_sha256 of the body.

`synthetic_records(n)` draws titles' shapes, datelines, sources and fields of work from the real listing
entries in ../shared/reference, so exports and reports see the values the site really has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from osce_scrape.models import PressRelease, Provenance

# The package's copies of ../shared/reference's listing files (the mirror serves from them too).
REFERENCE = Path(__file__).resolve().parent.parent / "src" / "osce_scrape" / "data"
# The dateline's place: the lead's first words before ", <day> <Month>", " – <day>" or "- ".
DATELINE_PLACE = re.compile(
    r"^(?P<place>[A-ZА-ЯЁ][^\d.–—]{1,60}?)(?:,\s*\d{1,2}\s+\w+|\s*[–—]\s*\d|-{1,2}\s)"
)


def make_record(**overrides: Any) -> PressRelease:
    """One valid record; any field can be overridden (body_sha256 follows the body)."""
    body = overrides.pop("body", "VIENNA, 6 March 2017 – The OSCE said today that...\nSecond paragraph.")
    provenance = {
        "parser_version": "test-1",
        "fetched_at": dt.datetime(2026, 11, 1, 12, 30, tzinfo=dt.UTC),
        "body_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "rules": {"title": "h1.page-title", "date": "dateline"},
    }
    provenance.update(overrides.pop("provenance", {}))
    fields: dict[str, Any] = {
        "id": "osce-fom-1",
        "url": "https://www.osce.org/fom/1",
        "language": "en",
        "content_type": "Press release",
        "title": "OSCE media freedom representative speaks",
        "date": dt.date(2017, 3, 6),
        "place": "VIENNA/WARSAW",
        "sources": ["OSCE Representative on Freedom of the Media"],
        "fields_of_work": ["Media freedom and development"],
        "body": body,
        "contacts": None,
        "translations": {},
        "provenance": Provenance(**provenance),
    }
    fields.update(overrides)
    return PressRelease(**fields)


@cache
def listing_items() -> tuple[dict[str, Any], ...]:
    """The real listing entries (press releases and the FOM statements)."""
    items: list[dict[str, Any]] = []
    for name in ("real_listing_items.jsonl", "real_listing_items_fom.jsonl"):
        with (REFERENCE / name).open(encoding="utf-8") as handle:
            items.extend(json.loads(line) for line in handle if line.strip())
    return tuple(items)


def dateline_place(lead: str) -> str | None:
    """The place of a lead's dateline ("OSH, Kyrgyzstan, 14 March 2006- ..." gives "OSH, Kyrgyzstan")."""
    match = DATELINE_PLACE.match(lead)
    return match.group("place").strip() if match else None


def records_from_listing() -> list[PressRelease]:
    """One record per real listing entry: its title, date, content type, sources, fields and dateline."""
    records = []
    for number, item in enumerate(listing_items(), 1):
        records.append(
            make_record(
                id=f"listing-{number}",
                url=f"https://www.osce.org/node/{40000 + number}",
                title=item["title"],
                date=dt.date.fromisoformat(item["date"]),
                content_type=item["content_type"],
                place=dateline_place(item["lead"]),
                sources=item["sources"],
                fields_of_work=item["fields"],
                body=item["lead"],
            )
        )
    return records


def synthetic_records(count: int, seed: int = 5) -> Iterator[PressRelease]:
    """`count` varied records built from the real listing's values (deterministic for a seed)."""
    rng = random.Random(seed)
    items = listing_items()
    words = [w for item in items for w in item["lead"].split()]  # bodies that compress like real text
    languages = ("en", "en", "en", "ru", "de", "fr")
    for number in range(count):
        item = items[number % len(items)]
        body = f"{item['lead']}\n\n" + " ".join(rng.choices(words, k=rng.randint(50, 400)))
        language = rng.choice(languages)
        yield make_record(
            id=f"synthetic-{number}",
            url=f"https://www.osce.org/{'' if language == 'en' else language + '/'}node/{100000 + number}",
            language=language,
            title=f"{item['title']} ({number})",
            date=dt.date(rng.randint(1997, 2025), rng.randint(1, 12), rng.randint(1, 28)),
            content_type=item["content_type"],
            place=dateline_place(item["lead"]),
            sources=item["sources"],
            fields_of_work=item["fields"],
            body=body,
            contacts="Press office, +43 1 514 36 6000" if number % 3 == 0 else None,
            translations={"ru": f"https://www.osce.org/ru/node/{100000 + number}"} if number % 4 == 0 else {},
        )
