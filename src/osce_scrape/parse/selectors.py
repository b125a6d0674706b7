"""Selectors and label vocabularies of www.osce.org, as data.

A template change of the site should be a diff in this one file. Each group names the page element and the
template era it comes from (see ../shared/reference/OSCE_SITE.md for the facts behind them).
"""

from __future__ import annotations

import re

from osce_scrape import models

# What case-blind patterns match that lowercases to no ASCII letter ("İ" and "ı" match "i", "ſ" matches
# "s"): a text holding one may hold a word that its lowercase does not show.
_CASE_BLIND_ODD = re.compile("[\u0130\u0131\u017f]")


class Worded:
    """A case-blind pattern that needs one of a few words (lowercase ASCII), tried only on the texts that
    may hold one: a pattern that no literal leads is tried at every position of every text."""

    def __init__(self, pattern: str, words: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.words = words

    def match(self, text: str) -> bool:
        return self._may_hold(text) and self.pattern.match(text) is not None

    def search(self, text: str) -> bool:
        return self._may_hold(text) and self.pattern.search(text) is not None

    def _may_hold(self, text: str) -> bool:
        lower = text.lower()
        return any(word in lower for word in self.words) or (
            not text.isascii() and _CASE_BLIND_ODD.search(text) is not None
        )


class WholeLines:
    """Whole-line patterns: the plain ones, then the worded ones. It answers as one pattern of them all."""

    def __init__(self, plain: re.Pattern[str], worded: Worded) -> None:
        self.plain = plain
        self.worded = worded

    def match(self, text: str) -> bool:
        return self.plain.match(text) is not None or self.worded.match(text)


# --- chrome: removed before anything is extracted ------------------------------------------------------
# Elements that never hold article text, in any era.
CHROME_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select",
    "input", "textarea", "nav", "aside", "object", "embed", "video", "audio", "canvas", "map",
)  # fmt: skip
# ARIA landmarks of site chrome (today's layout marks its header, menus and footer this way).
CHROME_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar")
# Class/id words of chrome blocks: mega menu, off-canvas menu, sidebars, breadcrumbs, share and cookie
# bars, pagers and related-content teasers (Drupal 7 panels and today's theme alike). Matched as whole
# words of a class or id, split on "-" and "_", so "node-content" is never taken for "content".
CHROME_CLASS_WORDS = frozenset(
    {
        "menu", "menus", "megamenu", "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs",
        "sidebar", "footer", "cookie", "cookies", "consent", "gdpr", "share", "sharing", "social",
        "sharethis", "addthis", "related", "teaser", "teasers", "pager", "pagination", "skip",
        "offcanvas", "canvas", "toolbar", "tabs", "language", "languages", "switcher", "search",
        "banner", "masthead", "newsletter", "subscribe", "rss", "login", "popup", "modal",
        "sitemap", "carousel", "slider", "widget", "download", "downloads", "feedback", "toc",
        "caption", "credit", "credits", "copyright", "byline",
    }
)  # fmt: skip
# A class word above that is part of one of these compound names is not chrome.
NOT_CHROME_CLASSES = frozenset({"page-title", "node-title", "content-type", "field-content-type"})
# Site-wide header and footer elements; inside the article container they are the article's own.
SITE_REGION_TAGS = ("header", "footer")

# --- the article container, most specific first --------------------------------------------------------
ARTICLE_CONTAINERS = (
    "article.node",  # today's layout (Drupal 8+ theme)
    "div.node-content",  # Drupal 7 panels layout
    "div.content--content",  # Drupal 7 panels layout
    "[itemprop=articleBody]",
    "article",
    "main",
    "[role=main]",
    "#main-content",
    "#content",
    "div.content",
)

# Containers that hold the body alone by design (Drupal 7 panels: the headline, date and description sit
# in panes of their own beside them); another container that misses the headline is widened to it.
BODY_PANES = frozenset({"div.node-content", "div.content--content"})

# --- title ---------------------------------------------------------------------------------------------
TITLE_SELECTORS = (
    "div.content--header h1",  # Drupal 7 panels layout
    "h1.page-title",
    "h1.node-title",
    "h1",
    "[itemprop=headline]",  # an empty <h1>: the headline marked otherwise
    "div.page-title",
    "div.title",
)
SITE_NAME_SUFFIX = re.compile(r"\s*[|\-–—]\s*(OSCE|Organization for Security and Co-operation in Europe)\s*$")

# --- dates ---------------------------------------------------------------------------------------------
# Machine-readable publication dates in the head, in precedence order. Modified dates are never used.
PUBLISHED_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "DC.date"),
    ("name", "dc.date"),
    ("name", "DC.date.issued"),
    ("name", "dcterms.date"),
    ("name", "dcterms.created"),
)
DATE_DISPLAY_SELECTORS = ("span.date-display-single",)  # Drupal 7 era date field

# --- the metadata block: labels, case-insensitive, colon optional ---------------------------------------
# Labels stay in English on translated pages of today's layout; the others are seen on older pages.
LABELS: dict[str, str] = {
    "date": "date", "publishing date": "date", "published date": "date", "published": "date",
    "date of publication": "date", "дата": "date", "datum": "date",
    "place": "place", "location": "location", "место": "place", "ort": "place", "lieu": "place",
    "source": "sources", "sources": "sources", "where we are": "sources", "structure": "sources",
    "источник": "sources", "quelle": "sources",
    "fields of work": "fields", "field of work": "fields", "what we do": "fields", "topics": "fields",
    "темы": "fields", "направления деятельности": "fields", "themen": "fields", "thèmes": "fields",
    "content type": "content_type", "type": "type", "organized by": "organized_by",
    "vacancy number": "vacancy", "duty station": "vacancy", "deadline for application": "vacancy",
    "reference number": "procurement", "closing date": "procurement", "document type": "document_type",
    "chaired by": "meeting", "venue": "meeting", "agenda": "meeting",
    "country": "country",
}  # fmt: skip
# Labels that only non-press-release content has (events: "Organized by:"; elections: "Type:",
# "Country:"). "Location:" is not one: the Representative on Freedom of the Media's statements tag their
# country with it.
NON_ARTICLE_LABELS = frozenset(
    {"organized_by", "type", "country", "vacancy", "procurement", "document_type", "meeting"}
)
# Words only a speech or a statement delivered at a meeting carries.
DELIVERED_TEXT = Worded(
    r"check against delivery|\b(PC|FSC|MC)\.(DEL|JOUR|DEC)/\d+", words=("delivery", "del/", "jour/", "dec/")
)
LABEL_LINE = re.compile(
    r"^\s*(?P<label>" + "|".join(sorted((re.escape(k) for k in LABELS), key=len, reverse=True)) + r")"
    r"\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)

# Taxonomy values that themselves hold a comma, so a comma-separated value list is not split inside them.
VALUES_WITH_COMMAS = ("Racism, xenophobia and discrimination",)

# --- content types -------------------------------------------------------------------------------------
# The page's own label above the title (today's layout) or in its metadata block.
PRESS_CONTENT_TYPES = (
    "Press release", "News", "Press statement", "Spot report", "Statement", "News item",
    "Daily report", "Weekly report", "Feature", "Announcement",
    "Пресс-релиз", "Новости", "Заявление для прессы", "Pressemitteilung", "Presseaussendung",
    "Nachrichten", "Communiqué de presse", "Actualités", "Comunicat de presă", "Saopštenje za medije",
)  # fmt: skip
NON_PRESS_CONTENT_TYPES = (
    "General event", "Event", "Meeting", "Conference", "Publication", "Publications", "Resource",
    "Resources", "Document", "Vacancy notice", "Job vacancy", "Photo gallery", "Gallery", "Op-ed",
    "Interview", "Tender", "Invitation to bid", "Procurement notice",
    "Report", "Election", "Election observation mission", "Vacancy", "Job", "Video", "Photo",
    "Page", "Basic page", "Speech", "Mandate",
)  # fmt: skip
# Every content type by its casefolded form, and the casefolded ones that are not press content.
CONTENT_TYPES = {label.casefold(): label for label in PRESS_CONTENT_TYPES + NON_PRESS_CONTENT_TYPES}
NON_PRESS_TYPES = frozenset(label.casefold() for label in NON_PRESS_CONTENT_TYPES)
# Heads of old layouts above the title that are not content types.
SECTION_HEADS = frozenset({"newsroom", "resources", "activities", "skip links", "skip navigation"})

# --- body ----------------------------------------------------------------------------------------------
CONTACTS_HEADING = re.compile(
    r"^(?:(?:media|press|for media|journalists?)\s+)?(?:contacts?|enquiries|inquiries)\s*:?$"
    r"|^for (?:more|further) information,?(?: please)? contact"
    r"|^(?:контакты|контакти|kontakte?|kontakti|contacte|contact presse|контакт)$",
    re.IGNORECASE,
)
# A closing paragraph that gives the contacts ("For further information, please contact: Name, …", old
# press releases, sometimes printed twice): with or without a heading of its own, it is the contacts block.
CLOSING_CONTACTS = re.compile(r"^for (?:more|further) information,?(?: please)? contact", re.IGNORECASE)
# Heads of blocks that end the article: related content, downloads, share bars.
END_OF_ARTICLE_HEADINGS = frozenset(
    {"related content", "related news", "related", "see also", "related stories", "more news",
     "latest news", "share", "share this", "downloads", "related documents", "tags", "more on this topic",
     "other news", "recent news", "related articles", "further reading", "read more", "see more",
     "related press releases", "related publications", "related events", "in focus",
     "you may also be interested in", "you might also be interested in", "also of interest", "related links",
     "related topics", "more from the osce", "documents", "attachments", "files", "download",
     "похожие материалы", "verwandte inhalte", "contenu associé"}
)  # fmt: skip
# Lines of page furniture inside the article (whole lines, case-insensitive).
_FURNITURE = (
    r"share|print|tweet|e-?mail this( page)?|back to top|top|read more|more|photo details|yes|no|english",
    r"skip (navigation|links|to (main )?content)|terms of use|privacy( policy)?|sitemap|contact us",
    r"facebook|twitter|x|linkedin|youtube|instagram|flickr|soundcloud|rss|newsletter",
    r"((print|share|tweet|e-?mail|pdf|back to [\w ]{1,25})\s*[|·•/]?\s*){2,}",  # "Print | E-mail"
    r"back to [\w ]{1,25}|.{0,60}©.{0,120}",  # "Back to News", "Back to News | © OSCE 2000"
    # "Share" and "Print" on translated pages
    r"поделиться|поділитися|teilen|partager|distribuie|podeli|podijeli|shpërndaj|compartir|condividi"
    r"|udostępnij|paylaş|бөлісу|бөлүшүү|ulashish|გაზიარება|կիսվել|печать|друк|drucken|imprimer|imprimare"
    r"|štampaj|stampa|drukuj|yazdır",
    r"(page )?last (updated|modified).{0,60}|©.{0,120}|copyright.{0,120}|skip to (main )?content",
    r"was this page helpful\??|follow us.{0,80}|subscribe.{0,80}",
    # "Share: Facebook Twitter", "Share this article via e-mail"
    r"share( this( page| article)?)?:?.{0,60}?"
    r"(facebook|twitter|linkedin|e-?mail|whatsapp|telegram)\b.{0,60}",
    r"(photo|photos|photo credit|credit|image)s?:\s.{1,80}",  # photo credits
    r"source url( \(retrieved on[^)]*\))?:.{0,200}|links:.{0,20}",  # print-friendly pages
    r"[\w./-]{0,200}\.(jpe?g|png|gif|webp|pdf)",  # an image's or file's path shown as text
    r"(this (web)?site|we) uses? cookies.{0,300}",  # cookie notices without classes
    r"[‹«<]?\s*(previous|next)( press release| article| item| story| news)?\s*:.{0,250}",  # prev/next links
    r"(tags|keywords|related countries|related topics|related structures)\s*:.{0,300}",  # tag lines
    r"(last )?updated( on)?:?\s+[\w ,./-]{6,40}?\d{4}\.?",  # "Updated on 18 November 2015"
    r"(share|print|e-?mail) this (page|article|story|press release)",
    r"((facebook|twitter|x|linkedin|whatsapp|telegram|vk|reddit|e-?mail|youtube|instagram)\s*[|·•,/]?\s*){2,}",
    r"\(?(photo:\s*)?osce/[^\W\d_][\w .'’-]{1,40}\)?",  # photo credits: "OSCE/Slavka Jureta"
)
# Patterns that open with a run of any characters, which the engine tries at every length on every line:
# tried only on the lines that may hold one of the words that each of them needs.
_FURNITURE_WORDED = Worded(
    r"^(.{0,80}\b(view|switch to) (the )?(non-amp|full|mobile|desktop) (version|site)\b.{0,80}"  # AMP pages
    r"|.{0,200}\bcookies?\b.{0,100}\b(accept|consent|privacy)\b.{0,100})$",
    words=(" version", " site", "cookie"),
)
FURNITURE_LINES = WholeLines(re.compile("^(" + "|".join(_FURNITURE) + ")$", re.IGNORECASE), _FURNITURE_WORDED)
# Phone, fax and e-mail lines: the contacts block's own, furniture anywhere else (a footer's address box).
CONTACT_LINES = re.compile(
    r"^((tel|tel\.|phone|fax|mobile|e-?mail)\s*[:.]?\s*[+\d(][\d ()+./-]{5,30}.{0,40}"
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+)$",
    re.IGNORECASE,
)
# Download boxes; in a list that the text introduces, the same lines are the article's own links.
DOWNLOAD_LINES = re.compile(
    r"^(download( the)?( full)?( text| statement| report| document| pdf)?\b.{0,60}"
    r"|.{0,80}\((pdf|docx?|xlsx?)[^)]{0,30}\))$",  # "Statement (PDF, 120 KB)"
    re.IGNORECASE,
)
BYLINE = re.compile(r"^by\s+[^\W\d_][\w.'’-]+(\s+[^\W\d_][\w.'’-]+){0,3}(,.{0,100})?$", re.IGNORECASE)
# How Newsroom-era image captions end (whitespace aside): matched whole against a text's last characters.
PHOTO_CAPTION_TAIL = re.compile(r"photo details", re.IGNORECASE)

# Headlines of error pages.
ERROR_TITLES = re.compile(
    r"^(page not found|not found|404\b.*|error\b.*|access denied|forbidden|sorry.*not.*found.*)$",
    re.IGNORECASE,
)

# Menu and section-head texts that are never a headline: the record contract's list (models).
# Chrome is removed structurally first; this is a safety net.
MENU_LABELS = models.MENU_LABELS

# --- URLs ----------------------------------------------------------------------------------------------
SITE_DOMAIN = "osce.org"  # the site's own hosts: www.osce.org and subdomains such as odihr.osce.org
# Item URLs are /{structure-slug}/{node id} or /node/{id}, optionally after a language prefix.
NODE_ID_IN_PATH = re.compile(r"/(\d{3,9})/?$")
# The path of an item URL: a language prefix ("/ru", "/sr-Latn"), one to three slug segments
# ("/secretariat", "/odihr/elections", "/node"), the node id. A canonical not of this shape ("/", a
# section) is a template's mistake: believed, it would give every page one id.
ITEM_PATH = re.compile(r"^(?:/[a-z]{2}(?:-[a-z]{2,4})?)?(?:/[a-z][\w-]*){1,3}/\d{3,9}/?$", re.IGNORECASE)
LANGUAGE_PREFIX = re.compile(r"^/([a-z]{2})(?:/|$)")
# A node URL of the site as wget saves it ("…/secretariat/51410.html"); the site's own never ends so.
SAVED_NODE_URL = re.compile(r"^(https?://(?:[\w-]+\.)*osce\.org/(?:[^?#]*/)?\d+)\.html?$", re.IGNORECASE)
SITE_NAME = "OSCE"
# The site's name, in a logo's <h1>, never a headline.
SITE_NAMES = frozenset(
    {"osce", "organization for security and co-operation in europe", "osce.org",
     "организация по безопасности и сотрудничеству в европе", "обсе",
     "organisation für sicherheit und zusammenarbeit in europa",
     "organisation pour la sécurité et la coopération en europe"}
)  # fmt: skip
# Copies of the site's pages under another address: the Wayback Machine, translation proxies and mirrors
# that keep the original URL in their path (real snapshots were recorded through such proxies).
WRAPPED_URLS = (
    re.compile(r"^https?://(?:web\.)?archive\.org/web/[^/]+/(?P<inner>https?://.+)$", re.IGNORECASE),
    re.compile(r"^https?://[^/]+/.*?(?P<inner>https?://(?:[\w-]+\.)*osce\.org(?:[/?#].*)?)$", re.IGNORECASE),
)

# --- listing --------------------------------------------------------------------------------------
# The press-release listing /press-releases?page=N (apachesolr result panes, the markup public
# scrapers of the site use): one entry per `.search-result-news`, its title link, a
# `.publishing-date` node holding a label node and then the date text, and a Drupal pager.
LISTING_ENTRY = ".search-result-news"
LISTING_TITLE_LINK = ("dt.search-title > h3 > a", ".search-title a")
LISTING_DATE = ".publishing-date"
LISTING_CONTENT_TYPE = ".content-type"  # inferred: the text rendering shows a "Content type:" line
LISTING_NEXT = ("li.pager-next > a", "a[rel=next]")
LISTING_LAST = "li.pager-last > a"
LISTING_PAGE_LINKS = "li.pager-item > a"
LISTING_LINE_LABEL = re.compile(r"^\s*(publishing date|content type)\s*:\s*(.*)$", re.IGNORECASE)
