"""Secrets handed to people (links, feed addresses): random, and only stored hashed."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 is enough here: the tokens are long and random, not passwords."""
    return hashlib.sha256(token.encode()).hexdigest()
