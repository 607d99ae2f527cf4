"""What the plan pages show, gathered with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..access import PlanAccess
from ..content import Translations
from ..models import (
    Action,
    Agency,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    Plan,
    utcnow,
)


@dataclass
class PlanPage:
    access: PlanAccess
    plan: Plan
    goals: list[Goal]
    actions: list[Action]
    late_actions: list[Action]
    upcoming_meetings: list[Meeting]
    past_meetings: list[Meeting]
    agencies: list[Agency]
    texts: Translations
    today: date

    @property
    def next_meeting(self) -> Meeting | None:
        return self.upcoming_meetings[0] if self.upcoming_meetings else None

    def goal_of(self, action: Action) -> Goal | None:
        """The goal an action serves, only if this reader may see that goal."""
        return next((g for g in self.goals if g.id == action.goal_id), None)


def plan_meetings(session: Session, plan_id: int) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.plan_id == plan_id)
            .order_by(Meeting.starts_at)
            .options(
                selectinload(Meeting.agenda_items),
                selectinload(Meeting.attendees).selectinload(MeetingAttendee.person),
                selectinload(Meeting.attendees).selectinload(MeetingAttendee.agency),
            )
        )
    )


def build_plan_page(
    session: Session, access: PlanAccess, locale: str, now: datetime | None = None
) -> PlanPage:
    now = now or utcnow()
    plan = access.plan
    today = access.today
    goals = access.visible_parts(plan.goals)
    actions = access.visible_parts(plan.actions)
    meetings = [m for m in plan_meetings(session, plan.id) if m.status != MeetingStatus.CANCELLED]
    upcoming = [m for m in meetings if m.ends_at >= now and m.status == MeetingStatus.PLANNED]
    past = [m for m in meetings if m not in upcoming]
    past.reverse()
    agencies: dict[int, Agency] = {}
    if plan.responsible_agency:
        agencies[plan.responsible_agency.id] = plan.responsible_agency
    for action in actions:
        if action.responsible_agency:
            agencies.setdefault(action.responsible_agency.id, action.responsible_agency)
    texts = Translations(session, [plan, *goals, *actions, *meetings], locale)
    return PlanPage(
        access=access,
        plan=plan,
        goals=goals,
        actions=actions,
        late_actions=[a for a in actions if a.is_late(today)],
        upcoming_meetings=upcoming,
        past_meetings=past,
        agencies=list(agencies.values()),
        texts=texts,
        today=today,
    )
