"""Who can see the plan this moment, and why; and the family's access log (rule 9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

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


class _minute(FunctionElement):
    """The UTC minute of a moment, to group a plan's reads by (the log shows one
    line per unit and minute). Stored text on SQLite, a timestamp on PostgreSQL."""

    inherit_cache = True


@compiles(_minute, "sqlite")
def _minute_sqlite(element: _minute, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 16)"


@compiles(_minute)
def _minute_other(element: _minute, compiler: Any, **kw: Any) -> str:
    return f"date_trunc('minute', {compiler.process(element.clauses, **kw)})"


def log_events(plan_id: int) -> Select:
    """The events the access log is made from: staff reads, exports and refusals,
    one row per unit, kind of event and minute, newest first. Grouped by the
    database, from an index that holds every column asked for, so a coordinator who
    opened the plan a thousand times in a minute costs one row, not a thousand
    (a statement of its own, so a test can ask the database how it runs it)."""
    newest = func.max(AuditEvent.at)
    return (
        select(newest, AuditEvent.action, AuditEvent.object_type, AuditEvent.actor_agency_id)
        .where(
            AuditEvent.plan_id == plan_id,
            AuditEvent.actor_agency_id.is_not(None),
            AuditEvent.action.in_(("read", "export", "refused")),
        )
        .group_by(
            AuditEvent.actor_agency_id,
            AuditEvent.action,
            AuditEvent.object_type,
            _minute(AuditEvent.at),
        )
        .order_by(newest.desc(), AuditEvent.actor_agency_id.desc(), AuditEvent.object_type)
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
    # Newest first, read in batches and only as far as the page asked for; the
    # database has already made each unit's reads within a minute one row.
    wanted = None if page_size is None else max(1, page) * page_size + 1
    result = session.execute(log_events(plan.id).execution_options(yield_per=LOG_BATCH))
    names: dict[int, str] = {}
    seen: set[tuple] = set()
    entries: list[LogEntry] = []
    try:
        for at, action, object_type, agency_id in result:
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
            if agency_id not in names:
                agency = session.get(Agency, agency_id)
                names[agency_id] = agency.name if agency else ""
            entries.append(LogEntry(at, names[agency_id], kind))
            if wanted is not None and len(entries) >= wanted:
                break
    finally:
        result.close()
    if page_size is None:
        return AccessLog(entries, 1, False)
    page = max(1, page)
    start = (page - 1) * page_size
    return AccessLog(entries[start : start + page_size], page, len(entries) > start + page_size)
