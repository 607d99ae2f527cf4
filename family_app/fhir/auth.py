"""The agency's API token, read from ``Authorization: Bearer``: never a session."""

from __future__ import annotations

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..models import AgencyApiToken, utcnow
from ..tokens import hash_token
from .outcome import FhirError

MAX_TOKEN_LENGTH = 200


def load_api_token() -> AgencyApiToken:
    """The live token of this request, or a 401 OperationOutcome: unknown, revoked
    and expired tokens get the same answer (nothing tells them apart)."""
    from ..extensions import db

    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise FhirError(401, "A valid API token is needed (Authorization: Bearer).")
    found = db.session.scalar(
        select(AgencyApiToken)
        .where(AgencyApiToken.token_hash == hash_token(token))
        .options(joinedload(AgencyApiToken.agency))
    )
    if found is None or not found.usable(utcnow()):
        raise FhirError(401, "A valid API token is needed (Authorization: Bearer).")
    return found
