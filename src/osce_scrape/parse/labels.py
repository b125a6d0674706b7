"""The metadata block: "Label:" blocks and the values that follow them, in any of the site's markups.

A label's values are the blocks after it that share its enclosing element (the <ul> of list items, the <dl>
of a definition list, the <tr> of a table row, the field <div> of Drupal's label/value markup), or its own
text after the colon. That one rule reads every markup seen on the site and the text snapshots alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import Block
from osce_scrape.parse.dates import find_dateline

MAX_LABEL_BLOCK_CHARS = 400  # a label with its inline values; a longer block is prose that mentions one
MAX_VALUE_CHARS = 250  # the longest structure name is ~110 characters
_ANY_LABEL = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted((re.escape(k) for k in sel.LABELS), key=len, reverse=True)) + r")\s*:",
    re.IGNORECASE,
)
_ANY_LABEL_SHAPE = re.compile(r"^[^\W\d_][\w ]{1,30}:$")
PROSE_MIN_WORDS = 4
MAX_VALUES = 40  # "Where we are" lists up to 18 structures, "What we do" 18 fields
# A label without its colon counts as a field label (div, dt, th); as a list item or a paragraph it is more
# likely a menu heading ("What we do" over a list of fields), and as a heading only when values follow it.
BARE_LABEL_NEVER = frozenset({"li", "p", "line", "item", "a"})
SINGLE_VALUED = frozenset({"date", "place", "content_type", "type", "country"})


@dataclass
class Metadata:
    """Label -> values in page order, and which blocks the block used."""

    values: dict[str, list[str]] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)

    def first(self, key: str) -> str | None:
        return next((value for value in self.values.get(key, []) if value), None)


def label_of(block: Block) -> tuple[str, str] | None:
    """(key, inline value) when the block opens with a known label ("Fields of work:", "Source:")."""
    if len(block.text) > MAX_LABEL_BLOCK_CHARS:
        return None
    first_line = block.text.split("\n", 1)[0]
    # The colon first: most blocks have none, and the label pattern tries every label at each.
    if (
        ":" in first_line
        and (match := sel.LABEL_LINE.match(first_line))
        and (key := _label_key(match["label"]))
    ):
        value = match["value"].strip()
        if _reads_as_prose(value):  # "Source: the institution that issued the item" explains, not labels
            return None
        return key, value
    # Drupal 8 field labels may drop the colon: then the whole block must be the label. Without a colon,
    # the block's key is its whole text casefolded and single-spaced.
    if ":" in block.text or block.tag in BARE_LABEL_NEVER or (key := sel.LABELS.get(block.key)) is None:
        return None
    return key, ""


def _label_key(label: str) -> str | None:
    """The key of a matched label; None for a case-insensitive match that is no label ("Locatİon")."""
    return sel.LABELS.get(" ".join(label.casefold().split()))


def _reads_as_prose(value: str) -> bool:
    """A lowercase phrase of several words is a sentence, not a name, a place or a date."""
    words = value.split()
    return value[:1].islower() and len(words) >= PROSE_MIN_WORDS and not any(c.isdigit() for c in value)


def read_metadata(blocks: list[Block], end: int | None = None, prose: tuple[int, int] = (0, 0)) -> Metadata:
    """Every label of the page with its values, up to block `end` (where the article ends: labels in
    related-content teasers below it are theirs), skipping labels strictly inside `prose` (the span from
    the first to the last long paragraph: a list of "Source: ..." items there is the text's own)."""
    meta = Metadata()
    index = 0
    end = len(blocks) if end is None else end
    while index < end:
        block = blocks[index]
        found = label_of(block)
        if found is None or prose[0] < index < prose[1]:
            index += 1
            continue
        key, inline = found
        if len(lines := _label_lines(block)) > 1:  # "<b>Date:</b> …<br><b>Source:</b> …": a label a line
            _read_lines(block, lines, meta)
            meta.used.add(index)
            index += 1
            continue
        values: list[str] = []
        if inline:
            values = (
                [block.datetime] if key == "date" and block.datetime else _split_values(key, inline, block)
            )
            next_index = index + 1
        else:
            next_index = _read_values(blocks, index, key, values, meta.used)
        meta.used.add(index)
        meta.labels.append(key)
        meta.values.setdefault(key, []).extend(values)
        index = next_index
    return meta


def _label_lines(block: Block) -> list[str]:
    """The block's lines, each also cut before a later label ("Date: … Source: … Fields of work: …" in
    one paragraph of spans)."""
    parts: list[str] = []
    for line in block.lines():
        # Longest labels first at each position, so "Content type:" is never cut before "type:".
        cuts = [m.start() for m in _ANY_LABEL.finditer(line) if m.start() > 0]
        parts += [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
    return [part for part in parts if part]


def _read_lines(block: Block, lines: list[str], meta: Metadata) -> None:
    key: str | None = None
    for line in lines:
        if (match := sel.LABEL_LINE.match(line)) and (found := _label_key(match["label"])):
            key = found
            meta.labels.append(key)
            line = match["value"].strip()
        if key is not None and line:
            meta.values.setdefault(key, []).extend(_split_values(key, line, block))


def _read_values(blocks: list[Block], label_index: int, key: str, values: list[str], used: set[int]) -> int:
    label = blocks[label_index]
    index = label_index + 1
    while index < len(blocks) and len(values) < MAX_VALUES:
        block = blocks[index]
        if label_of(block) is not None or not _is_value_of(block, label, key):
            break
        # A date value's machine-readable form beats its display ("Tue, 06/04/2019 - 14:07").
        values.extend(
            [block.datetime] if key == "date" and block.datetime else _split_values(key, block.text, block)
        )
        used.add(index)
        index += 1
        if key in SINGLE_VALUED:
            break
    return index


def _is_value_of(block: Block, label: Block, key: str) -> bool:
    if _ANY_LABEL_SHAPE.match(block.text):  # "Document type:": a label this module does not know
        return False
    same_group = block.parent == label.parent or block.inside(label.parent)
    if not same_group or block.heading or not _value_sized(block.text, key):
        return False
    return find_dateline(block.text) is None


def _value_sized(text: str, key: str) -> bool:
    """One value, or (for lists) a comma-separated run of names: never a sentence of the body."""
    if len(text) <= MAX_VALUE_CHARS:
        return True
    parts = text.split(",")
    return key not in SINGLE_VALUED and all(len(p) <= MAX_VALUE_CHARS // 2 and ". " not in p for p in parts)


def _split_values(key: str, text: str, block: Block) -> list[str]:
    """Values of one block: its links when it is a list of links, else comma- or line-separated text."""
    if key in SINGLE_VALUED:
        return [" ".join(text.split())]
    links = tuple(link for link in block.links if link in text)
    if links and _links_cover(text, links):
        return list(links)
    protected = text
    for value in sel.VALUES_WITH_COMMAS:
        protected = protected.replace(value, value.replace(",", "\x00"))
    parts = re.split(r"\s*[,;|·•\n]\s*", protected)
    return [" ".join(part.replace("\x00", ",").split()) for part in parts if part.strip(" .")]


def _links_cover(text: str, links: tuple[str, ...]) -> bool:
    letters = sum(map(str.isalnum, text))
    link_letters = sum(sum(map(str.isalnum, link)) for link in links)
    return letters > 0 and link_letters >= 0.9 * letters
