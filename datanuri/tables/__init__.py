"""Ingestion engine: table files (CSV/TSV, XLSX, JSON/NDJSON, Parquet) → canonical Parquet,
Frictionless schema, column profile and row problems.

    from datanuri.tables import ingest, IngestResult, Problem, Limits
"""

from datanuri.tables.ingest import ingest
from datanuri.tables.model import IngestResult, Limits, Problem

__all__ = ["IngestResult", "Limits", "Problem", "ingest"]
