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
    # Issue 11: the child's say recorded by staff, FB 6:13 a, maturity overrides.
    CHILD_ASSENT = "child_assent"  # the child (12-14) agrees, given outside the app
    CHILD_DISSENT = "child_dissent"  # the child (12-14) does not agree
    FB_6_13A = "fb_6_13a"  # social services decided care may start without one guardian
    JUDGED_MATURE = "judged_mature"  # a child under the consent age consents themself
    CONSENT_WAIVED = "consent_waived"  # the child's own consent judged not required
    EXCEPTION_ENDED = "exception_ended"  # one of the above ended before its end date


class ExceptionKind(StrEnum):
    """What a recorded consent exception stands for (ConsentException.kind)."""

    EXCEPTION = "exception"  # stands in for one party's consent (decision 10)
    FB_6_13A = "fb_6_13a"  # FB 6 kap. 13 a §: without one guardian's consent
    JUDGED_MATURE = "judged_mature"  # the child under the consent age consents themself
    CONSENT_WAIVED = "consent_waived"  # the child's own consent is not required


FB_6_13A_REF = "FB 6 kap. 13 a §"


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
    exceptions: Mapped[list[ConsentException]] = relationship(
        back_populates="consent", cascade="all, delete-orphan", order_by="ConsentException.id"
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
    child_view: Mapped[str | None] = mapped_column(Text)

    consent: Mapped[Consent] = relationship(back_populates="parties")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def state(self) -> PartyState:
        """This party's own consent as the pure consent rule sees it (an exception
        in force is a record of its own: ConsentException)."""
        return PartyState(
            person_id=self.person_id,
            given_at=self.given_at,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            revoked_at=self.revoked_at,
        )


class ConsentException(Base):
    """A decision that stands in for one person's consent (or, for the child, a
    maturity override), kept apart from that person's own consent: a guardian who
    revokes does not erase it. Ended, never deleted.
    """

    __tablename__ = "consent_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), index=True
    )
    # Whose consent it stands in for (for a maturity override: the child).
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=ExceptionKind.EXCEPTION)
    # The law the exception rests on, as data (paragraphs move: SoL 2025:400).
    legal_ref: Mapped[str] = mapped_column(String(200), default="")
    # Stays with the team: never in an event, a notification or the audit log.
    reason: Mapped[str] = mapped_column(Text, default="")
    # Who decided: a person or a body ("socialnämnden"); and who recorded it.
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consent: Mapped[Consent] = relationship(back_populates="exceptions")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def in_force(self, now: datetime) -> bool:
        if self.ended_at is not None and self.ended_at <= now:
            return False
        if self.valid_from is not None and now < self.valid_from:
            return False
        return not (self.valid_to is not None and now >= self.valid_to)


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
