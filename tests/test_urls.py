"""URL normalisation (harvest.urls): one ASCII spelling per URL, one URL per item page (issue 9: 2, 11)."""

from __future__ import annotations

import pytest

from osce_scrape.harvest.urls import MAX_URL_LENGTH, item_url, normalize_url

B = "https://www.osce.org"
SECRETARIAT_RU = "%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82%D0%B0%D1%80%D0%B8%D0%B0%D1%82"  # секретариат


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{B}/ru/секретариат/500000", f"{B}/ru/{SECRETARIAT_RU}/500000"),
        (f"{B}/a%2fb/%c3%a9", f"{B}/a%2Fb/%C3%A9"),  # escapes kept, in upper case: one spelling
        (f"{B}/50%/x y", f"{B}/50%25/x%20y"),  # a lone % and a space
        (f"{B}/search?q=café&page=2", f"{B}/search?q=caf%C3%A9&page=2"),
        ("HTTPS://WWW.OSCE.ORG/Secretariat/1", f"{B}/Secretariat/1"),  # the path keeps its case
        (f"{B}:443/x", f"{B}/x"),
        ("http://www.osce.org:80/x", "http://www.osce.org/x"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        (f"{B}/x#top", f"{B}/x"),
        (f"{B}/x?", f"{B}/x"),
        ("https://www.osce.org.", f"{B}/"),
        ("https://user:secret@www.osce.org/x", f"{B}/x"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        (f"{B}/\x00\x7f\ud800", f"{B}/%00%7F%ED%A0%80"),  # controls and a lone surrogate never raise
        ("mailto:press@osce.org", "mailto:press@osce.org"),  # never fetched: left alone
        ("http://[bad/x", None),
        ("http://www.osce.org:99999/x", None),
        ("http:///x", None),
        ("http://a..b/x", "http://a..b/x"),
        (f"http://{'a' * 70}ü.org/", None),  # an IDN label over 63 characters
    ],
)
def test_normalize_url(url: str, expected: str | None) -> None:
    """Each spelling becomes its one ASCII form (None: no usable URL); normalising twice changes nothing."""
    assert normalize_url(url) == expected
    if expected is not None:
        assert expected.isascii() or expected.startswith("mailto:")
        assert normalize_url(expected) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{B}/secretariat/500000/", f"{B}/secretariat/500000"),
        (f"{B}/secretariat/500000?utm_source=x", f"{B}/secretariat/500000"),
        (f"{B}/node/42/?page=1", f"{B}/node/42"),
        (f"{B}/ru/secretariat/500000/", f"{B}/ru/secretariat/500000"),
        (f"{B}/zh-hans/odihr/7?x", f"{B}/zh-hans/odihr/7"),
        (f"{B}/ru/%D1%81/500100?a", f"{B}/ru/%D1%81/500100"),
        (f"{B}/press-releases?page=3", f"{B}/press-releases?page=3"),  # a listing keeps its page
        (f"{B}/secretariat/some-title/?x=1", f"{B}/secretariat/some-title/?x=1"),  # not an item path
        (f"{B}/a/b/c/1?x=1", f"{B}/a/b/c/1?x=1"),
    ],
)
def test_item_url(url: str, expected: str) -> None:
    """Item pages lose their query and trailing slash; every other URL is kept whole."""
    assert item_url(url) == expected


def test_a_link_past_the_length_cap_is_no_url() -> None:
    """A 200 KB link (a broken or hostile listing) is no URL: skipped, never stored and retried every run;
    one at the cap still is; percent-encoding that takes it past the cap counts."""
    base = "https://www.osce.org/secretariat/1?q="
    assert normalize_url(base + "x" * 200_000) is None
    at_cap = base + "x" * (MAX_URL_LENGTH - len(base))
    assert normalize_url(at_cap) == at_cap
    assert normalize_url(base + "é" * (MAX_URL_LENGTH // 2)) is None  # 2 characters become 6
