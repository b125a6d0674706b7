"""osce-scrape: the OSCE's press releases as a clean, validated research dataset."""

from osce_scrape.dataset.reader import load
from osce_scrape.errors import (
    DatasetError,
    FetchError,
    NotAPressRelease,
    OsceScrapeError,
    OutputLocked,
    ParseError,
    RobotsDisallowed,
)
from osce_scrape.models import PressRelease, Provenance
from osce_scrape.parse.core import PARSER_VERSION, parse_page, parse_text

__version__ = "0.1.0"

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
