"""osce-scrape: the OSCE's press releases as a clean, validated research dataset."""

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
from osce_scrape.parse import PARSER_VERSION, parse_page, parse_text
from osce_scrape.reader import load

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
