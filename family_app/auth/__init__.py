"""Signing in: invitations, passkeys, sessions."""
