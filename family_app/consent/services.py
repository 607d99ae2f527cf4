"""Consent per agency: give, revoke, the child's view, exceptions, reminders.

Each change is one conditional UPDATE (or INSERT) plus one ConsentEvent and one
AuditEvent in the same transaction, so a double tap or two guardians at once can
neither lose nor duplicate an event. History (ConsentEvent) is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ..access import (
    PlanAccess,
    consent_change_audience,
    consent_states,
    maturity_override,
    may_be_told_of,
    party_states,
    plan_consents,
)
from ..audit import AuditAction, record
from ..models import (
    Agency,
    Consent,
    ConsentEvent,
    ConsentEventKind,
    ConsentException,
    ConsentMethod,
    ConsentParty,
    ExceptionKind,
    MemberRole,
    Notification,
    Person,
    Plan,
    utcnow,
)
from ..notifications import notify
from ..queries import insert_once
from ..rules import ChildSay, ConsentState, add_months

REMIND_DAYS = 30


def _consent(session: Session, plan: Plan, agency: Agency) -> Consent:
    """The plan x agency consent row, created once even when two requests race."""
    query = select(Consent).where(Consent.plan_id == plan.id, Consent.agency_id == agency.id)
    consent = session.scalar(query)
    if consent is None:
        insert_once(
            session,
            Consent,
            plan_id=plan.id,
            agency_id=agency.id,
            scope="plan",
            purpose="coordination",
            created_at=utcnow(),
        )
        consent = session.scalar(query)
    assert consent is not None
    return consent


def _party(session: Session, consent: Consent, person: Person) -> ConsentParty:
    query = select(ConsentParty).where(
        ConsentParty.consent_id == consent.id, ConsentParty.person_id == person.id
    )
    party = session.scalar(query)
    if party is None:
        insert_once(session, ConsentParty, consent_id=consent.id, person_id=person.id)
        party = session.scalar(query)
    assert party is not None
    return party


def _log_change(
    session: Session,
    plan: Plan,
    consent: Consent,
    person: Person,
    actor: Person,
    kind: ConsentEventKind,
    now: datetime,
    method: str | None = None,
    valid_to: datetime | None = None,
    note: str = "",
    receipt: bool = True,
) -> None:
    """Every consent change: one ConsentEvent, one AuditEvent, word to the
    coordinator and (given, renewed, revoked) to every other person whose consent
    counts and may see it (``access.consent_change_audience``), and (for a
    decision) a receipt to whoever made it. The notice points at the event, so
    its words (who, which agency) are made, and checked, when it is read."""
    event = ConsentEvent(
        consent_id=consent.id,
        person_id=person.id,
        kind=kind,
        method=method,
        actor_id=actor.id,
        valid_to=valid_to,
        note=note,
        at=now,
    )
    session.add(event)
    session.flush()
    record(session, AuditAction.CONSENT, actor, plan, "consent", consent.id, detail=str(kind))
    audience = consent_change_audience(session, plan, event, actor, now)
    notify(session, audience, plan, "consent_changed", "consent_event", event.id)
    if receipt:
        notify(session, [actor], plan, "consent_receipt", "consent", consent.id)
    session.flush()


def give(
    session: Session,
    plan: Plan,
    agency: Agency,
    person: Person,
    actor: Person,
    months: int,
    method: str = ConsentMethod.IN_APP,
    now: datetime | None = None,
) -> bool:
    """Record (or renew) ``person``'s consent for ``agency``. False when it was
    already in force and not near its end (a double tap): nothing is written twice."""
    now = now or utcnow()
    consent = _consent(session, plan, agency)
    party = _party(session, consent, person)
    valid_to = add_months(now, months)
    result = session.execute(
        update(ConsentParty)
        .where(
            ConsentParty.id == party.id,
            # Not in force, or in force but ending within the reminder window
            # (a renewal). A repeat tap finds a fresh end date and changes nothing.
            or_(
                ConsentParty.given_at.is_(None),
                ConsentParty.revoked_at.is_not(None),
                ConsentParty.valid_to <= now + timedelta(days=REMIND_DAYS),
            ),
        )
        .values(
            given_at=now,
            valid_from=now,
            valid_to=valid_to,
            revoked_at=None,
            method=method,
            recorded_by_id=actor.id,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    _log_change(
        session,
        plan,
        consent,
        person,
        actor,
        ConsentEventKind.GIVEN,
        now,
        method=method,
        valid_to=valid_to,
    )
    session.expire(party)
    return True


def record_outside_app(
    session: Session,
    plan: Plan,
    agency: Agency,
    person: Person,
    actor: Person,
    method: str,
    given_at: datetime,
    valid_to: datetime,
    now: datetime | None = None,
) -> None:
    """A consent the family gave on paper or orally, recorded by staff: the
    history says how it was given and who recorded it (issue 11)."""
    now = now or utcnow()
    consent = _consent(session, plan, agency)
    party = _party(session, consent, person)
    party.given_at = given_at
    party.valid_from = given_at
    party.valid_to = valid_to
    party.revoked_at = None
    party.method = method
    party.recorded_by_id = actor.id
    _log_change(
        session,
        plan,
        consent,
        person,
        actor,
        ConsentEventKind.GIVEN,
        now,
        method=method,
        valid_to=valid_to,
        receipt=False,
    )


def record_exception(
    session: Session,
    plan: Plan,
    agency: Agency,
    person: Person,
    actor: Person,
    legal_ref: str,
    reason: str,
    decided_by: str,
    valid_to: datetime,
    now: datetime | None = None,
    kind: str = ExceptionKind.EXCEPTION,
    valid_from: datetime | None = None,
) -> ConsentException:
    """A recorded exception stands in for one party's consent until its end date
    (decision 10), as a record of its own: the party's own consent (and a revoke
    of it) leaves it untouched. The legal reference is data; the reason stays with
    the team: the event carries only the legal reference.

    ``kind`` is an FB 6:13 a decision or a maturity override of the child's say
    (``ExceptionKind``); each lands in the history as what it is.
    """
    now = now or utcnow()
    consent = _consent(session, plan, agency)
    exception = ConsentException(
        consent_id=consent.id,
        person_id=person.id,
        kind=kind,
        legal_ref=legal_ref,
        reason=reason,
        decided_by=decided_by,
        decided_by_id=actor.id,
        valid_from=valid_from or now,
        valid_to=valid_to,
        created_at=now,
    )
    session.add(exception)
    session.flush()
    _log_change(
        session,
        plan,
        consent,
        person,
        actor,
        ConsentEventKind(str(kind)),
        now,
        valid_to=valid_to,
        note=legal_ref,
        receipt=False,
    )
    session.expire(consent, ["exceptions"])
    return exception


def end_exception(
    session: Session,
    plan: Plan,
    exception: ConsentException,
    actor: Person,
    now: datetime | None = None,
) -> None:
    """End an exception or maturity judgement before its end date (a decision
    revoked, or one recorded by mistake): kept, never deleted, and in the history."""
    now = now or utcnow()
    exception.ended_at = now
    _log_change(
        session,
        plan,
        exception.consent,
        exception.person,
        actor,
        ConsentEventKind.EXCEPTION_ENDED,
        now,
        note=exception.legal_ref,
        receipt=False,
    )


def exceptions_in_force(
    session: Session, access: PlanAccess, now: datetime | None = None
) -> list[ConsentException]:
    """The plan's exceptions and maturity judgements in force, for the team, of the
    agencies this reader knows of."""
    from sqlalchemy.orm import selectinload

    now = now or utcnow()
    found = session.scalars(
        select(ConsentException)
        .join(Consent, Consent.id == ConsentException.consent_id)
        .where(Consent.plan_id == access.plan.id, ConsentException.ended_at.is_(None))
        .order_by(ConsentException.id)
        .options(
            selectinload(ConsentException.person),
            selectinload(ConsentException.consent).selectinload(Consent.agency),
        )
    )
    return [e for e in found if e.in_force(now) and access.sees_agency(e.consent.agency_id)]


def record_child_say(
    session: Session,
    plan: Plan,
    agency: Agency,
    child: Person,
    actor: Person,
    agrees: bool,
    method: str,
    now: datetime | None = None,
) -> None:
    """A child's assent (or its refusal) given outside the app, recorded by staff:
    it does not decide the consent, and it is in the history as what it is."""
    now = now or utcnow()
    consent = _consent(session, plan, agency)
    kind = ConsentEventKind.CHILD_ASSENT if agrees else ConsentEventKind.CHILD_DISSENT
    _log_change(session, plan, consent, child, actor, kind, now, method=method, receipt=False)


def revoke(
    session: Session,
    plan: Plan,
    agency: Agency,
    person: Person,
    actor: Person,
    now: datetime | None = None,
) -> bool:
    """Withdraw ``person``'s consent at once. False when there was none in force."""
    now = now or utcnow()
    consent = session.scalar(
        select(Consent).where(Consent.plan_id == plan.id, Consent.agency_id == agency.id)
    )
    if consent is None:
        return False
    result = session.execute(
        update(ConsentParty)
        .where(
            ConsentParty.consent_id == consent.id,
            ConsentParty.person_id == person.id,
            ConsentParty.given_at.is_not(None),
            ConsentParty.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    _log_change(
        session,
        plan,
        consent,
        person,
        actor,
        ConsentEventKind.REVOKED,
        now,
        method=ConsentMethod.IN_APP,
    )
    for party in consent.parties:
        session.expire(party)
    return True


def record_child_view(
    session: Session,
    plan: Plan,
    agency: Agency,
    child: Person,
    view: str,
    now: datetime | None = None,
) -> None:
    """What the child thinks, kept with the consent and shown to the team."""
    now = now or utcnow()
    consent = _consent(session, plan, agency)
    party = _party(session, consent, child)
    party.child_view = view
    _log_change(
        session,
        plan,
        consent,
        child,
        child,
        ConsentEventKind.CHILD_VIEW,
        now,
        note=view,
        receipt=False,
    )


# --- reading -----------------------------------------------------------------------------


@dataclass
class PartyRow:
    person: Person
    role: str  # guardian | child
    party: ConsentParty | None
    in_force: bool
    required: bool
    by_exception: bool = False  # in force through a recorded exception, not their own yes


@dataclass
class AgencyConsent:
    agency: Agency
    consent: Consent | None
    state: ConsentState
    parties: list[PartyRow]
    valid_to: datetime | None
    expiring_soon: bool

    @property
    def missing(self) -> list[Person]:
        return [row.person for row in self.parties if row.required and not row.in_force]

    @property
    def child_view(self) -> str | None:
        return next(
            (r.party.child_view for r in self.parties if r.role == "child" and r.party), None
        )


def overview(
    session: Session, access: PlanAccess, now: datetime | None = None
) -> list[AgencyConsent]:
    """Every agency of the plan with its consent as it stands this very moment."""
    now = now or utcnow()
    plan = access.plan
    agencies = access.visible_agencies
    consents = plan_consents(session, plan)
    states = consent_states(session, plan, [a.id for a in agencies], now)
    # From the adult age the young person alone consents: the guardians are no party.
    adult = access.child_is_adult
    guardians = (
        []
        if adult
        else [m for m in plan.members if m.role == MemberRole.GUARDIAN and m.has_custody]
    )
    rows = []
    for agency in agencies:
        consent = consents.get(agency.id)
        state = states[agency.id]
        parties_by_person = {p.person_id: p for p in consent.parties} if consent else {}
        stands = party_states(consent, now)
        in_force = {p.person_id for p in stands if p.in_force(now)}
        by_exception = {p.person_id for p in stands if p.exception and p.in_force(now)}
        party_rows = []
        for member in guardians:
            party = parties_by_person.get(member.person_id)
            party_rows.append(
                PartyRow(
                    member.person,
                    "guardian",
                    party,
                    member.person_id in in_force,
                    True,
                    member.person_id in by_exception,
                )
            )
        child_party = parties_by_person.get(plan.child_id)
        override = maturity_override(consent, plan, now)
        child_required = adult or (
            (access.child_say is ChildSay.CONSENT or override == ExceptionKind.JUDGED_MATURE)
            and override != ExceptionKind.CONSENT_WAIVED
        )
        party_rows.append(
            PartyRow(
                plan.child,
                "child",
                child_party,
                plan.child_id in in_force,
                child_required,
                plan.child_id in by_exception,
            )
        )
        ends = [
            r.party.valid_to
            for r in party_rows
            if r.required and r.in_force and not r.by_exception and r.party and r.party.valid_to
        ]
        valid_to = min(ends) if ends else None
        rows.append(
            AgencyConsent(
                agency=agency,
                consent=consent,
                state=state,
                parties=party_rows,
                valid_to=valid_to,
                expiring_soon=bool(valid_to and valid_to - now <= timedelta(days=REMIND_DAYS)),
            )
        )
    return rows


def history(session: Session, access: PlanAccess) -> list[ConsentEvent]:
    """The consent history as this reader may see it (PlanAccess.sees_consent_event)."""
    from sqlalchemy.orm import selectinload

    plan = access.plan
    events = list(
        session.scalars(
            select(ConsentEvent)
            .join(Consent, Consent.id == ConsentEvent.consent_id)
            .where(Consent.plan_id == plan.id)
            .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
            .options(
                selectinload(ConsentEvent.person),
                selectinload(ConsentEvent.consent).selectinload(Consent.agency),
            )
        )
    )
    return [e for e in events if access.sees_consent_event(e)]


def remind_expiring(
    session: Session, now: datetime | None = None, person: Person | None = None
) -> int:
    """Notify each party whose consent ends within 30 days, once per end date
    (for everyone from the CLI job, or for one person when they look)."""
    now = now or utcnow()
    soon = now + timedelta(days=REMIND_DAYS)
    query = select(ConsentParty).where(
        ConsentParty.given_at.is_not(None),
        ConsentParty.revoked_at.is_(None),
        and_(ConsentParty.valid_to > now, ConsentParty.valid_to <= soon),
    )
    if person is not None:
        query = query.where(ConsentParty.person_id == person.id)
    parties = session.scalars(query).all()
    sent = 0
    for party in parties:
        already = session.scalar(
            select(Notification.id).where(
                Notification.person_id == party.person_id,
                Notification.kind == "consent_expiring",
                Notification.object_type == "consent_party",
                Notification.object_id == party.id,
                Notification.created_at >= party.valid_to - timedelta(days=REMIND_DAYS + 1),
            )
        )
        if already:
            continue
        plan = party.consent.plan
        if not may_be_told_of(session, party.person, plan, party.consent.agency_id, now):
            continue  # an adult child's former guardian, or an agency now hidden from them
        notify(session, [party.person], plan, "consent_expiring", "consent_party", party.id)
        sent += 1
    session.flush()
    return sent
