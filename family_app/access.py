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
from datetime import date, datetime
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth.session import current_person
from .models import (
    Audience,
    Consent,
    Meeting,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    utcnow,
)
from .rules import (
    AgeRules,
    ChildSay,
    ConsentState,
    child_chooses_what_guardians_see,
    child_say,
    effective_consent,
)


class Role(StrEnum):
    CHILD = "child"
    GUARDIAN = "guardian"
    RELATIVE = "relative"
    COORDINATOR = "coordinator"
    PROFESSIONAL = "professional"


FAMILY_ROLES = frozenset({Role.CHILD, Role.GUARDIAN, Role.RELATIVE})
TEAM_ROLES = frozenset({Role.COORDINATOR, Role.PROFESSIONAL})


def stockholm_today() -> date:
    """Today's date where the families live (dates in plans are Swedish dates)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


def age_rules() -> AgeRules:
    return AgeRules.from_config(current_app.config)


def consent_state(session: Session, plan: Plan, agency_id: int, now: datetime) -> ConsentState:
    """Effective consent for one agency in one plan, read fresh from the database.

    Never cached: a revocation must bind the very next request in every worker.
    """
    consent = session.scalar(
        select(Consent).where(Consent.plan_id == plan.id, Consent.agency_id == agency_id)
    )
    custodial = [
        m.person_id for m in plan.members if m.role == MemberRole.GUARDIAN and m.has_custody
    ]
    parties = [p.state() for p in consent.parties] if consent else []
    waived = bool(
        consent
        and any(p.person_id == plan.child_id and p.exception_reason for p in consent.parties)
    )
    return effective_consent(
        custodial,
        plan.child_id,
        plan.child.age_on(now.date()),
        parties,
        now,
        age_rules(),
        child_consent_waived=waived,
    )


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

    def sees_answer(self, author_id: int | None, audience: str) -> bool:
        """Rule 5: the writer decides who reads each answer (and what comes of it)."""
        if author_id is not None and author_id == self.person.id:
            return True
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

    # --- doing things ------------------------------------------------------------------
    @property
    def may_coordinate(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def child_say(self) -> ChildSay:
        return child_say(self.plan.child.age_on(self.today), age_rules())

    @property
    def may_give_consent(self) -> bool:
        """Guardians with custody decide; so does the child from the consent age."""
        if self.role is Role.GUARDIAN:
            return self.has_custody
        return self.role is Role.CHILD and self.child_say is ChildSay.CONSENT

    @property
    def may_tell_consent_view(self) -> bool:
        """The child's own say on consent, recorded and shown to the team (rule 3)."""
        return self.role is Role.CHILD and self.child_say is not ChildSay.NONE

    @property
    def may_record_consent_exception(self) -> bool:
        """A recorded exception (with a written, audited reason) is the coordinator's."""
        return self.role is Role.COORDINATOR

    @property
    def may_write_views(self) -> bool:
        """The child (once old enough to be asked) and each guardian write their own
        views before a meeting (rule 8)."""
        if self.role is Role.CHILD:
            return self.child_say is not ChildSay.NONE
        return self.role is Role.GUARDIAN

    @property
    def may_prepare_meeting(self) -> bool:
        """The team reads the views in full before the meeting."""
        return self.is_team

    @property
    def may_answer_wishes(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def sees_who_looked(self) -> bool:
        """Rule 9: the child sees who looked at their plan; guardians too."""
        return self.role in (Role.CHILD, Role.GUARDIAN, Role.COORDINATOR)


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
    if member.role == MemberRole.GUARDIAN:
        if plan.status == PlanStatus.DRAFT:
            return None
        return PlanAccess(person, plan, Role.GUARDIAN, has_custody=member.has_custody)
    if member.role == MemberRole.RELATIVE:
        if plan.status == PlanStatus.DRAFT:
            return None
        return PlanAccess(person, plan, Role.RELATIVE)
    if member.role == MemberRole.PROFESSIONAL:
        if person.agency_id is None:
            return None
        if not consent_state(session, plan, person.agency_id, now).effective:
            return None
        return PlanAccess(person, plan, Role.PROFESSIONAL)
    return None


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
    return sorted(found, key=lambda a: a.plan.child.display_name)


# --- route guards ------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


class Policy(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"
    PLAN_READ = "plan_read"  # view arg plan_id: anyone plan_access() lets in
    PLAN_COORDINATE = "plan_coordinate"  # view arg plan_id: the plan's coordinator
    MEETING_READ = "meeting_read"  # view arg meeting_id: readers of its plan
    MEETING_DRAFT = "meeting_draft"  # like MEETING_READ; signed out: the view keeps the text
    FEED_TOKEN = "feed_token"  # noqa: S105 - a policy name; view arg token: a live feed
    ADMIN = "admin"


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


def _load_plan_access(plan_id: int) -> PlanAccess:
    from .extensions import db
    from .queries import load_plan

    plan = load_plan(db.session, plan_id)
    if plan is None:
        abort(404)
    access = plan_access(db.session, current_person(), plan)
    if access is None:
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


def guard(policy: Policy) -> Callable[[F], F]:
    """Wrap a view in its access policy; the policy name is kept for the
    authorization matrix test and the start-up check."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if policy is Policy.FEED_TOKEN:
                g.feed = _load_feed(kwargs["token"])
                return view(*args, **kwargs)
            if policy is Policy.MEETING_DRAFT and not current_user.is_authenticated:
                # Text typed before a session ran out must not be lost: the view
                # keeps it aside (never shown to anyone) until its writer signs in.
                g.plan_access = None
                return view(*args, **kwargs)
            if policy is not Policy.PUBLIC:
                redirect_response = _require_sign_in()
                if redirect_response is not None:
                    return redirect_response
            if policy is Policy.ADMIN and not current_user.is_admin:
                abort(404)
            if policy in (Policy.PLAN_READ, Policy.PLAN_COORDINATE):
                access = _load_plan_access(kwargs["plan_id"])
                if policy is Policy.PLAN_COORDINATE and not access.may_coordinate:
                    abort(404)
                g.plan_access = access
            if policy in (Policy.MEETING_READ, Policy.MEETING_DRAFT):
                from .extensions import db

                meeting = db.session.get(Meeting, kwargs["meeting_id"])
                if meeting is None:
                    abort(404)
                g.plan_access = _load_plan_access(meeting.plan_id)
                g.meeting = meeting
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
