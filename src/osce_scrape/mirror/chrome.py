"""The site chrome around every page: head assets, mega menu, off-canvas copy, footer, cookie bar.

Built once per process (`chrome()`), so rendering a page is string concatenation. Sizes follow the
real site, whose pages weigh ~90 KB, most of it menus, settings JSON and inline icons.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from html import escape

from osce_scrape.mirror.catalog import (
    FIELD_OPERATIONS,
    FIELDS_OF_WORK,
    INSTITUTIONS,
    MEETINGS,
    PARTICIPATING_STATES,
    PARTNERS,
    SECRETARIAT,
)

SETTINGS_LIBRARIES = 160  # asset libraries named in drupalSettings: sized so pages reach ~90 KB
ICON_COUNT = 24


@dataclass(frozen=True)
class Chrome:
    """Pre-rendered page furniture, shared by every page of every template."""

    head_assets: str
    header: str
    off_canvas: str
    footer: str


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _links(items: tuple[str, ...], prefix: str, level: int) -> str:
    return "".join(
        f'<li class="menu-item menu-item--level-{level}"><a href="/{prefix}/{slug(item)}" '
        f'class="menu-link menu-link--level-{level}" data-drupal-link-system-path="taxonomy/term/'
        f'{1000 + i}">{escape(item)}</a></li>\n'
        for i, item in enumerate(items)
    )


def _submenu(title: str, body: str, level: int = 2) -> str:
    return (
        f'<li class="menu-item menu-item--expanded menu-item--level-{level}">'
        f'<span class="menu-heading">{escape(title)}</span>\n'
        f'<ul class="menu menu--level-{level + 1}">\n{body}</ul></li>\n'
    )


def mega_menu(menu_id: str) -> str:
    """The "Our work" / "Countries" / "Structures and institutions" menu (2009 snapshot's order)."""
    our_work = _submenu("Fields of work", _links(FIELDS_OF_WORK, "fields-of-work", 3)) + _submenu(
        "Meetings and conferences", _links(MEETINGS, "event", 3)
    )
    countries = _links(("All",), "countries", 2) + _submenu(
        "Participating States", _links(PARTICIPATING_STATES + PARTNERS, "countries", 3)
    )
    structures = (
        _links(("Chairpersonship",), "chairpersonship", 2)
        + _submenu("Secretariat", _links(SECRETARIAT, "secretariat", 3))
        + _submenu("Institutions", _links(INSTITUTIONS, "institutions", 3))
        + _submenu("Field operations", _links(FIELD_OPERATIONS, "field-operations", 3))
        + _links(("Parliamentary Assembly", "Organizational structure", "About us"), "about", 2)
    )
    top = "".join(
        _submenu(title, body, 1)
        for title, body in (
            ("Our work", our_work),
            ("Countries", countries),
            ("Structures and institutions", structures),
        )
    )
    return (
        f'<nav id="{menu_id}" class="megamenu" role="navigation" aria-label="Main navigation">\n'
        f'<ul class="menu menu--level-1">\n{top}'
        '<li class="menu-item"><a href="/newsroom">Newsroom</a></li>\n'
        '<li class="menu-item"><a href="/resources">Resources</a></li>\n</ul></nav>\n'
    )


def _settings_script() -> str:
    names = (FIELDS_OF_WORK + PARTICIPATING_STATES + SECRETARIAT + FIELD_OPERATIONS) * 2
    libraries = ",".join(
        f"osce_theme/component-{slug(name)}-{i}" for i, name in enumerate(names[:SETTINGS_LIBRARIES])
    )
    settings = {
        "path": {"baseUrl": "/", "pathPrefix": "", "currentLanguage": "en", "isFront": False},
        "ajaxPageState": {"theme": "osce", "libraries": libraries},
        "responsive_menu": {"position": "left", "breakpoint": "all and (min-width: 1024px)"},
        "facets": {name: {"url_alias": slug(name), "widget": "checkbox"} for name in FIELDS_OF_WORK},
        "countries": {
            slug(name): {"label": name, "tid": 2000 + i} for i, name in enumerate(PARTICIPATING_STATES)
        },
    }  # fmt: skip
    blob = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))
    return f'<script type="application/json" data-drupal-selector="drupal-settings-json">{blob}</script>\n'


def _icons() -> str:
    paths = "".join(
        f'<symbol id="icon-{i}" viewBox="0 0 24 24"><path d="M{i} {i + 2}c1.1 0 2 .9 2 2v{i % 7 + 3}'
        f"h-4l-{i % 5 + 1}.5-2.5L{12 - i % 4} {i % 9}.5 7.5 13.2 3 17.7V{i % 3 + 4}c0-1.1.9-2 2-2h14"
        f'zm-{i % 6}.5 9.5 4.5 6h-14l3.5-4.5 2.5 3 3.5-4.5z" fill="currentColor"/></symbol>\n'
        for i in range(ICON_COUNT)
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none">\n{paths}</svg>\n'


_STYLE = (
    "<style>"
    + "".join(
        f".menu--level-{i} .menu-item{{display:block;padding:.{i}rem 1rem;font-size:1.{i}rem}}"
        f".region-{i}{{margin:0 auto;max-width:{1100 + i * 10}px}}"
        for i in range(1, 30)
    )
    + "</style>\n"
)

_FOOTER_LINKS = (
    "Contacts", "Employment", "Procurement", "Media", "Privacy policy", "Terms of use",
    "Accessibility", "Library", "Documents", "Sitemap",
)  # fmt: skip


@functools.cache
def chrome() -> Chrome:
    """The shared chrome, built on first use."""
    header = (
        '<a href="#main-content" class="skip-link">Skip to main content</a>\n'
        '<header class="site-header" role="banner">\n'
        '<a class="logo" href="/" rel="home"><img src="/themes/osce/logo.svg" alt="OSCE"></a>\n'
        '<div class="language-switcher"><ul><li><a href="/" hreflang="en">English</a></li>'
        '<li><a href="/ru" hreflang="ru">Русский</a></li><li><a href="/fr" hreflang="fr">'
        "Français</a></li></ul></div>\n"
        '<form class="search-form" action="/search" method="get" role="search">'
        '<input type="search" name="keys" placeholder="Search"><button>Search</button></form>\n'
        + mega_menu("main-menu")
        + "</header>\n"
    )
    off_canvas = f'<div class="off-canvas" aria-hidden="true">\n{mega_menu("off-canvas-menu")}</div>\n'
    footer_links = "".join(f'<li><a href="/{slug(t)}">{t}</a></li>' for t in _FOOTER_LINKS)
    footer = (
        '<footer class="site-footer" role="contentinfo">\n'
        f'<div class="footer-menu"><ul>{footer_links}</ul></div>\n'
        f'<div class="footer-fields"><h2>Fields of work</h2><ul>'
        f"{_links(FIELDS_OF_WORK, 'fields-of-work', 2)}</ul></div>\n"
        '<div class="follow-us">Follow us <a href="https://x.com/osce">X</a> '
        '<a href="https://www.facebook.com/osce.org">Facebook</a></div>\n'
        "<p>© OSCE 2025. Organization for Security and Co-operation in Europe, Wallnerstrasse 6, "
        "1010 Vienna, Austria</p>\n</footer>\n"
        '<div class="cookie-banner" role="dialog"><p>We use cookies to improve your experience '
        "of our website.</p><button>Accept</button><button>Decline</button></div>\n"
    )
    return Chrome(_STYLE + _settings_script(), header + _icons(), off_canvas, footer)
