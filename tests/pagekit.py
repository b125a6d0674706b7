"""Build full test pages: an article wrapped in the site's chrome (mega menu, off-canvas copy, sidebar,
footer, cookie bar, teasers), so that every parser test also proves the chrome stays out."""

from __future__ import annotations

FIELDS_MENU = [
    "Arms control", "Border management", "Combating trafficking in human beings",
    "Conflict prevention and resolution", "Countering terrorism", "Cyber/ICT Security", "Democratization",
    "Economic activities", "Education", "Elections", "Environmental activities", "Gender equality",
    "Good governance", "Human rights", "Media freedom and development", "Migration",
    "National minority issues", "Policing", "Reform and co-operation in the security sector",
    "Roma and Sinti", "Rule of law", "Tolerance and non-discrimination", "Youth",
]  # fmt: skip
COUNTRIES_MENU = ["Albania", "Armenia", "Austria", "Czechia", "Moldova", "Russian Federation", "Serbia"]
STRUCTURES_MENU = [
    "Secretariat",
    "OSCE Secretariat",
    "Institutions",
    "Field operations",
    "Mission to Moldova",
]


def menu(cls: str = "mega-menu") -> str:
    def items(names: list[str]) -> str:
        return "".join(f'<li><a href="/{n.lower().replace(" ", "-")}">{n}</a></li>' for n in names)

    return (
        f'<div class="{cls}"><ul><li><span>Our work</span><ul><li>Fields of work<ul>{items(FIELDS_MENU)}'
        f"</ul></li></ul></li><li>Countries<ul>{items(COUNTRIES_MENU)}</ul></li>"
        f"<li>Structures and institutions<ul>{items(STRUCTURES_MENU)}</ul></li></ul></div>"
    )


def page(
    article: str,
    *,
    head: str = "",
    lang: str = "en",
    canonical: str | None = "https://www.osce.org/secretariat/101809",
    charset: str | None = "utf-8",
    after_article: str = "",
) -> str:
    """A whole page of today's layout around `article` (the inside of <article class="node">)."""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    teasers = (
        '<div class="view-content"><h2>Related content</h2>'
        '<div class="item"><h3><a href="/cio/1">OSCE Chairman welcomes Human rights progress</a></h3>'
        '<span class="date">1 January 2019</span><p>VIENNA, 1 January 2019 - A teaser lead.</p></div></div>'
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{meta_charset}<title>Page | OSCE</title>{link}{head}'
        '<meta property="article:modified_time" content="2021-02-03T00:00:00Z">'
        '<script>window.settings = {"date": "2001-01-01", "menu": "Human rights"};</script>'
        "<style>.x{color:red}</style></head>"
        f'<body class="page-node sidebar-first"><a class="skip-link" href="#main">Skip to main content</a>'
        f'<header class="site-header"><a class="logo" href="/">OSCE</a>{menu()}</header>'
        f'<div class="off-canvas">{menu("off-canvas-menu")}</div>'
        f'<main id="main"><div class="region region-content"><article class="node node--type-news">{article}'
        f"</article>{after_article}{teasers}</div>"
        f'<aside class="sidebar">{menu("sidebar-menu")}</aside></main>'
        f'<footer class="site-footer">{menu("footer-menu")}<p>Page last updated 3 May 2020</p></footer>'
        '<div id="cookie-banner">We use cookies. <button>Accept</button></div></body></html>'
    )


BODY = (
    "<p>VIENNA, 22 May 2013 – A number of inaccuracies have been reported in the media about Human rights "
    "and Elections in the Countries of the region.</p>"
    "<p>The OSCE Mission continues to operate in accordance with its mandate on both sides of the river.</p>"
)
BODY_TEXT = (
    "VIENNA, 22 May 2013 – A number of inaccuracies have been reported in the media about Human rights "
    "and Elections in the Countries of the region.\n\n"
    "The OSCE Mission continues to operate in accordance with its mandate on both sides of the river."
)
TITLE = "OSCE reacts to inaccurate reports about detained personnel"
