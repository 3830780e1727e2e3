"""Metadata in other vocabularies: CKAN, DCAT-AP, schema.org, Croissant, Frictionless Data Package."""
