"""The agency admin adds professionals to their own agency and invites them
(DESIGN.md section 11, decision 5); a coordinator never invites a colleague.
Every act is audited; an admin acts only on their own agency's staff."""

from __future__ import annotations

import re

from sqlalchemy import select

from family_app.models import AuditEvent, Credential, Invitation, Person
from family_app.models.base import utcnow
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person
from tests.functional.test_issue10_sessions_accounts import ORIGIN, Browser
from tests.softauthn import SoftAuthenticator


def _admin(session, agency_id=None):  # noqa: ANN001, ANN202
    agency_id = agency_id or make_agency(session).id
    admin = make_person(session, "Ada Admin", is_admin=True, agency_id=agency_id)
    session.commit()
    return admin


def _post(client, path: str, data: dict | None = None):  # noqa: ANN202
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/"), **(data or {})})


def _audit(session, detail: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.detail == detail)))


def test_the_admin_adds_a_professional_to_their_own_agency(client, session):
    admin = _admin(session)
    sign_in_as(client, admin)
    assert client.get("/admin/people/new").status_code == 200
    response = _post(
        client,
        "/admin/people/new",
        {"display_name": "Karin Kurator", "title": "Kurator", "phone": "010-123 45 67"},
    )
    assert response.status_code == 303
    karin = session.scalar(select(Person).where(Person.display_name == "Karin Kurator"))
    assert (karin.agency_id, karin.title, karin.phone, karin.is_admin) == (
        admin.agency_id,
        "Kurator",
        "010-123 45 67",
        False,
    )
    [event] = _audit(session, "staff_added")
    assert (event.actor_id, event.object_id) == (admin.id, karin.id)
    assert "Karin Kurator" in client.get("/admin/").get_data(as_text=True)


def test_the_admin_may_add_another_admin(client, session):
    admin = _admin(session)
    sign_in_as(client, admin)
    response = _post(
        client, "/admin/people/new", {"display_name": "Bo Biträdande", "is_admin": "y"}
    )
    assert response.status_code == 303
    bo = session.scalar(select(Person).where(Person.display_name == "Bo Biträdande"))
    assert bo.is_admin and bo.agency_id == admin.agency_id
    assert _audit(session, "staff_added_admin")


def test_a_new_professional_needs_a_name_and_keeps_what_was_typed(client, session):
    admin = _admin(session)
    sign_in_as(client, admin)
    before = session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    response = _post(
        client, "/admin/people/new", {"display_name": " ", "title": "Psykolog", "phone": "abc"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv medarbetarens namn." in page and 'value="Psykolog"' in page
    assert "Skriv bara siffror" in page
    assert session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == before


def test_markup_in_a_name_is_refused(client, session):
    admin = _admin(session)
    sign_in_as(client, admin)
    response = _post(client, "/admin/people/new", {"display_name": "<script>x</script>"})
    assert response.status_code == 400


def test_the_admin_invites_a_colleague_and_sees_link_code_and_qr_once(client, session):
    admin = _admin(session)
    colleague = make_person(session, "Cecilia Ny", agency_id=admin.agency_id)
    session.commit()
    sign_in_as(client, admin)
    response = _post(client, f"/admin/people/{colleague.id}/invitation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "data:image/svg+xml" in page
    code = re.search(r'invite-card__code"[^>]*>([A-Z0-9-]+)<', page).group(1)
    assert len(code) == 14
    invitation = session.scalar(select(Invitation).where(Invitation.person_id == colleague.id))
    assert invitation.created_by_id == admin.id and invitation.reason is None
    assert code not in (invitation.code_hash or "")
    [event] = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "invite", AuditEvent.object_id == colleague.id
        )
    )
    assert event.actor_id == admin.id
    # The admin page now shows the open invitation, never its code.
    index = client.get("/admin/").get_data(as_text=True)
    assert "Har en inbjudan som gäller till" in index and code not in index
    # The invitation opens the colleague's registration.
    phone = client.application.test_client()
    token = re.search(r"/i/([A-Za-z0-9_-]+)", page).group(1)
    result, _cred = Browser(phone).register(SoftAuthenticator(ORIGIN), token)
    assert result.status_code == 200
    assert session.scalar(select(Credential.person_id)) == colleague.id


def test_the_admin_withdraws_an_open_invitation(client, session):
    admin = _admin(session)
    colleague = make_person(session, "Cecilia Ny", agency_id=admin.agency_id)
    session.commit()
    sign_in_as(client, admin)
    assert _post(client, f"/admin/people/{colleague.id}/invitation").status_code == 200
    response = _post(client, f"/admin/people/{colleague.id}/invitation/withdraw")
    assert response.status_code == 303
    invitation = session.scalar(select(Invitation).where(Invitation.person_id == colleague.id))
    assert invitation.withdrawn_at is not None and invitation.withdrawn_at <= utcnow()
    assert _audit(session, "withdrawn")


def test_reinviting_a_colleague_with_a_passkey_asks_why_and_the_new_one_is_pending(
    app, client, session
):
    admin = _admin(session)
    colleague = make_person(session, "Cecilia Ny", agency_id=admin.agency_id)
    session.commit()
    sign_in_as(client, admin)
    first = _post(client, f"/admin/people/{colleague.id}/invitation").get_data(as_text=True)
    token = re.search(r"/i/([A-Za-z0-9_-]+)", first).group(1)
    result, _cred = Browser(app.test_client()).register(SoftAuthenticator(ORIGIN), token)
    assert result.status_code == 200
    refused = _post(client, f"/admin/people/{colleague.id}/invitation", {"reason": "  "})
    assert refused.status_code == 400
    assert 'aria-describedby="reason-' in refused.get_data(as_text=True)
    given = _post(
        client, f"/admin/people/{colleague.id}/invitation", {"reason": "Tappade telefonen"}
    )
    assert given.status_code == 200
    assert _audit(session, "reinvite")
    token = re.search(r"/i/([A-Za-z0-9_-]+)", given.get_data(as_text=True)).group(1)
    result, _cred = Browser(app.test_client()).register(SoftAuthenticator(ORIGIN), token)
    assert result.status_code == 200
    session.expire_all()
    newest = session.scalar(
        select(Credential)
        .where(Credential.person_id == colleague.id)
        .order_by(Credential.id.desc())
        .limit(1)
    )
    assert newest.is_pending(utcnow())
    # The re-invitation and its reason are on the admin's page.
    assert "Tappade telefonen" in client.get("/admin/").get_data(as_text=True)


def test_an_admin_acts_only_on_their_own_agencys_staff(client, session):
    admin = _admin(session)
    stranger = make_person(session, "Annan Verksamhet", agency_id=make_agency(session).id)
    session.commit()
    sign_in_as(client, admin)
    for path in (
        f"/admin/people/{stranger.id}/invitation",
        f"/admin/people/{stranger.id}/invitation/withdraw",
        f"/admin/people/{stranger.id}/end-sessions",
    ):
        assert _post(client, path).status_code == 404, path
    assert session.scalar(select(Invitation.id).where(Invitation.person_id == stranger.id)) is None
    assert "Annan Verksamhet" not in client.get("/admin/").get_data(as_text=True)


def test_a_coordinator_cannot_invite_a_colleague(client, session):
    family = make_family(session)
    colleague = make_person(session, "Kollega", agency_id=family.coordinator.agency_id)
    session.commit()
    sign_in_as(client, family.coordinator)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/people/new").status_code == 404
    token = csrf_token(client, "/workspace/")
    for person in (colleague, family.professional):
        response = client.post(f"/admin/people/{person.id}/invitation", data={"csrf_token": token})
        assert response.status_code == 404
    # Nor through the plan's people page: only the family is invited there.
    response = client.post(
        f"/workspace/plans/{family.plan.id}/people/{family.professional.id}/invitation",
        data={"csrf_token": token},
    )
    assert response.status_code == 404
    assert session.scalar(select(Invitation.id)) is None


def test_the_command_line_still_invites(app, session):
    admin = _admin(session)
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["invite", str(admin.id)])
    assert result.exit_code == 0 and "Code: " in result.output
