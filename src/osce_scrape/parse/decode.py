"""Bytes to text: the declared encoding (HTTP header), a BOM, the page's meta charset, UTF-8, then a guess.

Old pages of the site are windows-1251 (Cyrillic) or other legacy encodings, sometimes undeclared.
"""

from __future__ import annotations

import re

from osce_scrape.parse.charset import META_SCAN_BYTES, declared_encoding, text_codec

_HTML_LANG = re.compile(rb"""<html[^>]{0,200}?\blang\s*=\s*["']?([A-Za-z]{2})\b""", re.IGNORECASE)
# Windows code pages the site's languages were written in before UTF-8.
LEGACY_ENCODINGS = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "kk", "ky", "tg", "mn"), "cp1251"),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "hr", "sl", "ro", "sq", "bs"), "cp1250"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    "tr": "cp1254", "az": "cp1254", "el": "cp1253",
}  # fmt: skip
# Undeclared legacy encodings tried, most likely first (ties go to the earlier one).
GUESS_ORDER = ("cp1251", "cp1250", "cp1252", "cp1257", "cp1254", "cp1253", "koi8-r")
CUT_CHARACTER_BYTES = 3  # a UTF-8 character is at most 4 bytes: a cut leaves at most 3 of them
GUESS_WORDS = 400  # enough words to tell the code pages apart, few enough to stay cheap
GUESS_SCAN_BYTES = 500_000  # where the words are looked for
LATIN_ASCII_SHARE = 0.5  # in Latin-script words of real text, most letters are plain ASCII
_SPACE = ord(" ")


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding it was read with."""
    for encoding in _candidates(data, declared):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            if encoding.startswith("utf-8") and exc.start >= len(data) - CUT_CHARACTER_BYTES:
                return data[: exc.start].decode(encoding), encoding  # a download cut mid-character
        except (UnicodeError, LookupError):  # a declaration the bytes do not keep: try the next
            continue
    encoding = _guess(data)
    return data.decode(encoding, errors="replace"), encoding


def _guess(data: bytes) -> str:
    """An undeclared legacy encoding: the page language's usual one, else a guess from the words that
    hold non-ASCII bytes (on a whole page, mostly ASCII markup, detectors take windows-1251 for 1250)."""
    if (match := _HTML_LANG.search(data[:META_SCAN_BYTES])) and (
        by_language := LEGACY_ENCODINGS.get(match[1].decode("ascii").lower())
    ):
        return by_language
    joined = b" " + _non_ascii_words(data[:GUESS_SCAN_BYTES])  # a space before every word
    return max(GUESS_ORDER, key=lambda encoding: _plausible_words(joined, encoding))


# Each byte as what it may be in a word: an ASCII letter, a non-ASCII byte, or neither (a space).
_WORD_BYTES = bytes(
    b"a"[0] if chr(byte).isascii() and chr(byte).isalpha() else b"h"[0] if byte >= 0x80 else _SPACE
    for byte in range(256)
)


def _non_ascii_words(data: bytes) -> bytes:
    """The first GUESS_WORDS runs of letters and non-ASCII bytes that hold a non-ASCII byte, space-joined:
    found with `find` on the bytes' kinds (a regex tries every position of the page's markup)."""
    kinds = data.translate(_WORD_BYTES)
    words: list[bytes] = []
    found = kinds.find(b"h")
    while found >= 0 and len(words) < GUESS_WORDS:
        start = kinds.rfind(b" ", 0, found) + 1
        end = kinds.find(b" ", found)
        end = len(kinds) if end < 0 else end
        words.append(data[start:end])
        found = kinds.find(b"h", end)
    return b" ".join(words)


# What each byte of a word reads as in each code page, as one class letter, so that all words are judged
# by two regex scans of the translated words instead of a look at each word.
_UNDEFINED, _ASCII = b"!", b"A"  # no character; A-Z, a-z
_SCRIPT_CLASSES = {"latin": b"L", "greek": b"G", "cyrillic": b"C", "other": b"O"}  # non-ASCII letters
# A word (after a space, up to a space or the end) that is plausible: letters of one non-Latin script,
# or Latin-script letters of which at most one is accented and one at least is plain ASCII (a share of
# LATIN_ASCII_SHARE at least).
_PLAUSIBLE_WORD = re.compile(rb" (?:G++|C++|O++|A++(?:LA*+)?|LA++)(?= |\Z)")
# A Latin-script word with two accented letters or more and an ASCII one: counted one by one.
_ACCENTED_WORD = re.compile(rb" (?=L*+A)(A*+LA*+L[AL]*+)(?= |\Z)")


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x250:
        return "latin"
    if 0x370 <= code < 0x400:
        return "greek"
    return "cyrillic" if 0x400 <= code < 0x530 else "other"


def _byte_classes(encoding: str) -> tuple[bytes, bytes]:
    """The translate table of `encoding` (each byte's class; a space stays, between words) and the bytes
    it reads as characters that are no letters (dropped: they count for nothing)."""
    table = bytearray(_UNDEFINED * 256)
    dropped = bytearray()
    for byte in range(256):
        ch = bytes([byte]).decode(encoding, errors="replace")
        if byte == _SPACE:
            table[byte] = _SPACE
        elif ch.isalpha():
            table[byte] = (_ASCII if ch.isascii() else _SCRIPT_CLASSES[_script(ch)])[0]
        elif ch != "\ufffd":
            dropped.append(byte)
    return bytes(table), bytes(dropped)


_CLASS_TABLES = {encoding: _byte_classes(encoding) for encoding in GUESS_ORDER}


def _plausible_words(joined: bytes, encoding: str) -> int:
    """How many of the words (each after a space) read as real words in `encoding`: letters of one
    script, and in Latin script mostly ASCII letters (Russian read as windows-1252 is all accented
    letters)."""
    classes = joined.translate(*_CLASS_TABLES[encoding])
    accented = _ACCENTED_WORD.findall(classes)
    plausible: int = len(_PLAUSIBLE_WORD.findall(classes))
    return plausible + sum(bool(word.count(_ASCII) >= LATIN_ASCII_SHARE * len(word)) for word in accented)


def _candidates(data: bytes, declared: str | None) -> list[str]:
    """The HTTP-declared encoding (if a text codec), then what the bytes declare, then UTF-8."""
    found = [name for name in (text_codec(declared) if declared else None, declared_encoding(data)) if name]
    return [*found, "utf-8"]
