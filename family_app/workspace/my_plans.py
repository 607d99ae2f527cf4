"""My plans: the plans a staff member works on, with what needs them first.

Gathered in a fixed number of statements however many plans there are: the
plans and their parts in one batch (access.team_plans), then one statement each
for consents ending soon, meetings this week and unanswered wishes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import PlanAccess, team_plans
from ..models import (
    STAFF_MEMBER_ROLES,
    Action,
    Agency,
    Consent,
    ConsentParty,
    Delivery,
    DeliveryStatus,
    InterpreterRequest,
    Meeting,
    MeetingStatus,
    Notification,
    Person,
    StatementAnswer,
    StatementStatus,
    WishResponse,
    utcnow,
)
from ..models.statement import Statement
from ..views.prompts import PROMPTS

CONSENT_WARNING_DAYS = 30
WISH_PROMPTS = [p.key for p in PROMPTS if p.is_wish]


@dataclass
class PlanRow:
    access: PlanAccess
    follow_up_overdue: bool
    late_actions: list[Action]
    consents_ending: list[tuple[str, datetime]] = field(default_factory=list)
    meetings_this_week: list[Meeting] = field(default_factory=list)
    unanswered_wishes: int = 0
    # Preferred languages in the family that the app has no catalogue for (issue 12).
    interpreter_languages: list[str] = field(default_factory=list)
    # Interpreters the family asked for at coming meetings: (when, language).
    interpreters: list[tuple[datetime, str]] = field(default_factory=list)
    # Notices of the plan that could not be sent after every retry (issue 13).
    failed_deliveries: int = 0

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.interpreter_languages
            or self.interpreters
            or self.follow_up_overdue
            or self.late_actions
            or self.consents_ending
            or self.meetings_this_week
            or self.unanswered_wishes
            or self.failed_deliveries
        )


def _without_catalogue(access: PlanAccess) -> list[str]:
    """Languages the family prefers that the app cannot show: they need an interpreter."""
    from flask import current_app

    shown = current_app.config["LANGUAGES"]
    people = [
        access.plan.child,
        *(m.person for m in access.plan.members if m.role not in STAFF_MEMBER_ROLES),
    ]
    return sorted({p.preferred_language for p in people if p.preferred_language not in shown})


def my_plans(session: Session, person: Person, now: datetime | None = None) -> list[PlanRow]:
    """Plans that need something first, then the rest, each by the child's name."""
    now = now or utcnow()
    accesses = team_plans(session, person, now)
    rows = {
        a.plan.id: PlanRow(
            access=a,
            follow_up_overdue=a.plan.follow_up_overdue(a.today),
            late_actions=[x for x in a.plan.actions if x.is_late(a.today)],
            interpreter_languages=_without_catalogue(a),
        )
        for a in accesses
    }
    if rows:
        ids = list(rows)
        ending = session.execute(
            select(Consent.plan_id, Agency.name, func.min(ConsentParty.valid_to))
            .join(ConsentParty, ConsentParty.consent_id == Consent.id)
            .join(Agency, Agency.id == Consent.agency_id)
            .where(
                Consent.plan_id.in_(ids),
                ConsentParty.revoked_at.is_(None),
                ConsentParty.valid_to >= now,
                ConsentParty.valid_to <= now + timedelta(days=CONSENT_WARNING_DAYS),
            )
            .group_by(Consent.plan_id, Agency.name)
        )
        for plan_id, agency_name, valid_to in ending:
            rows[plan_id].consents_ending.append((agency_name, valid_to))
        meetings = session.scalars(
            select(Meeting)
            .where(
                Meeting.plan_id.in_(ids),
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.starts_at >= now,
                Meeting.starts_at < now + timedelta(days=7),
            )
            .order_by(Meeting.starts_at)
        )
        for meeting in meetings:
            rows[meeting.plan_id].meetings_this_week.append(meeting)
        asked = session.execute(
            select(Meeting.plan_id, Meeting.starts_at, InterpreterRequest.language)
            .join(InterpreterRequest, InterpreterRequest.meeting_id == Meeting.id)
            .where(
                Meeting.plan_id.in_(ids),
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.starts_at >= now,
            )
            .order_by(Meeting.starts_at)
        )
        for plan_id, starts_at, language in asked:
            rows[plan_id].interpreters.append((starts_at, language))
        # A count reveals no words, but only answers this reader may read are counted.
        wishes = Counter(
            plan_id
            for plan_id, author_id, audience in session.execute(
                select(Meeting.plan_id, Statement.author_id, StatementAnswer.audience)
                .join(Statement, Statement.meeting_id == Meeting.id)
                .join(StatementAnswer, StatementAnswer.statement_id == Statement.id)
                .outerjoin(WishResponse, WishResponse.answer_id == StatementAnswer.id)
                .where(
                    Meeting.plan_id.in_(ids),
                    Statement.status == StatementStatus.SUBMITTED,
                    StatementAnswer.prompt.in_(WISH_PROMPTS),
                    func.trim(StatementAnswer.text) != "",
                    WishResponse.id.is_(None),
                )
            )
            if rows[plan_id].access.sees_answer(author_id, audience)
        )
        for plan_id, count in wishes.items():
            rows[plan_id].unanswered_wishes = count
        coordinated = [i for i in ids if rows[i].access.sees_delivery_failures]
        if coordinated:
            failed = session.execute(
                select(Notification.plan_id, func.count(Delivery.id))
                .join(Delivery, Delivery.notification_id == Notification.id)
                .where(
                    Notification.plan_id.in_(coordinated),
                    Delivery.status == DeliveryStatus.FAILED,
                )
                .group_by(Notification.plan_id)
            )
            for plan_id, count in failed:
                rows[plan_id].failed_deliveries = count
    return sorted(
        rows.values(),
        key=lambda r: (not r.needs_attention, r.access.plan.child.display_name),
    )
