"""What the plan pages show, gathered with a fixed number of queries.

Everything a reader may not see is filtered here through their PlanAccess, so a
template only ever receives what it may show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..access import PlanAccess
from ..content import ShownText, Translations
from ..models import (
    STAFF_MEMBER_ROLES,
    Action,
    Agency,
    AgendaItem,
    Decision,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    Person,
    Plan,
    StatementAnswer,
    utcnow,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def plan_meetings(session: Session, plan_ids: list[int]) -> list[Meeting]:
    """Meetings of these plans with agenda, attendees and decisions, in one go."""
    if not plan_ids:
        return []
    found = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.plan_id.in_(plan_ids))
            .order_by(Meeting.starts_at)
            .options(
                # Attendees are joined (one list joined is no cross product); the
                # agenda and the decisions cost a statement each: three in all.
                selectinload(Meeting.agenda_items)
                .joinedload(AgendaItem.answer)
                .joinedload(StatementAnswer.statement),
                joinedload(Meeting.attendees).options(
                    joinedload(MeetingAttendee.person), joinedload(MeetingAttendee.agency)
                ),
                selectinload(Meeting.decisions).options(
                    joinedload(Decision.agency), joinedload(Decision.person)
                ),
            )
        ).unique()
    )
    if has_request_context():
        # The menu's "views due" (views/services.py) reads the same meetings.
        loaded = g.setdefault("plan_meetings", {})
        for plan_id in plan_ids:
            loaded[plan_id] = [m for m in found if m.plan_id == plan_id]
    return found


@dataclass(frozen=True)
class NextStep:
    """One dated thing ahead: a meeting, a start, an end, a deadline, a follow-up."""

    day: date
    kind: str  # meeting | action_start | action_end | decision | follow_up
    subject: object  # the Meeting, Action, Decision or Plan it is about


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
    # Still sent to calendars, as STATUS:CANCELLED, so their entry is updated.
    cancelled_meetings: list[Meeting] = field(default_factory=list)

    @property
    def next_meeting(self) -> Meeting | None:
        return self.upcoming_meetings[0] if self.upcoming_meetings else None

    def goal_of(self, action: Action) -> Goal | None:
        """The goal an action serves, only if this reader may see that goal."""
        return next((g for g in self.goals if g.id == action.goal_id), None)

    def actions_of(self, agency: Agency) -> list[Action]:
        return [a for a in self.actions if a.responsible_agency_id == agency.id]

    def agenda(self, meeting: Meeting) -> list[ShownText]:
        return agenda_texts(self.access, meeting, self.texts)

    def attendees(self, meeting: Meeting) -> list[MeetingAttendee]:
        return self.access.visible_attendees(meeting)

    def decisions(self, meeting: Meeting) -> list[Decision]:
        """Only once the meeting is held (PlanAccess.sees_meeting_outcome)."""
        return self.access.shown_decisions(meeting)

    def took_part(self, meeting: Meeting) -> list[MeetingAttendee] | None:
        return self.access.took_part(meeting)

    def next_steps(self, limit: int | None = None) -> list[NextStep]:
        """Dated things from today on, nearest first."""
        today = self.today
        steps: list[NextStep] = []
        for meeting in self.upcoming_meetings:
            steps.append(
                NextStep(meeting.starts_at.astimezone(STOCKHOLM).date(), "meeting", meeting)
            )
        for action in self.actions:
            if action.status in ("done", "cancelled"):
                continue
            if (
                action.planned_start
                and action.planned_start >= today
                and action.status == "planned"
            ):
                steps.append(NextStep(action.planned_start, "action_start", action))
            if action.planned_end and action.planned_end >= today:
                steps.append(NextStep(action.planned_end, "action_end", action))
        for meeting in self.past_meetings:
            for decision in self.access.shown_decisions(meeting):
                if decision.by_date and decision.by_date >= today:
                    steps.append(NextStep(decision.by_date, "decision", decision))
        if self.plan.follow_up_date and self.plan.follow_up_date >= today:
            steps.append(NextStep(self.plan.follow_up_date, "follow_up", self.plan))
        order = {"meeting": 0, "follow_up": 1, "action_start": 2, "decision": 3, "action_end": 4}
        steps.sort(key=lambda s: (s.day, order[s.kind]))
        return steps[:limit] if limit else steps


def agenda_texts(access: PlanAccess, meeting: Meeting, texts: Translations) -> list[ShownText]:
    """The ONE way to read a meeting's agenda, on every path (page, fragment,
    .ics, feed). An item taken from a view is read through the answer with the
    audience its writer has chosen now (rule 5, decision 12)."""
    shown = []
    for item in access.visible_agenda(meeting):
        if item.answer is not None:
            # The writer's own words, in whatever language they wrote them.
            shown.append(ShownText(item.answer.text.strip(), "", True))
        else:
            shown.append(texts.get(item, "text"))
    return shown


def build_plan_page(
    session: Session, access: PlanAccess, locale: str, now: datetime | None = None
) -> PlanPage:
    now = now or utcnow()
    plan = access.plan
    goals = access.visible_parts(plan.goals)
    actions = access.visible_parts(plan.actions)
    every_meeting = access.visible_meetings(plan_meetings(session, [plan.id]))
    meetings = [m for m in every_meeting if m.status != MeetingStatus.CANCELLED]
    upcoming = [m for m in meetings if m.ends_at >= now and m.status == MeetingStatus.PLANNED]
    past = [m for m in reversed(meetings) if m not in upcoming]
    agenda = [item for m in meetings for item in m.agenda_items if item.answer_id is None]
    decisions = [d for m in meetings for d in access.shown_decisions(m)]
    texts = Translations(session, [plan, *goals, *actions, *meetings, *agenda, *decisions], locale)
    return PlanPage(
        access=access,
        plan=plan,
        goals=goals,
        actions=actions,
        late_actions=[a for a in actions if a.is_late(access.today)],
        upcoming_meetings=upcoming,
        past_meetings=past,
        agencies=access.visible_agencies,
        texts=texts,
        today=access.today,
        cancelled_meetings=[m for m in every_meeting if m.status == MeetingStatus.CANCELLED],
    )


@dataclass(frozen=True)
class PlanPerson:
    """Someone in the plan as a reader may see them."""

    person: Person
    role: str
    agency: Agency | None
    show_contact: bool


def people_in_plan(page: PlanPage) -> list[PlanPerson]:
    """The coordinator first, then professionals, then the family (rule 7 applied)."""
    access = page.access
    plan = page.plan
    rows: list[PlanPerson] = []
    if plan.coordinator:
        rows.append(PlanPerson(plan.coordinator, "coordinator", plan.coordinator.agency, True))
    contacts = {a.contact_person_id for a in page.actions if a.contact_person_id}
    for member in plan.members:
        person = member.person
        if member.role in STAFF_MEMBER_ROLES and access.sees_person(person):
            rows.append(PlanPerson(person, member.role, person.agency, True))
    for member in plan.members:
        if member.role not in STAFF_MEMBER_ROLES:
            rows.append(
                PlanPerson(
                    member.person, member.role, None, access.sees_protected_details(member.person)
                )
            )
    # A named contact of an action who is not a member still belongs here.
    known = {r.person.id for r in rows}
    for action in page.actions:
        person = action.contact_person
        if person and person.id in contacts and person.id not in known:
            rows.append(PlanPerson(person, "professional", person.agency, True))
            known.add(person.id)
    return rows
