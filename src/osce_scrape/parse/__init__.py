"""Parsing: page bytes (HTML of every era, text renderings) + URL -> a PressRelease, or a ParseError.

Pure: no HTTP, no state, no files. `core` composes the steps: decode -> head -> htmlpage/textpage
(chrome stripped, blocks) -> labels -> fields and dates -> the record.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from osce_scrape.parse.core import parse_page, parse_text, record_id
    from osce_scrape.parse.version import PARSER_VERSION

# Imported at first use (PEP 562): `import osce_scrape.parse.version` (the data card wants the version
# string only) or `osce_scrape.parse.selectors` does not load the parser and pydantic with it.
_LAZY = {
    "PARSER_VERSION": "osce_scrape.parse.version",
    "parse_page": "osce_scrape.parse.core",
    "parse_text": "osce_scrape.parse.core",
    "record_id": "osce_scrape.parse.core",
}

__all__ = ["PARSER_VERSION", "parse_page", "parse_text", "record_id"]


def __getattr__(name: str) -> Any:
    if (module := _LAZY.get(name)) is None:
        raise AttributeError(f"module 'osce_scrape.parse' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
