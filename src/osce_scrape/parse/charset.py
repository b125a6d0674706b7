"""The encoding a response or a file declares: the HTTP charset, a byte-order mark, or a <meta> charset.

One byte-level reading for both sides of the pipeline: the fetcher (which never parses HTML) hands it on,
and the parser's decoder starts from it. Only text encodings count: a page declaring "punycode" or a
label Python does not know declares nothing.
"""

from __future__ import annotations

import codecs
import re

META_SCAN_BYTES = 4096  # the HTML spec's prescan reads 1,024 bytes; old pages put their meta later
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so does the site.
_WINDOWS_1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})


def declared_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The Content-Type charset, else a BOM, else a <meta> charset; None when nothing usable is declared."""
    if (header := _HEADER_CHARSET.search(content_type or "")) and (name := text_codec(header[1])):
        return name
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if meta := _META_CHARSET.search(body[:META_SCAN_BYTES]):
        return text_codec(meta[1].decode("ascii"))
    return None


def text_codec(label: str) -> str | None:
    """A charset label as a Python text codec's name, or None for unknown and non-text codecs."""
    name = label.strip().lower()
    if name in _WINDOWS_1252:
        return "cp1252"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    return (
        name if getattr(info, "_is_text_encoding", True) and info.name not in {"punycode", "idna"} else None
    )
