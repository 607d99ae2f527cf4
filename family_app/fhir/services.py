"""Which plans an agency system asks about, what it may read of them, and the audit.

The rule itself is access.agency_system_access; this module finds the plans a
request is about, asks that rule once per plan, records every read of a plan's
data (and a refusal for lack of consent when the request named that plan, which
the family sees in its access log) and hands the resource builders only a
PlanAccess that let the reader in.
"""

from __future__ import annotations

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


@dataclass
class Reader:
    """One request of one agency system."""

    session: Session
    token: AgencyApiToken
    now: Any = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        self.agency = self.token.agency
        self.reader = agency_system_reader(self.agency)

    def team_plans(self, plan_ids: list[int] | None = None) -> list[Plan]:
        """Plans whose team this agency is in (its coordinator or a professional
        member is its staff); the rule in access.py then decides each one."""
        staff = select(Person.id).where(Person.agency_id == self.agency.id)
        member_plans = select(PlanMember.plan_id).where(
            PlanMember.role == MemberRole.PROFESSIONAL, PlanMember.person_id.in_(staff)
        )
        query = select(Plan).where(Plan.coordinator_id.in_(staff) | Plan.id.in_(member_plans))
        if plan_ids is not None:
            query = query.where(Plan.id.in_(plan_ids))
        return list(
            self.session.scalars(query.options(*plan_load_options()).order_by(Plan.id)).unique()
        )

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
        what = f"fhir_{kind.lower()}"[:30]
        for plan in self.team_plans(plan_ids):
            access = self.access(plan, kind, named)
            if access is None:
                continue
            read = [
                r
                for r in resources.of_kind(self.session, access, kind)
                if wanted is None or r["id"] in wanted
            ]
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
