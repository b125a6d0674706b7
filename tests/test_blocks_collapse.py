"""collapse's shortcut for printable text gives what the whitespace and invisible-character regexes give."""

from __future__ import annotations

import sys

import pytest

from osce_scrape.parse.blocks import _INVISIBLE, _WHITESPACE, collapse


def _by_regex(text: str) -> str:
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def test_printable_text_has_no_whitespace_but_space_and_no_invisible_character() -> None:
    # What the shortcut rests on, for every code point.
    odd = [
        hex(cp)
        for cp in range(sys.maxunicode + 1)
        if chr(cp).isprintable()
        and cp != 0x20
        and (chr(cp).isspace() or _WHITESPACE.match(chr(cp)) or _INVISIBLE.match(chr(cp)))
    ]
    assert odd == []


SPECIALS = " \t\n\r\x0b\x0c\x1c\x85\u00a0\u00ad\u1680\u2003\u200b\u200d\u2028\u202f\u2060\u3000\ufeff"


@pytest.mark.parametrize("char", list(SPECIALS))
@pytest.mark.parametrize("shape", ["{c}", "a{c}b", "{c}a{c}", "a {c} b", "a{c}{c}b", " \t{c}a\u00a0 b{c} "])
def test_collapse_matches_the_regexes(char: str, shape: str) -> None:
    text = shape.format(c=char)
    assert collapse(text) == _by_regex(text)


def test_collapse_values() -> None:
    assert collapse("  One\t two\u00a0\u00a0three  ") == "One two three"
    assert collapse("soft\u00adhyphen\u200b and  zero\ufeff") == "softhyphen and zero"
    assert collapse("a\nb  \u2028 c") == "a\nb \u2028 c"  # line breaks are not its to collapse
    assert collapse(None) == collapse("") == ""
