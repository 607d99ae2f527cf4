"""Form fuzz: every form and JSON endpoint, fed missing, empty, wrong-type,
duplicated, 100k-character, NUL, invalid-UTF-8 and bad-date values, never answers 500
(on SQLite, and on PostgreSQL in CI).

The number of examples per route is bounded for CI (FAMILY_APP_FUZZ_EXAMPLES, default 12).
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from family_app.models import (
    AgencyApiToken,
    Consent,
    ConsentException,
    Credential,
    DataExport,
    Decision,
    Meeting,
    MeetingStatus,
)
from tests.conftest import app_config, csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person

EXAMPLES = int(os.environ.get("FAMILY_APP_FUZZ_EXAMPLES", "12"))
SOURCE = Path(__file__).resolve().parents[2] / "family_app"


@pytest.fixture
def app(database_url: str):
    """The app as in tests/conftest.py, with a VAPID key, so the Web Push routes
    are open and their views fuzzed."""
    from family_app import create_app
    from family_app.extensions import db
    from family_app.push import generate_keys
    from tests.conftest import _empty_all_tables

    _empty_all_tables(database_url)
    app = create_app(app_config(database_url, VAPID_PRIVATE_KEY=generate_keys()[0]))
    yield app
    db.engine.dispose()
    _empty_all_tables(database_url)


def _field_names() -> list[str]:
    """Every form field and JSON key the views read, found in the source."""
    found: set[str] = set()
    pattern = re.compile(r'(?:request\.form\.(?:get|getlist)\(|body\.get\(|in request\.form)"?')
    for path in SOURCE.rglob("*.py"):
        for line in path.read_text().splitlines():
            if pattern.search(line):
                found.update(re.findall(r'"([a-z_]+)"', line))
    return sorted(
        found | _wtforms_field_names() | {"text", "audience", "name", "code", "token", "reason"}
    )


def _wtforms_field_names() -> set[str]:
    """The fields of every WTForms form class (the workspace forms)."""
    from flask_wtf import FlaskForm

    from family_app.admin import forms as admin_forms
    from family_app.workspace import forms

    names: set[str] = set()
    for value in [*vars(forms).values(), *vars(admin_forms).values()]:
        if isinstance(value, type) and issubclass(value, FlaskForm):
            names.update(
                name
                for name in dir(value)
                if not name.startswith("_") and hasattr(getattr(value, name), "field_class")
            )
    return names


FIELDS = _field_names()

# Raw (already percent-encoded or not) values: what a browser would never send.
NASTY: list[bytes] = [
    b"",
    b"   ",
    b"x" * 100_000,
    b"\x00",
    b"text\x00more",
    b"\x07\x1b[31m",
    b"\xff\xfe\xfd",  # invalid UTF-8
    b"\xc3\x28",  # invalid UTF-8 sequence
    b"2026-02-30",  # a bad date
    b"9999-99-99",
    b"-1",
    b"99999999999999999999999",
    b"true",
    b"null",
    b"[]",
    b"\xe2\x80\xae",  # right-to-left override
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
form_bodies = st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=8)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["\x00", "x" * 100_000, "2026-02-30"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
json_bodies = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS + ["credential", "next"]), json_values, max_size=5),
)


def _who(endpoint: str) -> str:
    """Sign in as someone the route's guard lets through, so the view itself is fuzzed."""
    if endpoint.startswith("auth.passkey_proof"):
        return "guardian"
    if endpoint.startswith(("auth.", "main.")):
        return "anonymous"
    if endpoint.startswith("admin."):
        return "admin"
    if endpoint.startswith("workspace.") or endpoint in {
        "views.respond",
        "views.add_to_agenda",
        "views.publish",
    }:
        return "coordinator"
    if endpoint.startswith("views.") or endpoint == "consent.child_view":
        return "child"
    return "guardian"


def _post_routes(app) -> list[tuple[str, object]]:
    return sorted(
        (
            (rule.endpoint, rule)
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and rule.endpoint != "static"
        ),
        key=lambda pair: pair[0],
    )


@pytest.fixture
def world(session):
    family = make_family(session, child_age=15)
    agency = family.coordinator.agency_id
    admin = make_person(session, "Admin", is_admin=True, agency_id=agency)
    credential = Credential(
        person_id=family.guardians[0].id, credential_id=b"fuzz-1", public_key=b"k", name="Telefon"
    )
    consent = session.scalar(
        select(Consent).where(
            Consent.plan_id == family.plan.id,
            Consent.agency_id == family.professional_agency.id,
        )
    )
    exception = ConsentException(consent_id=consent.id, person_id=family.guardians[1].id)
    session.add_all([credential, exception])
    make_agency(session)
    # A meeting that has started, with a decision: what comes after the meeting.
    started = Meeting(
        plan_id=family.plan.id,
        starts_at=datetime.now(UTC) - timedelta(hours=1),
        ends_at=datetime.now(UTC),
        status=MeetingStatus.PLANNED,
    )
    session.add(started)
    session.flush()
    decision = Decision(
        meeting_id=started.id, what="Ringa skolan", agency_id=family.professional_agency.id
    )
    session.add(decision)
    family.guardians[0].email = "fuzz@example.org"  # so the e-mail settings are fuzzed too
    # The guardian's own My data request (issue 15): the download's guard is fuzzed.
    export = DataExport(
        person_id=family.guardians[0].id,
        token_hash="0" * 64,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    session.add(export)
    # Issue 15: an API token of the admin's agency, so revoking it is fuzzed too.
    api_token = AgencyApiToken(
        agency_id=agency,
        name="Journal",
        token_hash="f" * 64,
        expires_at=datetime.now(UTC) + timedelta(days=30),
    )
    session.add(api_token)
    session.commit()
    people = {
        "child": family.child,
        "guardian": family.guardians[0],
        "coordinator": family.coordinator,
        "admin": admin,
    }
    args = {
        "plan_id": family.plan.id,
        "meeting_id": family.meeting.id,
        "credential_id": credential.id,
        "person_id": family.guardians[1].id,
        "agency_id": family.professional_agency.id,
        "change": "revoke",
        "prompt_key": "going_well",
        "locale": "ar",
        "answer_id": 1,
        "token": "x",
        "goal_id": family.goal.id,
        "action_id": family.action.id,
        "item_id": 1,
        "member_id": next(
            m.id for m in family.plan.members if m.person_id == family.guardians[1].id
        ),
        "started_meeting_id": started.id,
        "decision_id": decision.id,
        "exception_id": exception.id,
        "child_id": family.child.id,
        "export_id": export.id,
        "token_id": api_token.id,
    }
    return people, args


def _client(app, people, who):
    client = app.test_client()
    if who != "anonymous":
        sign_in_as(client, people[who])
    return client, csrf_token(client, "/sign-in")


def _encode(pairs: list[tuple[str, bytes]], token: str) -> bytes:
    body = [f"csrf_token={token}".encode()]
    body += [f"{name}=".encode() + quote_from_bytes(value).encode() for name, value in pairs]
    return b"&".join(body)


ROUTE_NAMES = [
    "account.confirm_device",
    "account.create_calendar_feed",
    "account.notification_settings",
    "account.set_email",
    "account.decide_child_email",
    "account.push_subscribe",
    "account.push_unsubscribe",
    "account.unsubscribe",
    "account.not_me",
    "account.read_notifications",
    "account.remove_device",
    "account.rename_device",
    "account.revoke_calendar_feed",
    "account.sign_out_everywhere",
    "admin.end_sessions",
    "admin.invite_staff",
    "admin.new_api_token",
    "admin.new_staff",
    "admin.revoke_api_token",
    "admin.set_translator",
    "admin.translate_directory",
    "admin.withdraw_staff_invitation",
    "auth.dev_sign_in",
    "auth.invitation_code",
    "auth.passkey_register_options",
    "auth.passkey_proof_options",
    "auth.passkey_proof_verify",
    "auth.passkey_register_verify",
    "auth.passkey_sign_in_options",
    "auth.passkey_sign_in_verify",
    "auth.quick_exit",
    "auth.sign_out_view",
    "consent.change",
    "consent.child_view",
    "main.set_language",
    "my_data.ask",
    "my_data.download",
    "plans.cancel_interpreter",
    "plans.interpreter",
    "views.add_to_agenda",
    "views.autosave",
    "views.publish",
    "views.respond",
    "views.save_step",
    "views.send",
    "workspace.create_invitation",
    "workspace.withdraw_invitation",
]
# The team's workspace (issue 11).
ROUTE_NAMES += [
    "workspace.action_harm_flag",
    "workspace.action_status",
    "workspace.add_member",
    "workspace.cancel_meeting",
    "workspace.clear_action_harm_flag",
    "workspace.clear_goal_harm_flag",
    "workspace.child_say",
    "workspace.consent_exception",
    "workspace.fb_6_13a",
    "workspace.maturity",
    "workspace.edit_action",
    "workspace.end_exception",
    "workspace.edit_details",
    "workspace.edit_goal",
    "workspace.edit_meeting",
    "workspace.edit_member",
    "workspace.goal_harm_flag",
    "workspace.new_action",
    "workspace.new_goal",
    "workspace.new_meeting",
    "workspace.new_plan",
    "workspace.publish",
    "workspace.record_consent",
    "workspace.translate",
    "workspace.meeting_setup",
    "workspace.add_agenda_item",
    "workspace.remove_agenda_item",
]
# After the meeting (issue 11): fuzzed on a meeting that has started.
STARTED_MEETING_ROUTES = [
    "views.publish",
    "workspace.edit_decision",
    "workspace.new_decision",
    "workspace.record_outcome",
    "workspace.remove_decision",
]
ROUTE_NAMES += [e for e in STARTED_MEETING_ROUTES if e not in ROUTE_NAMES]
ROUTE_NAMES.sort()


def test_the_fuzz_covers_every_post_route(app):
    assert sorted({e for e, _r in _post_routes(app)}) == sorted(ROUTE_NAMES)


@pytest.mark.parametrize("endpoint", ROUTE_NAMES)
def test_no_form_input_makes_a_500(app, world, endpoint):
    people, args = world
    if endpoint in STARTED_MEETING_ROUTES:
        args = {**args, "meeting_id": args["started_meeting_id"]}
    if endpoint.startswith("admin."):
        # The admin's own staff (the coordinator), so the view itself is fuzzed.
        args = {**args, "person_id": people["coordinator"].id}
    if endpoint == "account.unsubscribe":  # a real signed link, so the view is fuzzed
        from family_app.notifications import unsubscribe_token

        with app.app_context():
            args = {**args, "token": unsubscribe_token(people["guardian"], "plan")}
    rule = next(r for e, r in _post_routes(app) if e == endpoint)
    path = rule.build({k: v for k, v in args.items() if k in rule.arguments})[1]
    client, token = _client(app, people, _who(endpoint))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(pairs=form_bodies, htmx=st.booleans())
    def post_form(pairs, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(
            path,
            data=_encode(pairs, token),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        assert response.status_code < 500, (endpoint, pairs[:2])

    post_form()


JSON_ROUTES = [e for e in ROUTE_NAMES if e.startswith(("auth.passkey_", "account.push_"))]


@pytest.mark.parametrize("endpoint", JSON_ROUTES)
def test_no_json_body_makes_a_500(app, world, endpoint):
    people, args = world
    if endpoint.startswith("admin."):
        # The admin's own staff (the coordinator), so the view itself is fuzzed.
        args = {**args, "person_id": people["coordinator"].id}
    rule = next(r for e, r in _post_routes(app) if e == endpoint)
    path = rule.build({})[1]
    client, token = _client(app, people, "guardian")

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=json_bodies, raw=st.booleans())
    def post_json(body, raw):
        data = json.dumps(body).encode() if not raw else b'{"credential": "\xff\x00'
        response = client.post(
            path, data=data, content_type="application/json", headers={"X-CSRFToken": token}
        )
        assert response.status_code < 500, (endpoint, str(body)[:200])

    post_json()
