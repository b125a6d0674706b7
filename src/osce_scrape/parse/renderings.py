"""Other text renderings of a page (lynx -dump, html2text/Markdown) made into the snapshot's line format:
one line a paragraph or menu item, "* "/"- " items, no link markup.

lynx numbers its links ("[12]Home") and lists their targets under "References" at the end; Markdown
writes "[text](url)", "![alt](src)" and "# Headline"; both wrap paragraphs at ~72-80 columns.
"""

from __future__ import annotations

import re

_REFERENCES = re.compile(r"\n\s*References\s*\n(\s*\d+\.\s+\S+\s*\n?)+\s*$")
_LYNX_LINK = re.compile(r"\[\d+\]")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_ITEM_START = re.compile(r"^\s*[-*•·]\s+\S")
WRAP_COLUMNS = 100  # a wrapped rendering never has longer lines
WRAPPED_MIN_LONG_LINES = 3  # lines of 60+ characters: wrapped prose, not a menu of short items


def as_snapshot_lines(text: str) -> list[str]:
    """The rendering's lines, link markup dropped, wrapped paragraphs joined back into one line each."""
    text = _REFERENCES.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", _LYNX_LINK.sub("", text)))
    lines = [_MD_HEADING.sub("", line).rstrip() for line in text.split("\n")]
    return _unwrapped(lines) if _is_wrapped(lines) else lines


def _is_wrapped(lines: list[str]) -> bool:
    filled = [line for line in lines if line.strip()]
    long = sum(1 for line in filled if len(line) >= 60)
    blank = len(filled) < len(lines)
    return bool(filled) and blank and long >= WRAPPED_MIN_LONG_LINES and max(map(len, filled)) <= WRAP_COLUMNS


def _unwrapped(lines: list[str]) -> list[str]:
    """Lines of one paragraph (up to a blank line) joined; a list item starts a line of its own."""
    joined: list[str] = []
    open_paragraph = False
    for line in lines:
        if not line.strip():
            joined.append("")
            open_paragraph = False
        elif open_paragraph and not _ITEM_START.match(line):
            joined[-1] = f"{joined[-1]} {line.strip()}"
        else:
            joined.append(line.strip() if not _ITEM_START.match(line) else line.lstrip())
            open_paragraph = True
    return joined
