"""User-facing messages of the synthetic developer datasets, in English; Korean in
``datanuri/i18n/ko.po``. Format with ``.format(**kw)``."""

from __future__ import annotations

MSG_KIND_UNKNOWN = "There is no sample dataset kind {kind!r}: choose one of {kinds}, or all."
MSG_ROWS_RANGE = "A sample dataset has between {low:,} and {high:,} rows (got {rows:,})."
MSG_OUTPUT_NEEDED = "Say where the files go (--output DIR), or publish them (--publish --org ORG)."
MSG_ORG_NEEDED = "Name the organisation that publishes the sample datasets (--org ORG)."
MSG_WRITTEN = "{name}: {rows:,} rows written to {path} ({size:,} bytes)."
