"""Which plans an agency system asks about, what it may read of them, and the audit.

The rule itself is access.agency_system_access; this module finds the plans a
request is about, asks that rule once per plan, records every read of a plan's
data (and a refusal for lack of consent when the request named that plan, which
the family sees in its access log) and hands the resource builders only a
PlanAccess that let the reader in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import PlanAccess, agency_system_access, agency_system_reader, agency_system_refused
from ..audit import AuditAction, record
from ..models import (
    AgencyApiToken,
    Consent,
    Goal,
    Meeting,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    Statement,
    utcnow,
)
from ..queries import plan_load_options
from . import resources

# Resources about the agencies' directory, not about a child: an agency or a staff
# member sharing a plan the agency may read (and the agency itself). Reading one is
# no read of a family's plan: it is audited once as a directory read (no plan), and
# a plan without consent is passed over without a refusal.
DIRECTORY = frozenset({"Organization", "PractitionerRole"})
PLAN_BATCH = 50  # plans loaded at a time while a search walks an agency's plans


@dataclass(frozen=True)
class Cursor:
    """Where a page of a search starts: at this plan, after its first ``skip``
    resources of the kind asked for. Written in the next link as ``<plan>-<skip>``;
    it names nothing the caller could not already read (plan ids are CarePlan ids)."""

    plan_id: int
    skip: int

    def __str__(self) -> str:
        return f"{self.plan_id}-{self.skip}"


def _audit_object(kind: str) -> str:
    """The audit row's object type for a read of ``kind`` through the API."""
    return f"fhir_{kind.lower()}"[:30]


def _id_order(resource: dict[str, Any]) -> tuple[int, str]:
    """Our ids are numbers written as text: shorter first, then as text, is by number."""
    return (len(resource["id"]), resource["id"])


@dataclass(frozen=True)
class SearchPage:
    resources: list[dict[str, Any]]
    next: Cursor | None  # None: this was the last page


@dataclass
class Reader:
    """One request of one agency system."""

    session: Session
    token: AgencyApiToken
    now: Any = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        self.agency = self.token.agency
        self.reader = agency_system_reader(self.agency)

    def team_plan_ids(self, plan_ids: list[int] | None = None, start: int = 0) -> list[int]:
        """Ids of the plans whose team this agency is in (its coordinator or a
        professional member is its staff), from ``start`` on, in order; the rule in
        access.py then decides each one."""
        staff = select(Person.id).where(Person.agency_id == self.agency.id)
        member_plans = select(PlanMember.plan_id).where(
            PlanMember.role == MemberRole.PROFESSIONAL, PlanMember.person_id.in_(staff)
        )
        query = select(Plan.id).where(
            (Plan.coordinator_id.in_(staff) | Plan.id.in_(member_plans)) & (Plan.id >= start)
        )
        if plan_ids is not None:
            query = query.where(Plan.id.in_(plan_ids))
        return list(self.session.scalars(query.order_by(Plan.id)))

    def team_plans(
        self, plan_ids: list[int] | None = None, start: int = 0, batch_size: int = PLAN_BATCH
    ) -> Iterator[Plan]:
        """Those plans, loaded a batch at a time: an agency in thousands of plans
        never holds them all at once, and a page stops loading once it is full."""
        ids = self.team_plan_ids(plan_ids, start)
        for first in range(0, len(ids), batch_size):
            batch = ids[first : first + batch_size]
            yield from self.session.scalars(
                select(Plan)
                .where(Plan.id.in_(batch))
                .options(*plan_load_options())
                .order_by(Plan.id)
            ).unique()

    def access(self, plan: Plan, kind: str, named: bool = False) -> PlanAccess | None:
        """The rule, once per plan. A refusal for lack of consent is recorded only
        when the request named this plan (a read by id of its resource, or
        patient=): a broad search or a system polling every minute must not fill
        every family's access log with refusals."""
        found = agency_system_access(self.session, self.agency, plan, self.now)
        if (
            found is None
            and named
            and kind not in DIRECTORY
            and agency_system_refused(self.agency, plan)
        ):
            record(self.session, AuditAction.REFUSED, self.reader, plan, "plan", plan.id,
                   "no_consent")  # fmt: skip
        return found

    def collect(
        self,
        kind: str,
        plan_ids: list[int] | None,
        wanted: set[str] | None = None,
        named: bool = False,
    ) -> list[dict[str, Any]]:
        """Resources of ``kind`` (only ids in ``wanted``, when given) from the
        plans asked about (``named``: the request named them), none twice. A read
        of a plan's data is audited once per plan; a directory read once, with no
        plan."""
        directory = kind in DIRECTORY
        found: dict[str, dict[str, Any]] = {}
        what = _audit_object(kind)
        for plan in self.team_plans(plan_ids):
            access = self.access(plan, kind, named)
            if access is None:
                continue
            read = self._readable(access, kind, wanted)
            if not read:
                continue
            for resource in read:
                # An agency or staff member hidden from the guardians in any plan
                # keeps that label in the directory answer.
                if resource["id"] not in found or resources.is_hidden(resource):
                    found[resource["id"]] = resource
            if not directory:
                self._audit(plan, what, read)
        if kind == "Organization" and (wanted is None or str(self.agency.id) in wanted):
            # The agency's own record is no child's data: always there for its system.
            found.setdefault(str(self.agency.id), resources.organization(self.agency))
        if directory and found:
            self._audit(None, what, list(found.values()))
        return list(found.values())

    def collect_page(
        self,
        kind: str,
        plan_ids: list[int] | None,
        wanted: set[str] | None,
        named: bool,
        count: int,
        cursor: Cursor | None = None,
    ) -> SearchPage:
        """At most ``count`` resources of a plan-bound ``kind``, plan by plan in id
        order from ``cursor``, and where the next page starts. Only what goes on
        this page is read and audited; a plan's resources may go on two pages."""
        if kind in DIRECTORY:
            raise ValueError("directory searches are not paged")
        start = cursor or Cursor(0, 0)
        what = _audit_object(kind)
        found: list[dict[str, Any]] = []
        seen: set[str] = set()
        # A small page loads few plans; most plans give at least one resource.
        batch_size = max(1, min(PLAN_BATCH, count + 1))
        for plan in self.team_plans(plan_ids, start.plan_id, batch_size):
            if len(found) == count:
                # Full: the next page starts at this plan, which may hold nothing
                # more this agency may read (then that page is empty, and last).
                return SearchPage(found, Cursor(plan.id, 0))
            access = self.access(plan, kind, named)
            if access is None:
                continue
            # The same order on every page, whatever the loading gave.
            read = sorted(self._readable(access, kind, wanted), key=_id_order)
            skip = start.skip if plan.id == start.plan_id else 0
            rest = read[skip:]
            room = count - len(found)
            # A resource in two plans (the same child in both) goes on a page once.
            taken = [r for r in rest[:room] if r["id"] not in seen]
            seen.update(r["id"] for r in taken)
            found.extend(taken)
            if taken:
                self._audit(plan, what, taken)
            if len(rest) > room:
                return SearchPage(found, Cursor(plan.id, skip + room))
        return SearchPage(found, None)

    def _readable(
        self, access: PlanAccess, kind: str, wanted: set[str] | None
    ) -> list[dict[str, Any]]:
        """The plan's resources of ``kind`` this access reads (only ids in ``wanted``)."""
        return [
            r
            for r in resources.of_kind(self.session, access, kind)
            if wanted is None or r["id"] in wanted
        ]

    def _audit(self, plan: Plan | None, what: str, read: list[dict[str, Any]]) -> None:
        object_id = int(read[0]["id"]) if len(read) == 1 else None
        record(self.session, AuditAction.READ, self.reader, plan, what, object_id,
               f"api_token:{self.token.id}")  # fmt: skip

    def finish(self) -> None:
        """Reads and refusals stick, and the token's last use is kept for the admin."""
        self.token.last_used_at = self.now
        self.session.commit()


def owner_plan_ids(session: Session, kind: str, ident: int) -> list[int] | None:
    """The plan(s) a resource belongs to, found without reading it; None for the
    directory types, which may appear in any plan of the agency."""
    if kind in ("CarePlan", "CareTeam"):
        return [ident]
    if kind == "Patient":
        return list(session.scalars(select(Plan.id).where(Plan.child_id == ident)))
    column = {
        "Goal": (Goal.plan_id, Goal.id),
        "RelatedPerson": (PlanMember.plan_id, PlanMember.id),
        "Appointment": (Meeting.plan_id, Meeting.id),
        "Consent": (Consent.plan_id, Consent.id),
    }.get(kind)
    if column is not None:
        return list(session.scalars(select(column[0]).where(column[1] == ident)))
    if kind == "QuestionnaireResponse":
        return list(
            session.scalars(
                select(Meeting.plan_id)
                .join(Statement, Statement.meeting_id == Meeting.id)
                .where(Statement.id == ident)
            )
        )
    return None


def plans_of_patient(session: Session, child_id: int) -> list[int]:
    return list(session.scalars(select(Plan.id).where(Plan.child_id == child_id)))
