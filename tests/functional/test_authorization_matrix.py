"""The authorization matrix: every route x every role x own vs another family's plan.

Generated from the app's URL map: a route without an entry here fails the test,
so nobody can add a page without deciding who may reach it. Outcomes:
  ok         the guard let the request through (whatever the page then answered)
  sign_in    redirected to sign in
  not_found  404 – the thing is not yours, and we do not say whether it exists
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from family_app.access import Policy, route_policies
from family_app.models import Credential
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person

ROLES = [
    "anonymous",
    "child",
    "guardian",
    "other_family_guardian",
    "coordinator",
    "professional_with_consent",
    "professional_without_consent",
    "admin",
]

EVERYONE = dict.fromkeys(ROLES, "ok")
SIGNED_IN = {**EVERYONE, "anonymous": "sign_in"}
PLAN_READERS = {
    "anonymous": "sign_in",
    "child": "ok",
    "guardian": "ok",
    "other_family_guardian": "not_found",
    "coordinator": "ok",
    "professional_with_consent": "ok",
    "professional_without_consent": "not_found",
    "admin": "not_found",
}
PLAN_COORDINATOR = {
    **dict.fromkeys(ROLES, "not_found"),
    "anonymous": "sign_in",
    "coordinator": "ok",
}
OWN_CREDENTIAL = {**dict.fromkeys(ROLES, "not_found"), "anonymous": "sign_in", "guardian": "ok"}
GUARDIAN_WITH_CUSTODY = OWN_CREDENTIAL  # the same shape: only the (custodial) guardian
WRITERS = {**OWN_CREDENTIAL, "child": "ok"}  # the child and the guardians write views
TEAM = {
    **OWN_CREDENTIAL,
    "guardian": "not_found",
    "coordinator": "ok",
    "professional_with_consent": "ok",
}
COORDINATOR = {**OWN_CREDENTIAL, "guardian": "not_found", "coordinator": "ok"}
CHILD = {**dict.fromkeys(ROLES, "not_found"), "anonymous": "sign_in", "child": "ok"}
NOBODY = dict.fromkeys(ROLES, "not_found")  # switched off by configuration
# Issue 10: confirming needs a pending passkey (the fixture's is not); the admin
# page is for an admin of an agency (the fixture's admin has none).
ISSUE10_NOT_PENDING = {**NOBODY, "anonymous": "sign_in"}
ISSUE10_AGENCY_ADMIN = {**NOBODY, "anonymous": "sign_in"}

MATRIX: dict[tuple[str, str], dict[str, str]] = {
    ("main.index", "GET"): EVERYONE,
    ("main.healthz", "GET"): EVERYONE,
    ("main.set_language", "POST"): EVERYONE,
    ("auth.sign_in_page", "GET"): EVERYONE,
    ("auth.invitation", "GET"): EVERYONE,
    ("auth.invitation_code", "POST"): EVERYONE,
    ("auth.dev_sign_in", "POST"): NOBODY,
    ("auth.sign_out_view", "POST"): SIGNED_IN,
    ("auth.quick_exit", "POST"): EVERYONE,
    ("auth.passkey_register_options", "POST"): EVERYONE,
    ("auth.passkey_register_verify", "POST"): EVERYONE,
    ("auth.passkey_sign_in_options", "POST"): EVERYONE,
    ("auth.passkey_sign_in_verify", "POST"): EVERYONE,
    ("account.devices", "GET"): SIGNED_IN,
    ("account.rename_device", "POST"): OWN_CREDENTIAL,
    ("account.confirm_remove_device", "GET"): OWN_CREDENTIAL,
    ("account.remove_device", "POST"): OWN_CREDENTIAL,
    ("account.sign_out_everywhere", "POST"): SIGNED_IN,
    ("main.glossary", "GET"): EVERYONE,
    ("main.service_worker", "GET"): EVERYONE,
    ("main.offline", "GET"): EVERYONE,
    ("plans.plan", "GET"): PLAN_READERS,
    ("plans.next_steps", "GET"): PLAN_READERS,
    ("plans.people", "GET"): PLAN_READERS,
    ("plans.meetings", "GET"): PLAN_READERS,
    ("plans.meeting", "GET"): PLAN_READERS,
    ("plans.meeting_ics", "GET"): PLAN_READERS,
    ("account.calendar", "GET"): SIGNED_IN,
    ("account.notifications", "GET"): SIGNED_IN,
    ("account.read_notifications", "POST"): SIGNED_IN,
    ("consent.index", "GET"): PLAN_READERS,
    ("consent.who", "GET"): PLAN_READERS,
    ("consent.change", "GET"): GUARDIAN_WITH_CUSTODY,
    ("consent.change", "POST"): GUARDIAN_WITH_CUSTODY,
    ("consent.child_view", "POST"): CHILD,
    ("views.overview", "GET"): WRITERS,
    ("views.step", "GET"): WRITERS,
    ("views.save_step", "POST"): WRITERS,
    ("views.autosave", "POST"): WRITERS,
    ("views.send", "POST"): WRITERS,
    ("views.wishes", "GET"): WRITERS,
    ("views.prepare", "GET"): TEAM,
    ("views.respond", "POST"): COORDINATOR,
    ("views.add_to_agenda", "POST"): COORDINATOR,
    ("views.publish", "POST"): COORDINATOR,
    ("account.create_calendar_feed", "POST"): SIGNED_IN,
    ("account.revoke_calendar_feed", "POST"): SIGNED_IN,
    # The feed's secret address is its key: whoever holds it gets that person's feed.
    ("feeds.calendar_feed", "GET"): EVERYONE,
    ("workspace.people", "GET"): PLAN_COORDINATOR,
    ("workspace.create_invitation", "POST"): PLAN_COORDINATOR,
    ("workspace.withdraw_invitation", "POST"): PLAN_COORDINATOR,
    # Issue 10: pending passkeys and the agency admin.
    ("account.not_me", "POST"): OWN_CREDENTIAL,
    ("account.confirm_device", "POST"): ISSUE10_NOT_PENDING,
    ("admin.index", "GET"): ISSUE10_AGENCY_ADMIN,
    ("admin.end_sessions", "POST"): ISSUE10_AGENCY_ADMIN,
    ("account.confirm_it_is_you", "GET"): SIGNED_IN,
    ("auth.passkey_proof_options", "POST"): SIGNED_IN,
    ("auth.passkey_proof_verify", "POST"): SIGNED_IN,
}


def _routes(app) -> list[tuple[str, str, object]]:
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
    policies = route_policies(app)
    assert all(isinstance(p, Policy) for p in policies.values())


@pytest.fixture
def world(session):
    """One family with everyone in it, another family, and an admin."""
    family = make_family(session, child_age=13)
    other = make_family(session)
    outsider_agency = make_agency(session)
    without_consent = make_person(session, "Utan samtycke", agency_id=outsider_agency.id)
    from family_app.models import MemberRole, PlanMember

    session.add(
        PlanMember(
            plan_id=family.plan.id, person_id=without_consent.id, role=MemberRole.PROFESSIONAL
        )
    )
    admin = make_person(session, "Admin", is_admin=True)
    credential = Credential(
        person_id=family.guardians[0].id, credential_id=b"cred-1", public_key=b"k", name="Telefon"
    )
    session.add(credential)
    from family_app.account.feeds import new_feed
    from family_app.models import Statement, StatementAnswer

    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=family.child.id,
        status="submitted",
        submitted_at=datetime.now(UTC),
    )
    session.add(statement)
    session.flush()
    answer = StatementAnswer(statement_id=statement.id, prompt="want_help", text="Hjälp")
    session.add(answer)

    feed_token = new_feed(session, family.guardians[0])
    session.commit()
    people = {
        "child": family.child,
        "guardian": family.guardians[0],
        "other_family_guardian": other.guardians[0],
        "coordinator": family.coordinator,
        "professional_with_consent": family.professional,
        "professional_without_consent": without_consent,
        "admin": admin,
    }
    args = {
        "plan_id": family.plan.id,
        "meeting_id": family.meeting.id,
        "credential_id": credential.id,
        "person_id": family.guardians[1].id,
        "token": feed_token,
        "agency_id": family.professional_agency.id,
        "change": "revoke",
        "prompt_key": "going_well",
        "answer_id": answer.id,
    }
    return people, args


def _outcome(response) -> str:
    if response.status_code == 404:
        return "not_found"
    # The guard answers 302; a finished action answers 303 (even when it goes to sign-in).
    if response.status_code == 302 and "/sign-in" in response.headers.get("Location", ""):
        return "sign_in"
    if response.status_code == 401:  # htmx autosave without a session: "sign in again"
        return "sign_in"
    return "ok"


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(app, world, endpoint, method):
    people, args = world
    rule = next(r for e, m, r in _routes(app) if e == endpoint and m == method)
    path = rule.build({k: v for k, v in args.items() if k in rule.arguments})[1]
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            sign_in_as(client, people[role])
        if method == "GET":
            response = client.get(path)
        else:
            token = csrf_token(client, "/sign-in")
            response = client.open(
                path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
            )
        assert response.status_code < 500, (role, response.status_code)
        assert _outcome(response) == MATRIX[(endpoint, method)][role], (
            f"{method} {path} as {role}: got {response.status_code}"
        )
