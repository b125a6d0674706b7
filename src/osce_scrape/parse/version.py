"""The parser's version, stamped on every record's provenance; alone so that reading it (the data card,
the harvest plan) does not import the parser."""

from __future__ import annotations

PARSER_VERSION = "1.0.0"
