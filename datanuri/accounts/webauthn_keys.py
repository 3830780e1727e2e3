"""WebAuthn passkey ceremonies (registration and authentication) through the `webauthn`
library: options to hand to the browser, and verification of what it sends back. Pure: the
caller keeps the challenge and the stored credential."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from datanuri import errors

MSG_BAD_PASSKEY = (
    "The passkey's answer could not be verified ({detail}). Try again with the same device, or "
    "use your authenticator app or a recovery code."
)
_FAILURES = (WebAuthnException, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class RelyingParty:
    """This server as WebAuthn sees it: its domain (rp id), name and the origins it serves."""

    id: str
    name: str
    origins: tuple[str, ...]


@dataclass(frozen=True)
class Ceremony:
    """Options for navigator.credentials.create/get (JSON) and the challenge to keep."""

    options_json: str
    challenge: str  # base64url


@dataclass(frozen=True)
class NewPasskey:
    credential_id: str  # base64url
    public_key: str  # base64url COSE key
    sign_count: int


def registration(
    rp: RelyingParty,
    *,
    user_handle: bytes,
    user_name: str,
    display_name: str,
    exclude: Sequence[str] = (),
) -> Ceremony:
    """Options to create a passkey for a user (not one of `exclude`, their existing ones)."""
    opts = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in exclude
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return Ceremony(options_to_json(opts), bytes_to_base64url(opts.challenge))


def verify_registration(rp: RelyingParty, credential: Any, challenge: str) -> NewPasskey:
    """Check the browser's answer to `registration`; the new passkey, or an invalid-input error."""
    try:
        v = verify_registration_response(
            credential=_as_json(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
        )
    except _FAILURES as exc:
        raise errors.InvalidInput(MSG_BAD_PASSKEY.format(detail=exc)) from exc
    return NewPasskey(
        bytes_to_base64url(v.credential_id),
        bytes_to_base64url(v.credential_public_key),
        v.sign_count,
    )


def authentication(rp: RelyingParty, allow: Sequence[str]) -> Ceremony:
    """Options to sign in with one of the passkeys `allow` (credential ids, base64url)."""
    opts = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in allow],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return Ceremony(options_to_json(opts), bytes_to_base64url(opts.challenge))


def credential_id_of(credential: Any) -> str:
    """The credential id the browser's answer names (to find the stored passkey)."""
    try:
        data = json.loads(credential) if isinstance(credential, str) else credential
        return bytes_to_base64url(base64url_to_bytes(str(data["rawId"])))
    except _FAILURES as exc:
        raise errors.InvalidInput(MSG_BAD_PASSKEY.format(detail="no credential id")) from exc


def verify_authentication(
    rp: RelyingParty, credential: Any, challenge: str, *, public_key: str, sign_count: int
) -> int:
    """Check the browser's answer to `authentication` against the stored passkey; returns the
    new signature counter (a counter that goes back means a cloned key and is refused)."""
    try:
        v = verify_authentication_response(
            credential=_as_json(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=base64url_to_bytes(public_key),
            credential_current_sign_count=sign_count,
        )
    except _FAILURES as exc:
        raise errors.InvalidInput(MSG_BAD_PASSKEY.format(detail=exc)) from exc
    return v.new_sign_count


def _as_json(credential: Any) -> str:
    return credential if isinstance(credential, str) else json.dumps(credential)
