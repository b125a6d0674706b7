"""Bytes to text: the declared encoding (HTTP header), a BOM, the page's meta charset, UTF-8, then a guess.

Old pages of the site are windows-1251 (Cyrillic) or other legacy encodings, sometimes undeclared.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_LANG = re.compile(rb"""<html[^>]{0,200}?\blang\s*=\s*["']?([A-Za-z]{2})\b""", re.IGNORECASE)
_NON_ASCII_WORD = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")
# Windows code pages the site's languages were written in before UTF-8.
LEGACY_ENCODINGS = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "kk", "ky", "tg", "mn"), "cp1251"),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "hr", "sl", "ro", "sq", "bs"), "cp1250"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    "tr": "cp1254", "az": "cp1254", "el": "cp1253",
}  # fmt: skip
META_SCAN_BYTES = 4096  # the HTML spec's prescan looks at the first 1024 bytes; old pages put meta later


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding it was read with."""
    for encoding in _candidates(data, declared):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
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
    words = b" ".join(_NON_ASCII_WORD.findall(data[:500_000]))
    guess = from_bytes(words).best() if words else None
    return guess.encoding if guess else "cp1252"


def _candidates(data: bytes, declared: str | None) -> list[str]:
    found = [declared] if declared else []
    found += [name for bom, name in _BOMS if data.startswith(bom)]
    if match := _META_CHARSET.search(data[:META_SCAN_BYTES]):
        found.append(match[1].decode("ascii").lower())
    found.append("utf-8")
    return [_normalise(name) for name in found]


def _normalise(name: str) -> str:
    # Browsers read "iso-8859-1" and "us-ascii" as windows-1252 (WHATWG Encoding), and so does the site.
    lowered = name.strip().lower()
    return "cp1252" if lowered in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"} else lowered
