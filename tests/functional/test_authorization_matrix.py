"""The authorization matrix: every route x every role, each on a world of its own.

Generated from the app's URL map: a route without an entry here fails the test,
so nobody can add a page without deciding who may reach it.

Each (route, method, role) is asked on a FRESH world (a new family, new people,
new consent), so what one role did (a revoke, a sign-out everywhere, a removed
passkey) can never make another role's answer pass. The expected value is the
exact answer: an HTTP status, or ``SIGN_IN`` / ``SIGNED_OUT`` for a redirect to
the sign-in page (302 from the guard, 303 after signing out). A request is a
plain GET, or a POST of an empty form with a valid CSRF token: a route that
refuses empty input says 400 (a 400 from the CSRF check itself is told apart).

Who is who (DESIGN.md sections 2, 4 and 11):
- the child is 13 (``child``), 5 (``child_under_6``: not asked, writes no views)
  or 15 (``child_15``: gives consent); the world is built around that child;
- ``guardian`` has custody; ``guardian_without_custody`` reads the plan and writes
  views but never gives consent; a ``relative`` reads, never writes;
- professionals read only while their agency has consent (without: 404);
- the ``translator`` is staff of an agency with consent, marked as translator by
  their admin and added to the plan as translator: the translation view only;
- the admin is no member of the plan; another family's guardian neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import Session

from family_app.access import Policy, route_policies
from family_app.account.feeds import new_feed
from family_app.models import (
    Agency,
    AgencyApiToken,
    AgencyKind,
    AgendaItem,
    Consent,
    ConsentException,
    Credential,
    DataExport,
    Decision,
    ExportFormat,
    Meeting,
    MeetingStatus,
    MemberRole,
    Person,
    PlanMember,
    PlanStatus,
    PushSubscription,
    Statement,
    StatementAnswer,
)
from family_app.tokens import hash_token, new_token
from tests.conftest import app_config, sign_in_as
from tests.factories import make_family, unique

ROLES = [
    "anonymous",
    "child",
    "child_under_6",
    "child_15",
    "guardian",
    "guardian_without_custody",
    "relative",
    "other_family_guardian",
    "coordinator",
    "professional_with_consent",
    "professional_without_consent",
    "translator",
    "admin",
]
CHILD_AGE = {"child_under_6": 5, "child_15": 15}  # everyone else: a child of 13

SIGN_IN = "302 sign-in"  # the guard sends a signed-out person to sign in
SIGNED_OUT = "303 sign-in"  # a finished sign-out lands on the sign-in page
CSRF_REFUSED = "Sidan behöver laddas om"  # family_app/errors.py, the CSRF error page

CHILDREN = ["child", "child_under_6", "child_15"]
FAMILY = [*CHILDREN, "guardian", "guardian_without_custody", "relative"]


def every(answer: object) -> dict[str, object]:
    return dict.fromkeys(ROLES, answer)


def signed_in(answer: object) -> dict[str, object]:
    """Any signed-in person gets ``answer``; the signed-out are sent to sign in."""
    return {**every(answer), "anonymous": SIGN_IN}


def only(roles: list[str], answer: object) -> dict[str, object]:
    """``roles`` get ``answer``; every other signed-in person 404; signed out: sign in."""
    return {**signed_in(404), **dict.fromkeys(roles, answer)}


# Who reads the plan (PLAN_READ, MEETING_READ): its family, at every age, and
# the team while their agency has consent.
READERS = [*FAMILY, "coordinator", "professional_with_consent"]
# Who writes own views (WRITE_OWN_VIEWS): the child from 6, each guardian
# (with or without custody); never a relative or the team.
WRITERS = ["child", "child_15", "guardian", "guardian_without_custody"]
# Who gives or revokes consent (GIVE_CONSENT): guardians with custody, the child from 15.
CONSENTERS = ["guardian", "child_15"]
TEAM = ["coordinator", "professional_with_consent"]
# Staff: everyone who works for an agency (the admin is an agency admin of an
# agency outside this plan).
STAFF = [*TEAM, "professional_without_consent", "translator", "admin"]
# Who translates the plan's family-facing texts (TRANSLATE_PLAN, issue 12).
TRANSLATORS = ["coordinator", "translator"]
# main.index: one plan of one's own family goes straight to it (302); the team
# and people without a plan get the list (200).
HOME = {**every(200), **dict.fromkeys([*FAMILY, "other_family_guardian"], 302)}

MATRIX: dict[tuple[str, str], dict[str, object]] = {
    ("main.index", "GET"): HOME,
    ("main.healthz", "GET"): every(200),
    # An unknown language is ignored; back home either way.
    ("main.set_language", "POST"): every(303),
    ("auth.sign_in_page", "GET"): {**every(302), "anonymous": 200},
    # The token in the world is a calendar feed's, no invitation's: gone, for everyone.
    ("auth.invitation", "GET"): every(410),
    ("auth.invitation_code", "POST"): every(400),  # no code typed
    ("auth.dev_sign_in", "POST"): every(404),  # switched off outside the demo
    ("auth.sign_out_view", "POST"): {**every(SIGNED_OUT), "anonymous": SIGN_IN},
    ("auth.quick_exit", "POST"): every(204),
    # Registering a passkey: the signed-in add one to their account; a stranger
    # without an invitation is refused.
    ("auth.passkey_register_options", "POST"): {**every(200), "anonymous": 410},
    ("auth.passkey_register_verify", "POST"): every(400),  # no credential sent
    ("auth.passkey_sign_in_options", "POST"): every(200),
    ("auth.passkey_sign_in_verify", "POST"): every(400),  # no credential sent
    ("account.devices", "GET"): signed_in(200),
    # The passkey belongs to the guardian: theirs to rename (an empty name is
    # refused) and remove; nobody else's, not even the coordinator's.
    ("account.rename_device", "POST"): only(["guardian"], 400),
    ("account.confirm_remove_device", "GET"): only(["guardian"], 200),
    ("account.remove_device", "POST"): only(["guardian"], 303),
    ("account.sign_out_everywhere", "POST"): {**every(SIGNED_OUT), "anonymous": SIGN_IN},
    ("main.glossary", "GET"): every(200),
    ("main.service_worker", "GET"): every(200),
    ("main.offline", "GET"): every(200),
    ("plans.plan", "GET"): only(READERS, 200),
    ("plans.next_steps", "GET"): only(READERS, 200),
    ("plans.people", "GET"): only(READERS, 200),
    ("plans.meetings", "GET"): only(READERS, 200),
    ("plans.meeting", "GET"): only(READERS, 200),
    ("plans.meeting_ics", "GET"): only(READERS, 200),
    # A family member asks for an interpreter for themself, before the meeting.
    ("plans.interpreter", "GET"): only(FAMILY, 200),
    ("plans.interpreter", "POST"): only(FAMILY, 400),  # no language chosen
    ("plans.cancel_interpreter", "POST"): only(FAMILY, 303),
    ("account.calendar", "GET"): signed_in(200),
    ("account.notifications", "GET"): signed_in(200),
    # How notices reach me: anyone signed in, for themself (without an e-mail
    # address in this world only the push choices are saved; this server has a
    # VAPID key, see the app fixture below).
    ("account.notification_settings", "GET"): signed_in(200),
    ("account.notification_settings", "POST"): signed_in(303),
    # Web Push: anyone signed in turns notices on for their own phone (the empty
    # form is no subscription); turning a phone off names its endpoint, and the
    # world's phone is the guardian's: nobody else's, not even the coordinator's.
    ("account.push_subscribe", "POST"): signed_in(400),
    ("account.push_unsubscribe", "POST"): only(["guardian"], 303),
    # Their own address (an empty one removes it; a fresh session, so no detour).
    ("account.set_email", "POST"): signed_in(303),
    # Yes or no to e-mail for a child: a guardian with custody of that child only.
    ("account.decide_child_email", "POST"): only(["guardian"], 303),
    # The signed unsubscribe link is its own key: no sign-in, one person's one topic.
    ("account.unsubscribe", "GET"): every(200),
    ("account.unsubscribe", "POST"): every(200),
    ("account.read_notifications", "POST"): signed_in(303),
    ("consent.index", "GET"): only(READERS, 200),
    ("consent.who", "GET"): only(READERS, 200),
    ("consent.change", "GET"): only(CONSENTERS, 200),
    ("consent.change", "POST"): only(CONSENTERS, 303),
    # The child tells their view from 6; an empty form is refused.
    ("consent.child_view", "POST"): only(["child", "child_15"], 400),
    ("views.overview", "GET"): only(WRITERS, 200),
    ("views.step", "GET"): only(WRITERS, 200),
    # Signed out, the text is kept aside and the writer sent to sign in.
    ("views.save_step", "POST"): only(WRITERS, 303),
    ("views.autosave", "POST"): {**only(WRITERS, 200), "anonymous": 401},
    ("views.send", "POST"): only(WRITERS, 303),
    ("views.wishes", "GET"): only(WRITERS, 200),
    ("views.prepare", "GET"): only(TEAM, 200),
    ("views.respond", "POST"): only(["coordinator"], 400),  # no outcome chosen
    ("views.add_to_agenda", "POST"): only(["coordinator"], 303),
    # Answers are published only once the meeting has started (asked on the world's
    # started meeting, see STARTED_MEETING_ROUTES; before it: 409, test_workspace_outcome).
    ("views.publish", "POST"): only(["coordinator"], 303),
    ("account.create_calendar_feed", "POST"): signed_in(200),
    ("account.revoke_calendar_feed", "POST"): signed_in(303),
    # The feed's secret address is its key: whoever holds it gets that person's feed.
    ("feeds.calendar_feed", "GET"): every(200),
    ("workspace.people", "GET"): only(["coordinator"], 200),
    ("workspace.create_invitation", "POST"): only(["coordinator"], 200),
    ("workspace.withdraw_invitation", "POST"): only(["coordinator"], 303),
    # Issue 10. "This wasn't me" removes one's own passkey. Confirming needs a
    # pending passkey, and the world's is not: nothing to confirm, for anyone
    # (tests/functional/test_issue10_sessions_accounts.py confirms a real one).
    ("account.not_me", "POST"): only(["guardian"], 303),
    ("account.confirm_device", "POST"): signed_in(404),
    # Fresh proof: anyone signed in may prove it is them (an empty proof is refused).
    ("account.confirm_it_is_you", "GET"): signed_in(200),
    ("auth.passkey_proof_options", "POST"): signed_in(200),
    ("auth.passkey_proof_verify", "POST"): signed_in(400),
    # The agency admin's page; ending sessions only of the admin's own staff (the
    # world's person is a guardian, not staff: 404 even for the admin).
    ("admin.index", "GET"): only(["admin"], 200),
    ("admin.end_sessions", "POST"): signed_in(404),
    # Issue 12: marking a colleague as translator, only the admin's own staff (the
    # world's person is a guardian: 404 even for the admin).
    ("admin.set_translator", "POST"): signed_in(404),
    # The admin translates their own agency's name, hours and staff titles (who
    # translated is missing from the empty form).
    ("admin.translate_directory", "GET"): only(["admin"], 200),
    ("admin.translate_directory", "POST"): only(["admin"], 400),
    # Issue 11: the admin adds staff to their own agency (an empty form is refused)
    # and invites or withdraws an invitation only for their own agency's staff.
    ("admin.new_staff", "GET"): only(["admin"], 200),
    ("admin.new_staff", "POST"): only(["admin"], 400),
    # Issue 15: the admin makes API tokens for their agency's own system (an empty
    # form is refused) and revokes only their own agency's (the world's is theirs).
    ("admin.new_api_token", "GET"): only(["admin"], 200),
    ("admin.new_api_token", "POST"): only(["admin"], 400),
    ("admin.revoke_api_token", "POST"): only(["admin"], 303),
    # The FHIR API answers a bearer token, never a session: without one, 401 for
    # everyone, signed in or not (test_agency_systems_answer_as_the_matrix_says
    # asks it with tokens). What it can do is public.
    ("fhir.metadata", "GET"): every(200),
    ("fhir.read", "GET"): every(401),
    ("fhir.search", "GET"): every(401),
    ("admin.invite_staff", "POST"): signed_in(404),
    ("admin.withdraw_staff_invitation", "POST"): signed_in(404),
    # --- the workspace (issue 11). Staff (anyone with an agency) have "My plans" and
    # may start a plan; the team works on this plan; the coordinator holds it; a
    # professional edits their own agency's action (the world's action is theirs).
    # An empty form is refused with 400; publishing this plan is refused because
    # its action has no text for the child of 13.
    ("workspace.my_plans", "GET"): only(STAFF, 200),
    ("workspace.new_plan", "GET"): only(STAFF, 200),
    ("workspace.new_plan", "POST"): only(STAFF, 400),
    ("workspace.plan", "GET"): only(TEAM, 200),
    ("workspace.edit_details", "GET"): only(["coordinator"], 200),
    ("workspace.edit_details", "POST"): only(["coordinator"], 400),
    ("workspace.add_member", "GET"): only(["coordinator"], 200),
    ("workspace.add_member", "POST"): only(["coordinator"], 400),
    # The world's member is a guardian of the plan; an empty name is refused.
    ("workspace.edit_member", "GET"): only(["coordinator"], 200),
    ("workspace.edit_member", "POST"): only(["coordinator"], 400),
    ("workspace.new_goal", "GET"): only(["coordinator"], 200),
    ("workspace.new_goal", "POST"): only(["coordinator"], 400),
    ("workspace.edit_goal", "GET"): only(["coordinator"], 200),
    ("workspace.edit_goal", "POST"): only(["coordinator"], 400),
    ("workspace.new_action", "GET"): only(TEAM, 200),
    ("workspace.new_action", "POST"): only(TEAM, 400),
    ("workspace.edit_action", "GET"): only(TEAM, 200),
    ("workspace.edit_action", "POST"): only(TEAM, 400),
    ("workspace.action_status", "POST"): only(TEAM, 400),
    ("workspace.publish", "GET"): only(["coordinator"], 200),
    ("workspace.publish", "POST"): only(["coordinator"], 400),
    ("workspace.goal_harm_flag", "GET"): only(TEAM, 200),
    ("workspace.goal_harm_flag", "POST"): only(TEAM, 400),  # no reason given
    ("workspace.clear_goal_harm_flag", "POST"): only(TEAM, 303),
    ("workspace.action_harm_flag", "GET"): only(TEAM, 200),
    ("workspace.action_harm_flag", "POST"): only(TEAM, 400),
    ("workspace.clear_action_harm_flag", "POST"): only(TEAM, 303),
    ("workspace.record_consent", "GET"): only(["coordinator"], 200),
    ("workspace.record_consent", "POST"): only(["coordinator"], 400),
    ("workspace.consent_exception", "GET"): only(["coordinator"], 200),
    ("workspace.consent_exception", "POST"): only(["coordinator"], 400),
    # The child's say, FB 6:13 a and maturity, recorded by the coordinator.
    ("workspace.child_say", "GET"): only(["coordinator"], 200),
    ("workspace.child_say", "POST"): only(["coordinator"], 400),
    ("workspace.fb_6_13a", "GET"): only(["coordinator"], 200),
    ("workspace.fb_6_13a", "POST"): only(["coordinator"], 400),
    ("workspace.maturity", "GET"): only(["coordinator"], 200),
    ("workspace.maturity", "POST"): only(["coordinator"], 400),
    # Ending an exception in force asks first (GET); the empty form ends it (POST).
    ("workspace.end_exception", "GET"): only(["coordinator"], 200),
    ("workspace.end_exception", "POST"): only(["coordinator"], 303),
    ("workspace.new_meeting", "GET"): only(["coordinator"], 200),
    ("workspace.new_meeting", "POST"): only(["coordinator"], 400),
    ("workspace.edit_meeting", "GET"): only(["coordinator"], 200),
    ("workspace.edit_meeting", "POST"): only(["coordinator"], 400),
    # Cancelling asks first (GET); the empty form is the whole answer (POST).
    ("workspace.cancel_meeting", "GET"): only(["coordinator"], 200),
    ("workspace.cancel_meeting", "POST"): only(["coordinator"], 303),
    ("workspace.meeting_setup", "GET"): only(["coordinator"], 200),
    ("workspace.meeting_setup", "POST"): only(["coordinator"], 303),  # nobody ticked: valid
    ("workspace.add_agenda_item", "POST"): only(["coordinator"], 400),  # no text
    ("workspace.remove_agenda_item", "POST"): only(["coordinator"], 303),
    ("workspace.translations", "GET"): only(TRANSLATORS, 200),
    ("workspace.translate", "GET"): only(TRANSLATORS, 200),
    ("workspace.translate", "POST"): only(TRANSLATORS, 400),  # who translated is missing
    # After the meeting (asked on the world's meeting that has started): the team
    # reads what came of it; the coordinator records the outcome; the team writes
    # decisions, a professional their own agency's (the world's decision is theirs).
    # Empty forms are refused with 400 (no version, no text).
    ("workspace.meeting_after", "GET"): only(TEAM, 200),
    ("workspace.record_outcome", "GET"): only(["coordinator"], 200),
    ("workspace.record_outcome", "POST"): only(["coordinator"], 400),
    ("workspace.new_decision", "GET"): only(TEAM, 200),
    ("workspace.new_decision", "POST"): only(TEAM, 400),
    ("workspace.edit_decision", "GET"): only(TEAM, 200),
    ("workspace.edit_decision", "POST"): only(TEAM, 400),
    ("workspace.remove_decision", "GET"): only(TEAM, 200),
    ("workspace.remove_decision", "POST"): only(TEAM, 400),
    # Issue 15, My data (GDPR art. 15): a family member (anyone who is not staff)
    # asks for their own data (an empty form chooses no format: 400); the download
    # needs the request's owner AND its token: the world's request is the guardian's.
    ("my_data.index", "GET"): only([*FAMILY, "other_family_guardian"], 200),
    ("my_data.ask", "POST"): only([*FAMILY, "other_family_guardian"], 400),
    ("my_data.download", "POST"): only(["guardian"], 200),
}

# Routes about what came of a meeting are asked on a meeting that started an hour
# ago (the world's other meeting is days ahead, so views can still be written).
STARTED_MEETING_ROUTES = frozenset(
    {
        "views.publish",
        "workspace.meeting_after",
        "workspace.record_outcome",
        "workspace.new_decision",
        "workspace.edit_decision",
        "workspace.remove_decision",
    }
)


def _routes(app: Flask) -> list[tuple[str, str, object]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    return found


def test_every_route_has_a_matrix_entry_and_an_access_policy(app):
    routes = {(endpoint, method) for endpoint, method, _rule in _routes(app)}
    assert routes - MATRIX.keys() == set(), "new routes need a line in MATRIX"
    assert MATRIX.keys() - routes == set(), "MATRIX names routes that no longer exist"
    assert all(set(answers) == set(ROLES) for answers in MATRIX.values())
    policies = route_policies(app)
    assert all(isinstance(p, Policy) for p in policies.values())


@pytest.fixture
def app(database_url: str):
    """The app as in tests/conftest.py, with a VAPID key: Web Push is offered, so
    its routes answer as they would in production."""
    from family_app import create_app
    from family_app.extensions import db
    from family_app.push import generate_keys
    from tests.conftest import _empty_all_tables

    _empty_all_tables(database_url)
    app = create_app(app_config(database_url, VAPID_PRIVATE_KEY=generate_keys()[0]))
    yield app
    db.engine.dispose()
    _empty_all_tables(database_url)


@dataclass
class World:
    people: dict[str, object]
    args: dict[str, object]


def build_world(session: Session, role: str, status: str = PlanStatus.ACTIVE) -> World:
    """One family with everyone in it (its child of the age ``role`` needs), an
    admin, and for ``other_family_guardian`` a family of their own: all new.
    (Built with few flushes: the matrix builds 600 of these.)"""
    family = make_family(session, child_age=CHILD_AGE.get(role, 13), status=status)
    outsider_agency = Agency(name=unique("Verksamhet"), kind=AgencyKind.BUP, phone="010-1")
    without_consent = Person(display_name="Utan samtycke", agency=outsider_agency)
    without_custody = Person(display_name="Utan vårdnad")
    relative = Person(display_name="Mormor")
    admin_agency = Agency(name=unique("Verksamhet"), kind=AgencyKind.BUP, phone="010-2")
    # An agency admin (issue 10): the admin of an agency outside this plan.
    admin = Person(display_name="Admin", is_admin=True, agency=admin_agency)
    # Issue 12: a translator at an agency of the plan that has consent.
    translator = Person(
        display_name="Översättare", is_translator=True, agency=family.professional_agency
    )
    session.add_all(
        [outsider_agency, admin_agency, without_consent, without_custody, relative, admin]
        + [translator]
    )
    session.flush()
    for person, member_role, custody in (
        (without_consent, MemberRole.PROFESSIONAL, False),
        (without_custody, MemberRole.GUARDIAN, False),
        (relative, MemberRole.RELATIVE, False),
        (translator, MemberRole.TRANSLATOR, False),
    ):
        session.add(
            PlanMember(
                plan_id=family.plan.id, person_id=person.id, role=member_role, has_custody=custody
            )
        )
    phone = PushSubscription(
        person_id=family.guardians[0].id,
        endpoint=f"https://fcm.googleapis.com/fcm/send/{unique('phone')}",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
    )
    session.add(phone)
    credential = Credential(
        person_id=family.guardians[0].id,
        credential_id=f"cred-{family.plan.id}".encode(),
        public_key=b"k",
        name="Telefon",
    )
    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=family.child.id,
        status="submitted",
        submitted_at=datetime.now(UTC),
    )
    started = Meeting(
        plan_id=family.plan.id,
        starts_at=datetime.now(UTC) - timedelta(hours=1),
        ends_at=datetime.now(UTC),
        status=MeetingStatus.PLANNED,
    )
    # An exception in force (issue 11) for a guardian who consents anyway: it
    # changes no answer, and it gives the end-exception route something to end.
    exception = ConsentException(
        consent_id=session.scalar(
            select(Consent.id).where(
                Consent.plan_id == family.plan.id,
                Consent.agency_id == family.professional_agency.id,
            )
        ),
        person_id=family.guardians[1].id,
        legal_ref="OSL 12 kap. 3 §",
        reason="Skäl",
        decided_by="Socialnämnden",
    )
    session.add_all([credential, statement, started, exception])
    session.flush()
    decision = Decision(
        meeting_id=started.id,
        what="Ringa skolan",
        agency_id=family.professional_agency.id,
        person_id=family.professional.id,
    )
    session.add(decision)
    answer = StatementAnswer(statement_id=statement.id, prompt="want_help", text="Hjälp")
    session.add(answer)
    team_point = AgendaItem(meeting_id=family.meeting.id, text="Skolan", source="team")
    session.add(team_point)
    feed_token = new_feed(session, family.guardians[0])
    export_token = new_token()
    export = DataExport(
        person_id=family.guardians[0].id,
        token_hash=hash_token(export_token),
        format=ExportFormat.JSON,
        expires_at=datetime.now(UTC) + timedelta(days=7),
        prepared_at=datetime.now(UTC),
        content=b"{}",
        digest="",
    )
    session.add(export)
    api_token = AgencyApiToken(
        agency_id=admin_agency.id,
        name="Journal",
        token_hash=hash_token(new_token()),
        expires_at=datetime.now(UTC) + timedelta(days=30),
    )
    session.add(api_token)
    session.commit()
    child_role = role if role in CHILDREN else "child"
    people = {
        child_role: family.child,
        "guardian": family.guardians[0],
        "guardian_without_custody": without_custody,
        "relative": relative,
        "coordinator": family.coordinator,
        "professional_with_consent": family.professional,
        "professional_without_consent": without_consent,
        "translator": translator,
        "admin": admin,
    }
    if role == "other_family_guardian":  # only they need a family of their own
        people[role] = make_family(session).guardians[0]
    args = {
        "plan_id": family.plan.id,
        "meeting_id": family.meeting.id,
        "credential_id": credential.id,
        "person_id": family.guardians[1].id,
        "token": feed_token,
        "agency_id": family.professional_agency.id,
        "change": "revoke",
        "prompt_key": "going_well",
        "locale": "ar",
        "answer_id": answer.id,
        "goal_id": family.goal.id,
        "action_id": family.action.id,
        "item_id": team_point.id,
        "member_id": next(
            m.id for m in family.plan.members if m.person_id == family.guardians[1].id
        ),
        "started_meeting_id": started.id,
        "decision_id": decision.id,
        "exception_id": exception.id,
        "child_id": family.child.id,
        "endpoint": phone.endpoint,
        "export_id": export.id,
        "export_token": export_token,
        "token_id": api_token.id,
        "resource_type": "CarePlan",
        "resource_id": str(family.plan.id),
        "statement_id": statement.id,
        "relation_id": next(
            m.id for m in family.plan.members if m.person_id == family.guardians[0].id
        ),
        "consent_id": exception.consent_id,
        "outsider_agency_id": outsider_agency.id,
        "admin_agency_id": admin_agency.id,
        "professional_agency_id": family.professional_agency.id,
        "coordinator_agency_id": family.coordinator_agency.id,
    }
    return World(people, args)


def _outcome(response) -> object:
    """The exact answer: the status, and for a redirect to sign-in, say so. A 400
    from the CSRF check is no 400 from the route: it is told apart."""
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and location.split("?")[0].endswith("/sign-in"):
        return f"{response.status_code} sign-in"
    if response.status_code == 400 and CSRF_REFUSED in response.get_data(as_text=True):
        return "400 csrf"
    return response.status_code


def _rule_of(app: Flask, endpoint: str, method: str):
    return next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)


def _csrf_token(app: Flask, client) -> str:
    """A valid CSRF token for this client's session, made as a page would make
    it (Flask-WTF's generate_csrf) without rendering one for each of the many
    POSTs here; tests/conftest.csrf_token shows that pages carry such a token."""
    with app.test_request_context():
        token = generate_csrf()
        raw = flask_session[app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")]
    with client.session_transaction() as sess:
        sess[app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")] = raw
    return token


def _ask(app: Flask, world: World, role: str, endpoint: str, method: str):
    rule = _rule_of(app, endpoint, method)
    args = dict(world.args)
    if endpoint in STARTED_MEETING_ROUTES:
        args["meeting_id"] = args["started_meeting_id"]
    if endpoint == "account.unsubscribe":
        from family_app.notifications import unsubscribe_token

        with app.app_context():
            args["token"] = unsubscribe_token(world.people["guardian"], "consent")
    path = rule.build({k: v for k, v in args.items() if k in rule.arguments})[1]
    client = app.test_client()
    if role != "anonymous":
        sign_in_as(client, world.people[role])
    if method == "GET":
        return path, client.get(path)
    token = _csrf_token(app, client)
    data = {"csrf_token": token}
    if endpoint == "account.push_unsubscribe":
        data["endpoint"] = args["endpoint"]  # the world's phone, the guardian's
    if endpoint == "my_data.download":
        data["token"] = args["export_token"]  # the guardian's request's own token
    response = client.open(path, method=method, data=data, headers={"X-CSRFToken": token})
    return path, response


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_the_role_as_the_matrix_says(app, session, role):
    """One app per role, a fresh world per route (so the app is built 12 times,
    not once per route, and the matrix stays quick)."""
    wrong = []
    for endpoint, method in sorted(MATRIX):
        world = build_world(session, role)
        path, response = _ask(app, world, role, endpoint, method)
        session.expunge_all()
        expected = MATRIX[(endpoint, method)][role]
        if _outcome(response) != expected:
            wrong.append(f"{method} {path}: got {_outcome(response)}, want {expected}")
    assert wrong == [], role


# The family's own acts on a meeting are no reads of the plan: the coordinator has none.
FAMILY_ACTS = {"plans.interpreter"}
DRAFT_READS = [
    key
    for key in sorted(MATRIX)
    if key[1] == "GET" and key[0].startswith("plans.") and key[0] not in FAMILY_ACTS
]


def test_a_draft_plan_s_meeting_takes_no_interpreter_request(app, session):
    """The family cannot ask for an interpreter at a meeting of a plan they cannot see."""
    for role in FAMILY:
        world = build_world(session, role, status=PlanStatus.DRAFT)
        assert _outcome(_ask(app, world, role, "plans.interpreter", "GET")[1]) == 404, role
        session.expunge_all()


def test_a_draft_plan_is_the_coordinators_alone(app, session):
    """Decision 2: while the plan is a draft the coordinator works on it and the
    family does not see it (404 at every age); each check on a world of its own."""
    expected = {**dict.fromkeys(FAMILY, 404), "coordinator": 200}
    for endpoint, method in DRAFT_READS:
        got = {}
        for role in expected:
            world = build_world(session, role, status=PlanStatus.DRAFT)
            got[role] = _outcome(_ask(app, world, role, endpoint, method)[1])
            session.expunge_all()
        assert got == expected, endpoint


# --- issue 15: agency systems, by API token ------------------------------------------------
# Who holds a token: an agency of the plan's team with consent (the professional's,
# the coordinator's), one in the team without consent (the world's professional
# "Utan samtycke"), one outside the plan (the admin's), and a revoked or expired
# token of the agency with consent. A team agency reads like its professional; one
# without consent gets what a stranger gets (404, and a refusal the family sees).
HOLDERS = ["with_consent", "coordinator_agency", "without_consent", "outside", "revoked",
           "expired"]  # fmt: skip
READS = {"with_consent": 200, "coordinator_agency": 200, "without_consent": 404,
         "outside": 404, "revoked": 401, "expired": 401}  # fmt: skip


def _holder_token(session: Session, world: World, holder: str) -> str:
    agency_key = {
        "with_consent": "professional_agency_id",
        "coordinator_agency": "coordinator_agency_id",
        "without_consent": "outsider_agency_id",
        "outside": "admin_agency_id",
    }.get(holder, "professional_agency_id")
    token = new_token()
    now = datetime.now(UTC)
    session.add(
        AgencyApiToken(
            agency_id=world.args[agency_key],
            name="Journal",
            token_hash=hash_token(token),
            expires_at=now + timedelta(days=-1 if holder == "expired" else 30),
            revoked_at=now if holder == "revoked" else None,
        )
    )
    session.commit()
    return token


def _fhir_paths(world: World) -> list[str]:
    a = world.args
    return [
        f"/fhir/CarePlan/{a['plan_id']}",
        f"/fhir/CareTeam/{a['plan_id']}",
        f"/fhir/Goal/{a['goal_id']}",
        f"/fhir/Appointment/{a['meeting_id']}",
        f"/fhir/Consent/{a['consent_id']}",
        f"/fhir/RelatedPerson/{a['relation_id']}",
        f"/fhir/QuestionnaireResponse/{a['statement_id']}",
    ]


@pytest.mark.parametrize("holder", HOLDERS)
def test_agency_systems_answer_as_the_matrix_says(app, session, holder):
    """Every read of a plan's resource, and a search, by every kind of token holder,
    each on a fresh world; a refusal for lack of consent is recorded for the family."""
    from family_app.models import AuditEvent

    wrong = []
    paths = _fhir_paths(build_world(session, "guardian"))
    for index in range(len(paths) + 1):
        world = build_world(session, "guardian")
        token = _holder_token(session, world, holder)
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        if index < len(paths):
            path = _fhir_paths(world)[index]
            got = client.get(path, headers=headers).status_code
            want = READS[holder]
        else:
            path = f"/fhir/CarePlan?patient={world.people['child'].id}"
            response = client.get(path, headers=headers)
            got = (response.status_code, (response.get_json(force=True) or {}).get("total"))
            want = (READS[holder], 1 if READS[holder] == 200 else None)
            if READS[holder] == 404:
                want = (200, 0)  # a search finds nothing, the same as for no plan at all
        if got != want:
            wrong.append(f"{path}: got {got}, want {want}")
        refused = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "refused", AuditEvent.plan_id == world.args["plan_id"]
            )
        ).all()
        if (len(refused) == 1) != (holder == "without_consent"):
            wrong.append(f"{path}: {len(refused)} refusals recorded")
        session.expunge_all()
    assert wrong == [], holder
