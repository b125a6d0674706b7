"""Bytes to text: the declared encoding (HTTP header), a BOM, the page's meta charset, UTF-8, then a guess.

Old pages of the site are windows-1251 (Cyrillic) or other legacy encodings, sometimes undeclared.
"""

from __future__ import annotations

import re

from osce_scrape.parse.charset import META_SCAN_BYTES, declared_encoding, text_codec

_HTML_LANG = re.compile(rb"""<html[^>]{0,200}?\blang\s*=\s*["']?([A-Za-z]{2})\b""", re.IGNORECASE)
_NON_ASCII_WORD = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")
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
LATIN_ASCII_SHARE = 0.5  # in Latin-script words of real text, most letters are plain ASCII


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
    words = _NON_ASCII_WORD.findall(data[:500_000])[:GUESS_WORDS]
    joined = b" ".join(words)  # a space is in no word
    return max(GUESS_ORDER, key=lambda encoding: _plausible_words(joined, encoding))


# What each byte of a word reads as in each code page, as one class letter, so a word is judged with
# bytes.translate and counts instead of a decode and a look at every character.
_UNDEFINED, _NOT_LETTER, _ASCII = b"!", b".", b"A"  # no character; a character but no letter; A-Z, a-z
_SCRIPT_CLASSES = {"latin": b"L", "greek": b"G", "cyrillic": b"C", "other": b"O"}  # non-ASCII letters
_SPACE = ord(" ")


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x250:
        return "latin"
    if 0x370 <= code < 0x400:
        return "greek"
    return "cyrillic" if 0x400 <= code < 0x530 else "other"


def _byte_classes(encoding: str) -> bytes:
    """The 256-byte translate table of `encoding`: each byte's class (a space stays, between words)."""
    table = bytearray(_NOT_LETTER * 256)
    for byte in range(256):
        if byte == _SPACE:
            table[byte] = _SPACE
            continue
        ch = bytes([byte]).decode(encoding, errors="replace")
        if ch == "\ufffd":
            table[byte] = _UNDEFINED[0]
        elif ch.isalpha():
            table[byte] = (_ASCII if ch.isascii() else _SCRIPT_CLASSES[_script(ch)])[0]
    return bytes(table)


_CLASS_TABLES = {encoding: _byte_classes(encoding) for encoding in GUESS_ORDER}


def _plausible_words(joined: bytes, encoding: str) -> int:
    """How many of the space-joined non-ASCII words read as real words in `encoding`: letters of one
    script, and in Latin script mostly ASCII letters (Russian read as windows-1252 is all accented
    letters)."""
    plausible = 0
    for word in joined.translate(_CLASS_TABLES[encoding]).split(b" "):
        if _UNDEFINED in word:
            continue
        letters = len(word) - word.count(_NOT_LETTER)
        if not letters:
            continue
        ascii_letters, latin = word.count(_ASCII), word.count(b"L")
        if ascii_letters + latin == letters:
            plausible += ascii_letters / letters >= LATIN_ASCII_SHARE
        else:
            plausible += any(word.count(cls) == letters for cls in (b"G", b"C", b"O"))
    return plausible


def _candidates(data: bytes, declared: str | None) -> list[str]:
    """The HTTP-declared encoding (if a text codec), then what the bytes declare, then UTF-8."""
    found = [name for name in (text_codec(declared) if declared else None, declared_encoding(data)) if name]
    return [*found, "utf-8"]
