"""Field extractors over a page's blocks: pure functions, no I/O.

`classify_blocks` gives every block a role (title, metadata, body, contacts, teaser, ...); the extractors
then read each field from the blocks of the right role and say which rule produced it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import Block, PageBlocks
from osce_scrape.parse.dates import (
    Dateline,
    find_date,
    find_dateline,
    find_header_line,
    is_date_only,
    parse_date,
)
from osce_scrape.parse.labels import Metadata

CONTENT_TYPE_LOOKBACK = 4  # the label sits just above the headline (or a structure name above it)
CONTENT_TYPE_LOOKAHEAD = 2  # or, in some layouts, right under it
HEADER_LINE_LOOKAHEAD = 3  # the Newsroom header line and photo caption follow the headline
FURNITURE_LINK_DENSITY = 0.8  # a short block that is mostly link is "Read more", "Download", ...
FURNITURE_MAX_CHARS = 120
BOX_TITLE_MAX_CHARS = 40
ADDRESS_MIN_LINES = 2
ADDRESS_MAX_CHARS = 400
# The dateline differs from the publishing date by days (once by 71 in the real listing); a machine-readable
# date more than a year after it is the page's migration to a new site, not its publication.
REPUBLISHED_AFTER = dt.timedelta(days=366)  # where in the lead a statement says when it was made
DATELINE_LOOKAHEAD = 5  # paragraphs searched for the dateline (notices, captions and labels may come first)
DATE_DISPLAY_MAX_CHARS = 40
# The closing contact paragraph is among the article's last body blocks: itself, a repeat, one more line.
CLOSING_CONTACTS_MAX_BLOCKS = 3  # a block that is just a <time> ("21 May 2013, 10:00") shows the date
T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """A field's value and the rule that produced it."""

    value: T
    rule: str


# What a block is. "end": after an end-of-article heading; "outside": not in the article container.
Role = Literal[
    "outside", "before-title", "title", "content-type", "meta", "header", "date-display", "caption",
    "furniture", "byline", "body", "contacts", "teaser", "end",
]  # fmt: skip
# What the blocks after the current one are, until something changes it.
Mode = Literal["body", "contacts", "teaser", "end"]


@dataclass
class Roles:
    """What each block is, by index."""

    roles: list[Role]
    header_line: Dateline | None = None
    teasers: int = 0
    # furniture_line's answers: classifying and then reading the body ask about the same lines (in a
    # list or not), and the furniture pattern is slow on a long line.
    furniture: dict[tuple[str, bool], bool] = field(default_factory=dict)

    def indexes(self, *names: Role) -> list[int]:
        return [i for i, role in enumerate(self.roles) if role in names]

    def furniture_line(self, line: str, tag: str) -> bool:
        key = (line, tag == "li")
        if (known := self.furniture.get(key)) is None:
            known = self.furniture[key] = furniture_line(line, tag)
        return known


def classify_blocks(page: PageBlocks, meta: Metadata, language: str | None) -> Roles:
    """Assign each block a role: before-title, title, content-type, meta, header, caption, furniture,
    body, contacts, teaser, end (after an end-of-article heading) or outside (not in the article)."""
    blocks = page.blocks
    roles: list[Role] = ["outside" if not b.in_article else "body" for b in blocks]
    result = Roles(roles)
    for i in range(0, max(page.title_index, 0)):
        if roles[i] == "body":
            roles[i] = "before-title"
    if page.title_index >= 0:
        roles[page.title_index] = "title"
    for i in meta.used:
        roles[i] = "meta"
    _mark_content_type(blocks, roles, page.title_index)
    mode: Mode = "body"
    after_title = 0
    for i, block in enumerate(blocks):
        if roles[i] != "body":
            continue
        if block.opens_contacts():
            roles[i], mode = "furniture", "contacts"
            continue
        if len(lines := block.lines()) > 1 and sel.CONTACTS_HEADING.match(lines[0].casefold()):
            roles[i], mode = "contacts", "contacts"  # "For further information contact:<br>Name<br>…"
            continue
        if block.ends_article():
            roles[i], mode = "furniture", "end"
            continue
        if block.is_teaser_title():
            roles[i], mode = "teaser", "teaser"
            result.teasers += 1
            if i and blocks[i - 1].heading and roles[i - 1] == "body":  # "More on this topic" over teasers
                roles[i - 1] = "furniture"
            continue
        if mode == "teaser" and block.heading:
            mode = "body"
        if mode != "body":
            roles[i] = mode
            continue
        after_title += 1
        if after_title <= HEADER_LINE_LOOKAHEAD and _is_header_line(block, result, language):
            roles[i] = "header"
        elif is_date_only(block.text) and "body" in roles[:i] and not block.datetime:
            roles[i], mode = "teaser", "end"  # a date line after the text opens a teaser of other news
            result.teasers += 1
        elif block.datetime and len(block.text) <= DATE_DISPLAY_MAX_CHARS:
            roles[i] = "date-display"
        elif _ends_as_caption(block.text):
            roles[i] = "caption"
        elif _is_furniture(block, page.title, result):
            roles[i] = "furniture"
        elif after_title <= HEADER_LINE_LOOKAHEAD and sel.BYLINE.match(block.text):
            roles[i] = "byline"
    _mark_closing_contacts(blocks, roles)
    return result


def _mark_closing_contacts(blocks: list[Block], roles: list[Role]) -> None:
    """A "For further information, please contact …" paragraph among the article's last body blocks
    makes it and the body blocks after it the contacts (a body sentence that mentions a contact stays)."""
    body = [i for i, role in enumerate(roles) if role == "body"]
    tail = body[-CLOSING_CONTACTS_MAX_BLOCKS:][: max(0, len(body) - 1)]  # never the whole body
    for k in tail:
        if sel.CLOSING_CONTACTS.match(blocks[k].text.strip()):
            for i in body[body.index(k) :]:
                roles[i] = "contacts"
            return


def _mark_content_type(blocks: list[Block], roles: list[Role], title_index: int) -> None:
    """The label just above the headline, or (some layouts) just below it."""
    start = max(0, title_index - CONTENT_TYPE_LOOKBACK) if title_index >= 0 else 0
    end = title_index + CONTENT_TYPE_LOOKAHEAD + 1 if title_index >= 0 else CONTENT_TYPE_LOOKBACK
    for i in range(start, min(end, len(blocks))):
        if blocks[i].key in sel.CONTENT_TYPES and roles[i] in {"before-title", "body", "outside"}:
            roles[i] = "content-type"


def _is_header_line(block: Block, result: Roles, language: str | None) -> bool:
    if result.header_line is not None:
        return False
    if line := find_header_line(block.text, language):
        result.header_line = line
        return True
    if is_date_only(block.text) and (date := parse_date(block.text, language)):
        result.header_line = Dateline(place="", date=date)
        return True
    return False


def _ends_as_caption(text: str) -> bool:
    """The text ends with a Newsroom-era caption's "Photo details" (and whitespace): its last characters
    matched whole, where a search would try the pattern at every position."""
    tail = text.rstrip()[-len(sel.PHOTO_CAPTION_TAIL.pattern) :]
    return sel.PHOTO_CAPTION_TAIL.fullmatch(tail) is not None


def furniture_line(line: str, tag: str) -> bool:
    """A line of page furniture; download lines only outside lists (a list of reports is content)."""
    return bool(
        sel.FURNITURE_LINES.match(line)
        or sel.CONTACT_LINES.match(line)
        or (tag != "li" and sel.DOWNLOAD_LINES.match(line))
    )


def _is_furniture(block: Block, title: str | None, roles: Roles) -> bool:
    text = block.text
    lines = block.lines()
    furniture = sum(1 for line in lines if roles.furniture_line(line, block.tag))
    if furniture == len(lines):
        return True
    # An address box: a few short lines, half of them phone, fax or e-mail lines.
    if len(lines) >= ADDRESS_MIN_LINES and furniture * 2 >= len(lines) and len(text) <= ADDRESS_MAX_CHARS:
        return True
    if not any(c.isalpha() for c in text) and block.tag not in {"td", "th"}:  # a table's figures are text
        return True
    if title and text == title:
        return True
    # "Read more", "Download": a short block that is a link; a list's items are the article's own links.
    return (
        block.tag != "li"
        and len(text) <= FURNITURE_MAX_CHARS
        and block.link_density >= FURNITURE_LINK_DENSITY
    )


# --- fields --------------------------------------------------------------------------------------------
def extract_content_type(page: PageBlocks, roles: Roles, meta: Metadata) -> Found[str | None]:
    """The page's own label ("Press release"), from the metadata block or just above the headline."""
    if value := meta.first("content_type"):
        return Found(sel.CONTENT_TYPES.get(value.casefold(), value), "metadata")
    for i in roles.indexes("content-type"):
        return Found(sel.CONTENT_TYPES[page.blocks[i].key], "label-by-title")
    return Found(None, "none")


def extract_body(page: PageBlocks, roles: Roles) -> list[str]:
    """The article's paragraphs: body blocks, split where the page left a blank line (<br><br>)."""
    paragraphs: list[str] = []
    for text, tag in _body_texts(page, roles):
        for part in text.split("\n\n"):
            # A page-furniture line inside a paragraph ("Last updated: …" under a <br>) is dropped.
            lines = [line for line in part.split("\n") if not roles.furniture_line(line.strip(), tag)]
            text = " ".join(" ".join(lines).split())
            if len(lines) < len(part.split("\n")) and len(text) <= BOX_TITLE_MAX_CHARS and "." not in text:
                continue  # what is left of a download or share box is its title ("Report")
            if text and not (paragraphs and paragraphs[-1] == text):  # a paragraph printed twice: once
                paragraphs.append(text)
    return paragraphs


def _body_texts(page: PageBlocks, roles: Roles) -> list[tuple[str, str]]:
    """The body blocks' texts and tags, the cells of one table row joined into one line ("Ministers 14")."""
    texts: list[tuple[str, str]] = []
    previous_row: int | None = None
    for i in roles.indexes("body"):
        block = page.blocks[i]
        row = block.parent if block.tag in {"td", "th"} else None
        if row is not None and row == previous_row:
            texts[-1] = (f"{texts[-1][0]} {block.text}", block.tag)
        else:
            texts.append((block.text, block.tag))
        previous_row = row
    return texts


def extract_contacts(page: PageBlocks, roles: Roles) -> str | None:
    """The contacts block's lines, its heading left out; a closing contact paragraph printed twice in a
    row counted once (a vcard's repeated lines are the page's own and stay)."""
    texts = [page.blocks[i].text for i in roles.indexes("contacts")]
    twice = {
        n for n in range(1, len(texts)) if texts[n] == texts[n - 1] and sel.CLOSING_CONTACTS.match(texts[n])
    }
    lines = [line for n, text in enumerate(texts) if n not in twice for line in text.split("\n")]
    kept = [
        " ".join(line.split())
        for line in (line.strip() for line in lines)
        if line and not _contacts_heading(line) and not sel.FURNITURE_LINES.match(line)
    ]
    return "\n".join(kept) or None


def _contacts_heading(line: str) -> bool:
    """A heading line ("Contacts", "For further information, please contact:"), not one whose heading words
    run on into the names ("For further information, please contact: Name, Spokesperson, …")."""
    folded = line.casefold()
    match = sel.CONTACTS_HEADING.match(folded)
    return match is not None and not folded[match.end() :].strip(" :.")


def extract_dateline(paragraphs: list[str], language: str | None) -> Dateline | None:
    """The dateline of one of the first paragraphs (a correction notice or a lone label may come first)."""
    for paragraph in paragraphs[:DATELINE_LOOKAHEAD]:
        if found := find_dateline(paragraph, language):
            return found
    return None


def extract_date(
    page: PageBlocks,
    roles: Roles,
    meta: Metadata,
    published: list[tuple[str, str]],
    dateline: Dateline | None,
    language: str | None,
) -> Found[dt.date] | None:
    """The publication date, by precedence: metadata block, the article's <time datetime>, the head's
    published dates, the old header line, the dateline. Modified dates and teasers' dates never count."""
    for value in meta.values.get("date", []):
        if found := find_date(value, language):
            return Found(found, "metadata")
    if page.date_display and (found := find_date(page.date_display, language)):
        return Found(found, "date-display")
    if (machine := _machine_date(page, roles, published, language)) is not None:
        if not (dateline and dateline.date and machine.value - dateline.date > REPUBLISHED_AFTER):
            return machine
        # A machine date years after the dateline is when the page was migrated, not published.
        return Found(dateline.date, f"dateline (not {machine.rule} {machine.value.isoformat()})")
    if roles.header_line and roles.header_line.date:
        return Found(roles.header_line.date, "header-line")
    if dateline and dateline.date:
        return Found(dateline.date, "dateline")
    return None


def _machine_date(
    page: PageBlocks, roles: Roles, published: list[tuple[str, str]], language: str | None
) -> Found[dt.date] | None:
    for i in roles.indexes("meta", "title", "content-type", "before-title", "header", "date-display", "body"):
        stamp = page.blocks[i].datetime
        if stamp and (found := parse_date(stamp, language)):
            return Found(found, "time[datetime]")
    for rule, value in published:
        if found := parse_date(value, language):
            return Found(found, rule)
    return None


def fallback_date(title_tag: str | None, language: str | None) -> Found[dt.date] | None:
    """The last resort for a page that states its date nowhere else (HCNM statements): a date in its
    <title> ("… | 8 March 2013 | OSCE"). A date in the lead's prose is never taken: "Twenty years ago, on
    30 January 1992, … joined" names an event, not the day the text was published."""
    if title_tag and (found := find_date(title_tag, language)):
        return Found(found, "date-in-title")
    return None


def extract_place(meta: Metadata, dateline: Dateline | None, roles: Roles) -> Found[str | None]:
    if value := meta.first("place"):
        return Found(value, "metadata")
    if dateline and dateline.place:
        return Found(dateline.place, "dateline")
    if roles.header_line and roles.header_line.place:
        return Found(roles.header_line.place, "header-line")
    return Found(None, "none")
