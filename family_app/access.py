"""The ONE place that decides who may see or do what.

Every view is wrapped in :func:`guard` with a named policy; create_app() refuses
to start if a route has none. Views and templates then ask the PlanAccess they
were given (``current_access()``) what may be shown, and never decide themselves.

Something that exists but is not yours answers 404, never 403: we do not confirm
that a child's plan exists to someone who should not see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property, wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, has_app_context, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from .auth.session import current_person
from .models import (
    STAFF_MEMBER_ROLES,
    Agency,
    AgendaItem,
    Audience,
    Consent,
    ConsentEvent,
    ConsentEventKind,
    Credential,
    Decision,
    ExceptionKind,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    StatementAnswer,
    StatementStatus,
    utcnow,
)
from .rules import (
    AgeRules,
    ChildSay,
    ConsentState,
    PartyState,
    child_chooses_what_guardians_see,
    child_say,
    effective_consent,
    is_adult,
)

# Exceptions that stand in for a person's consent; maturity overrides change whose
# consent is required instead.
STANDS_IN = frozenset({ExceptionKind.EXCEPTION, ExceptionKind.FB_6_13A})
MATURITY = frozenset({ExceptionKind.JUDGED_MATURE, ExceptionKind.CONSENT_WAIVED})
# The child's own say on a consent is the child's: shown to the team, never to guardians.
CHILDS_OWN_SAY = frozenset(
    {ConsentEventKind.CHILD_VIEW, ConsentEventKind.CHILD_ASSENT, ConsentEventKind.CHILD_DISSENT}
)


class Role(StrEnum):
    CHILD = "child"
    GUARDIAN = "guardian"
    RELATIVE = "relative"
    COORDINATOR = "coordinator"
    PROFESSIONAL = "professional"
    # Staff whom their agency's admin marked as translator and the coordinator added:
    # the plan's translation view and nothing else (PlanAccess.may_translate).
    TRANSLATOR = "translator"


FAMILY_ROLES = frozenset({Role.CHILD, Role.GUARDIAN, Role.RELATIVE})
TEAM_ROLES = frozenset({Role.COORDINATOR, Role.PROFESSIONAL})


def stockholm_today() -> date:
    """Today's date where the families live (dates in plans are Swedish dates)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


def stockholm_date(moment: datetime) -> date:
    """The Swedish date of a moment: a birthday begins at midnight in Stockholm."""
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo("Europe/Stockholm")).date()


def age_rules() -> AgeRules:
    """The deployment's age rules; outside an app (a script, a unit test) the
    defaults of DESIGN.md rule 3."""
    from flask import has_app_context

    if not has_app_context():
        return AgeRules()
    return AgeRules.from_config(current_app.config)


def party_states(consent: Consent | None, now: datetime) -> list[PartyState]:
    """Each party's stand as the pure rule sees it: their own consent, or a recorded
    exception in force for them (a record of its own, so a guardian's revoke does
    not erase it). A maturity override stands in for no one's consent."""
    if consent is None:
        return []
    states = {p.person_id: p.state() for p in consent.parties}
    for exception in consent.exceptions:
        if exception.kind in STANDS_IN and exception.in_force(now):
            states[exception.person_id] = PartyState(exception.person_id, exception=True)
    return list(states.values())


def maturity_override(consent: Consent | None, plan: Plan, now: datetime) -> str | None:
    """The child's maturity override in force for this consent (its kind), if any."""
    if consent is None:
        return None
    for exception in reversed(consent.exceptions):
        if (
            exception.person_id == plan.child_id
            and exception.kind in MATURITY
            and exception.in_force(now)
        ):
            return exception.kind
    return None


def never_hidden_agency_ids(plan: Plan) -> set[int | None]:
    """The agency with overall responsibility and the coordinator's: never hidden."""
    always = {plan.responsible_agency_id}
    if plan.coordinator is not None:
        always.add(plan.coordinator.agency_id)
    return always


def harm_hidden_agency_ids(plan: Plan) -> frozenset[int]:
    """Agencies whose every action in the plan carries a harm flag (OSL 12:3): their
    very involvement is hidden from the guardians."""
    by_agency: dict[int, list[bool]] = {}
    for action in plan.actions:
        if action.responsible_agency_id is not None:
            by_agency.setdefault(action.responsible_agency_id, []).append(action.harm_flag)
    always = never_hidden_agency_ids(plan)
    return frozenset(
        agency_id
        for agency_id, flags in by_agency.items()
        if all(flags) and agency_id not in always
    )


def _state_of(plan: Plan, consent: Consent | None, now: datetime) -> ConsentState:
    custodial = [
        m.person_id for m in plan.members if m.role == MemberRole.GUARDIAN and m.has_custody
    ]
    parties = party_states(consent, now)
    if consent is not None and consent.agency_id in harm_hidden_agency_ids(plan):
        # Decision 10: guardians cannot see, and so cannot revoke, consent to an agency
        # hidden from them by a harm flag; its access rests on a recorded exception
        # for each of them, never on a consent they gave before the flag was set.
        parties = [p for p in parties if p.exception or p.person_id not in custodial]
    # A recorded maturity override counts only while it is in force: an ended
    # one changes nothing (rule 3).
    override = maturity_override(consent, plan, now)
    return effective_consent(
        custodial,
        plan.child_id,
        plan.child.age_on(stockholm_date(now)),
        parties,
        now,
        age_rules(),
        child_consent_waived=override == ExceptionKind.CONSENT_WAIVED,
        child_judged_mature=override == ExceptionKind.JUDGED_MATURE,
    )


def consent_state(session: Session, plan: Plan, agency_id: int, now: datetime) -> ConsentState:
    """Effective consent for one agency in one plan, read fresh from the database.

    Never cached across requests: a revocation must bind the very next request in
    every worker. Within one GET the plan's consents are read once (plan_consents).
    """
    return _state_of(plan, plan_consents(session, plan).get(agency_id), now)


def _consents_read_in_this_request() -> dict[int, dict[int, Consent]] | None:
    """Where a GET keeps the consents it read, per plan; None where nothing may be
    kept (outside a request, or a request that may change consent itself)."""
    from flask import g, has_request_context, request

    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return None
    return g.setdefault("plan_consents", {})


def plan_consents(session: Session, plan: Plan) -> dict[int, Consent]:
    """Every consent of a plan with its parties and exceptions, in one statement
    however many agencies take part. Read fresh from the database once per request
    (a GET changes no consent), never kept across requests."""
    from sqlalchemy.orm import joinedload

    kept = _consents_read_in_this_request()
    if kept is not None and plan.id in kept:
        return kept[plan.id]
    consents = {
        c.agency_id: c
        for c in session.scalars(
            select(Consent)
            .where(Consent.plan_id == plan.id)
            .options(joinedload(Consent.parties), joinedload(Consent.exceptions))
            .execution_options(populate_existing=True)
        ).unique()
    }
    if kept is not None:
        kept[plan.id] = consents
    return consents


def consent_states(
    session: Session, plan: Plan, agency_ids: Iterable[int], now: datetime
) -> dict[int, ConsentState]:
    """Effective consent for several agencies of one plan at once (rule 2)."""
    consents = plan_consents(session, plan)
    return {a: _state_of(plan, consents.get(a), now) for a in agency_ids}


@dataclass
class PlanAccess:
    """What one person may do with one plan, decided once per request."""

    person: Person
    plan: Plan
    role: Role
    has_custody: bool = False
    today: date = field(default_factory=stockholm_today)

    # --- reading parts of the plan -------------------------------------------------
    @property
    def is_family(self) -> bool:
        return self.role in FAMILY_ROLES

    @property
    def may_keep_offline(self) -> bool:
        """Whether the service worker may keep this reader's plan pages on their
        phone once they chose "Behåll min plan på den här telefonen" (issue 14,
        DESIGN §10: only by choice, wiped at sign-out): a family member's own
        copy; never the team's, whose phones are not where a child's plan lives."""
        return self.is_family

    @property
    def is_child(self) -> bool:
        return self.role is Role.CHILD

    @property
    def is_team(self) -> bool:
        return self.role in TEAM_ROLES

    @property
    def is_guardian_side(self) -> bool:
        """Guardians and relatives: the readers rules 5 and 6 hide things from."""
        return self.role in (Role.GUARDIAN, Role.RELATIVE)

    def sees_part(self, part: Any) -> bool:
        """A goal or action: hidden from guardians by a harm flag (OSL 12:3), or,
        from the configured age, by the child's own choice (rule 6)."""
        if not self.is_guardian_side:
            return True
        if getattr(part, "harm_flag", False):
            return False
        child_age = self.plan.child.age_on(self.today)
        return not (
            getattr(part, "hidden_from_guardians_by_child", False)
            and child_chooses_what_guardians_see(child_age, age_rules())
        )

    def visible_parts(self, parts: Iterable[Any]) -> list[Any]:
        return [p for p in parts if self.sees_part(p)]

    # --- agencies: hidden with the parts that made them known (rule 6, decision 10) --
    @cached_property
    def hidden_agency_ids(self) -> frozenset[int]:
        """Agencies whose every action in the plan is hidden from this reader.

        Their name, staff, consent, attendance and decisions are then hidden too,
        so a guardian cannot learn of an agency through any other list. The agency
        with overall responsibility and the coordinator's agency are never hidden.
        """
        if not self.is_guardian_side:
            return frozenset()
        by_agency: dict[int, list[bool]] = {}
        for action in self.plan.actions:
            if action.responsible_agency_id is not None:
                by_agency.setdefault(action.responsible_agency_id, []).append(
                    self.sees_part(action)
                )
        always = never_hidden_agency_ids(self.plan)
        return frozenset(
            agency_id
            for agency_id, seen in by_agency.items()
            if not any(seen) and agency_id not in always
        )

    def sees_agency(self, agency_id: int | None) -> bool:
        return agency_id is None or agency_id not in self.hidden_agency_ids

    def sees_person(self, person: Person | None) -> bool:
        """Staff of a hidden agency are hidden with it."""
        return person is None or self.sees_agency(person.agency_id)

    @cached_property
    def visible_agencies(self) -> list[Agency]:
        """Every agency of the plan this reader may know of, by name: overall
        responsibility, the actions they may see, the professionals taking part."""
        plan = self.plan
        found: dict[int, Agency] = {}
        if plan.responsible_agency:
            found[plan.responsible_agency.id] = plan.responsible_agency
        for action in self.visible_parts(plan.actions):
            if action.responsible_agency:
                found.setdefault(action.responsible_agency.id, action.responsible_agency)
        for member in plan.members:
            # A translator's agency reads the plan's texts too: the family sees it
            # among the agencies, so they can give (and revoke) its consent.
            if (
                member.role in (MemberRole.PROFESSIONAL, MemberRole.TRANSLATOR)
                and member.person.agency
            ):
                found.setdefault(member.person.agency.id, member.person.agency)
        # The coordinator's agency needs consent too (decision 2), so the family
        # must always be able to see it and give it.
        if plan.coordinator is not None and plan.coordinator.agency is not None:
            found.setdefault(plan.coordinator.agency.id, plan.coordinator.agency)
        return sorted((a for a in found.values() if self.sees_agency(a.id)), key=lambda a: a.name)

    def agency_in_plan(self, agency_id: int) -> Agency | None:
        return next((a for a in self.visible_agencies if a.id == agency_id), None)

    def sees_attendee(self, attendee: MeetingAttendee) -> bool:
        return self.sees_agency(attendee.agency_id) and self.sees_person(attendee.person)

    def sees_decision(self, decision: Decision) -> bool:
        return self.sees_agency(decision.agency_id) and self.sees_person(decision.person)

    def knows_of_meeting(self, meeting: Meeting) -> bool:
        """Whether this reader may know a meeting exists at all, on every path (plan
        page, meeting page, .ics, feed, views). Not a guardian or relative when
        everyone invited to it comes from agencies hidden from them (rule 6,
        decision 10): its time and place would name a hidden agency's involvement."""
        if not self.is_guardian_side or not meeting.attendees:
            return True
        return any(self.sees_attendee(a) for a in meeting.attendees)

    def visible_meetings(self, meetings: Iterable[Meeting]) -> list[Meeting]:
        return [m for m in meetings if self.knows_of_meeting(m)]

    def sees_meeting(self, meeting: Meeting) -> bool:
        """Whether to tell this reader about a meeting ahead of it (a reminder): never
        a cancelled one, nor one they may not know of."""
        return meeting.status != MeetingStatus.CANCELLED and self.knows_of_meeting(meeting)

    def visible_attendees(self, meeting: Meeting) -> list[MeetingAttendee]:
        return [a for a in meeting.attendees if self.sees_attendee(a)]

    def visible_decisions(self, meeting: Meeting) -> list[Decision]:
        return [d for d in meeting.decisions if self.sees_decision(d)]

    def sees_meeting_outcome(self, meeting: Meeting) -> bool:
        """What came of a meeting (summary, how the child's views were used, the
        decisions, who took part) is shown on the plan pages, in the next steps and
        in My data only once the meeting is held: the team may write decisions from
        the moment it starts, and a draft is not yet what was decided. The team
        writes and reads the draft in the workspace (its own pages)."""
        return meeting.status == MeetingStatus.HELD

    def shown_decisions(self, meeting: Meeting) -> list[Decision]:
        """A meeting's decisions as the plan pages and My data show them."""
        return self.visible_decisions(meeting) if self.sees_meeting_outcome(meeting) else []

    def took_part(self, meeting: Meeting) -> list[MeetingAttendee] | None:
        """Who took part, once the outcome is shown and the team has written who
        came (only those who came); None while the page says who is invited."""
        if not self.sees_meeting_outcome(meeting):
            return None
        attendees = self.visible_attendees(meeting)
        if all(a.attended is None for a in attendees):
            return None
        return [a for a in attendees if a.attended]

    def sees_mood(self, statement: Any) -> bool:
        """How someone felt before a meeting: the writer, and the team preparing it."""
        return statement.author_id == self.person.id or self.may_prepare_meeting

    def sees_wish_answers(self, meeting: Meeting, author_id: int | None) -> bool:
        """The team's answers to a person's wishes: to that person, once published
        ("Vad hände med mina önskemål?")."""
        return author_id == self.person.id and meeting.feedback_published_at is not None

    def sees_consent_event(self, event: ConsentEvent) -> bool:
        """The consent history: nothing about a hidden agency, and the child's own
        say on consent is the child's (shown to the team, never to guardians)."""
        if not self.sees_agency(event.consent.agency_id):
            return False
        return not (event.kind in CHILDS_OWN_SAY and self.is_guardian_side)

    @property
    def sees_child_consent_view(self) -> bool:
        """What the child said about an agency's consent: the child and the team."""
        return self.role in (Role.CHILD, Role.COORDINATOR, Role.PROFESSIONAL)

    # --- the child's and the family's words (rule 5, decision 12) ----------------------
    def sees_agenda_item(self, item: AgendaItem) -> bool:
        """An item taken from a view is read through that view, with the audience
        its writer chose *now*; the team's own items with their own audience."""
        answer = item.answer
        if answer is None:
            return bool(item.text.strip()) and self.sees_answer(None, item.audience)
        statement = answer.statement
        return (
            statement.status == StatementStatus.SUBMITTED
            and bool(answer.text.strip())
            and self.sees_answer(statement.author_id, answer.audience)
        )

    def visible_agenda(self, meeting: Meeting) -> list[AgendaItem]:
        return [i for i in meeting.agenda_items if self.sees_agenda_item(i)]

    def sees_answer(self, author_id: int | None, audience: str) -> bool:
        """Rule 5: the writer decides who reads each answer (and what comes of it)."""
        if author_id is not None and author_id == self.person.id:
            return True
        if self.session_is_pending or self.role is Role.TRANSLATOR:
            # A translator translates the team's texts, never the family's own words.
            return False
        if audience == Audience.COORDINATOR:
            return self.role is Role.COORDINATOR
        if audience == Audience.NOT_GUARDIANS:
            return not self.is_guardian_side
        return True

    def sees_protected_details(self, subject: Person | None = None) -> bool:
        """Rule 7: contact details and meeting places of a family with protected
        identity go only to those who need them.

        - A protected person's own details: that person and the coordinator (and,
          for a protected child, the guardians with custody who live with it).
        - Meeting places: when a guardian is protected, the other guardian must not
          learn where that guardian will be, so only the child, the coordinator and
          the protected guardian(s) see it; when only the child is protected, the
          guardians with custody see it too.
        """
        if self.role is Role.COORDINATOR:
            return True
        if subject is not None:
            if not subject.protected_identity:
                return True
            if subject.id == self.person.id:
                return True
            return subject.id == self.plan.child_id and (
                self.role is Role.GUARDIAN and self.has_custody
            )
        protected_guardians = [
            m.person
            for m in self.plan.members
            if m.role == MemberRole.GUARDIAN and m.person.protected_identity
        ]
        if protected_guardians:
            return self.role is Role.CHILD or any(
                p.id == self.person.id for p in protected_guardians
            )
        if self.plan.child.protected_identity:
            return self.role is Role.CHILD or (self.role is Role.GUARDIAN and self.has_custody)
        return True

    # --- a session made with a pending passkey (issue 10) -------------------------------
    @cached_property
    def session_is_pending(self) -> bool:
        """This request's session was made with a passkey added by re-invitation that
        is still pending: it may not change consent or read others' answers until the
        waiting time has passed or one of the person's other devices confirms it."""
        return session_is_pending(self.person)

    # --- doing things ------------------------------------------------------------------
    @property
    def sees_delivery_failures(self) -> bool:
        """How many notices of the plan could not be sent (a count, never to whom):
        the coordinator, who can reach the family another way (issue 13)."""
        return self.role is Role.COORDINATOR

    @property
    def may_coordinate(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def child_say(self) -> ChildSay:
        return child_say(self.plan.child.age_on(self.today), age_rules())

    def child_may_consent_to(self, consent: Consent | None, now: datetime) -> bool:
        """Rule 3: the child's own consent is recorded from the consent age, when the
        child is judged mature for this agency's consent, or from the adult age."""
        if self.child_say is ChildSay.CONSENT or self.child_is_adult:
            return True
        return maturity_override(consent, self.plan, now) == ExceptionKind.JUDGED_MATURE

    @property
    def child_may_assent(self) -> bool:
        """Rule 3: the child's assent is recorded from the assent age."""
        return self.child_say not in (ChildSay.NONE, ChildSay.ASKED)

    # --- the 18th birthday (decision 3) --------------------------------------------------
    @property
    def child_is_adult(self) -> bool:
        """From the adult age the young person alone decides; guardians are out."""
        return child_is_adult(self.plan, self.today)

    @property
    def adult_on(self) -> date | None:
        """The day the child turns adult (guardians' access ends that morning)."""
        return adult_on(self.plan.child, age_rules())

    @property
    def sees_adult_notice(self) -> bool:
        """The team is told in advance (90 days) and once it has happened."""
        day = self.adult_on
        return self.is_team and day is not None and day - self.today <= ADULT_NOTICE

    @property
    def may_give_consent(self) -> bool:
        """Guardians with custody decide; so does the child from the consent age."""
        if self.session_is_pending:
            return False
        if self.role is Role.GUARDIAN:
            return self.has_custody and not self.child_is_adult
        return self.role is Role.CHILD and (
            self.child_say is ChildSay.CONSENT or self.child_is_adult
        )

    @property
    def may_tell_consent_view(self) -> bool:
        """The child's own say on consent, recorded and shown to the team (rule 3)."""
        return self.role is Role.CHILD and self.child_say is not ChildSay.NONE

    @property
    def may_write_views(self) -> bool:
        """The child (once old enough to be asked) and each guardian write their own
        views before a meeting (rule 8)."""
        if self.role is Role.CHILD:
            return self.child_say is not ChildSay.NONE
        return self.role is Role.GUARDIAN

    def is_asked_for_views(self, meeting: Meeting, now: datetime | None = None) -> bool:
        """Whether the home page and the menu ask this reader to write their views
        before this meeting: someone who writes views (rule 8), while the views are
        open, about a meeting they are told of at all (rule 6: not one where everyone
        invited comes from agencies hidden from them, as for the reminder)."""
        return self.may_write_views and views_open(meeting, now) and self.sees_meeting(meeting)

    @property
    def may_prepare_meeting(self) -> bool:
        """The team reads the views in full before the meeting."""
        return self.is_team

    def may_request_interpreter(self, meeting: Meeting) -> bool:
        """A family member asks for an interpreter for themself, before a planned
        meeting starts (issue 12); the team sees every request of the plan."""
        return (
            self.is_family
            and meeting.status == MeetingStatus.PLANNED
            and meeting.starts_at > utcnow()
        )

    @property
    def sees_everyones_interpreter_requests(self) -> bool:
        """The team plans the interpreters, so it sees who asked for which language."""
        return self.is_team

    def visible_interpreter_requests(self, meeting: Meeting) -> list[Any]:
        """The team sees every request; a family member only their own (a request
        says something about the person, so it is theirs)."""
        if self.sees_everyones_interpreter_requests:
            return list(meeting.interpreter_requests)
        return [r for r in meeting.interpreter_requests if r.person_id == self.person.id]

    @property
    def may_answer_wishes(self) -> bool:
        return self.role is Role.COORDINATOR

    def may_add_to_agenda(self, answer: StatementAnswer) -> bool:
        """The coordinator puts a sent answer they can read on the agenda; one meant
        only for the coordinator stays with the coordinator."""
        statement = answer.statement
        return (
            self.role is Role.COORDINATOR
            and statement.status == StatementStatus.SUBMITTED
            and bool(answer.text.strip())
            and answer.audience != Audience.COORDINATOR
            and self.sees_answer(statement.author_id, answer.audience)
        )

    @property
    def may_invite_family(self) -> bool:
        """The coordinator invites the family; never a colleague (decision 5)."""
        return self.role is Role.COORDINATOR

    @property
    def sees_who_looked(self) -> bool:
        """Rule 9: the child sees who looked at their plan; guardians too."""
        return self.role in (Role.CHILD, Role.GUARDIAN, Role.COORDINATOR)

    # --- the workspace (issue 11) ----------------------------------------------------
    @property
    def may_edit_plan(self) -> bool:
        """Background, follow-up, members and goals: the coordinator holds the plan."""
        return self.role is Role.COORDINATOR

    @property
    def may_translate(self) -> bool:
        """The family-facing texts in the family's languages: the coordinator, who
        holds the plan and books the interpreter, and a translator the coordinator
        added (whose access is this and nothing else, see _load_plan_access)."""
        return self.role in (Role.COORDINATOR, Role.TRANSLATOR)

    @property
    def is_translator(self) -> bool:
        """A translator only: no link to the rest of the plan is shown to them."""
        return self.role is Role.TRANSLATOR

    @property
    def may_add_action(self) -> bool:
        """Every team member adds actions (a professional for their own agency)."""
        return self.is_team

    def may_edit_action(self, action: Any) -> bool:
        return may_edit_action(self, action)

    @property
    def may_publish(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def may_set_harm_flag(self) -> bool:
        """Any professional in the team may judge that guardians must not see a part."""
        return self.is_team

    @property
    def may_record_consent(self) -> bool:
        """Consent given on paper or orally, and exceptions: the coordinator records."""
        return self.role is Role.COORDINATOR

    @property
    def may_schedule_meetings(self) -> bool:
        return self.role is Role.COORDINATOR

    def may_remove_agenda_item(self, item: AgendaItem) -> bool:
        """The coordinator removes the team's own points; a point taken from the
        child's views stays the child's (its audience is the child's to narrow)."""
        return self.may_schedule_meetings and item.answer_id is None

    # --- after the meeting (issue 11) ------------------------------------------------
    def may_follow_up_meeting(self, meeting: Meeting) -> bool:
        """The team reads what came of a meeting of this plan once it has started."""
        return self.is_team and meeting_started(meeting)

    def may_record_outcome(self, meeting: Meeting) -> bool:
        """Who took part, how the child took part and how the child's views were
        taken into account: the coordinator, once the meeting has started."""
        return self.role is Role.COORDINATOR and meeting_started(meeting)

    def may_add_decision(self, meeting: Meeting) -> bool:
        """Decisions of a started meeting: the coordinator for every agency, a
        professional for their own agency (see decision_agency_ids)."""
        return self.is_team and meeting_started(meeting) and bool(self.decision_agency_ids())

    def may_edit_decision(self, decision: Decision) -> bool:
        """The coordinator edits every decision; a professional their agency's only."""
        if not meeting_started(decision.meeting):
            return False
        if self.role is Role.COORDINATOR:
            return True
        return (
            self.role is Role.PROFESSIONAL
            and decision.agency_id is not None
            and decision.agency_id == self.person.agency_id
        )

    def decision_agency_ids(self) -> list[int]:
        """Agencies of this plan that this team member may make responsible for a
        decision: all of them for the coordinator, their own for a professional."""
        ids = [a.id for a in self.visible_agencies]
        if self.role is Role.COORDINATOR:
            return ids
        if self.role is Role.PROFESSIONAL:
            return [i for i in ids if i == self.person.agency_id]
        return []

    def may_publish_feedback(self, meeting: Meeting) -> bool:
        """Answers to the wishes reach the family only after the meeting has started:
        what the team answers is decided at the meeting, not days before it."""
        return self.may_answer_wishes and meeting_started(meeting)

    def consent_agencies(self) -> list[Agency]:
        """Agencies a consent can be recorded for: every agency of the plan this
        reader knows of (the coordinator's own among them, see visible_agencies)."""
        return self.visible_agencies

    def consenting_parties(self) -> list[Person]:
        """Whose consent counts: every guardian with custody, and the child; from
        the adult age the young person alone."""
        if self.child_is_adult:
            return [self.plan.child]
        guardians = [
            m.person for m in self.plan.members if m.role == MemberRole.GUARDIAN and m.has_custody
        ]
        return [*guardians, self.plan.child]

    # --- what a guardian may not see, labelled for other systems (issue 15) -------------
    @cached_property
    def guardian_view(self) -> PlanAccess:
        """The plan as a guardian with custody reads it (no author of anything, so
        no answer is theirs): the same rules every guardian page is built from."""
        return PlanAccess(
            Person(display_name=""), self.plan, Role.GUARDIAN, has_custody=True, today=self.today
        )

    def hidden_from_guardians(self, obj: Any) -> bool:
        """Whether our rules keep ``obj`` from the child's guardians: a goal or action
        under a harm flag or hidden by the child (rule 6), an agency hidden by harm
        flags with its staff, consent, attendance and meetings (decision 10), an
        answer "not for my guardians" (rule 5). Asked through guardian_view, so it
        is the one rule the guardians' own pages follow; an agency system labels
        what this answers True for, since its journal may show guardians the chart."""
        view = self.guardian_view
        if isinstance(obj, Agency):
            return not view.sees_agency(obj.id)
        if isinstance(obj, Person):
            return not view.sees_person(obj)
        if isinstance(obj, Meeting):
            return not view.knows_of_meeting(obj)
        if isinstance(obj, MeetingAttendee):
            return not view.sees_attendee(obj)
        if isinstance(obj, Consent):
            return not view.sees_agency(obj.agency_id)
        if isinstance(obj, StatementAnswer):
            return not view.sees_answer(obj.statement.author_id, obj.audience)
        return not view.sees_part(obj)  # a goal or an action

    @property
    def sees_harm_flag_reason(self) -> bool:
        return self.is_team

    @property
    def sees_changed_on(self) -> bool:
        """The family is told what changed since the plan was published."""
        return self.is_family


def meeting_started(meeting: Meeting, now: datetime | None = None) -> bool:
    """A meeting that has begun and was not cancelled: its outcome can be written."""
    return meeting.status != MeetingStatus.CANCELLED and meeting.starts_at <= (now or utcnow())


def views_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """Views can be written and changed until the meeting starts (rule 8)."""
    return meeting.status == MeetingStatus.PLANNED and (now or utcnow()) < meeting.starts_at


ADULT_NOTICE = timedelta(days=90)


def adult_on(child: Person, rules: AgeRules) -> date | None:
    """The child's adult birthday (a 29 February birthday falls on 1 March)."""
    born = child.birth_date
    if born is None:
        return None
    year = born.year + rules.adult_from
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def child_is_adult(plan: Plan, today: date) -> bool:
    """Whether the plan's child has reached the adult age on this Stockholm date."""
    return is_adult(plan.child.age_on(today), age_rules())


def adult_born_by(today: date, rules: AgeRules) -> date:
    """The latest birth date of someone who is an adult on ``today``."""
    try:
        return today.replace(year=today.year - rules.adult_from)
    except ValueError:  # today is 29 February: born on the 28th they are adult
        return date(today.year - rules.adult_from, 2, 28)


def may_join_as_translator(person: Person | None) -> bool:
    """Only staff whom their agency's admin marked as translator join a plan as
    translator (issue 12): the coordinator cannot make someone one."""
    return person is not None and person.agency_id is not None and person.is_translator


def family_facing_agenda(meeting: Meeting) -> list[AgendaItem]:
    """The team's agenda points a family member may read, and so what is translated
    for them: never one meant for the coordinator alone (rule 5), never the child's
    or a guardian's own words (they stay the writer's, decision 12)."""
    return [
        item
        for item in meeting.agenda_items
        if item.answer_id is None and item.audience != Audience.COORDINATOR
    ]


def may_be_told_of(
    session: Session,
    person: Person,
    plan: Plan | None,
    agency_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Whether a notice about a plan (and an agency in it) may reach this person
    now, by any channel: they may still open the plan (not a guardian after the
    child's 18th birthday, decision 3) and the agency is not hidden from them
    (decision 10). Asked when a notice is written and again just before an
    e-mail leaves, and before a waiting "Klart" naming an agency is shown
    (family_app/flashes.py), since either may have changed in between."""
    if plan is None:
        return True
    access = plan_access(session, person, plan, now)
    if access is None:
        return False
    return agency_id is None or access.sees_agency(agency_id)


def ended_family_plan_ids(
    person: Person | int | Any, today: date | None = None, born_by: Any = None
) -> Any:
    """The plans whose guardian or relative ``person`` is, and whose child has come
    of age: the notifications about them are no longer this person's to read.
    ``person`` and ``born_by`` may be bound parameters, so a statement built once
    per process (the signed-in person's, auth/session.py) can carry it."""
    if born_by is None:
        born_by = adult_born_by(today or stockholm_today(), age_rules())
    person_id = person.id if isinstance(person, Person) else person
    child = aliased(Person)
    return (
        select(Plan.id)
        .join(PlanMember, PlanMember.plan_id == Plan.id)
        .join(child, child.id == Plan.child_id)
        .where(
            PlanMember.person_id == person_id,
            PlanMember.role.in_([MemberRole.GUARDIAN, MemberRole.RELATIVE]),
            child.birth_date <= born_by,
        )
    )


def session_is_pending(person: Person) -> bool:
    """Whether this request's session of ``person`` rests on a pending passkey."""
    from flask import has_request_context

    from .auth.session import session_credential

    if not has_request_context():
        return False
    credential = session_credential()
    return (
        credential is not None
        and credential.person_id == person.id
        and credential.is_pending(utcnow())
    )


def plan_access(
    session: Session, person: Person, plan: Plan, now: datetime | None = None
) -> PlanAccess | None:
    """Decide a person's role in a plan, or None when they may not see it at all."""
    now = now or utcnow()
    if plan.child_id == person.id:
        if plan.status == PlanStatus.DRAFT:
            return None  # the family sees the plan once the team has made it active
        return PlanAccess(person, plan, Role.CHILD)
    if plan.coordinator_id == person.id:
        # The coordinator is a professional too (rule 2): once the plan is active,
        # their agency needs the family's consent like any other. While the plan is
        # a draft, the coordinator prepares it and the family does not see it yet.
        if plan.status != PlanStatus.DRAFT and (
            person.agency_id is None
            or not consent_state(session, plan, person.agency_id, now).effective
        ):
            return None
        return PlanAccess(person, plan, Role.COORDINATOR)
    member = next((m for m in plan.members if m.person_id == person.id), None)
    if member is None:
        return None
    if member.role in (MemberRole.GUARDIAN, MemberRole.RELATIVE):
        if plan.status == PlanStatus.DRAFT:
            return None
        if child_is_adult(plan, stockholm_date(now)):
            # Decision 3: from the 18th birthday the guardians' and relatives'
            # access ends by itself, on every path (pages, fragments, feed, exports).
            return None
        if member.role == MemberRole.RELATIVE:
            return PlanAccess(person, plan, Role.RELATIVE)
        return PlanAccess(person, plan, Role.GUARDIAN, has_custody=member.has_custody)
    if member.role == MemberRole.PROFESSIONAL:
        if person.agency_id is None:
            return None
        if not consent_state(session, plan, person.agency_id, now).effective:
            return None
        return PlanAccess(person, plan, Role.PROFESSIONAL)
    if member.role == MemberRole.TRANSLATOR:
        return translator_access(session, person, plan, now)
    return None


def translator_access(
    session: Session, person: Person, plan: Plan, now: datetime
) -> PlanAccess | None:
    """A translator reads the plan's family-facing texts, so rule 2 holds for them
    as for any staff reader: only while their own agency has effective consent, in
    a draft as well (they are no coordinator preparing it). Their agency is shown
    to the family among the plan's agencies (visible_agencies), so the family can
    give and revoke that consent. The admin's translator mark is read on every
    request: once removed, the access ends with the next one."""
    if person.agency_id is None or not person.is_translator:
        return None
    if not consent_state(session, plan, person.agency_id, now).effective:
        return None
    return PlanAccess(person, plan, Role.TRANSLATOR)


def plans_for(session: Session, person: Person) -> list[PlanAccess]:
    """Every plan this person may open right now, children's names in order."""
    member_plan_ids = select(PlanMember.plan_id).where(PlanMember.person_id == person.id)
    plans = session.scalars(
        select(Plan).where(
            (Plan.child_id == person.id)
            | (Plan.coordinator_id == person.id)
            | Plan.id.in_(member_plan_ids)
        )
    ).all()
    found = [a for a in (plan_access(session, person, p) for p in plans) if a is not None]
    # A translator opens no plan page: their plans are listed in the workspace.
    found = [a for a in found if a.role is not Role.TRANSLATOR]
    return sorted(found, key=lambda a: a.plan.child.display_name)


def translation_plans(session: Session, person: Person) -> list[PlanAccess]:
    """Plans this person may translate as a translator now (for "My plans")."""
    if not is_staff(person) or not person.is_translator:
        return []
    member_plan_ids = select(PlanMember.plan_id).where(
        PlanMember.person_id == person.id, PlanMember.role == MemberRole.TRANSLATOR
    )
    plans = session.scalars(
        select(Plan).where(Plan.id.in_(member_plan_ids), Plan.status != PlanStatus.CLOSED)
    ).all()
    found = [a for a in (plan_access(session, person, p) for p in plans) if a is not None]
    return sorted(
        (a for a in found if a.role is Role.TRANSLATOR), key=lambda a: a.plan.child.display_name
    )


# --- route guards ------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


class Policy(StrEnum):
    """Named rules for routes. Each loads what it guards and puts it on ``g``;
    anything not yours answers 404."""

    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"
    PLAN_READ = "plan_read"  # plan_id: anyone plan_access() lets in
    PLAN_COORDINATE = "plan_coordinate"  # plan_id: the plan's coordinator
    INVITE_FAMILY = "invite_family"  # plan_id, person_id: coordinator, a family member
    MEETING_READ = "meeting_read"  # meeting_id: readers of its plan
    REQUEST_INTERPRETER = "request_interpreter"  # meeting_id: a family member, before it
    WRITE_OWN_VIEWS = "write_own_views"  # meeting_id: the child or a guardian
    # Like WRITE_OWN_VIEWS; signed out, the view keeps the text for its writer.
    SAVE_OWN_VIEWS = "save_own_views"
    PREPARE_MEETING = "prepare_meeting"  # meeting_id: the team
    ANSWER_WISHES = "answer_wishes"  # meeting_id [, answer_id]: the coordinator
    ADD_TO_AGENDA = "add_to_agenda"  # meeting_id, answer_id: may_add_to_agenda
    GIVE_CONSENT = "give_consent"  # plan_id, agency_id: may_give_consent
    TELL_CONSENT_VIEW = "tell_consent_view"  # plan_id, agency_id: the child's say
    OWN_CREDENTIAL = "own_credential"  # credential_id: the signed-in person's passkey
    FEED_TOKEN = "feed_token"  # noqa: S105 - a policy name; token: a live feed
    # token: a signed unsubscribe link (person and topic); no sign-in (issue 13)
    UNSUBSCRIBE_TOKEN = "unsubscribe_token"  # noqa: S105 - a policy name
    # child_id: a guardian with custody says yes or no to e-mail for the child (issue 13)
    DECIDE_CHILD_EMAIL = "decide_child_email"
    TURN_ON_PUSH = "turn_on_push"  # signed in, and this server sends Web Push
    # endpoint (JSON body or form): a push subscription of the signed-in person
    OWN_PUSH_SUBSCRIPTION = "own_push_subscription"
    # Issue 10: pending passkeys and the agency admin.
    CONFIRM_CREDENTIAL = "confirm_credential"  # credential_id: own, pending; session not
    AGENCY_ADMIN = "agency_admin"  # an admin of an agency
    AGENCY_STAFF = "agency_staff"  # person_id: someone of the admin's own agency
    # --- the workspace (issue 11)
    MY_PLANS = "my_plans"  # staff: a person with an agency
    CREATE_PLAN = "create_plan"  # staff: becomes the new plan's coordinator
    WORK_ON_PLAN = "work_on_plan"  # plan_id: the team (coordinator, professionals)
    EDIT_PLAN = "edit_plan"  # plan_id [, goal_id]: the coordinator
    ADD_ACTION = "add_action"  # plan_id: the team (professionals for their agency)
    EDIT_ACTION = "edit_action"  # plan_id, action_id: coordinator; professional: own agency
    PUBLISH_PLAN = "publish_plan"  # plan_id: the coordinator
    SET_HARM_FLAG = "set_harm_flag"  # plan_id, goal_id | action_id: the team
    RECORD_CONSENT = "record_consent"  # plan_id: the coordinator (paper, oral, exception)
    END_EXCEPTION = "end_exception"  # plan_id, exception_id: coordinator; in force, this plan
    SCHEDULE_MEETING = "schedule_meeting"  # plan_id [, meeting_id: planned]: the coordinator
    TRANSLATE_PLAN = "translate_plan"  # plan_id: the coordinator, the plan's translator
    REMOVE_AGENDA_ITEM = "remove_agenda_item"  # plan_id, meeting_id, item_id: coordinator
    EDIT_MEMBER = "edit_member"  # plan_id, member_id: coordinator; a guardian or relative
    # plan_id, meeting_id (started, not cancelled): the team reads what came of it
    FOLLOW_UP_MEETING = "follow_up_meeting"
    RECORD_OUTCOME = "record_outcome"  # plan_id, meeting_id (started): the coordinator
    ADD_DECISION = "add_decision"  # plan_id, meeting_id (started): coordinator; prof.: own agency
    EDIT_DECISION = "edit_decision"  # plan_id, meeting_id, decision_id: the same
    # --- My data (issue 15, GDPR art. 15)
    OWN_DATA = "own_data"  # a family member (not staff) asks for their own data
    # export_id + token (form): the signed-in person's own request, and its token
    DOWNLOAD_OWN_DATA = "download_own_data"
    # Issue 15: an agency's own system, by its API token (no session, no sign-in);
    # each plan is then decided by agency_system_access.
    AGENCY_SYSTEM = "agency_system"
    AGENCY_API_TOKEN = "agency_api_token"  # noqa: S105 - token_id: the admin's agency's token


def current_access() -> PlanAccess:
    """The PlanAccess that this request's guard decided."""
    return g.plan_access


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after sign-in; anything else is dropped."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _require_sign_in() -> Any:
    if current_user.is_authenticated:
        return None
    query = request.query_string.decode("latin-1")
    target = (request.path + (f"?{query}" if query else "")) if request.method == "GET" else None
    return redirect(url_for("auth.sign_in_page", next=safe_next(target)))


def refused_for_consent(person: Person, plan: Plan) -> bool:
    """Staff of this plan who were turned away only because their agency has no
    effective consent: such an attempt is recorded and shown to the family."""
    if person.agency_id is None or plan.status == PlanStatus.DRAFT:
        return False
    if plan.coordinator_id == person.id:
        return True
    return any(
        m.person_id == person.id
        and (
            m.role == MemberRole.PROFESSIONAL
            or (m.role == MemberRole.TRANSLATOR and person.is_translator)
        )
        for m in plan.members
    )


def _load_plan_access(plan_id: int, translator_allowed: bool = False) -> PlanAccess:
    from .audit import AuditAction, record
    from .extensions import db
    from .queries import load_plan

    plan = load_plan(db.session, plan_id)
    if plan is None:
        abort(404)
    person = current_person()
    access = plan_access(db.session, person, plan)
    if access is None:
        if refused_for_consent(person, plan):
            record(db.session, AuditAction.REFUSED, person, plan, "plan", plan.id, "no_consent")
            db.session.commit()
        abort(404)
    if access.role is Role.TRANSLATOR and not translator_allowed:
        # A translator's access is the translation view alone: every other page
        # of the plan answers as if the plan were not theirs (404). The default is
        # refusal, so a new route never lets a translator in by accident.
        abort(404)
    return access


def _load_feed(token: str) -> Any:
    """A calendar feed that has not been revoked; otherwise 404."""
    from .extensions import db
    from .models import CalendarFeed
    from .tokens import hash_token

    feed = db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == hash_token(token),
            CalendarFeed.revoked_at.is_(None),
        )
    )
    if feed is None:
        abort(404)
    return feed


def _load_unsubscribe(token: str) -> Any:
    """A signed unsubscribe link of a person who exists, for a topic that can be
    e-mailed, sent to their current address; anything else (tampered, another key,
    unknown topic, an old address) is 404."""
    from .extensions import db
    from .notifications import EMAIL_TOPICS, read_unsubscribe_token, unsubscribe_link_holds

    found = read_unsubscribe_token(token)
    if found is None or found[1] not in EMAIL_TOPICS:
        abort(404)
    person = db.session.get(Person, found[0])
    # A link sent to an address the person no longer has is spent (rule 10).
    if person is None or not unsubscribe_link_holds(person, found[2]):
        abort(404)
    return person, found[1]


def _load_meeting(kwargs: dict[str, Any]) -> PlanAccess:
    from sqlalchemy.orm import joinedload

    from .extensions import db

    # With its attendees (rule 6 asks who is invited) in the same statement.
    meeting = (
        db.session.scalars(
            select(Meeting)
            .where(Meeting.id == kwargs["meeting_id"])
            .options(joinedload(Meeting.attendees).joinedload(MeetingAttendee.person))
        )
        .unique()
        .first()
    )
    if meeting is None:
        abort(404)
    g.meeting = meeting
    g.plan_access = _load_plan_access(meeting.plan_id)
    _require(g.plan_access.knows_of_meeting(meeting))
    return g.plan_access


def _check_request_interpreter(kwargs: dict[str, Any]) -> None:
    access = _load_meeting(kwargs)
    _require(access.may_request_interpreter(g.meeting))


def _load_plan(kwargs: dict[str, Any], translator_allowed: bool = False) -> PlanAccess:
    g.plan_access = _load_plan_access(kwargs["plan_id"], translator_allowed)
    return g.plan_access


def _require(allowed: bool) -> None:
    if not allowed:
        abort(404)


def _sent_answer(access: PlanAccess, answer_id: int) -> StatementAnswer:
    """A sent answer of this request's meeting that this reader may see."""
    from .extensions import db

    answer = db.session.get(StatementAnswer, answer_id)
    _require(
        answer is not None
        and answer.statement.meeting_id == g.meeting.id
        and answer.statement.status == StatementStatus.SUBMITTED
        and access.sees_answer(answer.statement.author_id, answer.audience)
    )
    return answer  # type: ignore[return-value]


def _plan_agency(access: PlanAccess, agency_id: int) -> Agency:
    agency = access.agency_in_plan(agency_id)
    _require(agency is not None)
    return agency  # type: ignore[return-value]


def family_members(plan: Plan) -> list[tuple[Person, str]]:
    """Child, guardians and relatives of a plan with their roles, whatever the
    child's age: the coordinator's record of who the family is."""
    return [(plan.child, "child")] + [
        (m.person, m.role) for m in plan.members if m.role not in STAFF_MEMBER_ROLES
    ]


def family_of(plan: Plan, today: date | None = None) -> list[tuple[Person, str]]:
    """The family of a plan who take part now: whom a coordinator invites and the
    family's notices go to. From the child's adult birthday the young person alone
    (decision 3)."""
    if child_is_adult(plan, today or stockholm_today()):
        return [(plan.child, "child")]
    return family_members(plan)


def _check_plan_coordinate(kwargs: dict[str, Any]) -> None:
    _require(_load_plan(kwargs).may_coordinate)


def _check_invite_family(kwargs: dict[str, Any]) -> None:
    access = _load_plan(kwargs)
    _require(access.may_invite_family)
    g.invitee = next((p for p, _r in family_of(access.plan) if p.id == kwargs["person_id"]), None)
    _require(g.invitee is not None)


def _check_write_own_views(kwargs: dict[str, Any]) -> None:
    _require(_load_meeting(kwargs).may_write_views)


def _check_prepare_meeting(kwargs: dict[str, Any]) -> None:
    _require(_load_meeting(kwargs).may_prepare_meeting)


def _check_answer_wishes(kwargs: dict[str, Any]) -> None:
    access = _load_meeting(kwargs)
    _require(access.may_answer_wishes)
    if "answer_id" in kwargs:
        g.answer = _sent_answer(access, kwargs["answer_id"])


def _check_add_to_agenda(kwargs: dict[str, Any]) -> None:
    access = _load_meeting(kwargs)
    g.answer = _sent_answer(access, kwargs["answer_id"])
    _require(access.may_add_to_agenda(g.answer))


def _check_give_consent(kwargs: dict[str, Any]) -> None:
    access = _load_plan(kwargs)
    _require(access.may_give_consent)
    g.agency = _plan_agency(access, kwargs["agency_id"])


def _check_tell_consent_view(kwargs: dict[str, Any]) -> None:
    access = _load_plan(kwargs)
    _require(access.may_tell_consent_view)
    g.agency = _plan_agency(access, kwargs["agency_id"])


def _check_own_credential(kwargs: dict[str, Any]) -> None:
    from .extensions import db

    credential = db.session.get(Credential, kwargs["credential_id"])
    _require(credential is not None and credential.person_id == current_person().id)
    g.credential = credential


# --- issue 10: pending passkeys and the agency admin ----------------------------------------


def _check_confirm_credential(kwargs: dict[str, Any]) -> None:
    """Only another, trusted device of the same person confirms a pending passkey."""
    _check_own_credential(kwargs)
    _require(g.credential.is_pending(utcnow()) and not session_is_pending(current_person()))


def is_agency_admin(person: Person | None) -> bool:
    return person is not None and person.is_admin and person.agency_id is not None


def _check_agency_admin(_kwargs: dict[str, Any]) -> None:
    _require(is_agency_admin(current_person()))


def _check_agency_staff(kwargs: dict[str, Any]) -> None:
    from .extensions import db

    admin = current_person()
    _require(is_agency_admin(admin))
    staff = db.session.get(Person, kwargs["person_id"])
    _require(staff is not None and staff.agency_id == admin.agency_id)
    g.staff = staff


def needs_fresh_proof() -> bool:
    """Sensitive acts (adding or removing a passkey, changing consent) need a session
    that proved itself with a passkey within FAMILY_APP_FRESH_PROOF_MINUTES."""
    from .auth.session import proof_age_seconds

    return proof_age_seconds() > current_app.config["FRESH_PROOF_MINUTES"] * 60


def fresh_proof(view: F) -> F:
    """Below ``@guard``: a stale session is sent to tap its passkey once, then comes
    back to this page (a POST comes back to the page it was sent from, by GET)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if needs_fresh_proof():
            back = request.full_path.rstrip("?") if request.method == "GET" else request.path
            return redirect(url_for("account.confirm_it_is_you", next=safe_next(back)), 303)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# --- notifications that leave the app (issue 13) -------------------------------------------


def child_needs_email_approval(session: Session, person: Person, today: date | None = None) -> bool:
    """The child of a plan under CHILD_EMAIL_FROM_AGE (13): e-mail leaves our hands
    (a shared inbox, a lock screen), so it needs a guardian with custody and the
    child both to turn it on. A child whose age is unknown counts as too young."""
    is_child = session.scalar(select(Plan.id).where(Plan.child_id == person.id).limit(1))
    if is_child is None:
        return False
    age = person.age_on(today or stockholm_today())
    limit = current_app.config["CHILD_EMAIL_FROM_AGE"] if has_app_context() else 13
    return age is None or age < limit


def custodians_of(session: Session, child: Person, today: date | None = None) -> list[Person]:
    """The guardians with custody of this child, on any of its plans, while the
    child is under age: who may say yes (or no) to e-mail for a young child."""
    plans = session.scalars(select(Plan).where(Plan.child_id == child.id)).all()
    found: dict[int, Person] = {}
    for plan in plans:
        if child_is_adult(plan, today or stockholm_today()):
            continue
        for member in plan.members:
            if member.role == MemberRole.GUARDIAN and member.has_custody:
                found[member.person_id] = member.person
    return list(found.values())


def may_decide_child_email(
    session: Session, guardian: Person, child: Person, today: date | None = None
) -> bool:
    """A guardian with custody says yes or no to e-mail for their child."""
    return any(p.id == guardian.id for p in custodians_of(session, child, today))


def children_whose_email_i_decide(
    session: Session, guardian: Person, today: date | None = None
) -> list[Person]:
    """The children under 13 for whom this guardian's yes is needed (the settings
    page offers it for each)."""
    children = session.scalars(
        select(Person)
        .join(Plan, Plan.child_id == Person.id)
        .join(PlanMember, PlanMember.plan_id == Plan.id)
        .where(
            PlanMember.person_id == guardian.id,
            PlanMember.role == MemberRole.GUARDIAN,
            PlanMember.has_custody.is_(True),
        )
        .order_by(Person.id)
        .distinct()
    ).all()
    return [
        child
        for child in children
        if child_needs_email_approval(session, child, today)
        and may_decide_child_email(session, guardian, child, today)
    ]


def child_email_approved(session: Session, child: Person, today: date | None = None) -> bool:
    """A guardian who has custody now has said yes (a yes from someone who has
    lost custody no longer counts)."""
    from .models import ChildEmailApproval

    said_yes = set(
        session.scalars(
            select(ChildEmailApproval.guardian_id).where(ChildEmailApproval.child_id == child.id)
        )
    )
    return any(p.id in said_yes for p in custodians_of(session, child, today))


def may_receive_email(session: Session, person: Person, today: date | None = None) -> bool:
    """E-mail goes only to someone with an address; to a child under 13 only when
    a guardian with custody has said yes (the child's own yes is their topic
    choices, off until they turn them on: ``notifications.default_on``)."""
    if not person.email:
        return False
    if child_needs_email_approval(session, person, today):
        return child_email_approved(session, person, today)
    return True


def push_configured() -> bool:
    """This server has a VAPID key, so it can send Web Push at all."""
    return has_app_context() and bool(current_app.config.get("VAPID_PRIVATE_KEY"))


def may_turn_on_push(person: Person | None) -> bool:
    """Anyone signed in may have notices pushed to their own phone, a child of
    any age too: unlike e-mail (a shared inbox, an address others know), push
    reaches only the browser where the person pressed the button while signed
    in, and a notice says no more than "Det finns nytt i planen"."""
    return person is not None and push_configured()


def may_receive_push(session: Session, person: Person) -> bool:
    """Push goes out when the server can send it and the person has at least one
    subscribed browser (the topic's setting is asked by the caller)."""
    if not may_turn_on_push(person):
        return False
    from .models import PushSubscription

    return (
        session.scalar(
            select(PushSubscription.id).where(PushSubscription.person_id == person.id).limit(1)
        )
        is not None
    )


def _check_own_push_subscription(_kwargs: dict[str, Any]) -> None:
    """The subscription named by its endpoint (what the browser knows) or its id
    (the settings page), and only the signed-in person's own; else 404."""
    from .extensions import db
    from .models import PushSubscription

    body = request.get_json(silent=True) if request.is_json else None
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        endpoint = request.form.get("endpoint") or ""
    found = None
    if endpoint:
        found = db.session.scalar(
            select(PushSubscription).where(PushSubscription.endpoint == endpoint[:1000])
        )
    _require(found is not None and found.person_id == current_person().id)
    g.push_subscription = found


def told_of_consent_event(access: PlanAccess | None, event: ConsentEvent) -> bool:
    """The specific notice of a consent change (who, which agency) only to a reader
    who may see that event in the consent history: never an agency hidden from
    guardians (decision 10), never the child's own say to a guardian (rule 5).
    Asked when the notice is written and again when it is read, so a harm flag set
    later hides it too."""
    return access is not None and access.sees_consent_event(event)


def consent_change_audience(
    session: Session, plan: Plan, event: ConsentEvent, actor: Person, now: datetime
) -> list[Person]:
    """Who is told of a consent change in the app: the coordinator always (rule 4);
    for consent given, renewed or revoked also every other person whose consent
    counts for the plan, when they may see that event."""
    told: list[Person] = [plan.coordinator] if plan.coordinator else []
    if event.kind not in (ConsentEventKind.GIVEN, ConsentEventKind.REVOKED):
        return told
    if child_is_adult(plan, stockholm_date(now)):
        grantors = [plan.child]
    else:
        grantors = [
            m.person for m in plan.members if m.role == MemberRole.GUARDIAN and m.has_custody
        ] + [plan.child]
    for person in grantors:
        if person.id in (event.person_id, actor.id) or person in told:
            continue
        if told_of_consent_event(plan_access(session, person, plan, now), event):
            told.append(person)
    return told


# --- the workspace (issue 11) ------------------------------------------------------------


def is_staff(person: Person | None) -> bool:
    """Staff work for an agency; only they have a workspace (a family member never)."""
    return person is not None and person.agency_id is not None


def may_edit_action(access: PlanAccess, action: Any) -> bool:
    """The coordinator edits every action; a professional only their agency's."""
    if access.role is Role.COORDINATOR:
        return True
    return (
        access.role is Role.PROFESSIONAL
        and action.responsible_agency_id is not None
        and action.responsible_agency_id == access.person.agency_id
    )


def action_agency_ids(access: PlanAccess, directory: Iterable[Agency]) -> list[int]:
    """Agencies this team member may make responsible for an action."""
    if access.role is Role.COORDINATOR:
        return [a.id for a in directory]
    return [a.id for a in directory if a.id == access.person.agency_id]


def team_plans(session: Session, person: Person, now: datetime | None = None) -> list[PlanAccess]:
    """Every plan a staff member works on and may open now, decided with a fixed
    number of statements however many plans (the same rules as plan_access(),
    with each plan's consents loaded in one batch and read fresh)."""
    from sqlalchemy.orm import selectinload

    from .queries import plan_load_options

    now = now or utcnow()
    member_plan_ids = select(PlanMember.plan_id).where(
        PlanMember.person_id == person.id, PlanMember.role == MemberRole.PROFESSIONAL
    )
    plans = (
        session.scalars(
            select(Plan)
            .where((Plan.coordinator_id == person.id) | Plan.id.in_(member_plan_ids))
            .where(Plan.status != PlanStatus.CLOSED)
            .options(*plan_load_options())
        )
        .unique()
        .all()
    )
    consents: dict[int, Consent] = {}
    if plans and person.agency_id is not None:
        consents = {
            c.plan_id: c
            for c in session.scalars(
                select(Consent)
                .where(
                    Consent.plan_id.in_([p.id for p in plans]),
                    Consent.agency_id == person.agency_id,
                )
                .options(selectinload(Consent.parties), selectinload(Consent.exceptions))
                .execution_options(populate_existing=True)
            )
        }
    found = []
    for plan in plans:
        role = Role.COORDINATOR if plan.coordinator_id == person.id else Role.PROFESSIONAL
        if role is Role.PROFESSIONAL or plan.status != PlanStatus.DRAFT:
            if person.agency_id is None:
                continue
            if not _state_of(plan, consents.get(plan.id), now).effective:
                continue
        found.append(PlanAccess(person, plan, role))
    return sorted(found, key=lambda a: a.plan.child.display_name)


def _check_staff(_kwargs: dict[str, Any]) -> None:
    _require(is_staff(current_person()))


def _check_work_on_plan(kwargs: dict[str, Any]) -> None:
    _require(_load_plan(kwargs).is_team)


def _check_edit_plan(kwargs: dict[str, Any]) -> None:
    access = _load_plan(kwargs)
    _require(access.may_coordinate)
    if "goal_id" in kwargs:
        g.goal = next((x for x in access.plan.goals if x.id == kwargs["goal_id"]), None)
        _require(g.goal is not None)


def _check_remove_agenda_item(kwargs: dict[str, Any]) -> None:
    """A team point on a planned meeting's agenda; the child's points are the child's."""
    _check_schedule_meeting(kwargs)
    g.agenda_item = next((i for i in g.meeting.agenda_items if i.id == kwargs["item_id"]), None)
    _require(g.agenda_item is not None and current_access().may_remove_agenda_item(g.agenda_item))


def _check_translate_plan(kwargs: dict[str, Any]) -> None:
    _require(_load_plan(kwargs, translator_allowed=True).may_translate)


def _check_edit_action(kwargs: dict[str, Any]) -> None:
    access = _load_plan(kwargs)
    g.action = next((a for a in access.plan.actions if a.id == kwargs["action_id"]), None)
    _require(g.action is not None and may_edit_action(access, g.action))


def _check_set_harm_flag(kwargs: dict[str, Any]) -> None:
    """A harm flag (OSL 12:3) is set and cleared by the team, on a part of this plan."""
    access = _load_plan(kwargs)
    _require(access.is_team)
    if "goal_id" in kwargs:
        g.part = next((x for x in access.plan.goals if x.id == kwargs["goal_id"]), None)
    else:
        g.part = next((x for x in access.plan.actions if x.id == kwargs["action_id"]), None)
    _require(g.part is not None)


def _check_record_consent(kwargs: dict[str, Any]) -> None:
    _require(_load_plan(kwargs).may_record_consent)


def _check_end_exception(kwargs: dict[str, Any]) -> None:
    """The coordinator ends an exception in force of this plan, of an agency they know of."""
    from .extensions import db
    from .models import ConsentException

    access = _load_plan(kwargs)
    _require(access.may_record_consent)
    exception = db.session.get(ConsentException, kwargs["exception_id"])
    _require(
        exception is not None
        and exception.consent.plan_id == access.plan.id
        and exception.in_force(utcnow())
        and access.sees_agency(exception.consent.agency_id)
    )
    g.exception = exception


def _check_schedule_meeting(kwargs: dict[str, Any]) -> None:
    """The coordinator schedules meetings, and moves or cancels a planned one of this plan."""
    from .extensions import db

    access = _load_plan(kwargs)
    _require(access.may_schedule_meetings)
    if "meeting_id" in kwargs:
        g.meeting = db.session.get(Meeting, kwargs["meeting_id"])
        _require(
            g.meeting is not None
            and g.meeting.plan_id == access.plan.id
            and g.meeting.status == "planned"
        )


def _check_edit_member(kwargs: dict[str, Any]) -> None:
    """The coordinator puts right a family member's details; staff members belong
    to the agencies' directory, so they are not edited here."""
    access = _load_plan(kwargs)
    _require(access.may_edit_plan)
    g.member = next(
        (
            m
            for m in access.plan.members
            if m.id == kwargs["member_id"] and m.role not in STAFF_MEMBER_ROLES
        ),
        None,
    )
    _require(g.member is not None)


def _plan_meeting(kwargs: dict[str, Any]) -> PlanAccess:
    """The plan, and a meeting of that plan on ``g.meeting`` (404 for another plan's)."""
    from .extensions import db

    access = _load_plan(kwargs)
    g.meeting = db.session.get(Meeting, kwargs["meeting_id"])
    _require(g.meeting is not None and g.meeting.plan_id == access.plan.id)
    return access


def _check_follow_up_meeting(kwargs: dict[str, Any]) -> None:
    access = _plan_meeting(kwargs)
    _require(access.may_follow_up_meeting(g.meeting))


def _check_record_outcome(kwargs: dict[str, Any]) -> None:
    access = _plan_meeting(kwargs)
    _require(access.may_record_outcome(g.meeting))


def _check_add_decision(kwargs: dict[str, Any]) -> None:
    access = _plan_meeting(kwargs)
    _require(access.may_add_decision(g.meeting))


def _check_edit_decision(kwargs: dict[str, Any]) -> None:
    """A decision of this meeting that this team member may change."""
    access = _plan_meeting(kwargs)
    g.decision = next((d for d in g.meeting.decisions if d.id == kwargs["decision_id"]), None)
    _require(g.decision is not None and access.may_edit_decision(g.decision))


def _check_decide_child_email(kwargs: dict[str, Any]) -> None:
    from .extensions import db

    child = db.session.get(Person, kwargs["child_id"])
    _require(child is not None and may_decide_child_email(db.session, current_person(), child))
    g.child = child


# --- My data (issue 15) ---------------------------------------------------------------------


def may_ask_for_own_data(person: Person | None) -> bool:
    """GDPR art. 15 for the family: a child, guardian or relative (anyone signed in
    who is not staff) asks for what the app holds about them. Staff ask their
    employer; a staff member's "my data" would be children's plans."""
    return person is not None and not is_staff(person)


def _check_own_data(_kwargs: dict[str, Any]) -> None:
    _require(may_ask_for_own_data(current_person()))


def _check_download_own_data(kwargs: dict[str, Any]) -> None:
    """The request must be the signed-in person's own AND come with its token:
    another person, or the right person without the token, gets 404."""
    import hmac

    from .extensions import db
    from .models import DataExport
    from .tokens import hash_token

    person = current_person()
    _require(may_ask_for_own_data(person))
    export = db.session.get(DataExport, kwargs["export_id"])
    token = request.form.get("token", "")
    _require(
        export is not None
        and export.person_id == person.id
        and bool(token)
        and hmac.compare_digest(export.token_hash, hash_token(token[:200]))
    )
    g.data_export = export


_CHECKS: dict[Policy, Callable[[dict[str, Any]], Any]] = {
    Policy.SIGNED_IN: lambda _kwargs: None,
    Policy.PLAN_READ: _load_plan,
    Policy.PLAN_COORDINATE: _check_plan_coordinate,
    Policy.INVITE_FAMILY: _check_invite_family,
    Policy.MEETING_READ: _load_meeting,
    Policy.REQUEST_INTERPRETER: _check_request_interpreter,
    Policy.WRITE_OWN_VIEWS: _check_write_own_views,
    Policy.SAVE_OWN_VIEWS: _check_write_own_views,
    Policy.PREPARE_MEETING: _check_prepare_meeting,
    Policy.ANSWER_WISHES: _check_answer_wishes,
    Policy.ADD_TO_AGENDA: _check_add_to_agenda,
    Policy.GIVE_CONSENT: _check_give_consent,
    Policy.TELL_CONSENT_VIEW: _check_tell_consent_view,
    Policy.OWN_CREDENTIAL: _check_own_credential,
    Policy.TURN_ON_PUSH: lambda _kwargs: _require(push_configured()),
    Policy.OWN_PUSH_SUBSCRIPTION: _check_own_push_subscription,
    Policy.CONFIRM_CREDENTIAL: _check_confirm_credential,
    Policy.DECIDE_CHILD_EMAIL: _check_decide_child_email,
    Policy.AGENCY_ADMIN: _check_agency_admin,
    Policy.AGENCY_STAFF: _check_agency_staff,
    # --- the workspace (issue 11)
    Policy.MY_PLANS: _check_staff,
    Policy.CREATE_PLAN: _check_staff,
    Policy.WORK_ON_PLAN: _check_work_on_plan,
    Policy.EDIT_PLAN: _check_edit_plan,
    Policy.ADD_ACTION: _check_work_on_plan,
    Policy.EDIT_ACTION: _check_edit_action,
    Policy.PUBLISH_PLAN: _check_edit_plan,
    Policy.SET_HARM_FLAG: _check_set_harm_flag,
    Policy.RECORD_CONSENT: _check_record_consent,
    Policy.END_EXCEPTION: _check_end_exception,
    Policy.SCHEDULE_MEETING: _check_schedule_meeting,
    Policy.TRANSLATE_PLAN: _check_translate_plan,
    Policy.REMOVE_AGENDA_ITEM: _check_remove_agenda_item,
    Policy.EDIT_MEMBER: _check_edit_member,
    Policy.FOLLOW_UP_MEETING: _check_follow_up_meeting,
    Policy.RECORD_OUTCOME: _check_record_outcome,
    Policy.ADD_DECISION: _check_add_decision,
    Policy.EDIT_DECISION: _check_edit_decision,
    Policy.OWN_DATA: _check_own_data,
    Policy.DOWNLOAD_OWN_DATA: _check_download_own_data,
    Policy.AGENCY_SYSTEM: lambda kwargs: _check_agency_system(kwargs),
    Policy.AGENCY_API_TOKEN: lambda kwargs: _check_agency_api_token(kwargs),
}


def guard(policy: Policy) -> Callable[[F], F]:
    """Wrap a view in its access policy; the policy name is kept for the
    authorization matrix test and the start-up check."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if policy is Policy.PUBLIC:
                return view(*args, **kwargs)
            if policy is Policy.FEED_TOKEN:
                g.feed = _load_feed(kwargs["token"])
                return view(*args, **kwargs)
            if policy is Policy.UNSUBSCRIBE_TOKEN:
                g.unsubscribe = _load_unsubscribe(kwargs["token"])
                return view(*args, **kwargs)
            if policy is Policy.AGENCY_SYSTEM:  # a bearer token, never a session
                _CHECKS[policy](kwargs)
                return view(*args, **kwargs)
            if policy is Policy.SAVE_OWN_VIEWS and not current_user.is_authenticated:
                # Text typed before a session ran out must not be lost: the view
                # keeps it aside (never shown to anyone) until its writer signs in.
                g.plan_access = None
                return view(*args, **kwargs)
            redirect_response = _require_sign_in()
            if redirect_response is not None:
                return redirect_response
            _CHECKS[policy](kwargs)
            return view(*args, **kwargs)

        wrapper.access_policy = policy  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def route_policies(app: Flask) -> dict[str, Policy]:
    """endpoint -> policy, for every route but static files."""
    found: dict[str, Policy] = {}
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        found[endpoint] = getattr(view, "access_policy", None)  # type: ignore[assignment]
    return found


def check_every_route_is_guarded(app: Flask) -> None:
    """Refuse to start with a route that access.py does not guard."""
    unguarded = sorted(e for e, p in route_policies(app).items() if p is None)
    if unguarded:
        raise RuntimeError(f"Routes without an access policy: {', '.join(unguarded)}")


# --- agency systems: the FHIR API (issue 15) -------------------------------------------


def plan_team_agency_ids(plan: Plan) -> set[int]:
    """The agencies taking part in a plan's team: the coordinator's and each
    professional member's (a translator's agency reads only texts, so not it)."""
    found = {m.person.agency_id for m in plan.members if m.role == MemberRole.PROFESSIONAL}
    if plan.coordinator is not None:
        found.add(plan.coordinator.agency_id)
    found.discard(None)
    return found  # type: ignore[return-value]


def agency_system_reader(agency: Agency) -> Person:
    """Who an agency system reads as: "a professional of this agency", never stored
    (no id, so no one's own words are taken for its own). Audit events made with it
    carry the agency, so the family's access log names the unit."""
    return Person(display_name=agency.name, agency_id=agency.id)


def agency_system_access(
    session: Session, agency: Agency, plan: Plan, now: datetime | None = None
) -> PlanAccess | None:
    """An agency's own system (a FHIR client with the agency's API token) reads a
    plan exactly as a professional of that agency would (Role.PROFESSIONAL): only
    while the agency is in the plan's team and has effective consent (rule 2, read
    fresh), never a draft. As a professional it never reads what the child meant
    for the coordinator alone (sees_answer), even for the coordinator's agency."""
    now = now or utcnow()
    if plan.status == PlanStatus.DRAFT or agency.id not in plan_team_agency_ids(plan):
        return None
    if not consent_state(session, plan, agency.id, now).effective:
        return None
    return PlanAccess(agency_system_reader(agency), plan, Role.PROFESSIONAL)


def agency_system_refused(agency: Agency, plan: Plan) -> bool:
    """An agency system of the plan's team turned away only for lack of consent:
    recorded as refused, so the family sees the attempt (rule 9)."""
    return plan.status != PlanStatus.DRAFT and agency.id in plan_team_agency_ids(plan)


def _check_agency_system(_kwargs: dict[str, Any]) -> None:
    """A live API token of an agency (Authorization: Bearer); otherwise 401. Which
    plans it may read is decided per read by agency_system_access."""
    from .fhir.auth import load_api_token

    g.api_token = load_api_token()


def _check_agency_api_token(kwargs: dict[str, Any]) -> None:
    """An agency admin, and an API token of their own agency (404 otherwise)."""
    from .extensions import db
    from .models import AgencyApiToken

    admin = current_person()
    _require(is_agency_admin(admin))
    token = db.session.get(AgencyApiToken, kwargs["token_id"])
    _require(token is not None and token.agency_id == admin.agency_id)
    g.api_token = token
