"""Who is acting: a frozen description of the caller, built once per request or command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

Kind = Literal["anonymous", "user", "system"]
OrgRole = Literal["owner", "editor", "member"]
PlatformRole = Literal["admin", "auditor", "reviewer"]
Scope = Literal["read", "publish", "admin"]
ALL_SCOPES: frozenset[str] = frozenset({"read", "publish", "admin"})


@dataclass(frozen=True)
class Principal:
    kind: Kind
    user_id: int | None = None
    email: str | None = None
    platform_role: str | None = None
    org_roles: Mapping[str, str] = field(default_factory=dict)  # organization name -> role
    scopes: frozenset[str] = ALL_SCOPES
    token_id: int | None = None
    via: str = "api"  # api | cli | ckan | web | sdk
    client: str | None = None  # client address, for the access log

    @property
    def name(self) -> str:
        """How the principal appears in logs and ledger events."""
        if self.kind == "user":
            return f"user:{self.email}"
        return self.kind

    @property
    def ref(self) -> str:
        """A pseudonymous reference for public records (ledger events, version authors): no e-mail."""
        if self.kind == "user":
            return f"user:{self.user_id}"
        return self.kind

    @property
    def is_admin(self) -> bool:
        return self.kind == "system" or self.platform_role == "admin"

    def role_in(self, org: str) -> str | None:
        return self.org_roles.get(org)

    def using(self, *, via: str, client: str | None = None) -> Principal:
        return replace(self, via=via, client=client)


ANONYMOUS = Principal(kind="anonymous", scopes=frozenset({"read"}))
SYSTEM = Principal(kind="system", via="cli")
