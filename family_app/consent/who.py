"""Who can see the plan this moment, and why; and the family's access log (rule 9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..access import PlanAccess, consent_states, plan_consents
from ..models import STAFF_MEMBER_ROLES, Agency, AuditEvent, MemberRole, Person, utcnow

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LOG_PAGE_SIZE = 30
LOG_BATCH = 200  # rows fetched at a time while filling a page of the log


@dataclass(frozen=True)
class Seer:
    name: str
    reason: str  # child | guardian | relative | coordinator | consent | no_consent
    agency: Agency | None = None
    since: datetime | None = None
    missing: tuple[Person, ...] = ()


def who_can_see(session: Session, access: PlanAccess) -> list[Seer]:
    """Everyone who can open the plan right now, with consent for every agency
    read in one go (the page costs the same with 2 agencies or 12)."""
    plan = access.plan
    now = utcnow()
    rows = [Seer(plan.child.display_name, "child")]
    for member in plan.members:
        if member.role == MemberRole.GUARDIAN:
            rows.append(Seer(member.person.display_name, "guardian"))
        elif member.role == MemberRole.RELATIVE:
            rows.append(Seer(member.person.display_name, "relative"))
    if plan.coordinator:
        rows.append(Seer(plan.coordinator.display_name, "coordinator", plan.coordinator.agency))
    people = {p.id: p for p in [plan.child] + [m.person for m in plan.members]}
    agencies = access.visible_agencies
    consents = plan_consents(session, plan)
    states = consent_states(session, plan, [a.id for a in agencies], now)
    for agency in agencies:
        state = states[agency.id]
        staff = [
            m.person
            for m in plan.members
            if m.role in STAFF_MEMBER_ROLES and m.person.agency_id == agency.id
        ]
        if state.effective:
            consent = consents.get(agency.id)
            given = [p.given_at for p in consent.parties if p.given_at] if consent else []
            since = max(given) if given else None
            for person in staff or [None]:
                rows.append(Seer(person.display_name if person else "", "consent", agency, since))
        else:
            missing = tuple(people[pid] for pid in state.missing if pid in people)
            rows.append(Seer("", "no_consent", agency, missing=missing))
    return rows


@dataclass(frozen=True)
class LogEntry:
    """One line of the family's access log: a unit, when, and what happened."""

    at: datetime
    agency: str
    kind: str  # read | calendar (feed polling, one line a day) | refused


@dataclass(frozen=True)
class AccessLog:
    entries: list[LogEntry]
    page: int
    has_more: bool


def _entry_key(at: datetime, agency_id: int, kind: str) -> tuple:
    local = at.astimezone(STOCKHOLM)
    if kind == "read":
        return (agency_id, kind, local.replace(second=0, microsecond=0))
    return (agency_id, kind, local.date())


def log_events(plan_id: int) -> Select:
    """The events the access log is made from, newest first (a statement, so a
    test can ask the database how it would run it)."""
    return (
        select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.actor_agency_id,
            Agency.name,
        )
        .join(Agency, Agency.id == AuditEvent.actor_agency_id)
        .where(
            AuditEvent.plan_id == plan_id,
            AuditEvent.action.in_(("read", "export", "refused")),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def access_log(
    session: Session, access: PlanAccess, page: int = 1, page_size: int | None = LOG_PAGE_SIZE
) -> AccessLog:
    """Reads of this plan by staff (unit and minute), calendar polling as one line
    per unit and day, and reads refused for lack of consent; newest first, paged
    (``page_size=None``: every entry on one page, for the person's own export).

    Only staff appear: a family member's own reads are never shown to another
    family member (decision 11). Units hidden from this reader stay hidden.
    """
    plan = access.plan
    # Newest first, read in batches and only as far as the page asked for: a plan
    # read a great many times costs no more to show than one read a few times
    # (the index on plan and time gives the rows in order without sorting them).
    wanted = None if page_size is None else max(1, page) * page_size + 1
    result = session.execute(log_events(plan.id).execution_options(yield_per=LOG_BATCH))
    seen: set[tuple] = set()
    entries: list[LogEntry] = []
    try:
        for at, action, object_type, agency_id, agency_name in result:
            if not access.sees_agency(agency_id):
                continue
            if action == "refused":
                kind = "refused"
            elif object_type == "calendar_feed":
                kind = "calendar"
            else:
                kind = "read"
            key = _entry_key(at, agency_id, kind)
            if key in seen:
                continue
            seen.add(key)
            entries.append(LogEntry(at, agency_name, kind))
            if wanted is not None and len(entries) >= wanted:
                break
    finally:
        result.close()
    if page_size is None:
        return AccessLog(entries, 1, False)
    page = max(1, page)
    start = (page - 1) * page_size
    return AccessLog(entries[start : start + page_size], page, len(entries) > start + page_size)
