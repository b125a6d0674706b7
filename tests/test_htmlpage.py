"""The HTML page's chrome stripping and linearisation: the shortcuts that make them fast give what the plain
css() queries and tree reads gave."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.htmlpage import (
    _CHROME,
    _elements_by_tag,
    _Headlines,
    _select,
    linearise,
    prune_link_lists,
    strip_chrome,
)

# Nested and foreign elements, a template, quirks mode (no doctype: class names match case-insensitively).
TRICKY = """<html><head><script>1</script><style>p{}</style><noscript><link></noscript></head><body>
<div class="content--header"><section><h1 id="a">A</h1></section></div>
<h1 class="Page-Title x" id="b">B<div><h1 class="page-title" id="c">C</h1></div></h1>
<h1 class="node-title" id="d">D</h1><div class="title">T</div><span itemprop="headline">H</span>
<h2>Two</h2><form><input><button>b</button><select><option>o</select><textarea>t</textarea></form>
<svg><style>s</style><a>l</a></svg><math><style>m</style></math><template><script>t</script></template>
<figure><img><figcaption>c</figcaption></figure><nav><aside><iframe></iframe></aside></nav>
<object><embed></object><video><audio></audio></video><canvas></canvas><map></map></body></html>"""


@pytest.mark.parametrize("markup", [TRICKY, f"<!DOCTYPE html>{TRICKY}", "", "<p>text only</p>"])
def test_the_walk_finds_what_css_finds_in_document_order(markup: str) -> None:
    tree = LexborHTMLParser(markup)
    found = _elements_by_tag(tree)
    chrome = tree.css(", ".join((*sel.CHROME_TAGS, "figcaption")))
    assert [n.mem_id for n in found[_CHROME]] == [n.mem_id for n in chrome]
    assert [n.mem_id for n in found["h1"]] == [n.mem_id for n in tree.css("h1")]
    assert [n.mem_id for n in found["h2"]] == [n.mem_id for n in tree.css("h2")]
    if markup == TRICKY:
        assert len(found[_CHROME]) == 22 and len(found["h1"]) == 4


@pytest.mark.parametrize("markup", [TRICKY, f"<!DOCTYPE html>{TRICKY}"])
@pytest.mark.parametrize("selector", sel.TITLE_SELECTORS)
def test_title_selectors_read_from_the_walk_match_css(markup: str, selector: str) -> None:
    tree = LexborHTMLParser(markup)
    got = [n.mem_id for n in _select(tree, selector, _elements_by_tag(tree))]
    assert got == [n.mem_id for n in tree.css(selector)]


def test_title_selectors_of_h1s_see_ancestors_and_quirks_mode() -> None:
    tree = LexborHTMLParser(TRICKY)
    elements = _elements_by_tag(tree)
    ids = [[n.id for n in _select(tree, s, elements)] for s in sel.TITLE_SELECTORS[:3]]
    assert ids == [["a"], ["b", "c"], ["d"]]  # "Page-Title" is page-title in quirks mode
    strict = LexborHTMLParser(f"<!DOCTYPE html>{TRICKY}")
    assert [n.id for n in _select(strict, "h1.page-title", _elements_by_tag(strict))] == ["c"]


def test_a_headline_is_read_again_after_chrome_inside_it_went() -> None:
    # "Foo Share bar" does not match the <title>; with the button gone, "Foo bar" does.
    tree = LexborHTMLParser("<body><h2>Foo <button>Share</button> bar</h2><p>Text</p></body>")
    title = strip_chrome(tree, "Foo bar")
    assert title is not None and title.tag == "h2" and " ".join(title.text().split()) == "Foo bar"


def test_a_headline_candidate_removed_with_the_chrome_is_never_returned() -> None:
    markup = "<body><header><h1>Second</h1></header><main><h1>Foo bar</h1><p>Text</p></main></body>"
    tree = LexborHTMLParser(markup)
    title = strip_chrome(tree, "Foo bar")
    assert title is not None and title.text() == "Foo bar"
    assert [h1.text() for h1 in tree.css("h1")] == ["Foo bar"]


def test_linearise_blocks() -> None:
    tree = LexborHTMLParser(
        "<body><div id='art'><p>One<!-- note --> <b>two</b><br>three</p>"
        "<ul><li><a href='/x'><img alt=' Logo  A '></a></li><li><a>Link</a> tail</li></ul>"
        "<p><time datetime='2020-01-02'>2 Jan</time> text</p><script>no</script></div><p>After</p></body>"
    )
    article = tree.css_first("#art")
    blocks = linearise(tree.body, article)
    assert [(b.text, b.tag, b.links, b.in_article, b.datetime) for b in blocks] == [
        ("One two\nthree", "p", (), True, None),
        ("Logo A", "li", ("Logo A",), True, None),
        ("Link tail", "li", ("Link",), True, None),
        ("2 Jan text", "p", (), True, "2020-01-02"),
        ("After", "p", (), False, None),
    ]
    assert blocks[1].parent == blocks[2].parent == tree.css_first("ul").mem_id
    assert all(block.inside(article.mem_id) for block in blocks[:4]) and not blocks[4].inside(article.mem_id)


def test_link_lists_inside_boxes_of_few_links_are_judged_like_the_rest() -> None:
    menu = "<ul id='menu'>" + "".join(f"<li><a href='/{i}'>Section {i}</a></li>" for i in range(5)) + "</ul>"
    intro = "<p>The full report is available in these languages:</p>"
    reports = (
        "<ul id='reports'>" + "".join(f"<li><a href='/r{i}'>Report {i}</a></li>" for i in range(4)) + "</ul>"
    )
    deep = "<div>" * 6 + "<p id='few'>One <a href='/x'>link</a></p>" + "</div>" * 6
    tree = LexborHTMLParser(f"<body>{menu}<div id='art'>{deep}{intro}{reports}</div></body>")
    body = tree.body
    assert body is not None
    prune_link_lists(body, set(), tree.css_first("#art"))
    assert [n.id for n in tree.css("ul, #few")] == ["few", "reports"]


MANY_H1S = "<div class='content--header'>" + "<h1 class='page-title'>A</h1><h1>B</h1>" * 10 + "</div>"


@pytest.mark.parametrize(
    "markup", [TRICKY, f"<!DOCTYPE html>{TRICKY}", "<h1>A</h1><div class='x'>B</div>", MANY_H1S]
)
def test_headline_candidates_are_what_the_title_selectors_find(markup: str) -> None:
    tree = LexborHTMLParser(markup)
    # In selector order, each element once (where it first matches).
    expected = list(dict.fromkeys(n.mem_id for s in sel.TITLE_SELECTORS for n in tree.css(s)))
    assert [n.mem_id for n in _Headlines(tree, None, _elements_by_tag(tree)).matches] == expected


def test_linearise_drops_a_blocks_leading_whitespace_as_collapse_did() -> None:
    tree = LexborHTMLParser(
        "<body><div>\n  <p>\n\t <a href='/x'>\n <b> Link</b> </a> tail<br>\u2003 next</p>\n"
        " \u2003<p>\x1c two <a> </a></p><p> </p><p>\u200b</p></div></body>"
    )
    blocks = linearise(tree.body, None)
    assert [(b.text, b.tag, b.links, b.link_chars) for b in blocks] == [
        ("Link tail\nnext", "p", ("Link",), 4),
        ("two", "p", (), 0),
    ]
