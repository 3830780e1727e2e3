"""Plain frozen records of organisations (the ORM rows stay inside the services)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from datanuri.accounts.models import Organization


@dataclass(frozen=True)
class OrgInfo:
    name: str
    title: str
    description: str
    created_at: str
    dataset_count: int = 0
    official: bool = False  # an official holder (marked by admins; search ranks it higher)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def org_info(org: Organization, dataset_count: int = 0) -> OrgInfo:
    return OrgInfo(
        org.name,
        org.title,
        org.description,
        org.created_at.isoformat(),
        dataset_count,
        bool(org.official),
    )
