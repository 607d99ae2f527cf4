"""All models, importable from one place (Alembic needs every table)."""

from .activity import AuditEvent, Notification
from .auth import CalendarFeed, Credential, Invitation, WebAuthnChallenge
from .base import Base, utcnow
from .consent import Consent, ConsentEvent, ConsentEventKind, ConsentMethod, ConsentParty
from .meeting import (
    AgendaItem,
    ChildParticipation,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
)
from .people import Agency, AgencyKind, Person, PrincipalKind
from .plan import (
    Action,
    ActionStatus,
    ContentTranslation,
    Goal,
    MemberRole,
    Plan,
    PlanMember,
    PlanStatus,
    WordsOf,
)
from .statement import (
    Audience,
    PendingDraft,
    Statement,
    StatementAnswer,
    StatementStatus,
    WishOutcome,
    WishResponse,
)

__all__ = [
    "Action",
    "ActionStatus",
    "AgendaItem",
    "Agency",
    "AgencyKind",
    "Audience",
    "AuditEvent",
    "Base",
    "CalendarFeed",
    "ChildParticipation",
    "Consent",
    "ConsentEvent",
    "ConsentEventKind",
    "ConsentMethod",
    "ConsentParty",
    "ContentTranslation",
    "Credential",
    "Decision",
    "Goal",
    "Invitation",
    "Meeting",
    "MeetingAttendee",
    "MeetingKind",
    "MeetingStatus",
    "MemberRole",
    "Notification",
    "PendingDraft",
    "Person",
    "Plan",
    "PlanMember",
    "PlanStatus",
    "PrincipalKind",
    "Statement",
    "StatementAnswer",
    "StatementStatus",
    "WebAuthnChallenge",
    "WishOutcome",
    "WishResponse",
    "WordsOf",
    "utcnow",
]
