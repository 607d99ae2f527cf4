"""Passkey ceremonies (WebAuthn via py_webauthn), without Flask's request.

Challenges live in the database and are consumed with a conditional UPDATE, so
each can be used once, by one worker, within its few minutes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..audit import AuditAction, record
from ..models import Credential, Invitation, Person, WebAuthnChallenge, utcnow
from .invitations import mark_used

CHALLENGE_MINUTES = 5


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    name: str
    origin: str

    @classmethod
    def from_config(cls, config: dict) -> RelyingParty:
        return cls(config["WEBAUTHN_RP_ID"], config["WEBAUTHN_RP_NAME"], config["WEBAUTHN_ORIGIN"])


class PasskeyError(Exception):
    """A refused ceremony. ``code`` says why, for a plain message and the audit log."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _client_challenge(credential: dict[str, Any]) -> bytes:
    """The challenge the browser signed, read from clientDataJSON."""
    try:
        client_data = json.loads(_b64url_decode(credential["response"]["clientDataJSON"]))
        return _b64url_decode(client_data["challenge"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PasskeyError("malformed") from exc


def _store_challenge(
    session: Session,
    challenge: bytes,
    purpose: str,
    now: datetime,
    person: Person | None = None,
    invitation: Invitation | None = None,
) -> None:
    session.add(
        WebAuthnChallenge(
            challenge=challenge,
            purpose=purpose,
            person_id=person.id if person else None,
            invitation_id=invitation.id if invitation else None,
            expires_at=now + timedelta(minutes=CHALLENGE_MINUTES),
        )
    )
    session.flush()


def _consume_challenge(
    session: Session, challenge: bytes, purpose: str, now: datetime
) -> WebAuthnChallenge:
    result = session.execute(
        update(WebAuthnChallenge)
        .where(
            WebAuthnChallenge.challenge == challenge,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.used_at.is_(None),
            WebAuthnChallenge.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        raise PasskeyError("challenge")
    row = session.scalar(select(WebAuthnChallenge).where(WebAuthnChallenge.challenge == challenge))
    assert row is not None
    return row


# --- registration ------------------------------------------------------------------------


def neutral_user_name(rp: RelyingParty, person: Person) -> str:
    """What the phone shows for this passkey: the service and an opaque handle,
    never the person's name (protected identity, a shared phone, decision 4)."""
    handle = base64.b32encode(hashlib.sha256(person.user_handle).digest()[:5]).decode()
    return f"{rp.name} {handle[:4]}-{handle[4:8]}"


def registration_options(
    session: Session,
    rp: RelyingParty,
    person: Person,
    invitation: Invitation | None = None,
    now: datetime | None = None,
) -> str:
    """Options for navigator.credentials.create(), as JSON: a discoverable
    credential with user verification, never one the person already has."""
    now = now or utcnow()
    existing = session.scalars(select(Credential).where(Credential.person_id == person.id))
    label = neutral_user_name(rp, person)
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=rp.name,
        user_id=person.user_handle,
        user_name=label,
        user_display_name=label,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c.credential_id) for c in existing],
        timeout=CHALLENGE_MINUTES * 60 * 1000,
    )
    _store_challenge(session, options.challenge, "register", now, person, invitation)
    return options_to_json(options)


def finish_registration(
    session: Session,
    rp: RelyingParty,
    credential: dict[str, Any],
    device_name: str,
    signed_in: Person | None = None,
    now: datetime | None = None,
    pending_hours: int = 72,
) -> Credential:
    """Verify a new passkey and store it. Registering from an invitation uses the
    invitation up; a signed-in person may add a passkey to their own account.

    An invitation is never a way into someone else's account: a person signed in
    cannot redeem another person's invitation, and a passkey added by invitation
    to an account that already has passkeys is *pending* (its owner is told)."""
    now = now or utcnow()
    challenge = _consume_challenge(session, _client_challenge(credential), "register", now)
    person = session.get(Person, challenge.person_id) if challenge.person_id else None
    if person is None:
        raise PasskeyError("challenge")
    if challenge.invitation_id is None and (signed_in is None or signed_in.id != person.id):
        raise PasskeyError("challenge")
    if signed_in is not None and signed_in.id != person.id:
        record(session, AuditAction.SIGN_IN_FAILED, signed_in, detail="other_persons_invitation")
        raise PasskeyError("signed_in_other")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge.challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError) as exc:
        record(session, AuditAction.SIGN_IN_FAILED, person, detail="registration_refused")
        raise PasskeyError("verification") from exc
    if session.scalar(
        select(Credential.id).where(Credential.credential_id == verified.credential_id)
    ):
        raise PasskeyError("duplicate")
    had_passkeys = session.scalar(
        select(Credential.id).where(Credential.person_id == person.id).limit(1)
    )
    pending_until = None
    if challenge.invitation_id is not None:
        invitation = session.get(Invitation, challenge.invitation_id)
        if invitation is None or not mark_used(session, invitation, now):
            raise PasskeyError("invitation")
        if had_passkeys:
            pending_until = now + timedelta(hours=pending_hours)
    transports = credential.get("response", {}).get("transports") or []
    stored = Credential(
        person_id=person.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(str(t) for t in transports)[:200],
        name=(device_name.strip() or "Passkey")[:80],
        created_at=now,
        last_used_at=now,
        pending_until=pending_until,
    )
    session.add(stored)
    session.flush()
    record(
        session,
        AuditAction.REGISTER,
        person,
        object_type="credential",
        object_id=stored.id,
        detail="pending" if pending_until else "",
    )
    from ..notifications import notify

    notify(session, [person], None, "passkey_pending" if pending_until else "passkey_added")
    session.flush()
    return stored


# --- authentication ----------------------------------------------------------------------


def authentication_options(
    session: Session, rp: RelyingParty, now: datetime | None = None, person: Person | None = None
) -> str:
    """Options for navigator.credentials.get(): discoverable, so no name is typed.

    With ``person``: a fresh proof inside a session, with that person's passkeys only."""
    now = now or utcnow()
    allowed = []
    if person is not None:
        allowed = [
            PublicKeyCredentialDescriptor(id=c.credential_id)
            for c in session.scalars(select(Credential).where(Credential.person_id == person.id))
        ]
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED,
        timeout=CHALLENGE_MINUTES * 60 * 1000,
    )
    purpose = "proof" if person is not None else "authenticate"
    _store_challenge(session, options.challenge, purpose, now, person)
    return options_to_json(options)


def finish_authentication(
    session: Session,
    rp: RelyingParty,
    credential: dict[str, Any],
    now: datetime | None = None,
    person: Person | None = None,
) -> Credential:
    """Verify a passkey sign-in; refuse (and audit) counter regressions.

    With ``person``: a fresh proof in that person's session, with one of their own passkeys."""
    now = now or utcnow()
    purpose = "proof" if person is not None else "authenticate"
    challenge = _consume_challenge(session, _client_challenge(credential), purpose, now)
    if person is not None and challenge.person_id != person.id:
        raise PasskeyError("challenge")
    try:
        raw_id = _b64url_decode(credential["rawId"])
        raw_handle = credential["response"].get("userHandle")
        user_handle = _b64url_decode(raw_handle) if raw_handle else None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PasskeyError("malformed") from exc
    stored = session.scalar(select(Credential).where(Credential.credential_id == raw_id))
    if stored is None:
        record(session, AuditAction.SIGN_IN_FAILED, None, detail="unknown_credential")
        raise PasskeyError("unknown_credential")
    if person is not None and stored.person_id != person.id:
        record(session, AuditAction.SIGN_IN_FAILED, person, detail="proof_other_account")
        raise PasskeyError("unknown_credential")
    proof = person is not None
    person = stored.person
    # A proof names its credentials, so an authenticator may leave out the handle.
    if (user_handle or not proof) and user_handle != person.user_handle:
        record(session, AuditAction.SIGN_IN_FAILED, person, detail="user_handle_mismatch")
        raise PasskeyError("verification")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge.challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError) as exc:
        regression = "sign count" in str(exc)
        record(
            session,
            AuditAction.SIGN_IN_FAILED,
            person,
            object_type="credential",
            object_id=stored.id,
            detail="counter_regression" if regression else "verification_failed",
        )
        raise PasskeyError("counter" if regression else "verification") from exc
    stored.sign_count = verified.new_sign_count
    stored.last_used_at = now
    record(session, AuditAction.SIGN_IN, person, object_type="credential", object_id=stored.id)
    session.flush()
    return stored
