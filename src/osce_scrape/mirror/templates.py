"""HTML of the mirror's pages: three era templates of a press release, and the listing.

Eras (OSCE_SITE.md, "Page layouts seen"): "modern" (today's theme: content type label, title, a
Date/Place/Source/Fields of work block whose Date shows no value, the date only machine-readable),
"panels" (Drupal 7: content--content > h1, span.date-display-single, a dl of labels, pane-content body),
"newsroom" (2000s: "Newsroom", title, a "ZAGREB 6 July 2004" header line, a captioned photo, body).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from osce_scrape.mirror.articles import Article
from osce_scrape.mirror.chrome import chrome, slug


def long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def page(title: str, head_extra: str, main: str, aside: str = "", body_class: str = "") -> bytes:
    """A whole page: head, header with mega menu, off-canvas menu, main, aside, footer."""
    parts = chrome()
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{escape(title)} | OSCE</title>\n{head_extra}{parts.head_assets}</head>\n"
        f'<body class="{body_class}">\n{parts.header}{parts.off_canvas}'
        '<nav class="breadcrumb" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>'
        '<li><a href="/newsroom">Newsroom</a></li><li><a href="/press-releases">Press releases</a>'
        f"</li></ol></nav>\n{main}{aside}{parts.footer}"
        '<script src="/core/misc/drupal.js?v=10.2.5"></script>\n</body>\n</html>\n'
    ).encode()


def render_article(article: Article, teasers: Sequence[Article]) -> bytes:
    """The page of one press release in its era's template, with related-content teasers."""
    head = (
        f'<link rel="canonical" href="{article.canonical_url}">\n'
        f'<meta property="og:url" content="{article.canonical_url}">\n'
        f'<meta property="og:title" content="{escape(article.title)}">\n'
        f'<meta name="description" content="{escape(article.lead[:160])}">\n'
    )
    if article.template == "modern":
        head += f'<meta property="article:published_time" content="{_iso(article)}">\n'
        main = _modern(article)
    elif article.template == "panels":
        main = _panels(article)
    else:
        main = _newsroom(article)
    footer_note = f'<p class="page-updated">Page last updated {long_date(article.modified)}</p>\n'
    return page(
        article.title,
        head,
        f'<main id="main-content" role="main">\n{main}{footer_note}</main>\n',
        _related(teasers),
        f"path-node page-node-type-press-release era-{article.template}",
    )


def _iso(article: Article) -> str:
    return f"{article.date.isoformat()}T12:00:00+00:00"


def _body(article: Article) -> str:
    return "".join(f"<p>{escape(p)}</p>\n" for p in article.paragraphs)


def _source_links(article: Article) -> str:
    return "".join(
        f'<div class="field__item"><a href="/{slug(s)}">{escape(s)}</a></div>' for s in article.sources
    )


def _modern(article: Article) -> str:
    meta = (
        '<div class="field field--label-inline field--date"><div class="field__label">Date:</div>'
        f'<div class="field__item"><time datetime="{_iso(article)}"></time></div></div>\n'
    )
    if article.place:
        meta += _inline_field("place", "Place:", escape(article.place))
    if article.sources:
        meta += _inline_field("source", "Source:", _source_links(article))
    if article.fields:
        meta += _inline_field("fields-of-work", "Fields of work:", escape(", ".join(article.fields)))
    label = (
        f'<div class="content-type">{escape(article.content_type)}</div>\n' if article.content_type else ""
    )
    contacts = ""
    if article.contacts:
        lines = "<br>\n".join(escape(line) for line in article.contacts)
        contacts = f'<div class="contacts"><h2>Contacts</h2>\n<p>{lines}</p></div>\n'
    return (
        f'<article class="node node--type-press-release" data-history-node-id="{article.node_id}">\n'
        f'{label}<h1 class="page-title"><span>{escape(article.title)}</span></h1>\n'
        f'<div class="node__meta">\n{meta}</div>\n'
        f'<div class="field field--name-body text-formatted">\n{_body(article)}</div>\n'
        f"{contacts}</article>\n"
    )


def _inline_field(name: str, label: str, value: str) -> str:
    return (
        f'<div class="field field--label-inline field--{name}"><div class="field__label">{label}'
        f'</div><div class="field__items">{value}</div></div>\n'
    )


def _panels(article: Article) -> str:
    rows = ""
    if article.place:
        rows += f"<dt>Place:</dt><dd>{escape(article.place)}</dd>\n"
    if article.sources:
        rows += f"<dt>Source:</dt><dd>{_source_links(article)}</dd>\n"
    if article.fields:
        rows += f"<dt>Fields of work:</dt><dd>{escape(', '.join(article.fields))}</dd>\n"
    label = (
        f'<div class="field-content-type">{escape(article.content_type)}</div>\n'
        if article.content_type
        else ""
    )
    return (
        '<div class="panel-display">\n<div class="content--content">\n'
        f"{label}<h1>{escape(article.title)}</h1>\n"
        '<div class="panel-pane pane-node-meta"><div class="pane-content">\n'
        f'<span class="date-display-single">{long_date(article.date)}</span>\n'
        f'<dl class="node-meta">\n{rows}</dl></div></div>\n'
        '<div class="panel-pane pane-node-body"><div class="pane-content">\n'
        f"{_body(article)}</div></div>\n</div></div>\n"
    )


def _newsroom(article: Article) -> str:
    place = article.place or ""
    return (
        '<div id="content" class="newsroom">\n<h2 class="section-head">Newsroom</h2>\n'
        f"<h1>{escape(article.title)}</h1>\n"
        f'<p class="header-line"><b>{escape(place)}</b> {long_date(article.date)}</p>\n'
        f'<div class="photo"><img src="/images/{article.node_id}.jpg" alt="">'
        f'<p class="caption">Participants of the meeting in {escape(place.title())}. (OSCE) '
        "Photo details</p></div>\n"
        f'<div class="newsroom-body">\n{_body(article)}</div>\n</div>\n'
    )


def _related(teasers: Sequence[Article]) -> str:
    items = "".join(
        f'<div class="teaser"><h3><a href="{t.path}">{escape(t.title)}</a></h3>'
        f'<span class="teaser-date">{long_date(t.date)}</span>'
        f"<p>{escape(t.lead[:200])}</p></div>\n"
        for t in teasers
    )
    return (
        f'<aside class="related-content" role="complementary"><h2>Related content</h2>\n{items}</aside>\n'
        if items
        else ""
    )
