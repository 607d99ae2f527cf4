"""The demo families: what DESIGN.md section 7 promises, and idempotent seeding."""

import json
import os
import re
import subprocess
import sys
from datetime import date

from sqlalchemy import func, select

from family_app import create_app
from family_app.access import is_agency_admin, plan_access, plan_consents, stockholm_today
from family_app.demo import seed_demo
from family_app.models import (
    Action,
    AuditEvent,
    Consent,
    ContentTranslation,
    Invitation,
    Meeting,
    MeetingStatus,
    Notification,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
)
from family_app.workspace import services
from tests.conftest import app_config, csrf_token


def _counts(session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Person, Plan, PlanMember, Action, Meeting, Consent, ContentTranslation)
    }


def _seed(app, session, today: date | None = None) -> list:
    """The demo is written through the workspace's services, which read the
    deployment's age rules: the command line runs it inside the app."""
    with app.app_context():
        return seed_demo(session, today or stockholm_today(), 14)


def _plan_of(session, name: str) -> Plan:
    child = session.scalar(select(Person).where(Person.display_name == name))
    return session.scalar(select(Plan).where(Plan.child_id == child.id))


def test_seeding_twice_does_not_duplicate(session, app):
    today = stockholm_today()
    first = _seed(app, session, today)
    counts = _counts(session)
    second = _seed(app, session, today)
    assert _counts(session) == counts
    # 14 demo people and the agency admin.
    assert len(first) == len(second) == 15
    # The second run replaces the invitations: old links stop working.
    open_invites = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.withdrawn_at.is_(None))
    )
    assert open_invites == 15


def test_alva_has_a_late_action_a_meeting_in_five_days_and_a_held_meeting(session, app):
    today = stockholm_today()
    _seed(app, session, today)
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
    _seed(app, session)
    plan = _plan_of(session, "Yusuf Ali")
    arabic = session.scalars(select(ContentTranslation).where(ContentTranslation.locale == "ar"))
    assert len(list(arabic)) >= 10
    sanna = session.scalar(select(Person).where(Person.external_key == "demo:sanna"))
    maja = session.scalar(select(Person).where(Person.external_key == "demo:maja"))
    with app.test_request_context():
        assert plan_access(session, sanna, plan) is None  # Elevhälsan: consent revoked
        assert plan_access(session, maja, plan) is not None  # BUP: consent in force


def test_nora_has_protected_identity_and_sole_custody(session, app):
    _seed(app, session)
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
    assert {r["role"] for r in rows} == {
        "child",
        "guardian",
        "coordinator",
        "professional",
        "agency_admin",
    }
    assert all(r["invite_path"].startswith("/i/") for r in rows)
    assert len({r["name"] for r in rows}) == len(rows)


def _cli(database_url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_APP_")}
    env.update(DATABASE_URL=database_url, FAMILY_APP_SECRET_KEY="x" * 40)
    result = subprocess.run(
        [sys.executable, "-c", "from family_app.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_seed_demo_prints_the_agency_admins_invitation_and_it_signs_in_an_admin(app, database_url):
    """A new user of the demo can become the agency admin: the command prints a
    one-time link and a typable code, and the code signs in a person whom the
    access rules take for an admin of an agency (Policy.AGENCY_ADMIN)."""
    out = _cli(database_url, "seed-demo")
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Agency admin (Agnes Wik)"))
    link = re.fullmatch(r"\s*Link: \S+(/i/\S+)", lines[start + 1])
    code = re.fullmatch(r"\s*Code: (\S+)", lines[start + 2])
    assert link and code, out
    # The families' invitations are still printed, one per person.
    assert "Alva Lindqvist" in out and "Leila Haddad" in out

    # The same secret as the command line: invitation tokens are hashed with it.
    dev = create_app(app_config(database_url, DEV_SIGN_IN=True, SECRET_KEY="x" * 40))
    client = dev.test_client()
    page = client.get(link.group(1))
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    signed_in = client.post(
        "/invitation/dev-sign-in", data={"code": code.group(1), "csrf_token": token.group(1)}
    )
    assert signed_in.status_code == 303
    assert client.get("/admin/").status_code == 200
    with dev.app_context():
        from family_app.extensions import db

        agnes = db.session.scalar(select(Person).where(Person.external_key == "demo:agnes"))
        assert is_agency_admin(agnes) and agnes.agency.name == "Socialtjänsten Mark"
    # Single use: the same code does not sign anyone in again.
    other = dev.test_client()
    again = other.post(
        "/invitation/dev-sign-in",
        data={"code": code.group(1), "csrf_token": csrf_token(other, link.group(1))},
    )
    assert again.status_code == 410


def test_demo_is_written_through_the_workspace_services(session, app):
    """What the demo shows was written by the workspace's services: each plan was
    created, published under rule 1 and is audited as such; consent on paper is
    recorded by the coordinator; and the family is not greeted by notices about
    the seeding itself."""
    _seed(app, session)
    today = stockholm_today()
    for name, coordinator in (
        ("Alva Lindqvist", "Leila Haddad"),
        ("Yusuf Ali", "Mikael Holm"),
        ("Nora Abdi", "Sofia Andersson"),
    ):
        plan = _plan_of(session, name)
        assert plan.status == PlanStatus.ACTIVE and plan.published_at is not None
        assert plan.coordinator.display_name == coordinator
        with app.app_context():
            assert services.publish_problems(plan, today) == []
        details = set(
            session.scalars(
                select(AuditEvent.detail).where(
                    AuditEvent.plan_id == plan.id,
                    AuditEvent.actor_id == plan.coordinator_id,
                    AuditEvent.object_type == "plan",
                )
            )
        )
        assert {"created", "details", "published"} <= details
        assert [g.position for g in plan.goals] == list(range(1, len(plan.goals) + 1))
        parties = [p for c in plan_consents(session, plan).values() for p in c.parties]
        assert parties and all(p.recorded_by_id == plan.coordinator_id for p in parties)
        assert all(p.method == "written" for p in parties)
        assert not session.scalars(
            select(Notification).where(Notification.plan_id == plan.id)
        ).all()
    # The statuses are set as the status form sets them: started on the start day.
    alva = _plan_of(session, "Alva Lindqvist")
    started = [a for a in alva.actions if a.status == "started"]
    assert {a.title for a in started} == {
        "Utredning av ADHD",
        "Samtal varje tisdag (KBT)",
        "Anpassat schema i skolan",
        "Stöd av specialpedagog",
    }
    assert all(a.status_changed_on == a.planned_start for a in started)
    # Protected identity is judged per person (decision 4): Hodan's own flag.
    hodan = session.scalar(select(Person).where(Person.external_key == "demo:hodan"))
    assert hodan.protected_identity and hodan.preferred_language == "so"
