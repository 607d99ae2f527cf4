"""Writes AuditEvents: who did what with a child's data, and when (rule 9)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from .models import AuditEvent, Person, Plan


class AuditAction(StrEnum):
    READ = "read"
    WRITE = "write"
    EXPORT = "export"
    CONSENT = "consent"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    REGISTER = "register"
    CREDENTIAL = "credential"
    INVITE = "invite"
    # A read turned away because the reader's agency had no effective consent.
    REFUSED = "refused"


def record(
    session: Session,
    action: AuditAction,
    actor: Person | None,
    plan: Plan | None = None,
    object_type: str = "",
    object_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an event to the session; the caller's commit makes it stick.

    ``detail`` is a short code (``"counter_regression"``), never text a person wrote.
    """
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_agency_id=actor.agency_id if actor else None,
        plan_id=plan.id if plan else None,
        child_id=plan.child_id if plan else None,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        detail=detail[:200],
    )
    session.add(event)
    return event


def record_read(
    session: Session, actor: Person, plan: Plan, object_type: str, object_id: int | None = None
) -> None:
    """A read has nothing else to commit, so it commits at once."""
    record(session, AuditAction.READ, actor, plan, object_type, object_id)
    session.commit()


def record_reads(session: Session, actor: Person, plans: list[Plan], object_type: str) -> None:
    """One read per plan in a list, written in one statement however long the list."""
    if not plans:
        return
    from sqlalchemy import insert

    from .models import utcnow

    now = utcnow()
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": now,
                "actor_id": actor.id,
                "actor_agency_id": actor.agency_id,
                "plan_id": plan.id,
                "child_id": plan.child_id,
                "action": str(AuditAction.READ),
                "object_type": object_type,
                "object_id": plan.id,
                "detail": "",
            }
            for plan in plans
        ],
    )
