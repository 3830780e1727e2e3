"""The authorisation policy as one pure function: may this principal do this action here?

Every route and command reaches it through `AccessControl` (service-level checks), never by
checks written into handlers. Denials say whether logging in could help (401) or not (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from datanuri.accounts.principal import ANONYMOUS, Principal
from datanuri.errors import InvalidInput

Action = Literal[
    "read_metadata",  # see a dataset, its versions, schema and profile
    "read_rows",  # preview or download rows
    "publish",  # publish a version, edit metadata, change access level
    "create_dataset",
    "create_org",
    "manage_org",  # add members
    "read_access_log",
    "manage_users",
    "read_security_alerts",  # every user's login alerts (one's own need no permission)
    "decide_access",  # approve or refuse requests for access to the organisation's datasets
    "request_access",  # ask the holder for access to a restricted dataset's rows
    "manage_search",  # edit search synonyms, mark organisations official
]
SCOPE_OF: dict[str, str] = {
    "read_metadata": "read",
    "read_rows": "read",
    "publish": "publish",
    "create_dataset": "publish",
    "create_org": "admin",
    "manage_org": "admin",
    "read_access_log": "read",
    "manage_users": "admin",
    "read_security_alerts": "read",
    "decide_access": "publish",
    "request_access": "publish",
    "manage_search": "admin",
}
EDITORS = ("owner", "editor")
ACCESS_LEVELS = ("open", "restricted", "personal")


def check_access(level: str) -> str:
    """Return `level` if it is a known access level, else raise an error listing them."""
    if level not in ACCESS_LEVELS:
        raise InvalidInput(
            f"Access level must be one of {', '.join(ACCESS_LEVELS)}; got {level!r}."
        )
    return level


@dataclass(frozen=True)
class DatasetAccess:
    """What the policy needs to know about a dataset (the catalog builds it from its row)."""

    id: int
    name: str
    organization: str
    access_level: str
    metadata_public: bool = True

    @property
    def hidden(self) -> bool:
        """Whether the public may not know it exists (anonymous callers get "not found")."""
        return hidden_from_public(self.access_level, self.metadata_public)


def hidden_from_public(access_level: str, metadata_public: bool) -> bool:
    """A dataset whose existence the policy hides from anonymous callers (a personal dataset
    with `metadata_public: false`): public views (ledger, counts) must not reveal it either."""
    return decide(
        ANONYMOUS, "read_metadata", access_level=access_level, metadata_public=metadata_public
    ).hide


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    hide: bool = False  # deny as "not found", so the resource's existence does not leak
    login_helps: bool = False


ALLOW = Decision(True)


def decide(
    p: Principal,
    action: Action,
    *,
    org: str | None = None,
    access_level: str | None = None,
    metadata_public: bool = True,
    entitled: bool = False,
) -> Decision:
    """Decide one action. `org`/`access_level` describe the dataset or organisation acted on."""
    anonymous = p.kind == "anonymous"
    scope = SCOPE_OF[action]
    if p.kind == "user" and scope not in p.scopes:
        return Decision(
            False, f"This token lacks the '{scope}' scope needed here; create one with that scope."
        )
    role = p.role_in(org) if org else None

    if action == "read_metadata":
        if (
            access_level != "personal"
            or metadata_public
            or role
            or p.platform_role
            or p.kind == "system"
        ):
            return ALLOW
        return Decision(False, "not found", hide=True)

    if action == "read_rows":
        if access_level == "personal":
            return Decision(False, "personal")
        if access_level == "open" or p.kind == "system":
            return ALLOW
        if role or entitled or p.platform_role == "admin":
            return ALLOW
        return Decision(
            False,
            "This dataset is restricted to its organisation's members and holders of an entitlement.",
            login_helps=anonymous,
        )

    if action in ("publish", "create_dataset"):
        if p.kind == "system" or role in EDITORS:
            return ALLOW
        return Decision(
            False, "Only the organisation's editors and owners can do this.", login_helps=anonymous
        )

    if action == "request_access":
        if p.kind == "user" and p.user_id is not None:
            return ALLOW
        return Decision(
            False, "Log in with your own account to ask for access.", login_helps=anonymous
        )

    if action == "decide_access":
        if p.is_admin or role in EDITORS:
            return ALLOW
        return Decision(
            False,
            "Only the holding organisation's editors and owners can decide requests for access.",
            login_helps=anonymous,
        )

    if action == "manage_org":
        if p.is_admin or role == "owner":
            return ALLOW
        return Decision(
            False,
            "Only the organisation's owners and platform admins can manage members.",
            login_helps=anonymous,
        )

    if action == "read_access_log":
        if p.is_admin or p.platform_role == "auditor" or role in EDITORS:
            return ALLOW
        return Decision(
            False,
            "Only admins, auditors and the organisation's editors can read its access log.",
            login_helps=anonymous,
        )

    if action == "read_security_alerts":
        if p.is_admin or p.platform_role == "auditor":
            return ALLOW
        return Decision(
            False,
            "Only admins and auditors can read every user's security alerts; you can read yours.",
            login_helps=anonymous,
        )

    # create_org, manage_users, manage_search
    if p.is_admin:
        return ALLOW
    return Decision(False, "Only platform admins can do this.", login_helps=anonymous)
