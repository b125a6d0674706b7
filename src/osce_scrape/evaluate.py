"""The quality gate: score the parser on a folder of pages with expected records.

Each page `NAME.html|.htm|.txt` has `NAME.expected.json` beside it: the expected record's fields, or
`{"rejected": "NotAPressRelease"}` for a page that must be rejected (with that error: a page lost to any
other `ParseError` is scored wrong), or `{"rejected": "ParseError", "reason": "no publication date"}` for a
page that must be rejected with that reason. A `"url": null` means "the file's own file:// URI" (a page
that names no URL); its `"id": null` means the contract's id for such a URL, computed here from the record
contract (a hash of the URI), not by the parser.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osce_scrape.errors import ParseError
from osce_scrape.pipeline import INPUT_SUFFIXES, parse_file

FIELDS = (
    "id", "url", "language", "content_type", "title", "date", "place", "sources",
    "fields_of_work", "body", "contacts", "translations",
)  # fmt: skip
# Menu entries of the site's chrome (mega menu headings and sections, labels, furniture): a body paragraph
# that is exactly one of these is chrome that leaked.
CHROME_LINES = frozenset(
    {
        "our work", "fields of work", "countries", "participating states", "structures and institutions",
        "secretariat", "institutions", "field operations", "meetings and conferences", "about us",
        "organizational structure", "partnerships", "projects", "all", "date:", "place:", "source:",
        "fields of work:", "contacts", "share", "print", "related content", "newsroom", "press release",
        "skip to main content", "page last updated", "photo details",
    }
)  # fmt: skip
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class PageScore:
    page: str
    expected_rejected: bool
    rejected: bool
    error: str | None = None
    wrong_fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    body_f1: float = 1.0
    leaks: int = 0


@dataclass
class Scores:
    pages: list[PageScore] = field(default_factory=list)

    @property
    def articles(self) -> list[PageScore]:
        return [p for p in self.pages if not p.expected_rejected]

    def field_accuracy(self) -> dict[str, float]:
        """Share of press-release pages whose field equals the expected value (a missed page counts wrong)."""
        wrong: Counter[str] = Counter()
        for page in self.articles:
            for name in FIELDS if page.rejected else page.wrong_fields:
                wrong[name] += 1
        total = max(1, len(self.articles))
        return {name: 1 - wrong[name] / total for name in FIELDS}

    def body_f1(self) -> float:
        return sum(p.body_f1 for p in self.articles) / max(1, len(self.articles))

    def leaks(self) -> int:
        return sum(p.leaks for p in self.pages)

    def non_articles_rejected(self) -> tuple[int, int]:
        expected = [p for p in self.pages if p.expected_rejected]
        return sum(p.rejected for p in expected), len(expected)

    def table(self) -> str:
        rows = [f"{'field':<16} accuracy"] + [f"{k:<16} {v:7.1%}" for k, v in self.field_accuracy().items()]
        rejected, total = self.non_articles_rejected()
        rows += [
            f"{'body token-F1':<16} {self.body_f1():7.3f}",
            f"{'chrome leaks':<16} {self.leaks():7d}",
            f"{'non-articles':<16} {rejected}/{total} rejected",
            f"{'pages':<16} {len(self.pages):7d}",
        ]
        return "\n".join(rows)


def expected_pages(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every page under `folder` that has an expected record beside it."""
    pairs = []
    for page in sorted(folder.rglob("*")):
        expected = page.with_name(page.stem + ".expected.json")
        if page.suffix.lower() in INPUT_SUFFIXES and expected.exists():
            pairs.append((page, json.loads(expected.read_text(encoding="utf-8"))))
    return pairs


def resolve_expected(page: Path, expected: dict[str, Any]) -> dict[str, Any]:
    """The expected record with a null url/id filled in from the file's own URI."""
    resolved = dict(expected)
    if "rejected" in resolved:
        return resolved
    if resolved.get("url") is None:
        resolved["url"] = page.resolve().as_uri()
    if resolved.get("id") is None:
        resolved["id"] = url_hash_id(resolved["url"], resolved.get("language") or "en")
    return resolved


def url_hash_id(url: str, language: str) -> str:
    """The record contract's id of a URL with no node number: "u" and the first 16 hex digits of the URL's
    SHA-256, "-<lang>" added when not English (written out here so that the gate checks the parser)."""
    base = "u" + hashlib.sha256(url.encode()).hexdigest()[:16]
    return base if language == "en" else f"{base}-{language}"


def rejected_as_expected(exc: ParseError, expected: dict[str, Any]) -> bool:
    """The page was rejected with the error its answer names (that class or a subclass of it) and, where
    the answer gives one, with a reason that contains its `reason`."""
    named = any(cls.__name__ == expected.get("rejected") for cls in type(exc).__mro__)
    return named and str(expected.get("reason", "")) in exc.reason


def score_page(page: Path, expected: dict[str, Any]) -> PageScore:
    expected = resolve_expected(page, expected)
    want_rejected = "rejected" in expected
    try:
        record = parse_file(page).model_dump(mode="json")
    except ParseError as exc:
        # A press release lost to any error is rejected (and wrong); a non-article counts as rejected only
        # with the error its answer names, as tests/test_fixtures.py requires.
        rejected = rejected_as_expected(exc, expected) if want_rejected else True
        error = f"{type(exc).__name__}: {exc.reason}"
        return PageScore(page.name, want_rejected, rejected=rejected, error=error)
    score = PageScore(page.name, want_rejected, rejected=False)
    score.leaks = sum(1 for p in record["body"].split("\n\n") if p.strip().casefold() in CHROME_LINES)
    if want_rejected:
        return score
    score.wrong_fields = {k: (expected.get(k), record[k]) for k in FIELDS if record[k] != expected.get(k)}
    score.body_f1 = token_f1(expected.get("body") or "", record["body"])
    return score


def evaluate(folder: Path) -> Scores:
    return Scores([score_page(page, expected) for page, expected in expected_pages(folder)])


def token_f1(expected: str, got: str) -> float:
    """F1 of the two texts' word multisets: 1.0 for the same words, 0.0 for none in common."""
    want, have = Counter(_TOKEN.findall(expected.lower())), Counter(_TOKEN.findall(got.lower()))
    common = sum((want & have).values())
    if not common:
        return 1.0 if not want and not have else 0.0
    precision, recall = common / sum(have.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)
