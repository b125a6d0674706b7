"""The Parquet export's schema: proper types for every raw field and normalised facet (docs/dataset.md).

Its own module because it imports pyarrow (~0.15 s): export.py imports it only when writing Parquet.
"""

from __future__ import annotations

import pyarrow as pa

_STR = pa.string()
_STR_LIST = pa.list_(_STR)
_STR_MAP = pa.map_(_STR, _STR)
SOURCE_TYPE = pa.struct(
    [("raw", _STR), ("name", _STR), ("kind", _STR), ("closed", pa.bool_()),
     ("renamed_from", _STR), ("known", pa.bool_())]
)  # fmt: skip
PLACE_TYPE = pa.struct(
    [("raw", _STR), ("name", _STR), ("country_code", _STR), ("latitude", pa.float64()),
     ("longitude", pa.float64())]
)  # fmt: skip
PROVENANCE_TYPE = pa.struct(
    [("parser_version", _STR), ("fetched_at", pa.timestamp("us", tz="UTC")), ("body_sha256", _STR),
     ("rules", _STR_MAP)]
)  # fmt: skip
RAW_FIELDS = [
    pa.field("id", _STR, nullable=False), pa.field("url", _STR, nullable=False),
    pa.field("language", _STR, nullable=False), pa.field("content_type", _STR),
    pa.field("title", _STR, nullable=False), pa.field("date", pa.date32(), nullable=False),
    pa.field("place", _STR), pa.field("sources", _STR_LIST), pa.field("fields_of_work", _STR_LIST),
    pa.field("body", _STR, nullable=False), pa.field("contacts", _STR),
    pa.field("translations", _STR_MAP), pa.field("provenance", PROVENANCE_TYPE),
]  # fmt: skip
NORMALIZED_FIELDS = [
    pa.field("fields_of_work_normalized", _STR_LIST), pa.field("fields_of_work_unknown", _STR_LIST),
    pa.field("sources_normalized", pa.list_(SOURCE_TYPE)), pa.field("places", pa.list_(PLACE_TYPE)),
]  # fmt: skip
PARQUET_SCHEMA = pa.schema(RAW_FIELDS + NORMALIZED_FIELDS)
