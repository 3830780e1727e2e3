"""Frictionless Table Schema for the canonical Parquet output."""

from __future__ import annotations

import pyarrow as pa

from datanuri.tables.convert import NULL_TOKENS


def frictionless_type(t: pa.DataType) -> str:
    """The Frictionless field type for an Arrow type."""
    if pa.types.is_dictionary(t):
        return frictionless_type(t.value_type)
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_duration(t):
        return "duration"
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return "array"
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return "object"
    return "string"


def table_schema(
    schema: pa.Schema,
    *,
    source_formats: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
) -> dict:
    """A Frictionless Table Schema describing `schema`, with the source's date formats noted."""
    fields = []
    for f in schema:
        d: dict = {"name": f.name, "type": frictionless_type(f.type)}
        if source_formats and f.name in source_formats:
            d["sourceFormat"] = source_formats[f.name]
        if titles and titles.get(f.name) not in (None, f.name):
            d["title"] = titles[f.name]
        fields.append(d)
    return {"fields": fields, "missingValues": list(NULL_TOKENS)}
