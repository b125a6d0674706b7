"""The page as a flat list of text blocks: what HTML pages and text snapshots become before extraction."""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field, replace
from functools import cached_property

from osce_scrape.parse import selectors as sel

_WHITESPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible characters inside words: soft hyphens, zero-width spaces and joiners, word joiners, BOMs.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
TEASER_LINK_DENSITY = 0.9  # a heading that is all link is a teaser's title
PROSE_TAGS = frozenset({"p", "div", "blockquote", "section", "article", "main", "body", "center"})
PROSE_MIN_CHARS = 150  # a paragraph this long is the article's prose, not a label or a value
LEAD_MIN_CHARS = 80  # the first paragraph this long after the headline is the article's lead
PAGE_LEVELS = 2  # <html> and <body>: an "article" that is the whole page is no article


class Lineage:
    """Where each element of a page sits, shared by its blocks: numbered in document order, each with the
    number of its last descendant and of its parent. An ancestor test is then two comparisons, and a page's
    cost stays linear in its size (a tuple of ancestors per block grows with the square of the nesting).
    `linearise` fills the columns as it walks the page."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}  # element id -> its number
        self.ids = array("q")  # number -> element id
        self.ends = array("q")  # number -> number of its last descendant
        self.parents = array("q")  # number -> its parent's number (-1: the root)

    def holds(self, node_id: int, number: int) -> bool:
        """The element `node_id` is element `number` or one of its ancestors."""
        outer = self.numbers.get(node_id)
        return outer is not None and outer <= number <= self.ends[outer]

    def common(self, first: int, second: int) -> tuple[int, int]:
        """The nearest element holding elements `first` and `second` (by number): its id and its level
        (1 for the root)."""
        outer = first
        while not outer <= second <= self.ends[outer]:
            outer = self.parents[outer]
        level, parent = 1, self.parents[outer]
        while parent >= 0:
            level, parent = level + 1, self.parents[parent]
        return self.ids[outer], level


@dataclass(frozen=True)
class Block:
    """One block of text in reading order, with what extraction needs to know of its place in the page."""

    text: str  # whitespace collapsed; "\n" where the page breaks a line (<br>)
    tag: str  # the element that made the block: p, li, dt, dd, td, h1, div, ... ("line"/"item" in text)
    parent: int  # id of the enclosing element: a label's values share it (ul, dl, tr, div.field)
    element: int = -1  # the number of the block's element in `lineage` (-1: a text page's block)
    lineage: Lineage | None = field(default=None, compare=False, repr=False)
    links: tuple[str, ...] = ()  # texts of the links inside, in order
    link_chars: int = 0
    in_article: bool = True  # inside the article container
    datetime: str | None = None  # the datetime attribute of a <time> inside

    def inside(self, node_id: int) -> bool:
        """The block's element is the element `node_id` or inside it."""
        return self.lineage is not None and self.lineage.holds(node_id, self.element)

    @property
    def heading(self) -> int:
        """1-6 for h1-h6, 0 for other blocks."""
        return int(self.tag[1]) if len(self.tag) == 2 and self.tag[0] == "h" and self.tag[1].isdigit() else 0

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.split("\n") if line.strip()]

    @cached_property
    def key(self) -> str:
        """The text as a heading key: casefolded, single-spaced, without a trailing colon (computed once:
        a block's key is asked for by several stages)."""
        return " ".join(self.text.casefold().rstrip(" :").split())

    def is_teaser_title(self) -> bool:
        """A heading that is all link: the title of a teaser of other content."""
        return bool(self.heading and self.links and self.link_density >= TEASER_LINK_DENSITY)

    def ends_article(self) -> bool:
        """A heading of what follows an article: related content, downloads, share bars."""
        return len(self.text) <= 60 and self.key in sel.END_OF_ARTICLE_HEADINGS

    def opens_contacts(self) -> bool:
        return len(self.text) <= 80 and bool(sel.CONTACTS_HEADING.match(self.key))


@dataclass
class PageBlocks:
    """The blocks of one page and where its headline is among them."""

    blocks: list[Block]
    title: str | None = None
    title_index: int = -1  # index of the headline's block, -1 when it is not among the blocks
    title_rule: str = "none"  # where the headline came from, for provenance
    container: str | None = None  # the article container's selector, for provenance
    date_display: str | None = None  # a visible date field outside the label/value block (Drupal 7)

    def narrow_to_headline(self) -> None:
        """No article container: the article is the nearest element around the headline and the lead
        paragraph (or the lead's parent, when that is the whole page), so footers and boxes stay out."""
        if self.title_index < 0 or (lineage := self.blocks[self.title_index].lineage) is None:
            return
        title = self.blocks[self.title_index]
        lead = next((b for b in self.blocks[self.title_index + 1 :] if len(b.text) >= LEAD_MIN_CHARS), None)
        if lead is None:
            return
        common, level = lineage.common(title.element, lead.element)
        article = common if level > PAGE_LEVELS else lead.parent
        self.blocks = [replace(block, in_article=block.inside(article)) for block in self.blocks]
        self.container = "around-headline"

    def prose_span(self, end: int) -> tuple[int, int]:
        """Indexes of the article's first and last long paragraph (labels between them are prose), up to
        `end` (the article's end)."""
        long = [
            i
            for i in range(max(self.title_index, 0), end)
            if self.blocks[i].in_article and self.blocks[i].tag in PROSE_TAGS
            and len(self.blocks[i].text) >= PROSE_MIN_CHARS and ":" not in self.blocks[i].text[:40]
        ]  # fmt: skip
        return (long[0], long[-1]) if long else (0, 0)

    def article_end(self) -> int:
        """Index of the first block after the headline that ends the article (related content, teasers)."""
        start = max(self.title_index, 0) + 1
        for index in range(start, len(self.blocks)):
            if self.blocks[index].ends_article() or self.blocks[index].is_teaser_title():
                return index
        return len(self.blocks)


def collapse(text: str | None) -> str:
    """Whitespace (including no-break and thin spaces) collapsed to single spaces, ends stripped."""
    if not text:
        return ""
    # A printable text holds no invisible character and no whitespace but " ", and str.split is ~10x
    # faster than the regexes; tabs and no-break spaces, the usual others, are spaces to the regex too.
    if not text.isprintable():
        text = text.replace("\t", " ").replace("\u00a0", " ")
        if not text.isprintable():
            return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text)).strip()
    return " ".join(text.split())


# --- chrome removal ------------------------------------------------------------------------------------
