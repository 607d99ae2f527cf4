"""The plan (SIP) and its parts: members, goals, actions, translations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .people import Agency, Person


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class MemberRole(StrEnum):
    """Roles held through PlanMember. The child and the coordinator are columns
    on Plan, so a plan has exactly one of each by construction."""

    GUARDIAN = "guardian"
    PROFESSIONAL = "professional"
    RELATIVE = "relative"
    # Staff marked as translator by their agency's admin, added by the coordinator:
    # reads and writes only the plan's translations (access.py, Role.TRANSLATOR).
    TRANSLATOR = "translator"


# Members who are staff, not family: whoever is not in here is the child's family.
STAFF_MEMBER_ROLES = frozenset({MemberRole.PROFESSIONAL, MemberRole.TRANSLATOR})


class Plan(Base):
    """One SIP about one child."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.DRAFT)
    background: Mapped[str] = mapped_column(Text, default="")
    # What the next SIP meeting is to answer, in plain language (issue 11).
    meeting_question: Mapped[str] = mapped_column(Text, default="")
    # The coordinator's explicit "nobody else helps" (school, Försäkringskassan…):
    # an empty list of others' actions then means none, not "not written yet".
    no_other_actions: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # First made active: from then on every change is shown to the family as changed.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    child: Mapped[Person] = relationship(foreign_keys=[child_id])
    coordinator: Mapped[Person | None] = relationship(foreign_keys=[coordinator_id])
    responsible_agency: Mapped[Agency | None] = relationship()
    members: Mapped[list[PlanMember]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Goal.position"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Action.id"
    )

    def follow_up_overdue(self, today: date) -> bool:
        return self.follow_up_date is not None and self.follow_up_date < today


class PlanMember(Base):
    """A guardian, professional or relative in a plan."""

    __tablename__ = "plan_members"
    __table_args__ = (UniqueConstraint("plan_id", "person_id", name="plan_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    has_custody: Mapped[bool] = mapped_column(Boolean, default=False)
    # For guardians: parent, appointed guardian (särskilt förordnad) or god man.
    guardian_kind: Mapped[str] = mapped_column(String(30), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class WordsOf(StrEnum):
    CHILD = "child"
    FAMILY = "family"
    TEAM = "team"


class Goal(Base):
    """What the child wants to achieve, in whose words."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    words_of: Mapped[str] = mapped_column(String(20), default=WordsOf.CHILD)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # OSL 12:3 harm flag set by a professional: hidden from guardians until cleared.
    harm_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_reason: Mapped[str | None] = mapped_column(Text)
    harm_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    harm_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # From the configured age the child may keep a part from the guardians.
    hidden_from_guardians_by_child: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day the family was last shown a change (after the plan was published).
    changed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="goals")
    harm_set_by: Mapped[Person | None] = relationship(foreign_keys=[harm_set_by_id])


class ActionStatus(StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class Action(Base):
    """A piece of help (insats): what, why, who, when, and what the family does."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    child_description: Mapped[str] = mapped_column(Text, default="")
    family_part: Mapped[str] = mapped_column(Text, default="")
    responsible_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    contact_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.PLANNED)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    harm_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_reason: Mapped[str | None] = mapped_column(Text)
    harm_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    harm_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_from_guardians_by_child: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="actions")
    goal: Mapped[Goal | None] = relationship()
    responsible_agency: Mapped[Agency | None] = relationship()
    contact_person: Mapped[Person | None] = relationship(foreign_keys=[contact_person_id])
    harm_set_by: Mapped[Person | None] = relationship(foreign_keys=[harm_set_by_id])

    def is_late(self, today: date) -> bool:
        """Planned help whose start date has passed without it starting."""
        return (
            self.status == ActionStatus.PLANNED
            and self.planned_start is not None
            and self.planned_start < today
        )


class ContentTranslation(Base):
    """A family-facing text of a plan part in another language.

    ``source_hash`` is the hash of the Swedish text it was made from, so a
    translation of an older text is shown as out of date, never silently.
    """

    __tablename__ = "content_translations"
    __table_args__ = (
        UniqueConstraint("object_type", "object_id", "field", "locale", name="object_field"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    translator: Mapped[str] = mapped_column(String(120), default="")
    translated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_hash: Mapped[str] = mapped_column(String(64))
