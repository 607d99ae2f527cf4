"""The child's and guardians' own views before a meeting, and the team's answers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .meeting import Meeting
from .people import Person


class Audience(StrEnum):
    """Chosen by the writer for each answer (DESIGN.md rule 5)."""

    EVERYONE = "everyone"
    COORDINATOR = "coordinator"
    NOT_GUARDIANS = "not_guardians"


class StatementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("meeting_id", "author_id", name="meeting_author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=StatementStatus.DRAFT)
    mood: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    author: Mapped[Person] = relationship()
    answers: Mapped[list[StatementAnswer]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="StatementAnswer.id"
    )


class StatementAnswer(Base):
    __tablename__ = "statement_answers"
    __table_args__ = (UniqueConstraint("statement_id", "prompt", name="statement_prompt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    # Pictures chosen instead of (or as well as) words: comma-separated keys.
    picks: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(20), default=Audience.EVERYONE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    statement: Mapped[Statement] = relationship(back_populates="answers")
    response: Mapped[WishResponse | None] = relationship(
        back_populates="answer", cascade="all, delete-orphan", uselist=False
    )


class PendingDraft(Base):
    """Text that arrived after the session ended, kept until the writer signs in
    again (then it goes into their draft). Only a random key in the cookie points here."""

    __tablename__ = "pending_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whose session ran out: only this person's draft can receive the text.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20), default=Audience.EVERYONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WishOutcome(StrEnum):
    AGREED = "agreed"
    NOT_NOW = "not_now"
    LATER = "later"


class WishResponse(Base):
    """What the team did with one wish; written by the coordinator."""

    __tablename__ = "wish_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("statement_answers.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    later_date: Mapped[date | None] = mapped_column(Date)
    responded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answer: Mapped[StatementAnswer] = relationship(back_populates="response")
    responded_by: Mapped[Person] = relationship()
