"""Consent per plan and agency, its parties, and its append-only history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..rules import PartyState
from .base import Base, UTCDateTime, utcnow
from .people import Agency, Person
from .plan import Plan


class ConsentMethod(StrEnum):
    IN_APP = "in_app"
    WRITTEN = "written"
    ORAL = "oral"


class ConsentEventKind(StrEnum):
    GIVEN = "given"
    REVOKED = "revoked"
    EXCEPTION = "exception"
    CHILD_VIEW = "child_view"


class Consent(Base):
    """The family's consent that one agency may take part in one plan."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("plan_id", "agency_id", name="plan_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    agency: Mapped[Agency] = relationship()
    parties: Mapped[list[ConsentParty]] = relationship(
        back_populates="consent", cascade="all, delete-orphan", order_by="ConsentParty.id"
    )
    events: Mapped[list[ConsentEvent]] = relationship(
        back_populates="consent", order_by="ConsentEvent.id", viewonly=True
    )


class ConsentParty(Base):
    """One person's current stand on one consent (a guardian, or the child).

    The current state only; every change is also a ConsentEvent, which is never
    updated or deleted.
    """

    __tablename__ = "consent_parties"
    __table_args__ = (UniqueConstraint("consent_id", "person_id", name="consent_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    method: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # A recorded exception stands in for this party's consent (with its reason).
    exception_reason: Mapped[str | None] = mapped_column(Text)
    # The law the exception rests on, as data (paragraphs move: SoL 2025:400), and
    # who decided it (a person or a body, e.g. "socialnämnden").
    exception_legal_ref: Mapped[str | None] = mapped_column(String(200))
    exception_decided_by: Mapped[str | None] = mapped_column(String(200))
    child_view: Mapped[str | None] = mapped_column(Text)

    consent: Mapped[Consent] = relationship(back_populates="parties")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def state(self) -> PartyState:
        """This party as the pure consent rule sees it."""
        return PartyState(
            person_id=self.person_id,
            given_at=self.given_at,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            revoked_at=self.revoked_at,
            exception=bool(self.exception_reason),
        )


class ConsentEvent(Base):
    """Append-only history of consent changes."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consent: Mapped[Consent] = relationship(back_populates="events")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
