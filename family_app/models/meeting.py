"""Meetings: when, where, who comes (and who can decide), agenda, outcomes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .people import Agency, Person
from .plan import Plan

if TYPE_CHECKING:
    from .statement import StatementAnswer


class MeetingKind(StrEnum):
    SIP = "sip"
    FOLLOW_UP = "follow_up"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class ChildParticipation(StrEnum):
    PRESENT = "present"
    PART = "part"
    PHONE = "phone"
    REPRESENTED_BY = "represented_by"


def new_uid() -> str:
    return f"{uuid.uuid4()}@family-sip"


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=MeetingKind.SIP)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.PLANNED)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    video_url: Mapped[str | None] = mapped_column(String(300))
    child_participation: Mapped[str | None] = mapped_column(String(20))
    child_represented_by: Mapped[str | None] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    # After the meeting: how the child's views were taken into account (in adult
    # words), and the same told to the child in the child's own words (optional).
    child_views_used: Mapped[str] = mapped_column(Text, default="")
    child_views_used_child: Mapped[str] = mapped_column(Text, default="")
    # Grows each time the outcome is saved: two people recording the outcome at
    # once get the conflict page instead of one overwriting the other.
    outcome_version: Mapped[int] = mapped_column(Integer, default=1)
    # When the coordinator published the answers to the child's wishes.
    feedback_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stable across updates so a calendar updates the entry instead of adding one.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship()
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendee.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Decision.id"
    )
    interpreter_requests: Mapped[list[InterpreterRequest]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="InterpreterRequest.id"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The team's own words. Empty for an item taken from a view: that item is read
    # through ``answer``, so its text and audience are the writer's as they are now.
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="team")
    # The audience of a team item; an item from a view uses the answer's instead.
    audience: Mapped[str] = mapped_column(String(20), default="everyone")
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_answers.id", ondelete="CASCADE"), index=True
    )

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    answer: Mapped[StatementAnswer | None] = relationship()


class MeetingAttendee(Base):
    """A person or an agency at a meeting; ``can_decide`` = has mandate."""

    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(120), default="")
    can_decide: Mapped[bool] = mapped_column(Boolean, default=False)
    # Recorded after the meeting: took part (True), did not (False), not yet told (None).
    attended: Mapped[bool | None] = mapped_column(Boolean)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    person: Mapped[Person | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class Decision(Base):
    """Who does what by when, decided at a meeting."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(Text)
    # The same decision told to the child: the child's pages show it instead of
    # ``what`` whenever it exists.
    child_what: Mapped[str] = mapped_column(Text, default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    by_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    agency: Mapped[Agency | None] = relationship()
    person: Mapped[Person | None] = relationship()


class InterpreterRequest(Base):
    """A family member needs an interpreter at a meeting, in a language (issue 12):
    asked in two taps by the family, seen by the team, confirmed to the asker."""

    __tablename__ = "interpreter_requests"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="interpreter_one_per_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    language: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="interpreter_requests")
    person: Mapped[Person] = relationship()


@event.listens_for(Meeting, "before_update")
def _bump_sequence(_mapper: object, _connection: object, meeting: Meeting) -> None:
    """A calendar takes a changed meeting as an update only if SEQUENCE grew."""
    state = inspect(meeting)
    watched = ("starts_at", "ends_at", "place", "video_url", "status")
    if any(state.attrs[name].history.has_changes() for name in watched):
        meeting.sequence = (meeting.sequence or 0) + 1
