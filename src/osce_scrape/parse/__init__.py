"""Parsing: page bytes (HTML of every era, text renderings) + URL -> a PressRelease, or a ParseError.

Pure: no HTTP, no state, no files. `core` composes the steps: decode -> head -> htmlpage/textpage
(chrome stripped, blocks) -> labels -> fields and dates -> the record.
"""

from osce_scrape.parse.core import PARSER_VERSION, parse_page, parse_text, record_id

__all__ = ["PARSER_VERSION", "parse_page", "parse_text", "record_id"]
