"""(being written) bytes + URL -> PressRelease."""
from __future__ import annotations
from osce_scrape.errors import ParseError
from osce_scrape.models import PressRelease
PARSER_VERSION = "0.1.0"
def parse_page(html: str | bytes, url: str | None = None, *, encoding: str | None = None) -> PressRelease:
    raise ParseError("parser being written", source=url)
def parse_text(text: str | bytes, url: str | None = None) -> PressRelease:
    raise ParseError("parser being written", source=url)
