"""The quality gate scores as strictly as tests/test_fixtures.py: a rejection must be the one the answer
names, and a page without a URL must carry the contract's id, computed apart from the parser."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from osce_scrape.evaluate import evaluate, resolve_expected, url_hash_id

ROOT = Path(__file__).resolve().parent.parent
LEAD_DATE_ONLY = ROOT / "fixtures" / "holdout10" / "b01-d9-news-lead-twenty-years-ago-no-date-rejected.html"
TEXT_PAGE = ROOT / "fixtures" / "holdout10" / "c03-txt-contact-paragraph-twice-yerevan-2001.txt"


def _corpus(tmp_path: Path, page: Path, expected: dict[str, object]) -> Path:
    (tmp_path / page.name).write_bytes(page.read_bytes())
    (tmp_path / f"{page.stem}.expected.json").write_text(json.dumps(expected), encoding="utf-8")
    return tmp_path


def test_a_parse_error_is_not_a_non_article_rejection(tmp_path: Path) -> None:
    """A page rejected with a plain ParseError does not count as a non-article correctly rejected."""
    scores = evaluate(_corpus(tmp_path, LEAD_DATE_ONLY, {"rejected": "NotAPressRelease"}))
    assert scores.non_articles_rejected() == (0, 1)


def test_a_rejection_answer_checks_its_reason(tmp_path: Path) -> None:
    """`{"rejected": "ParseError", "reason": ...}` holds only when the reason says so."""
    assert evaluate(
        _corpus(tmp_path, LEAD_DATE_ONLY, {"rejected": "ParseError", "reason": "no publication date"})
    )
    right = evaluate(tmp_path).non_articles_rejected()
    wrong = evaluate(_corpus(tmp_path, LEAD_DATE_ONLY, {"rejected": "ParseError", "reason": "an error page"}))
    assert (right, wrong.non_articles_rejected()) == ((1, 1), (0, 1))


def test_a_null_url_id_is_the_contracts_hash_not_the_parsers() -> None:
    """A page with no URL: the expected id is "u" + 16 hex digits of the file URI's SHA-256 (+ "-lang")."""
    expected = resolve_expected(TEXT_PAGE, {"url": None, "id": None, "language": "ro"})
    uri = TEXT_PAGE.resolve().as_uri()
    assert expected["url"] == uri
    assert expected["id"] == "u" + hashlib.sha256(uri.encode()).hexdigest()[:16] + "-ro"
    assert (
        url_hash_id("https://www.osce.org/", "en")
        == "u" + hashlib.sha256(b"https://www.osce.org/").hexdigest()[:16]
    )
