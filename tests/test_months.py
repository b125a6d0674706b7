"""Month names in the site's languages, and the language a text is written in."""

from __future__ import annotations

import pytest

from osce_scrape.parse.language import Language, declared_language, guess_language, settle_language
from osce_scrape.parse.months import month_language, month_languages, month_number


@pytest.mark.parametrize(
    ("word", "language", "number"),
    [
        ("ноября", None, 11), ("aprilie", None, 4), ("наурыз", None, 3), ("მარტი", None, 3),
        ("մարտի", None, 3), ("noyabr", None, 11), ("marca", None, 3), ("Sept", None, 9), ("Apr.", None, 4),
        ("марты", None, 3), ("сентябри", None, 9), ("augusta", "bs", 8),  # by stem
        ("listopada", None, 10), ("listopada", "pl", 11),  # Croatian October unless the page is Polish
        ("ekim", "tr", 10), ("yil", None, None), ("соли", None, None), ("candidates", None, None),
    ],
)  # fmt: skip
def test_month_numbers(word: str, language: str | None, number: int | None) -> None:
    """Month names and abbreviations resolve in many languages; other words never become a month."""
    assert month_number(word, language) == number


def test_month_languages() -> None:
    """A month name names its language only when one language writes it so."""
    assert (month_language("aprilie"), month_language("березня"), month_language("marzo")) == (
        "ro",
        "uk",
        None,
    )
    assert month_languages("marzo") == {"es", "it"}


def test_guess_language_by_common_words() -> None:
    """Shared month names are settled by the text's commonest words, and only when one language leads."""
    spanish = "MADRID, 26 de marzo de 2007 – El Presidente de la OSCE y los ministros del grupo"
    italian = "ROMA, 5 marzo 2010 – Il Presidente della OSCE e il ministro per gli affari esteri"
    assert guess_language(spanish, {"es", "it"}) == "es"
    assert guess_language(italian, {"es", "it"}) == "it"
    assert guess_language("1234", {"es", "it"}) is None


def test_settle_language() -> None:
    """The dateline settles a page with no declared language, or a lang that the URL prefix contradicts."""
    russian = ["МОСКВА, 20 ноября 2009 г. – Специальный представитель ОБСЕ встретилась."]
    english = ["VIENNA, 20 November 2009 - The OSCE Special Representative met officials."]
    plain = "file:///page.txt"
    assert settle_language(declared_language(None, plain), russian, plain, 3) == Language(
        "ru", "dateline-month"
    )
    ru_url = "https://www.osce.org/ru/secretariat/1"
    assert settle_language(Language("en", "html[lang]"), russian, ru_url, 3).code == "ru"
    # A /ru/ URL whose page is in English (the prefix does not guarantee a translation) stays English.
    assert settle_language(Language("en", "html[lang]"), english, ru_url, 3).code == "en"
    assert settle_language(declared_language(None, plain), english, plain, 3) == Language("en", "default")
