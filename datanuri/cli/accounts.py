"""CLI commands for users, memberships, API tokens and logging in to a server.

Local commands act with the machine's authority (whoever can open the data dir is its admin);
`datanuri login` stores a token for talking to a server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    console,
    err_console,
    platform_ctx,
    print_json,
)
from datanuri.credentials import store_token, stored_token
from datanuri.errors import InvalidInput, NotAuthenticated

users_app = typer.Typer(help="Create and list user accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    email: str = typer.Argument(..., help="E-mail address (the login name)"),
    name: str = typer.Option(..., "--name", help="Display name, e.g. 김데이터"),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="DATANURI_NEW_PASSWORD",
        help="At least 10 characters (prompted when omitted)",
    ),
    role: str | None = typer.Option(None, "--role", help="Platform role: admin or auditor"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Create a user account."""
    with platform_ctx(data_dir) as p:
        user = p.accounts.create_user(
            email, display_name=name, password=password, platform_role=role, principal=SYSTEM
        )
    print_json(user.to_dict()) if json_out else console.print(
        f"Created user [bold]{user.email}[/]."
    )


@users_app.command("list")
def users_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """List users with their roles."""
    with platform_ctx(data_dir) as p:
        users = p.accounts.list_users(principal=SYSTEM)
    if json_out:
        return print_json([u.to_dict() for u in users])
    t = Table("email", "name", "platform role", "organisations")
    for u in users:
        t.add_row(
            u.email,
            u.display_name,
            u.platform_role or "-",
            ", ".join(f"{o} ({r})" for o, r in u.organizations.items()),
        )
    console.print(t)


def orgs_add_member(
    org: str = typer.Argument(..., help="Organization name"),
    email: str = typer.Argument(..., help="The user's e-mail"),
    role: str = typer.Option("member", "--role", help="owner | editor | member"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Add a user to an organization (or change their role)."""
    with platform_ctx(data_dir) as p:
        p.accounts.add_member(org, email, role=role, principal=SYSTEM)
    console.print(f"{email} is now {role} of {org}.")


@tokens_app.command("create")
def tokens_create(
    user: str = typer.Option(..., "--user", help="E-mail of the token's owner"),
    name: str = typer.Option("cli", "--name", help="What the token is for"),
    scopes: str = typer.Option("read", "--scopes", help="Comma-separated: read, publish, admin"),
    expires_days: int | None = typer.Option(
        None, "--expires-days", help="Days until it expires (never when omitted)"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Create an API token. It is shown once; only its hash is stored."""
    with platform_ctx(data_dir) as p:
        info, secret = p.accounts.create_token(
            name=name,
            scopes=[s.strip() for s in scopes.split(",") if s.strip()],
            expires_in_days=expires_days,
            for_email=user,
            principal=SYSTEM,
        )
    if json_out:
        return print_json({"token": secret, **info.to_dict()})
    console.print(
        f"Token {info.id} for {info.user} ({', '.join(info.scopes)}). Copy it now; it is not shown again:"
    )
    console.print(secret, soft_wrap=True, highlight=False)


@tokens_app.command("list")
def tokens_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """List API tokens (never their secrets)."""
    with platform_ctx(data_dir) as p:
        tokens = p.accounts.list_tokens(principal=SYSTEM)
    if json_out:
        return print_json([t.to_dict() for t in tokens])
    t = Table("id", "user", "name", "starts with", "scopes", "expires", "revoked")
    for tok in tokens:
        t.add_row(
            str(tok.id),
            tok.user,
            tok.name,
            tok.prefix + "…",
            ",".join(tok.scopes),
            tok.expires_at or "never",
            "yes" if tok.revoked else "",
        )
    console.print(t)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., help="Token id (see `datanuri tokens list`)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Revoke an API token; it is refused from the next request on."""
    with platform_ctx(data_dir) as p:
        p.accounts.revoke_token(token_id, principal=SYSTEM)
    console.print(f"Token {token_id} revoked.")


def login(
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", envvar="DATANURI_URL", help="The datanuri server"
    ),
    email: str = typer.Option(..., "--email", prompt=True, help="Your e-mail"),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, envvar="DATANURI_PASSWORD", help="Your password"
    ),
    code: str | None = typer.Option(
        None,
        "--code",
        help="Second factor: the 6-digit code of your authenticator app, or a recovery code "
        "(asked for when the account has one)",
    ),
) -> None:
    """Log in to a server and store an API token for later CLI and SDK calls."""
    import httpx  # only this command talks to a server; other commands start faster without it

    try:
        resp = httpx.post(
            url.rstrip("/") + "/api/v1/auth/token",
            json={"email": email, "password": password},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        raise InvalidInput(
            f"Could not reach {url}: {exc}. Is the server running (`datanuri serve`)?"
        ) from exc
    error = _error_of(resp)
    if error.get("code") == "second_factor_required":
        details = error.get("details") or {}
        if details.get("enroll"):
            raise NotAuthenticated(
                f"{error.get('message')} Log in once at {url.rstrip('/')}/login in a browser to "
                "set it up, then run `datanuri login` again."
            )
        code = code or typer.prompt("Code from your authenticator app (or a recovery code)")
        proof = {"code": code} if code.strip().isdigit() else {"recovery_code": code}
        resp = httpx.post(
            url.rstrip("/") + "/api/v1/auth/second-factor/token",
            json={"challenge": details.get("challenge"), **proof},
            timeout=30,
        )
        error = _error_of(resp)
    if resp.status_code != 201:
        raise NotAuthenticated(error.get("message") or f"The server answered {resp.status_code}.")
    path = store_token(url, resp.json()["token"], email)
    err_console.print(f"Logged in to {url} as {email}. Token stored in {path}.")


def _error_of(resp: Any) -> dict[str, Any]:
    """The error object of a datanuri API answer (empty if it is not one)."""
    try:
        error = resp.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def whoami(
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", envvar="DATANURI_URL", help="The datanuri server"
    ),
) -> None:
    """Show who the stored token logs you in as."""
    token = stored_token(url)
    if not token:
        raise NotAuthenticated(f"Not logged in to {url}. Run `datanuri login --url {url}`.")
    from datanuri.client import Client

    with Client(url, token=token) as c:
        me = c.me()
    if not me.get("authenticated"):
        raise NotAuthenticated(
            f"The stored token for {url} is no longer valid. Run `datanuri login` again."
        )
    console.print(f"{me['user']['email']} on {url} (scopes: {', '.join(me['scopes'])})")


def access_log(
    dataset: str | None = typer.Option(None, "--dataset", help="Only this dataset"),
    org: str | None = typer.Option(None, "--org", help="Only this organization's datasets"),
    limit: int = typer.Option(50, "--limit", help="How many entries, newest first"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Show who read or downloaded which dataset, when, and through which route."""
    with platform_ctx(data_dir) as p:
        entries = p.access.read_log(SYSTEM, dataset=dataset, organization=org, limit=limit)
    if json_out:
        return print_json(entries)
    t = Table("time", "who", "dataset", "version", "action", "route", "client", "allowed")
    for e in entries:
        t.add_row(
            str(e["time"])[:19],
            str(e["principal"]),
            str(e["dataset"]),
            str(e["version"] or "-"),
            str(e["action"]),
            str(e["route"]),
            str(e["client"] or "-"),
            "yes" if e["allowed"] else "[red]refused[/]",
        )
    console.print(t)
