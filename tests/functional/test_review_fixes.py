"""Regression tests for what the access review found (each named for the rule)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from family_app.auth.invitations import issue_invitation
from family_app.models import (
    Action,
    Agency,
    AuditEvent,
    Notification,
    PlanStatus,
    Statement,
    StatementAnswer,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family
from tests.functional.test_passkeys import ORIGIN, Browser
from tests.softauthn import SoftAuthenticator

HX = {"HX-Request": "true"}


def _as(app, person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


def test_coordinator_needs_their_agencys_consent_once_the_plan_is_active(app, session):
    family = make_family(session, coordinator_consent=False)
    coordinator = _as(app, family.coordinator)
    assert coordinator.get(f"/plans/{family.plan.id}").status_code == 404
    assert coordinator.get(f"/meetings/{family.meeting.id}/prepare").status_code == 404
    family.plan.status = PlanStatus.DRAFT
    session.commit()
    assert coordinator.get(f"/plans/{family.plan.id}").status_code == 200


def test_agency_known_only_through_a_harm_flagged_action_is_not_named_to_guardians(app, session):
    family = make_family(session)
    hidden = Agency(name="Barnahus utredning", kind="other", principal="region")
    session.add(hidden)
    session.flush()
    session.add(
        Action(
            plan_id=family.plan.id,
            title="Utredning",
            harm_flag=True,
            responsible_agency_id=hidden.id,
        )
    )
    session.commit()
    guardian = _as(app, family.guardians[0])
    for path in ("consent", "who-can-see", "people", ""):
        html = guardian.get(f"/plans/{family.plan.id}/{path}".rstrip("/")).get_data(as_text=True)
        assert "Barnahus utredning" not in html, path
    coordinator = _as(app, family.coordinator)
    html = coordinator.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "Barnahus utredning" in html


def _expire(client) -> None:
    with client.session_transaction() as sess:
        sess["seen"] = time.time() - 24 * 3600


def _passkey_sign_in(client, authn):
    browser = Browser(client)
    assert browser.sign_in(authn).status_code == 200


def _register(client, session, person) -> SoftAuthenticator:
    authn = SoftAuthenticator(ORIGIN)
    issued = issue_invitation(session, person, None, 14)
    session.commit()
    response, _ = Browser(client).register(authn, issued.token)
    assert response.status_code == 200
    return authn


def test_text_typed_after_expiry_survives_a_real_passkey_sign_in(app, session):
    family = make_family(session, child_age=12)
    child = app.test_client()
    authn = _register(child, session, family.child)
    step = f"/meetings/{family.meeting.id}/my-views/want_help"
    token = csrf_token(child, step)
    _expire(child)
    late = child.post(
        step + "/autosave",
        headers=HX,
        data={"csrf_token": token, "text": "Läxhjälp, tack", "audience": "everyone"},
    )
    assert late.status_code == 401
    _passkey_sign_in(child, authn)
    html = child.get(step).get_data(as_text=True)
    assert "Läxhjälp, tack" in html
    assert session.scalar(select(StatementAnswer.text)) == "Läxhjälp, tack"


def test_someone_else_signing_in_on_the_same_device_never_gets_the_childs_text(app, session):
    family = make_family(session, child_age=12)
    device = app.test_client()
    _register(device, session, family.child)
    guardian_authn = _register(app.test_client(), session, family.guardians[0])
    step = f"/meetings/{family.meeting.id}/my-views/hard"
    token = csrf_token(device, step)
    _expire(device)
    device.post(
        step + "/autosave",
        headers=HX,
        data={"csrf_token": token, "text": "Hemligt", "audience": "not_guardians"},
    )
    _passkey_sign_in(device, guardian_authn)  # the parent signs in on the child's phone
    html = device.get(step).get_data(as_text=True)
    assert "Hemligt" not in html
    assert session.scalar(select(func.count()).select_from(StatementAnswer)) == 0


def test_coordinator_can_invite_the_family_but_not_colleagues(app, session):
    family = make_family(session)
    coordinator = _as(app, family.coordinator)
    people = f"/workspace/plans/{family.plan.id}/people"
    token = csrf_token(coordinator, people)
    html = coordinator.get(people).get_data(as_text=True)
    assert family.professional.display_name not in html
    ok = coordinator.post(
        f"{people}/{family.guardians[0].id}/invitation", data={"csrf_token": token}
    )
    assert ok.status_code == 200 and "QR" in ok.get_data(as_text=True)
    refused = coordinator.post(
        f"{people}/{family.professional.id}/invitation", data={"csrf_token": token}
    )
    assert refused.status_code == 404


def test_a_new_passkey_is_announced_to_its_owner(app, session):
    family = make_family(session)
    _register(app.test_client(), session, family.guardians[0])
    kinds = session.scalars(
        select(Notification.kind).where(Notification.person_id == family.guardians[0].id)
    ).all()
    assert kinds == ["passkey_added"]


def test_writing_views_and_feeding_the_agenda_are_audited_without_flooding(app, session):
    family = make_family(session, child_age=12)
    child = _as(app, family.child)
    step = f"/meetings/{family.meeting.id}/my-views/hard"
    token = csrf_token(child, step)
    for text in ("a", "ab", "abc"):
        child.post(
            step + "/autosave",
            headers=HX,
            data={"csrf_token": token, "text": text, "audience": "everyone"},
        )
    writes = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "write", AuditEvent.object_type == "statement_answer"
        )
    ).all()
    assert len(writes) == 1 and writes[0].child_id == family.child.id
    child.post(f"/meetings/{family.meeting.id}/my-views/send", data={"csrf_token": token})
    answer = session.scalar(select(StatementAnswer))
    coordinator = _as(app, family.coordinator)
    ctoken = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    coordinator.post(
        f"/meetings/{family.meeting.id}/answers/{answer.id}/agenda", data={"csrf_token": ctoken}
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "agenda_item")
        )
        == 1
    )


def test_guardian_does_not_see_an_empty_card_for_a_child_who_wrote_only_for_others(app, session):
    family = make_family(session, child_age=12)
    statement = Statement(
        meeting_id=family.meeting.id, author_id=family.child.id, status="submitted", mood="sad"
    )
    session.add(statement)
    session.flush()
    session.add(
        StatementAnswer(
            statement_id=statement.id, prompt="hard", text="x", audience="not_guardians"
        )
    )
    session.commit()
    guardian = _as(app, family.guardians[0])
    html = guardian.get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
    assert "Tankar inför mötet" not in html
    assert "statement-card" not in html


def test_odd_passkey_bodies_are_400_not_500(client):
    browser = Browser(client)
    options = browser.post("/passkeys/sign-in/options", {}).get_json()
    client_data = json.dumps(
        {"type": "webauthn.get", "challenge": options["challenge"], "origin": ORIGIN}
    ).encode()
    import base64

    cdj = base64.urlsafe_b64encode(client_data).rstrip(b"=").decode()
    for credential in (
        {"rawId": "AAAA", "response": {"clientDataJSON": cdj, "userHandle": 12}},
        {"response": {"clientDataJSON": cdj}},
    ):
        response = browser.post("/passkeys/sign-in/verify", {"credential": credential})
        assert response.status_code == 400


def test_too_long_represented_by_is_a_clear_400(app, session):
    family = make_family(session)
    family.meeting.starts_at = datetime.now(UTC) - timedelta(minutes=1)  # answers come after
    session.commit()
    coordinator = _as(app, family.coordinator)
    token = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    response = coordinator.post(
        f"/meetings/{family.meeting.id}/feedback",
        data={"csrf_token": token, "represented_by": "x" * 500},
    )
    assert response.status_code == 400


def test_sign_out_everywhere_also_stops_the_calendar_feed(app, session):
    from tests.functional.test_plan_screens import _new_feed

    family = make_family(session)
    client = app.test_client()
    path = _new_feed(client, family.guardians[0])
    assert app.test_client().get(path).status_code == 200
    token = csrf_token(client, "/account/devices")
    client.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert app.test_client().get(path).status_code == 404
