"""Accounts and access control: users, organisation roles, API tokens, web sessions,
entitlements, the authorisation policy and the access log."""

from datanuri.accounts.principal import ANONYMOUS, SYSTEM, Principal

__all__ = ["ANONYMOUS", "SYSTEM", "Principal"]
