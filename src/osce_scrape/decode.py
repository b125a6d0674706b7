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
META_SCAN_BYTES = 4096  # the HTML spec's prescan looks at the first 1024 bytes; old pages put meta later


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding it was read with."""
    for encoding in _candidates(data, declared):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    guess = from_bytes(data[:200_000]).best()
    encoding = guess.encoding if guess else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


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
