"""Tokens an agency's own system uses to read the plans it takes part in (FHIR, issue 15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .people import Agency, Person


class AgencyApiToken(Base):
    """A per-agency API token made by the agency's admin: shown once, stored only as
    a hash, expiring on a date the admin chose, revocable. Every read made with it
    is audited under the agency, like a read by one of its professionals."""

    __tablename__ = "agency_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # What the system is, in the admin's words ("Journalsystemet"): never personal data.
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()
    created_by: Mapped[Person | None] = relationship()

    def usable(self, now: datetime) -> bool:
        """Neither revoked nor expired: expired counts as revoked."""
        return self.revoked_at is None and now < self.expires_at
