"""A plain-text rendering of a page (menus as "- " lines, as in shared/reference) -> text blocks.

Such a snapshot keeps the page's reading order but not its elements: a menu is a run of "- " items whose
headings follow a lone "-" line, and the metadata block is "- Label:" items followed by "- value" items.
The blocks made here go through the same extraction as an HTML page's, so both give the same record.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import Block, PageBlocks, collapse
from osce_scrape.parse.dates import find_dateline, is_date_only
from osce_scrape.parse.renderings import as_snapshot_lines

FOOTER_RUN = 3  # short menu items in a row
FOOTER_ITEM_CHARS = 40
FOOTER_AFTER_PROSE_CHARS = 80
HEADLINE_LOOKAHEAD = 12  # blocks searched for a headline that no element marks
MAX_HEADLINE_CHARS = 300
HEADLINE_MAX_LINK_DENSITY = 0.5
_ITEM = re.compile(r"^\s*[-•·*]\s+(?P<text>\S.*)$")
_LONE_DASH = re.compile(r"^\s*[-•·*]\s*$")


def text_blocks(text: str) -> PageBlocks:
    """Blocks of a text snapshot: lines are paragraphs, "- " lines list items, leading menus dropped."""
    lines = as_snapshot_lines(text)
    start = _end_of_menus(lines)
    blocks: list[Block] = []
    group = 0
    previous_was_item = False
    for index, line in enumerate(lines[start:], start):
        if blocks and _footer_starts(lines, index, blocks):
            break  # the site's footer menus after the article
        if not line.strip() or _LONE_DASH.match(line):
            previous_was_item = False if not line.strip() else previous_was_item
            continue
        item = _ITEM.match(line)
        if item and not previous_was_item:
            group += 1
        previous_was_item = bool(item)
        content = collapse(item["text"] if item else line)
        blocks.append(Block(text=content, tag="li" if item else "p", parent=group if item else -1))
    return PageBlocks(blocks=blocks, title_index=headline_index(blocks))


def _footer_starts(lines: list[str], index: int, blocks: list[Block]) -> bool:
    """A menu after the article's text: a lone "-" (a menu heading follows), or a run of short "- " items
    right after a paragraph of prose (a contacts block's items follow its heading, not prose)."""
    if not any(b.tag == "p" and len(b.text) >= FOOTER_AFTER_PROSE_CHARS for b in blocks):
        return False
    if _LONE_DASH.match(lines[index]):
        return True
    run = list(itertools.takewhile(lambda line: bool(_ITEM.match(line)), lines[index : index + FOOTER_RUN]))
    short = all(
        len(line) <= FOOTER_ITEM_CHARS and not sel.LABEL_LINE.match(_ITEM.sub(r"\g<text>", line))
        for line in run
    )
    return (
        len(run) == FOOTER_RUN
        and short
        and blocks[-1].tag == "p"
        and len(blocks[-1].text) >= FOOTER_AFTER_PROSE_CHARS
    )


def _end_of_menus(lines: list[str]) -> int:
    """Index of the first line after the leading menus: the last menu item or menu heading."""
    last_menu = -1
    after_lone_dash = False
    for index, line in enumerate(lines):
        if _LONE_DASH.match(line):
            after_lone_dash, last_menu = True, index
            continue
        if after_lone_dash and line.strip():  # a menu heading ("Fields of work") under a lone "-"
            after_lone_dash, last_menu = False, index
            continue
        item = _ITEM.match(line)
        if (item and not sel.LABEL_LINE.match(item["text"])) or _page_furniture(line):
            last_menu = index
        elif line.strip():
            # The first plain line after the menus, or a label item: the page proper starts here.
            if last_menu >= 0 or item:
                break
            return 0
    return last_menu + 1


def _page_furniture(line: str) -> bool:
    text = line.strip()
    if not text:
        return False
    # A page widget's lines above the menus: "Skip navigation", a node number, "English", "Yes", "No".
    return bool(sel.FURNITURE_LINES.match(text)) or text.casefold() in sel.SITE_NAMES or text.isdigit()


def split_leading_lines(blocks: list[Block]) -> list[Block]:
    """Blocks before the lead paragraph split into one block a line ("PRESS RELEASE<br>Headline")."""
    result: list[Block] = []
    for index, block in enumerate(blocks):
        if find_dateline(block.text) is not None or len(block.text) > MAX_HEADLINE_CHARS * 3:
            return result + blocks[index:]
        if "\n" not in block.text:
            result.append(block)
            continue
        for line in block.lines():
            links = tuple(link for link in block.links if link in line)
            result.append(replace(block, text=line, links=links, link_chars=sum(map(len, links))))
    return result


def headline_index(blocks: list[Block]) -> int:
    """Where a page without a marked headline has it: the line after the content-type label, else the
    first line that is not a section head, a label, a number, a date or the dateline's paragraph."""
    types = sel.CONTENT_TYPES
    end = next((i for i, b in enumerate(blocks) if b.ends_article() or b.is_teaser_title()), len(blocks))
    candidates = [
        i for i, b in enumerate(blocks[: min(end, HEADLINE_LOOKAHEAD)]) if b.tag not in {"li", "item"}
    ]
    for i in candidates:
        if blocks[i].key in types and i + 1 < len(blocks) and could_be_headline(blocks[i + 1]):
            return i + 1
    for i in candidates:
        if blocks[i].key in sel.SECTION_HEADS or blocks[i].key in sel.MENU_LABELS or blocks[i].key in types:
            continue
        if could_be_headline(blocks[i]):
            return i
    return -1


def could_be_headline(block: Block) -> bool:
    text = block.text
    if sel.FURNITURE_LINES.match(text) or text.replace(" ", "").isdigit() or len(text) < 4:
        return False
    if block.link_density >= HEADLINE_MAX_LINK_DENSITY or is_date_only(text):  # a teaser's title, a date
        return False
    return len(text) <= MAX_HEADLINE_CHARS and not sel.LABEL_LINE.match(text) and find_dateline(text) is None
