"""The page as a flat list of text blocks: what HTML pages and text snapshots become before extraction."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One block of text in reading order, with what extraction needs to know of its place in the page."""

    text: str  # whitespace collapsed; "\n" where the page breaks a line (<br>)
    tag: str  # the element that made the block: p, li, dt, dd, td, h1, div, ... ("line"/"item" in text)
    parent: int  # id of the enclosing element: a label's values share it (ul, dl, tr, div.field)
    ancestors: frozenset[int] = frozenset()
    links: tuple[str, ...] = ()  # texts of the links inside, in order
    link_chars: int = 0
    in_article: bool = True  # inside the article container
    datetime: str | None = None  # the datetime attribute of a <time> inside

    @property
    def heading(self) -> int:
        """1-6 for h1-h6, 0 for other blocks."""
        return int(self.tag[1]) if len(self.tag) == 2 and self.tag[0] == "h" and self.tag[1].isdigit() else 0

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.split("\n") if line.strip()]


@dataclass
class PageBlocks:
    """The blocks of one page and where its headline is among them."""

    blocks: list[Block]
    title: str | None = None
    title_index: int = -1  # index of the headline's block, -1 when it is not among the blocks
    title_rule: str = "none"  # where the headline came from, for provenance
    container: str | None = None  # the article container's selector, for provenance
    removed: dict[str, int] = field(default_factory=dict)  # chrome removed, by rule
    date_display: str | None = None  # a visible date field outside the label/value block (Drupal 7)
