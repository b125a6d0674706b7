"""Caps that keep a hostile (or broken) page's cost linear: a page past one is refused with a ParseError
naming the cap and what the page has, before the work it would make expensive.

The HTML parser (lexbor) checks each attribute of an element against the ones before it, so its time grows
with the square of an element's attribute count, and scans its stack of open elements for each tag, so its
time grows with the square of the nesting: both are checked on the markup, before parsing. Chrome
removal reads the text of nested candidates (each <div> holds all the ones inside it), so its work grows with
nodes x depth: depth and node count are checked on the tree in one walk, before any of it.
"""

from __future__ import annotations

import collections
import itertools
import re

from selectolax.lexbor import LexborHTMLParser

from osce_scrape.errors import ParseError

# The fixture corpora nest at most 20 levels, have at most 2.2k nodes and 13 attributes on an element:
# the caps are far above that and refuse the shapes that made a parse slow or huge (bench_hostile.py).
MAX_DEPTH = 10_240  # levels of nodes; above the 10k a fuzz test walks; 20k <div>s took 6 s, 1.8 GB
MAX_NODES = 250_000  # elements, text and comments: 1M of them (500k <p>) took 12 s
MAX_ATTRIBUTES = 300  # on one element (lexbor compares each with all before it): 100k took 17 s
# Elements the markup opens and has not closed, counted before parsing: lexbor's own time grows with the
# square of the nesting (50k unclosed <div>s took 3.4 s, 200k 147 s, holding the crawl's parse thread).
# Twice MAX_DEPTH, so that the tree's exact check (after parsing) names the depth of a page between them.
MAX_MARKUP_DEPTH = 2 * MAX_DEPTH
# Tags that open no level in that count: void elements, and those whose end tag the parser infers at the
# next sibling (an unclosed <p> or <li> is the norm in old pages, not nesting).
_FLAT_TAGS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "html",
    "head", "body", "rb", "rt", "rp",
})  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][^\t\n\f\r />]*)")

_SPACE = r"[\t\n\f\r ]"
# One attribute as the HTML tokenizer reads it: a name, then an optional value (quoted or not).
_VALUE = r"""(?:"[^"]*+"?+|'[^']*+'?+|[^\t\n\f\r >]*+)"""  # quoted (maybe cut at the end) or bare
_ATTRIBUTE = rf"[^\t\n\f\r />][^\t\n\f\r />=]*+(?:{_SPACE}*+={_SPACE}*+{_VALUE})?+"
_ATTRIBUTES = rf"(?P<attributes>(?:[\t\n\f\r /]*+{_ATTRIBUTE})*+)"
_RAW_TEXT = "script|style|textarea|title|xmp|iframe|noembed|noframes"  # no markup inside, until the end tag
# The markup in the tokenizer's order: comments and declarations (no attributes), raw-text elements (their
# text holds no tags: a script's "<a" is no element), other start and end tags.
_MARKUP = re.compile(
    rf"<(?:!--(?:-?>|.*?--!?>|.*)"
    rf"|[!?][^>]*+>?"
    rf"|/(?![a-z])[^>]*+>?"
    rf"|(?:(?P<raw>{_RAW_TEXT})(?=[\t\n\f\r />])|/?[a-z][^\t\n\f\r />]*+){_ATTRIBUTES}[\t\n\f\r /]*+"
    rf"(?:>(?(raw)(?:.*?</(?P=raw)(?=[\t\n\f\r />])|.*)))?)",
    re.IGNORECASE | re.DOTALL,
)
_ONE_ATTRIBUTE = re.compile(_ATTRIBUTE)
_BEFORE_VALUE = frozenset("=\t\n\f\r ")  # what stands just before a quote that opens a value
_EQUALS_BEFORE = re.compile(rf"={_SPACE}*+\Z")  # an '=' and spaces up to where the search ends
_MIN_CHARS_AN_ATTRIBUTE = 2  # a name and a space (or a quoted value's closing quote) at the least
TOKENS_A_SCAN = 4096  # tokens one call of the scan reads: bounds the regex engine's memory on a huge page


def _scanner(most: int) -> re.Pattern[str]:
    """The markup as `_MARKUP` reads it, token after token in one regex call (no match object a tag), up to
    the first element with more than `most` attributes: the scan stops before it. Each tag's attributes
    are read once: at most `most` of them, then a look at whether another follows."""
    gap = r"[\t\n\f\r /]*+"  # what may separate attributes
    attributes = rf"(?:{gap}{_ATTRIBUTE}){{0,{most}}}+(?!{gap}[^\t\n\f\r />])"  # no attribute after `most`
    end = r"(?=[\t\n\f\r />])"
    raw_end = rf"(?:[^<]++|<(?!/(?P=raw){end}))*+(?:</(?P=raw){end})?"  # `.*?</raw` (or all), unrolled
    token = (
        rf"[^<]++|<(?:!--(?:-?>|.*?--!?>|.*)"
        rf"|[!?][^>]*+>?"
        rf"|/(?![a-z])[^>]*+>?"
        rf"|(?P<raw>{_RAW_TEXT}){end}{attributes}{gap}(?:>{raw_end})?"
        rf"|/?[a-z][^\t\n\f\r />]*+{attributes}{gap}>?"
        rf"|(?![!?/a-z]))"  # a "<" that starts no markup ("a <b" is markup, "1 < 2" is text)
    )
    return re.compile(rf"(?:{token}){{0,{TOKENS_A_SCAN}}}", re.IGNORECASE | re.DOTALL)


_SCAN = _scanner(MAX_ATTRIBUTES)


def check_markup(text: str, source: str | None = None) -> None:
    """Refuse a page with an element of more than MAX_ATTRIBUTES attributes, or whose markup opens more than
    MAX_MARKUP_DEPTH elements without closing them, before it is parsed."""
    _check_markup_depth(text, source)
    if not _may_pass_cap(text, MAX_ATTRIBUTES) or _within_cap(text, _SCAN):
        return
    _refuse_attributes(text, source)


def _may_pass_cap(text: str, most: int) -> bool:
    """False when no element of the page can have more than `most` attributes, shown by a few searches of
    the text at C speed (on an ordinary page, a twentieth of the scan's time); True when the scan must tell.

    Such an element spans at least `span` characters from its '<' (a name, then at least two characters an
    attribute), none of them a '>' but in quoted values. So the text is read in windows of that span, each
    starting after a '>'. An element begun in a window reaches the window's last '>': it ends there, or
    crosses it inside a value, opened by the window's last quote of its kind after an '=' (and spaces): that
    quote is looked at. A window without a '>' starts a run of the span or more, where such an element
    begins at a '<' at least a span before the run's end, or crosses that end. Each character is read a
    bounded number of times: the time is linear in the page, however built."""
    span = 2 + _MIN_CHARS_AN_ATTRIBUTE * (most + 1)  # the '<', a name and the attributes
    end = len(text)
    start = 0
    apostrophe = _after(text, "'", start)
    while start + span <= end:
        gt = text.rfind(">", start, start + span)
        if gt < 0:  # a run of the span without a '>': where it ends, and whether a '<' begins it early
            gt = text.find(">", start + span)
            if gt < 0:
                return text.find("<", start, end - span + 1) >= 0
            if text.find("<", start, gt - span + 1) >= 0:
                return True
            start = gt - span + 1  # an element begun after it reaches the span only across the '>'
        if _opens_value(text, start, text.rfind('"', start + 1, gt)):
            return True
        if apostrophe < gt:  # apostrophes are rare: looked for only in a window that has one
            if _opens_value(text, start, text.rfind("'", start + 1, gt)):
                return True
            apostrophe = _after(text, "'", gt + 1)
        start = gt + 1
    return False


def _after(text: str, mark: str, start: int) -> int:
    """Where `mark` is first found after `start` (the text's length if nowhere)."""
    found = text.find(mark, start + 1)
    return found if found >= 0 else len(text)


def _opens_value(text: str, start: int, quote: int) -> bool:
    """Whether the quote at `quote` (none if -1) may open an attribute's value: an '=' after `start`, then
    spaces, before it."""
    return (
        quote > 0
        and text[quote - 1] in _BEFORE_VALUE  # most often a value's closing quote: no search
        and _EQUALS_BEFORE.search(text, start, quote) is not None
    )


def _check_markup_depth(text: str, source: str | None) -> None:
    """The deepest run of open elements in the markup (an upper bound of the tree's depth), when the page
    has enough tags to pass the cap at all (each of two characters at least: its length tells first)."""
    if len(text) < 2 * (MAX_MARKUP_DEPTH + 1) or text.count("<") <= MAX_MARKUP_DEPTH:
        return
    depth = deepest = 0
    for match in _TAG.finditer(text):
        if match[2].lower() in _FLAT_TAGS:
            continue
        if match[1]:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    if deepest > MAX_MARKUP_DEPTH:
        raise ParseError(
            f"page's markup opens {deepest} elements without closing them (more than {MAX_MARKUP_DEPTH}): "
            "refused as hostile or broken",
            source=source,
        )


def _within_cap(text: str, scan: re.Pattern[str]) -> bool:
    """True when `scan` reads the whole text: no element has more attributes than its cap."""
    position, end = 0, len(text)
    while position < end:
        reached = scan.match(text, position).end()  # type: ignore[union-attr]  # {0,n} always matches
        if reached == position:
            return False
        position = reached
    return True


def _refuse_attributes(text: str, source: str | None) -> None:
    """The element past the cap, found and counted token by token (only for a page the scan stopped on)."""
    shortest = MAX_ATTRIBUTES * _MIN_CHARS_AN_ATTRIBUTE - 1  # shorter attribute lists cannot pass the cap
    for match in _MARKUP.finditer(text):
        attributes = match["attributes"]
        if attributes is None or len(attributes) < shortest:
            continue
        count = sum(1 for _ in _ONE_ATTRIBUTE.finditer(attributes))
        if count > MAX_ATTRIBUTES:
            raise ParseError(
                f"page has an element with {count} attributes (more than {MAX_ATTRIBUTES}): "
                "refused as hostile or broken",
                source=source,
            )


def check_tree(tree: LexborHTMLParser, source: str | None = None) -> None:
    """Refuse a page nested deeper than MAX_DEPTH or with more than MAX_NODES nodes, in one walk."""
    count = _count_nodes(tree)
    if count <= MAX_DEPTH:  # a page of fewer nodes cannot nest deeper than that: no depth to measure
        return
    depth = deepest = count = 0
    node = tree.root
    while node is not None:
        count += 1
        if (child := node.child) is not None:
            depth += 1
            deepest = max(deepest, depth)
            node = child
            continue
        while node is not None and node.next is None:
            node, depth = node.parent, depth - 1
        node = node.next if node is not None else None
    if deepest > MAX_DEPTH:
        raise ParseError(
            f"page nests elements {deepest} deep (more than {MAX_DEPTH}): refused as hostile or broken",
            source=source,
        )
    if count > MAX_NODES:
        raise ParseError(
            f"page has {count} nodes (more than {MAX_NODES}): refused as hostile or broken", source=source
        )


def _count_nodes(tree: LexborHTMLParser) -> int:
    """The nodes `check_tree` walks (<html>, what follows it at the top, everything inside), counted by
    lexbor's traversal: half the time of a walk by hand."""
    count = itertools.count()
    node = tree.root
    while node is not None:
        # An endless counter zipped with the nodes, drained at C speed: its next value is the count.
        collections.deque(zip(node.traverse(include_text=True), count, strict=False), maxlen=0)
        node = node.next
    return next(count)
