"""The demo families: what DESIGN.md section 7 promises, and idempotent seeding."""

import json
import os
import subprocess
import sys
from datetime import date

from sqlalchemy import func, select

from family_app.access import plan_access, stockholm_today
from family_app.demo import seed_demo
from family_app.models import (
    Action,
    Consent,
    ContentTranslation,
    Invitation,
    Meeting,
    MeetingStatus,
    Person,
    Plan,
    PlanMember,
)


def _counts(session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Person, Plan, PlanMember, Action, Meeting, Consent, ContentTranslation)
    }


def _plan_of(session, name: str) -> Plan:
    child = session.scalar(select(Person).where(Person.display_name == name))
    return session.scalar(select(Plan).where(Plan.child_id == child.id))


def test_seeding_twice_does_not_duplicate(session):
    today = stockholm_today()
    first = seed_demo(session, today, 14)
    counts = _counts(session)
    second = seed_demo(session, today, 14)
    assert _counts(session) == counts
    assert len(first) == len(second) == 14
    # The second run replaces the invitations: old links stop working.
    open_invites = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.withdrawn_at.is_(None))
    )
    assert open_invites == 14


def test_alva_has_a_late_action_a_meeting_in_five_days_and_a_held_meeting(session, app):
    today = stockholm_today()
    seed_demo(session, today, 14)
    plan = _plan_of(session, "Alva Lindqvist")
    late = [a for a in plan.actions if a.is_late(today)]
    assert [a.title for a in late] == ["Uppföljning av sömnen"]
    meetings = session.scalars(select(Meeting).where(Meeting.plan_id == plan.id)).all()
    upcoming = [m for m in meetings if m.status == MeetingStatus.PLANNED]
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    assert len(upcoming) == 1 and len(held) == 1
    from zoneinfo import ZoneInfo

    assert upcoming[0].starts_at.astimezone(
        ZoneInfo("Europe/Stockholm")
    ).date() == date.fromordinal(today.toordinal() + 5)
    assert held[0].summary and held[0].decisions
    guardians = [m for m in plan.members if m.role == "guardian"]
    assert len(guardians) == 2 and all(m.has_custody for m in guardians)


def test_yusuf_plan_is_in_arabic_and_one_agency_lost_consent(session, app):
    seed_demo(session, stockholm_today(), 14)
    plan = _plan_of(session, "Yusuf Ali")
    arabic = session.scalars(select(ContentTranslation).where(ContentTranslation.locale == "ar"))
    assert len(list(arabic)) >= 10
    sanna = session.scalar(select(Person).where(Person.external_key == "demo:sanna"))
    maja = session.scalar(select(Person).where(Person.external_key == "demo:maja"))
    with app.test_request_context():
        assert plan_access(session, sanna, plan) is None  # Elevhälsan: consent revoked
        assert plan_access(session, maja, plan) is not None  # BUP: consent in force


def test_nora_has_protected_identity_and_sole_custody(session):
    seed_demo(session, stockholm_today(), 14)
    plan = _plan_of(session, "Nora Abdi")
    assert plan.child.protected_identity
    guardians = [m for m in plan.members if m.role == "guardian"]
    assert len(guardians) == 1 and guardians[0].has_custody


def test_seed_demo_json_lists_one_invitation_per_person(app, database_url):
    """Seeds through the command line, in another process: it asks for ``app`` so
    that the tables it fills are emptied again afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_APP_")}
    env.update(DATABASE_URL=database_url, FAMILY_APP_SECRET_KEY="x" * 40)
    result = subprocess.run(
        [sys.executable, "-c", "from family_app.cli import main; main()", "seed-demo", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {"name", "role", "plan", "invite_path"} <= set(rows[0])
    assert {r["role"] for r in rows} == {"child", "guardian", "coordinator", "professional"}
    assert all(r["invite_path"].startswith("/i/") for r in rows)
    assert len({r["name"] for r in rows}) == len(rows)
