"""An HTML page -> its head metadata and its article as text blocks, with the site's chrome stripped.

Chrome goes structurally, in this order: elements that never hold article text (scripts, nav, forms, ...),
ARIA landmarks of chrome, blocks whose class or id names them chrome (menus, sidebars, share bars,
teasers), the site-wide header and footer, and finally unmarked link lists (menus by their link density).
Nothing is removed for its words alone, so article text that uses menu words survives.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import overload

from selectolax.lexbor import LexborHTMLParser, LexborNode

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import Block, Lineage, PageBlocks, collapse
from osce_scrape.parse.limits import check_markup, check_tree

BLOCK_TAGS = frozenset(
    {"p", "div", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
     "section", "article", "header", "footer", "main", "ul", "ol", "dl", "table", "tr", "tbody", "thead",
     "figure", "address", "body", "center", "hr", "caption", "details", "summary", "fieldset", "legend"}
)  # fmt: skip
SKIP_TAGS = frozenset(
    {"-comment", "script", "style", "noscript", "template", "head", "title", "meta", "link"}
)
ALT_TEXT_OWNERS = frozenset({"li", "dd", "td"})  # value cells whose linked images stand for names
LABEL_HOLDERS = frozenset({"aside", "form", "section"})  # chrome-looking elements that may hold metadata
INTRO_MIN_CHARS = 20  # a paragraph introducing a list of links in the article ("The report:" is too short)
LINK_MENU_MIN_LINKS = 4  # a list of fewer links is more likely a sentence's references than a menu
LINK_MENU_DENSITY = 0.75  # share of a block's text inside links above which it is a menu
MIN_CONTAINER_CHARS = 150  # an article container holds at least a short paragraph
# Levels looked up for a box of few links around a box (boxes nest closely: 3 in 4 of a page's are found).
ANCESTORS_LOOKED_AT = 4
# Distinct class/id spellings whose chrome decision is remembered: a template has a few hundred, a page
# ~600 elements with a class or id; the cache keeps a long crawl's memory flat.
CHROME_NAMES_CACHED = 8192
# Headline candidates (and h2s) keep their ancestors' ids: a page of thousands nested deep cost candidates x
# depth (8,000 <div><h1> levels took 27 s). The first (best) are kept while their ids stay within this (a
# page has 1-2 h1s some 20 levels deep; a thousand would fit).
MAX_HEADLINE_ANCESTOR_IDS = 20_000
# Above this many h1s, an h1 selector is one css() pass, not a css_first from each h1 (each searches the
# h1's own subtree: the square of the count for h1s nested in each other).
FEW_H1S = 16
_LINK_BOXES = "ul, ol, div, section, table, dl, p"  # what may be an unmarked menu
_H1_ONLY = re.compile(r"h1(?:[.#\[:].*)?")  # the last compound of a selector that only h1s match
# The title selectors that only a css() pass of their own answers (not a walked tag, not of h1s only).
_RARE_TITLES = tuple(
    s for s in sel.TITLE_SELECTORS if s not in ("h1", "h2") and not _H1_ONLY.fullmatch(s.split()[-1])
)
_NAMED = "[class], [id]"  # the elements a class or id may name chrome
_CHROME = "-chrome"  # the key of `_elements_by_tag` for the elements of sel.CHROME_TAGS and figcaptions
_BLANK_LINES = re.compile(r"\n{3,}")
_CLASS_SPLIT = re.compile(r"[\s_\-]+")
_CHROME_WORD = re.compile("|".join(sorted(sel.CHROME_CLASS_WORDS)))  # a cheap prefilter of class names
_LABEL_INSIDE = re.compile(
    r"(?:^|\n)\s*(?:" + "|".join(re.escape(k) for k in sel.LABELS) + r")\s*:", re.IGNORECASE
)


def parse_html(text: str, source: str | None = None) -> LexborHTMLParser:
    """The page's tree; a ParseError for a page past the caps of `limits` (too many attributes on an
    element, too deep, too many nodes), checked before the work they would make slow."""
    check_markup(text, source)
    tree = LexborHTMLParser(text)
    check_tree(tree, source)
    return tree


def strip_chrome(tree: LexborHTMLParser, hint: str | None = None) -> LexborNode | None:
    """Remove the site's chrome in place; return the headline element and counts of what went."""
    elements = _elements_by_tag(tree)
    headlines = _Headlines(tree, hint, elements)
    # Never remove what holds a headline (a page wrapped in one <form>) or the metadata labels (a sidebar
    # <aside> with "Source:" and "Fields of work:").
    keep = headlines.holders()
    tags = elements[_CHROME]
    headlines.remove([n for n in tags if n.mem_id not in keep and not _holds_labels(n)])
    roles = [n for n in tree.css("[role]") if n.attributes.get("role") in sel.CHROME_ROLES]
    headlines.remove([n for n in roles if n.mem_id not in keep and not _holds_labels(n)])
    title_ids = headlines.holders(first_only=True)
    site_regions = [
        node
        for node in tree.css(", ".join(sel.SITE_REGION_TAGS))
        if node.mem_id not in title_ids and not _inside(node, ("article", "main"))
    ]
    headlines.remove(site_regions)
    headline_ids = headlines.holders()
    boxes = _class_chrome(tree, headline_ids)
    headlines.remove([n for n in boxes if not _holds_labels(n, any_tag=True)])
    return next(headlines.candidates(), None)  # the first may have gone with the chrome


class _Headlines:
    """A page's headline candidates as chrome removal goes: the elements that may be one are found once,
    with their ancestors' ids (taken before anything is removed: a removed node's handle is freed); each
    look after a removal drops those inside what was removed and re-reads the texts of the rest that hold
    elements (what went may have been one of them)."""

    def __init__(
        self, tree: LexborHTMLParser, hint: str | None, elements: dict[str, list[LexborNode]]
    ) -> None:
        self.hint = " ".join(hint.casefold().split()) if hint else None
        any_rare = tree.css_first(", ".join(_RARE_TITLES)) is not None  # one pass, where few pages match any
        matched = (
            node
            for selector in sel.TITLE_SELECTORS
            if any_rare or selector not in _RARE_TITLES
            for node in _select(tree, selector, elements)
        )
        self.lines: dict[int, set[int]] = {}  # each candidate's id and its ancestors'
        self.matches = self._lined(matched)
        self.h2s = self._lined(elements["h2"]) if hint else []
        self.removed: set[int] = set()  # ids of the removed nodes (not of their descendants)
        self.keys: dict[int, str] = {}  # the keys read since the last removal
        self.changeable: set[int] = set()  # the ids of the nodes with elements inside, whose keys may change

    def _lined(self, nodes: Iterable[LexborNode]) -> list[LexborNode]:
        """The nodes, each once and in the order given, with their lines, as long as the lines stay within
        MAX_HEADLINE_ANCESTOR_IDS in all."""
        kept: list[LexborNode] = []
        seen: set[int] = set()
        budget = MAX_HEADLINE_ANCESTOR_IDS
        for node in nodes:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            line = _ancestor_ids(node, most=budget)
            if line is None:
                break
            budget -= len(line)
            self.lines[node.mem_id] = line
            kept.append(node)
        return kept

    def remove(self, nodes: list[LexborNode]) -> None:
        if nodes:
            self.removed.update(node.mem_id for node in nodes)
            for id_ in self.changeable:
                self.keys.pop(id_, None)
            _remove(nodes)

    def holders(self, *, first_only: bool = False) -> set[int]:
        """Ids of the candidates (or of the first) and of the elements around them."""
        found = itertools.islice(self.candidates(), 1 if first_only else None)
        return {id_ for node in found for id_ in self.lines[node.mem_id]}

    def candidates(self) -> Iterator[LexborNode]:
        """Headline elements, best first: h1s that are neither the site's name (a logo) nor a section's
        ("Newsroom"), the one matching the page's <title>/og:title first; else an h2 matching it."""
        hint = self.hint
        h1s: list[LexborNode] = []
        for node in self.matches:  # each once (`_lined`)
            if not self._alive(node):
                continue
            key = self._key(node)
            if key and key not in sel.SITE_NAMES and key not in sel.SECTION_HEADS:
                h1s.append(node)
        if hint is not None:
            yield from (node for node in h1s if _matches(self._key(node), hint))
        yield from h1s
        if hint is not None:
            yield from (node for node in self.h2s if self._alive(node) and _matches(self._key(node), hint))

    def _alive(self, node: LexborNode) -> bool:
        return not self.removed or self.removed.isdisjoint(self.lines[node.mem_id])

    def _key(self, node: LexborNode) -> str:
        """The node's text casefolded and single-spaced."""
        if (key := self.keys.get(node.mem_id)) is None:
            key = self.keys[node.mem_id] = " ".join(node.text().casefold().split())
            if next(node.iter(), None) is not None:  # not text only (iter() yields elements and comments)
                self.changeable.add(node.mem_id)
        return key


def _select(tree: LexborHTMLParser, selector: str, elements: dict[str, list[LexborNode]]) -> list[LexborNode]:
    """css(selector) in document order, from the walk's lists where it can: a bare tag name of them, and a
    selector of h1s (a css() from a node matches it first when it matches, its ancestors counting)."""
    if selector in elements:
        return elements[selector]
    if _H1_ONLY.fullmatch(selector.split()[-1]) and len(elements["h1"]) <= FEW_H1S:
        return [
            h1
            for h1 in elements["h1"]
            if (first := h1.css_first(selector)) is not None and first.mem_id == h1.mem_id
        ]
    return tree.css(selector)


def prune_link_lists(root: LexborNode, keep: set[int], article: LexborNode | None = None) -> None:
    """Remove unmarked menus: lists and boxes that are mostly links, unless they hold metadata labels or
    are the article's own list, introduced by its text ("The full report is available here:")."""
    menus: list[LexborNode] = []
    in_menus: set[int] = set()  # ids of the candidates inside a menu found (sets: a page nests deep)
    in_values: set[int] = set()  # ids of the boxes inside a metadata label's values: never chrome
    few: set[int] = set()  # ids of the candidates with fewer links than a menu: those inside have fewer still
    in_article: set[int] | None = None  # the article's boxes but itself, found when a menu is
    for node in root.css(_LINK_BOXES):  # document order: outer before inner
        if node.mem_id in keep or node.mem_id in in_menus or node.mem_id in in_values:
            continue
        if _inside_any(node, few):
            few.add(node.mem_id)
            continue
        links = node.css("a")
        if len(links) < LINK_MENU_MIN_LINKS:
            few.add(node.mem_id)
            continue
        chars = len(node.text(strip=True))
        link_chars = sum(len(a.text(strip=True)) for a in links)
        if chars and link_chars / chars >= LINK_MENU_DENSITY:
            if _labelled(node):  # a label's values, however many links (18 structures in one item)
                in_values.update(inner.mem_id for inner in node.css(_LINK_BOXES))
                continue
            if in_article is None:
                in_article = (
                    {n.mem_id for n in article.css(_LINK_BOXES)} - {article.mem_id} if article else set()
                )
            if node.mem_id in in_article and _introduced(node):
                continue
            menus.append(node)
            in_menus.update(inner.mem_id for inner in node.css(_LINK_BOXES))
    _remove(menus)


def _inside_any(node: LexborNode, ids: set[int]) -> bool:
    """The node is inside one of the elements `ids`, looked for a few levels up only (a parent's read costs
    less than a css() query, and deep nesting stays linear): True is sure, False a maybe."""
    parent = node.parent
    for _ in range(ANCESTORS_LOOKED_AT):
        if parent is None:
            return False
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _introduced(node: LexborNode) -> bool:
    """A list right after a paragraph of text (the article introducing it), not after a heading or box."""
    previous = node.prev
    while previous is not None and not previous.is_element_node:
        previous = previous.prev
    return previous is not None and previous.tag == "p" and len(previous.text(strip=True)) >= INTRO_MIN_CHARS


def _holds_labels(node: LexborNode, *, any_tag: bool = False) -> bool:
    """A sidebar that holds the page's metadata labels, not teasers of other pages (with their own
    "Publishing date:" lines under linked titles)."""
    if not any_tag and node.tag not in LABEL_HOLDERS and node.attributes.get("role") != "complementary":
        return False
    text = node.text(separator="\n")
    if ":" not in text or node.css_first("h2 a, h3 a, h4 a, h5 a") is not None:
        return False
    return bool(_LABEL_INSIDE.search(text))


def _labelled(node: LexborNode) -> bool:
    """True when the node holds metadata labels or is the value list right after one ("Source:")."""
    text = node.text(separator="\n")
    if ":" in text and _LABEL_INSIDE.search(text):
        return True
    previous = node.prev
    while previous is not None and not previous.is_element_node:
        previous = previous.prev
    before = previous.text(separator="\n") if previous is not None else ""
    return bool(_LABEL_INSIDE.search(before[-80:].lstrip()))


def find_container(
    tree: LexborHTMLParser, title: LexborNode | None = None
) -> tuple[LexborNode | None, str | None]:
    """The element holding the article: for the first selector with a match of real text, the match
    around the headline, else its largest match (an <article> teaser never wins over the article)."""
    for selector in sel.ARTICLE_CONTAINERS:
        best, best_key = None, (False, 0)
        for node in tree.css(selector):
            length = len(node.text(strip=True))
            key = (title is not None and _contains(node, title), length)
            if length >= MIN_CONTAINER_CHARS and key > best_key:
                best, best_key = node, key
        if best is not None:
            return best, selector
    return None, None


def _around(container: LexborNode, title: LexborNode) -> LexborNode:
    """The nearest element holding both the headline and a container beside it (a body-only div.content
    next to its contacts box), unless that is the whole page."""
    title_ids = _ancestor_ids(title)
    common = next((node for node in _ancestors(container) if node.mem_id in title_ids), None)
    return container if common is None or common.tag in {"body", "html"} else common


def _contains(node: LexborNode, title: LexborNode) -> bool:
    """The node holds the headline, whatever its element (h1, h2, div.title, [itemprop=headline])."""
    return any(ancestor.mem_id == node.mem_id for ancestor in _ancestors(title))


def _matches(key: str, hint: str) -> bool:
    """A node's key (casefolded, single-spaced) matches the page's <title>/og:title (`hint`, the same)."""
    return bool(key) and (key in hint or hint in key)


def _class_chrome(tree: LexborHTMLParser, headline_ids: set[int]) -> list[LexborNode]:
    """The outermost elements whose class or id names them chrome, but those holding the headline, in
    document order. The class and id of an element inside one found are never read: they cannot matter."""
    boxes: list[LexborNode] = []
    inside: set[int] = set()  # the boxes' and their descendants' ids: linear however deep the nesting
    for node in tree.css(_NAMED):
        if (
            node.mem_id not in inside
            and _chrome_names(node.attrs.get("class"), node.id)
            and node.mem_id not in headline_ids
            and node.tag not in {"html", "body"}
        ):
            boxes.append(node)
            inside.update(inner.mem_id for inner in node.css(_NAMED))  # the only candidates
    return boxes


@functools.lru_cache(maxsize=CHROME_NAMES_CACHED)
def _chrome_names(class_: str | None, id_: str | None) -> bool:
    """Class and id names that name chrome, decided once per distinct spelling."""
    names = f"{class_ or ''} {id_ or ''}".lower()
    if not _CHROME_WORD.search(names):
        return False
    if any(name in sel.NOT_CHROME_CLASSES for name in names.split()):
        return False
    return bool(sel.CHROME_CLASS_WORDS.intersection(_CLASS_SPLIT.split(names)))


def _elements_by_tag(tree: LexborHTMLParser) -> dict[str, list[LexborNode]]:
    """The page's chrome elements (`_CHROME`: of sel.CHROME_TAGS, figcaptions), h1s and h2s, in document
    order: one walk reading each element's tag id, where a css() of the twenty tag names takes twice as
    long."""
    chrome: list[LexborNode] = []
    h1s: list[LexborNode] = []
    h2s: list[LexborNode] = []
    lists = dict.fromkeys(_CHROME_TAG_IDS, chrome) | {_tag_id("h1"): h1s, _tag_id("h2"): h2s}
    root = tree.root
    for node in root.traverse() if root is not None else ():
        if (nodes := lists.get(node.tag_id)) is not None:
            nodes.append(node)
    return {_CHROME: chrome, "h1": h1s, "h2": h2s}


@functools.cache
def _tag_id(name: str) -> int:
    """Lexbor's id of a (known) tag name: an element's tag id is cheaper to read than its name."""
    return int(LexborHTMLParser("").create_node(name).tag_id)


_CHROME_TAG_IDS = frozenset(_tag_id(name) for name in (*sel.CHROME_TAGS, "figcaption"))
# The linearisation reads tag ids. Text and comments are the only other nodes inside <body>.
_TEXT_ID, _COMMENT_ID = (
    node.tag_id for node in LexborHTMLParser("<p>x<!---->").css("p")[0].iter(include_text=True)
)
_SKIP_IDS = frozenset({_COMMENT_ID, *(_tag_id(name) for name in SKIP_TAGS if name != "-comment")})
_BLOCK_TAG_NAMES = {_tag_id(name): name for name in BLOCK_TAGS}
_A_ID, _BR_ID, _IMG_ID, _TIME_ID = (_tag_id(name) for name in ("a", "br", "img", "time"))


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


@overload
def _ancestor_ids(node: LexborNode | None) -> set[int]: ...
@overload
def _ancestor_ids(node: LexborNode | None, most: int) -> set[int] | None: ...
def _ancestor_ids(node: LexborNode | None, most: int | None = None) -> set[int] | None:
    """The node's id and its ancestors' (none for no node); None when there are more than `most`."""
    if node is None:
        return set()
    ids = {node.mem_id}
    for parent in _ancestors(node):
        if most is not None and len(ids) >= most:
            return None
        ids.add(parent.mem_id)
    return ids


def _inside(node: LexborNode, tags: tuple[str, ...]) -> bool:
    return any(parent.tag in tags for parent in _ancestors(node))


def _remove(nodes: list[LexborNode]) -> None:
    """Decompose `nodes` (in document order, as css() returns them; a node matching two selectors of a
    list comes twice): the last first, so a node inside another goes before the one around it frees it
    and its handle, with no descendants to collect; each once."""
    done: set[int] = set()
    for node in reversed(nodes):
        if node.mem_id not in done:
            done.add(node.mem_id)
            node.decompose()


# --- linearisation -------------------------------------------------------------------------------------
class _Builder:
    """Collects text into blocks while walking the tree: a block ends where a block-level element does."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lineage = Lineage()
        # The lists are cleared in place, so that the walk may hold them in local variables.
        self.parts: list[str] = []
        self.links: list[str] = []
        self.datetime: str | None = None
        self.owner: list[tuple[str, int, int, bool]] = []  # tag, parent id, number, inside the article

    def flush(self) -> None:
        if self.parts:
            text = "".join(self.parts)
            self.parts.clear()
            if "\n" in text:  # only <br> breaks a line
                text = "\n".join(map(collapse, text.split("\n")))
                text = (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip()
            else:
                text = collapse(text)
            if text and self.owner:
                self._add(text)
        self.links.clear()
        self.datetime = None

    def _add(self, text: str) -> None:
        tag, parent, number, in_article = self.owner[-1]
        links = tuple(filter(None, map(collapse, self.links))) if self.links else ()
        self.blocks.append(
            Block(
                text=text, tag=tag, parent=parent, element=number, lineage=self.lineage, links=links,
                link_chars=sum(map(len, links)), in_article=in_article, datetime=self.datetime,
            )
        )  # fmt: skip


def linearise(root: LexborNode, article: LexborNode | None) -> list[Block]:
    """The text under `root` as blocks in reading order."""
    builder = _Builder()
    parts, links, owner, lineage = builder.parts, builder.links, builder.owner, builder.lineage
    # The lineage's columns, filled here (`Lineage` says what they hold): the walk's hottest lines.
    numbers, ids, ends, parents = lineage.numbers, lineage.ids, lineage.ends, lineage.parents
    article_id = article.mem_id if article is not None else None
    in_article = article is None
    link_depth = 0
    # The open elements: tag id, id, number in the lineage, the children not walked yet; at the bottom, the
    # root as the only child of no element (id 0, number -1).
    frames: list[tuple[int, int, int, Iterator[LexborNode]]] = [(-1, 0, -1, iter((root,)))]
    while frames:
        _, parent_id, parent_number, children = frames[-1]
        for node in children:
            tag_id = node.tag_id
            if tag_id == _TEXT_ID:
                text = (node.text_content or "").replace("\n", " ")  # only <br> breaks a line
                if not parts and text.isspace():  # a block's leading whitespace: collapse drops it
                    continue
                parts.append(text)
                if link_depth and links:
                    links[-1] += text
                continue
            if tag_id in _SKIP_IDS:
                continue
            if tag_id == _BR_ID:
                parts.append("\n")
                continue
            if tag_id == _IMG_ID and link_depth and owner and owner[-1][0] in ALT_TEXT_OWNERS:
                # A linked logo standing for its name in a list of values ("Source:" as structure logos).
                alt = collapse(node.attributes.get("alt"))
                parts.append(alt)
                if links:
                    links[-1] += alt
                continue
            node_id = node.mem_id
            number = len(ids)
            numbers[node_id] = number
            ids.append(node_id)
            ends.append(number)
            parents.append(parent_number)
            in_article = in_article or node_id == article_id
            if (tag := _BLOCK_TAG_NAMES.get(tag_id)) is not None:
                if parts or links or builder.datetime is not None:
                    builder.flush()
                owner.append((tag, parent_id, number, in_article))  # a list's items, a row's cells share it
            elif tag_id == _A_ID:
                link_depth += 1
                links.append("")
            elif tag_id == _TIME_ID and builder.datetime is None:
                builder.datetime = node.attributes.get("datetime")
            frames.append((tag_id, node_id, number, node.iter(include_text=True)))
            break
        else:  # the element's last child walked: close it
            tag_id = frames.pop()[0]
            if parent_number < 0:
                continue
            ends[parent_number] = len(ids) - 1
            in_article = in_article and parent_id != article_id
            if tag_id in _BLOCK_TAG_NAMES:
                if parts or links or builder.datetime is not None:
                    builder.flush()
                owner.pop()
            elif tag_id == _A_ID:
                link_depth -= 1
    builder.flush()
    return builder.blocks


def page_blocks(tree: LexborHTMLParser, hint: str | None = None) -> PageBlocks:
    """Strip the chrome, find the article and the headline (`hint`: the page's <title> without the
    site's name), and linearise what is left of the body."""
    title_node = strip_chrome(tree, hint)
    container, container_rule = find_container(tree, title_node)
    if (
        container is not None
        and title_node is not None
        and container_rule not in sel.BODY_PANES
        and not _contains(container, title_node)
    ):
        container, container_rule = _around(container, title_node), f"{container_rule}+headline"
    keep = _ancestor_ids(title_node) | (_ancestor_ids(container) if container is not None else set())
    body = tree.body
    if body is None:
        return PageBlocks(blocks=[])
    prune_link_lists(body, keep, container)
    blocks = linearise(body, container)
    title = " ".join(collapse(title_node.text()).split()) if title_node is not None else None
    title_id = title_node.mem_id if title_node is not None else -1  # -1: no element's id
    title_index = next((i for i, block in enumerate(blocks) if block.inside(title_id)), -1)
    return PageBlocks(
        blocks=blocks,
        title=title,
        title_index=title_index,
        container=container_rule,
        # Drupal 7 panels show the date in a pane beside the body pane: look around the headline too.
        date_display=_date_display(
            _around(container, title_node) if container is not None and title_node is not None else body
        ),
    )


def _date_display(root: LexborNode) -> str | None:
    """The Drupal 7 layout's visible date field (its machine-readable content attribute if it has one)."""
    for selector in sel.DATE_DISPLAY_SELECTORS:
        if (node := root.css_first(selector)) is not None:
            return (node.attributes.get("content") or "").strip() or collapse(node.text()) or None
    return None
