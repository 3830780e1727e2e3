"""Harvesting: import datasets from CKAN-compatible APIs and DCAT JSON-LD documents."""

from datanuri.harvest.service import Harvester, HarvestReport

__all__ = ["Harvester", "HarvestReport"]
