"""Writing a plan: create it, add people, goals and actions, publish, harm flags.

Services know nothing of the request: they take the PlanAccess the guard decided
and plain values the form has already checked, add to the session and audit;
the route commits once. A row edited from an older version raises EditConflict,
so nobody overwrites another person's text without seeing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..access import (
    PlanAccess,
    Role,
    age_rules,
    child_is_adult,
    family_of,
    may_join_as_translator,
)
from ..audit import AuditAction, record
from ..content import OBJECT_TYPES, TRANSLATABLE
from ..content import save_translation as content_save_translation
from ..i18n import isolate
from ..labels import GUARDIAN_KINDS_WITH_CUSTODY
from ..models import (
    Action,
    Agency,
    AgendaItem,
    Decision,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    Notification,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    utcnow,
)
from ..notifications import notify, tell_of_meeting


class EditConflict(Exception):
    """Someone saved the row after this person opened it."""

    def __init__(self, current: Any) -> None:
        super().__init__("edit conflict")
        self.current = current


def _check_version(row: Any, read_version: int) -> None:
    if row.version != read_version:
        raise EditConflict(row)


@dataclass(frozen=True)
class NewChild:
    name: str
    birth_date: date
    language: str
    protected: bool


class NewGuardian(NamedTuple):
    """A guardian named on the new-plan form; protected identity is judged per
    person (decision 4), so each guardian carries their own."""

    name: str
    kind: str
    protected: bool = False
    language: str = "sv"


def create_plan(
    session: Session,
    coordinator: Person,
    child: NewChild,
    guardians: Sequence[tuple[str, str] | NewGuardian],
    responsible_agency: Agency,
) -> Plan:
    """A draft plan with its child and guardians; the creator coordinates it.

    A draft is the coordinator's alone (decision 2): the family sees it once published.
    """
    person = Person(
        display_name=child.name,
        birth_date=child.birth_date,
        preferred_language=child.language,
        protected_identity=child.protected,
    )
    session.add(person)
    session.flush()
    plan = Plan(
        child_id=person.id,
        status=PlanStatus.DRAFT,
        coordinator_id=coordinator.id,
        responsible_agency_id=responsible_agency.id,
    )
    session.add(plan)
    session.flush()
    for guardian in guardians:
        _add_guardian(session, plan, *NewGuardian(*guardian))
    record(session, AuditAction.WRITE, coordinator, plan, "plan", plan.id, "created")
    return plan


def _add_guardian(
    session: Session,
    plan: Plan,
    name: str,
    kind: str,
    protected: bool = False,
    language: str = "sv",
) -> PlanMember:
    guardian = Person(display_name=name, protected_identity=protected, preferred_language=language)
    session.add(guardian)
    session.flush()
    member = PlanMember(
        plan=plan,
        person_id=guardian.id,
        role=MemberRole.GUARDIAN,
        has_custody=kind in GUARDIAN_KINDS_WITH_CUSTODY,
        guardian_kind=kind,
    )
    session.add(member)
    return member


def add_member(
    session: Session,
    access: PlanAccess,
    kind: str,
    name: str = "",
    guardian_kind: str = "",
    professional: Person | None = None,
    protected: bool = False,
) -> PlanMember:
    """Someone joins the plan. A professional comes from the directory and gets a
    membership only: their agency's admin invites them, never the coordinator."""
    plan = access.plan
    if kind == "guardian":
        member = _add_guardian(session, plan, name, guardian_kind, protected)
    elif kind == "relative":
        relative = Person(display_name=name, protected_identity=protected)
        session.add(relative)
        session.flush()
        member = PlanMember(plan=plan, person_id=relative.id, role=MemberRole.RELATIVE)
        session.add(member)
    else:
        assert professional is not None and professional.agency_id is not None
        # A translator (marked by their agency's admin) translates and reads nothing else.
        if kind == "translator" and not may_join_as_translator(professional):
            raise ValueError("not marked as translator by their agency's admin")
        role = MemberRole.TRANSLATOR if kind == "translator" else MemberRole.PROFESSIONAL
        member = PlanMember(plan=plan, person_id=professional.id, role=role)
        session.add(member)
    session.flush()
    record(session, AuditAction.WRITE, access.person, plan, "plan_member", member.id, kind)
    return member


def others_actions(plan: Plan) -> list[Action]:
    """Actions by others than the region and the municipality (school run by
    others, Försäkringskassan…): DESIGN section 3 counts them as actions too."""
    return [
        a
        for a in plan.actions
        if a.responsible_agency is not None
        and not a.responsible_agency.may_hold_overall_responsibility
    ]


def edit_member(
    session: Session,
    access: PlanAccess,
    member: PlanMember,
    name: str,
    guardian_kind: str,
    protected: bool,
    language: str | None = None,
) -> None:
    """Put right a family member's name, kind of guardian (custody follows it),
    protected identity and preferred language (their pages follow it). Custody
    decides whose consent counts (rule 2), so a change of kind is audited apart."""
    person = member.person
    person.display_name = name
    person.protected_identity = protected
    if language:
        person.preferred_language = language
    detail = "details"
    if member.role == MemberRole.GUARDIAN and guardian_kind != member.guardian_kind:
        member.guardian_kind = guardian_kind
        member.has_custody = guardian_kind in GUARDIAN_KINDS_WITH_CUSTODY
        detail = "custody"
    record(session, AuditAction.WRITE, access.person, access.plan, "plan_member", member.id, detail)


def directory_professionals(session: Session, plan: Plan) -> list[Person]:
    """Staff in the agencies' directory who are not in the plan yet."""
    taken = {m.person_id for m in plan.members} | {plan.coordinator_id}
    people = session.scalars(
        select(Person).where(Person.agency_id.is_not(None)).order_by(Person.display_name)
    )
    return [p for p in people if p.id not in taken]


def overall_responsibility_agencies(session: Session) -> list[Agency]:
    """Agencies that may hold huvudansvar: region or municipality."""
    agencies = session.scalars(select(Agency).order_by(Agency.name))
    return [a for a in agencies if a.may_hold_overall_responsibility]


def all_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.name)))


def team_people(plan: Plan) -> list[Person]:
    """Who can be named as an action's contact: the coordinator and the plan's staff."""
    people = [plan.coordinator] if plan.coordinator else []
    people += [m.person for m in plan.members if m.role == MemberRole.PROFESSIONAL]
    return people


# --- telling the family what changed ---------------------------------------------------


def family_to_tell(plan: Plan, today: date) -> list[Person]:
    """Whom the family's notices go to (access.family_of: from the child's adult
    birthday the young person alone, decision 3)."""
    return [person for person, _role in family_of(plan, today)]


def _tell_family(session: Session, plan: Plan, part: Any | None, today: date) -> None:
    """Once a plan is published, a change is marked with its day and the family is
    told (one unread notice per person and plan, however many changes). A part
    hidden from the guardians is announced to the child only."""
    if plan.status != PlanStatus.ACTIVE:
        return
    if part is not None:
        part.changed_on = today
    people = family_to_tell(plan, today)
    if part is not None and (part.harm_flag or part.hidden_from_guardians_by_child):
        people = [plan.child]
    _tell_readers(session, plan, people)


# --- writing ---------------------------------------------------------------------------


def update_details(
    session: Session,
    access: PlanAccess,
    read_version: int,
    background: str,
    follow_up_date: date | None,
    responsible_agency: Agency,
    meeting_question: str | None = None,
    no_other_actions: bool | None = None,
) -> None:
    """Background, the question for the meeting, follow-up, huvudansvar and the
    explicit "no other actions"; None leaves a value as it is."""
    plan = access.plan
    _check_version(plan, read_version)
    plan.background = background
    if meeting_question is not None:
        plan.meeting_question = meeting_question
    if no_other_actions is not None:
        plan.no_other_actions = no_other_actions
    plan.follow_up_date = follow_up_date
    plan.responsible_agency_id = responsible_agency.id
    record(session, AuditAction.WRITE, access.person, plan, "plan", plan.id, "details")
    _tell_family(session, plan, None, access.today)


def save_goal(
    session: Session,
    access: PlanAccess,
    goal: Goal | None,
    read_version: int,
    text: str,
    words_of: str,
) -> Goal:
    plan = access.plan
    if goal is None:
        position = max((x.position for x in plan.goals), default=0) + 1
        # Through the relationship, so plan.goals is current within one transaction.
        goal = Goal(plan=plan, text=text, words_of=words_of, position=position)
        session.add(goal)
        session.flush()
    else:
        _check_version(goal, read_version)
        goal.text = text
        goal.words_of = words_of
    record(session, AuditAction.WRITE, access.person, plan, "goal", goal.id)
    _tell_family(session, plan, goal, access.today)
    return goal


ACTION_FIELDS = (
    "title",
    "description",
    "child_description",
    "family_part",
    "goal_id",
    "responsible_agency_id",
    "contact_person_id",
    "planned_start",
    "planned_end",
)


def save_action(
    session: Session,
    access: PlanAccess,
    action: Action | None,
    read_version: int,
    values: dict[str, Any],
) -> Action:
    """Add or change an action; the form has limited every id to this plan's choices."""
    plan = access.plan
    if action is None:
        # Through the relationship: publish_problems() reads plan.actions.
        action = Action(plan=plan, **{k: values[k] for k in ACTION_FIELDS})
        session.add(action)
        session.flush()
    else:
        _check_version(action, read_version)
        for key in ACTION_FIELDS:
            setattr(action, key, values[key])
    record(session, AuditAction.WRITE, access.person, plan, "action", action.id)
    _tell_family(session, plan, action, access.today)
    return action


def change_status(
    session: Session,
    access: PlanAccess,
    action: Action,
    read_version: int,
    status: str,
    on: date,
) -> None:
    """Started, paused or done, with the day it happened."""
    _check_version(action, read_version)
    action.status = status
    action.status_changed_on = on
    record(session, AuditAction.WRITE, access.person, access.plan, "action", action.id, status)
    _tell_family(session, access.plan, action, access.today)


# --- translations of what the family reads ------------------------------------------------


def save_translation(
    session: Session,
    access: PlanAccess,
    part: Any,
    field: str,
    locale: str,
    text: str,
    translator: str,
) -> str:
    """A family-facing text in another language (empty text removes it), marked with
    the hash of the Swedish it was made from: when the Swedish changes, the family
    reads the Swedish with a notice instead, never the old text (content.Translations)."""
    kind = OBJECT_TYPES[type(part).__name__]
    if field not in TRANSLATABLE[kind]:
        raise ValueError(f"{kind}.{field} is not translated")
    outcome = content_save_translation(session, part, field, locale, text, translator)
    if outcome != "unchanged":
        record(session, AuditAction.WRITE, access.person, access.plan, "translation", part.id,
               f"{kind}.{field}.{locale}:{outcome}")  # fmt: skip
    return outcome


# --- publishing (rule 1) ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something missing before publishing, and where it is put right."""

    endpoint: str
    args: dict[str, int]
    field: str
    message: Any


def publish_problems(plan: Plan, today: date) -> list[Problem]:
    """DESIGN rule 1, and a text for the child on every action a child from 6 sees."""
    problems: list[Problem] = []
    at = {"plan_id": plan.id}
    agency = plan.responsible_agency
    if agency is None or not agency.may_hold_overall_responsibility:
        problems.append(
            Problem(
                "workspace.edit_details",
                at,
                "responsible_agency_id",
                _l("Välj en verksamhet i regionen eller kommunen som har huvudansvar."),
            )
        )
    if plan.coordinator_id is None:
        problems.append(
            Problem("workspace.plan", at, "coordinator", _l("Planen behöver en samordnare."))
        )
    if plan.follow_up_date is None or plan.follow_up_date < today:
        problems.append(
            Problem(
                "workspace.edit_details",
                at,
                "follow_up_date",
                _l("Skriv ett datum för uppföljning, i dag eller senare."),
            )
        )
    if not plan.actions:
        problems.append(
            Problem("workspace.new_action", at, "title", _l("Lägg till minst en insats i planen."))
        )
    age = plan.child.age_on(today)
    asked = age is not None and age >= age_rules().asked_from
    for action in plan.actions:
        where = {"plan_id": plan.id, "action_id": action.id}
        if action.responsible_agency_id is None:
            problems.append(
                Problem(
                    "workspace.edit_action",
                    where,
                    "responsible_agency_id",
                    _l(
                        "Insatsen ”%(title)s” behöver en ansvarig verksamhet.",
                        title=isolate(action.title),
                    ),
                )
            )
        if asked and not action.child_description.strip():
            problems.append(
                Problem(
                    "workspace.edit_action",
                    where,
                    "child_description",
                    _l(
                        "Insatsen ”%(title)s” behöver en text till barnet.",
                        title=isolate(action.title),
                    ),
                )
            )
    return problems


def publish(session: Session, access: PlanAccess) -> None:
    """Make the plan active: the family sees it and is told. The caller has
    checked publish_problems() is empty."""
    plan = access.plan
    first = plan.status == PlanStatus.DRAFT
    plan.status = PlanStatus.ACTIVE
    if plan.published_at is None:
        plan.published_at = utcnow()
    record(session, AuditAction.WRITE, access.person, plan, "plan", plan.id, "published")
    if first:
        notify(session, family_to_tell(plan, access.today), plan, "plan_published")


# --- the harm flag (OSL 12:3) ------------------------------------------------------------


def set_harm_flag(session: Session, access: PlanAccess, part: Goal | Action, reason: str) -> None:
    """Hide a part from guardians and relatives until it is cleared; the reason
    stays with the team and is never written to the audit log (codes only)."""
    part.harm_flag = True
    part.harm_reason = reason
    part.harm_set_by_id = access.person.id
    part.harm_set_at = utcnow()
    kind = "goal" if isinstance(part, Goal) else "action"
    record(session, AuditAction.WRITE, access.person, access.plan, kind, part.id, "harm_flag_set")


def clear_harm_flag(session: Session, access: PlanAccess, part: Goal | Action) -> bool:
    """Clearing is its own audited act; clearing a part with no flag does nothing."""
    if not part.harm_flag:
        return False
    part.harm_flag = False
    part.harm_reason = None
    part.harm_set_by_id = None
    part.harm_set_at = None
    kind = "goal" if isinstance(part, Goal) else "action"
    record(
        session, AuditAction.WRITE, access.person, access.plan, kind, part.id, "harm_flag_cleared"
    )
    _tell_family(session, access.plan, part, access.today)
    return True


# --- meetings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingTimes:
    kind: str
    starts_at: datetime
    minutes: int
    place: str
    video_url: str


def _apply(meeting: Meeting, values: MeetingTimes) -> None:
    meeting.kind = values.kind
    meeting.starts_at = values.starts_at
    meeting.ends_at = values.starts_at + timedelta(minutes=values.minutes)
    meeting.place = values.place or None
    meeting.video_url = values.video_url or None


def schedule_meeting(session: Session, access: PlanAccess, values: MeetingTimes) -> Meeting:
    """A new meeting: in the family's calendar and feed from the next fetch."""
    meeting = Meeting(plan_id=access.plan.id, status=MeetingStatus.PLANNED)
    _apply(meeting, values)
    session.add(meeting)
    session.flush()
    record(
        session, AuditAction.WRITE, access.person, access.plan, "meeting", meeting.id, "scheduled"
    )
    tell_of_meeting(session, access.plan, meeting, "meeting_scheduled")
    return meeting


def move_meeting(
    session: Session, access: PlanAccess, meeting: Meeting, values: MeetingTimes
) -> None:
    """A new time or place: the meeting keeps its UID and SEQUENCE grows (models)."""
    _apply(meeting, values)
    record(session, AuditAction.WRITE, access.person, access.plan, "meeting", meeting.id, "moved")
    tell_of_meeting(session, access.plan, meeting, "meeting_moved")


def cancel_meeting(session: Session, access: PlanAccess, meeting: Meeting) -> None:
    """Cancelled, not deleted: calendars show STATUS:CANCELLED."""
    meeting.status = MeetingStatus.CANCELLED
    record(
        session, AuditAction.WRITE, access.person, access.plan, "meeting", meeting.id, "cancelled"
    )
    tell_of_meeting(session, access.plan, meeting, "meeting_cancelled")


# --- who comes, how the child takes part, the team's agenda (before the meeting) --------


@dataclass(frozen=True)
class Attending:
    """A team member coming to a meeting, in what role, and whether they can decide."""

    person: Person
    role: str
    can_decide: bool


def set_attendees(
    session: Session,
    access: PlanAccess,
    meeting: Meeting,
    coming: list[Attending],
    child_participation: str | None,
    child_represented_by: str | None,
) -> None:
    """Replace the team's attendance; an agency invited without a named person, and
    a family member invited by name, stay.

    The family sees who comes and who can decide, so nobody promises a decision
    that the people in the room cannot make."""
    team_ids = {p.id for p in team_people(access.plan)}
    by_person = {a.person_id: a for a in meeting.attendees if a.person_id in team_ids}
    chosen = {c.person.id for c in coming}
    for person_id, row in by_person.items():
        if person_id not in chosen:
            meeting.attendees.remove(row)
    for choice in coming:
        row = by_person.get(choice.person.id)
        if row is None:
            row = MeetingAttendee(person_id=choice.person.id)
            meeting.attendees.append(row)
        row.agency_id = choice.person.agency_id
        row.role = choice.role
        row.can_decide = choice.can_decide
    meeting.child_participation = child_participation or None
    meeting.child_represented_by = (
        child_represented_by if child_participation == "represented_by" else None
    )
    record(session, AuditAction.WRITE, access.person, access.plan, "meeting", meeting.id,
           "attendees")  # fmt: skip


def add_agenda_item(session: Session, access: PlanAccess, meeting: Meeting, text: str) -> None:
    """A point the team puts on the agenda, for everyone at the meeting."""
    last = max((i.position for i in meeting.agenda_items), default=0)
    item = AgendaItem(position=last + 1, text=text, source="team", audience="everyone")
    meeting.agenda_items.append(item)
    session.flush()
    record(session, AuditAction.WRITE, access.person, access.plan, "agenda_item", item.id)


def remove_agenda_item(session: Session, access: PlanAccess, item: AgendaItem) -> None:
    """Only the team's own points: a point from the child's views is the child's."""
    item.meeting.agenda_items.remove(item)
    record(session, AuditAction.WRITE, access.person, access.plan, "agenda_item", item.id,
           "removed")  # fmt: skip


# --- after the meeting -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What came of a meeting, as the form has checked it."""

    took_part: frozenset[int]  # ids of the attendees who took part
    child_participation: str
    child_represented_by: str
    summary: str
    child_views_used: str
    child_views_used_child: str


def record_outcome(
    session: Session, access: PlanAccess, meeting: Meeting, read_version: int, outcome: Outcome
) -> None:
    """Who took part, how the child took part and how the child's views were taken
    into account; the meeting is then held and the family is told (the notice says
    only that something is new, never what)."""
    if meeting.outcome_version != read_version:
        raise EditConflict(meeting)
    # The version moves in the same statement that checks it: of two saves made at
    # once, exactly one wins and the other gets the conflict page.
    moved = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.outcome_version == read_version)
        .values(outcome_version=read_version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise EditConflict(meeting)
    set_committed_value(meeting, "outcome_version", read_version + 1)
    for attendee in meeting.attendees:
        attendee.attended = attendee.id in outcome.took_part
    meeting.child_participation = outcome.child_participation
    meeting.child_represented_by = outcome.child_represented_by or None
    meeting.summary = outcome.summary
    meeting.child_views_used = outcome.child_views_used
    meeting.child_views_used_child = outcome.child_views_used_child
    meeting.status = MeetingStatus.HELD
    record(session, AuditAction.WRITE, access.person, access.plan, "meeting", meeting.id, "outcome")
    _tell_family(session, access.plan, None, access.today)


DECISION_FIELDS = ("what", "child_what", "agency_id", "person_id", "by_date")


def decision_readers(plan: Plan, decision: Decision, today: date) -> list[Person]:
    """The family members who may read a decision: the child, and each guardian or
    relative unless the decision's agency or person is hidden from them (rule 6),
    and none of them from the child's adult birthday (decision 3)."""
    people = [plan.child]
    if child_is_adult(plan, today):
        return people
    for member in plan.members:
        if member.role not in (MemberRole.GUARDIAN, MemberRole.RELATIVE):
            continue
        reader = PlanAccess(member.person, plan, Role(member.role), member.has_custody)
        if reader.sees_decision(decision):
            people.append(member.person)
    return people


def _tell_readers(session: Session, plan: Plan, people: list[Person]) -> None:
    """plan_changed to these family members: one unread notice per person and plan,
    however many changes."""
    if plan.status != PlanStatus.ACTIVE:
        return
    waiting = set(
        session.scalars(
            select(Notification.person_id).where(
                Notification.plan_id == plan.id,
                Notification.kind == "plan_changed",
                Notification.read_at.is_(None),
            )
        )
    )
    notify(session, [p for p in people if p.id not in waiting], plan, "plan_changed")


def save_decision(
    session: Session,
    access: PlanAccess,
    meeting: Meeting,
    decision: Decision | None,
    read_version: int,
    values: dict[str, Any],
) -> Decision:
    """Add or change a decision; the form has limited agency and person to this
    plan's (and a professional to their own agency). Once the meeting is held the
    family sees decisions, so those who may read this one are told."""
    if decision is None:
        decision = Decision(**{k: values[k] for k in DECISION_FIELDS})
        meeting.decisions.append(decision)
        session.flush()
    else:
        _check_version(decision, read_version)
        for key in DECISION_FIELDS:
            setattr(decision, key, values[key])
        session.flush()
        session.expire(decision, ["agency", "person"])
    record(session, AuditAction.WRITE, access.person, access.plan, "decision", decision.id)
    if meeting.status == MeetingStatus.HELD:
        _tell_readers(session, access.plan, decision_readers(access.plan, decision, access.today))
    return decision


def remove_decision(
    session: Session, access: PlanAccess, decision: Decision, read_version: int
) -> None:
    """A decision taken back: gone from the family's page; those who saw it are told."""
    _check_version(decision, read_version)
    meeting = decision.meeting
    readers = decision_readers(access.plan, decision, access.today)
    decision_id = decision.id
    meeting.decisions.remove(decision)
    session.flush()
    record(
        session, AuditAction.WRITE, access.person, access.plan, "decision", decision_id, "removed"
    )
    if meeting.status == MeetingStatus.HELD:
        _tell_readers(session, access.plan, readers)
