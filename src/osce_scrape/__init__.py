"""osce-scrape: the OSCE's press releases as a clean, validated research dataset."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from osce_scrape.errors import (
    DatasetError,
    FetchError,
    NotAPressRelease,
    OsceScrapeError,
    OutputLocked,
    ParseError,
    RobotsDisallowed,
)

if TYPE_CHECKING:
    from osce_scrape.dataset.reader import load
    from osce_scrape.models import PressRelease, Provenance
    from osce_scrape.parse.core import parse_page, parse_text
    from osce_scrape.parse.version import PARSER_VERSION

__version__ = "0.1.0"

# Imported at first use (PEP 562), so that `import osce_scrape.cli` (and `osce-scrape --help`) does not pay
# for pydantic, the parser and the crawler before a command needs them.
_LAZY = {
    "load": "osce_scrape.dataset.reader",
    "PressRelease": "osce_scrape.models",
    "Provenance": "osce_scrape.models",
    "PARSER_VERSION": "osce_scrape.parse.version",
    "parse_page": "osce_scrape.parse.core",
    "parse_text": "osce_scrape.parse.core",
}

__all__ = [
    "PARSER_VERSION",
    "DatasetError",
    "FetchError",
    "NotAPressRelease",
    "OsceScrapeError",
    "OutputLocked",
    "ParseError",
    "PressRelease",
    "Provenance",
    "RobotsDisallowed",
    "__version__",
    "load",
    "parse_page",
    "parse_text",
]


def __getattr__(name: str) -> Any:
    if (module := _LAZY.get(name)) is None:
        raise AttributeError(f"module 'osce_scrape' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
