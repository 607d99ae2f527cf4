"""Consent per agency (DESIGN.md rules 2–4), through the pages people use."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from family_app.models import (
    AuditEvent,
    Consent,
    ConsentEvent,
    ConsentParty,
    Notification,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family


def _consent_path(family, change: str) -> str:
    return f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/{change}"


def _post(client, path: str):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token})


def _events(session, kind: str | None = None) -> list[ConsentEvent]:
    query = select(ConsentEvent)
    if kind:
        query = query.where(ConsentEvent.kind == kind)
    return list(session.scalars(query))


@pytest.mark.parametrize("role", ["child", "guardian", "coordinator", "professional"])
def test_each_reader_of_the_plan_sees_the_consent_page(client, session, role):
    family = make_family(session)
    person = {
        "child": family.child,
        "guardian": family.guardians[0],
        "coordinator": family.coordinator,
        "professional": family.professional,
    }[role]
    sign_in_as(client, person)
    html = client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert family.professional_agency.name in html
    assert f"<bdi>{family.professional_agency.name}</bdi> kan läsa planen nu." in html
    revoke_button = f"Återkalla samtycket för <bdi>{family.professional_agency.name}</bdi>"
    assert (revoke_button in html) == (role == "guardian")


def test_child_gets_child_words_and_can_say_what_they_think(client, session):
    family = make_family(session, child_age=10)
    sign_in_as(client, family.child)
    page = client.get(f"/plans/{family.plan.id}/consent")
    html = page.get_data(as_text=True)
    assert "Vem får veta om din plan?" in html and "Vad tycker du om att" in html
    path = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/child-view"
    token = csrf_token(client, f"/plans/{family.plan.id}/consent")
    bad = client.post(path, data={"csrf_token": token, "words": "Jag undrar"})
    assert bad.status_code == 400 and "Jag undrar" in bad.get_data(as_text=True)
    ok = client.post(path, data={"csrf_token": token, "view": "unsure", "words": "Jag undrar"})
    assert ok.status_code == 303
    assert _events(session, "child_view")[0].note == "unsure: Jag undrar"
    coordinator = client.application.test_client()
    sign_in_as(coordinator, family.coordinator)
    html = coordinator.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "unsure: Jag undrar" in html
    assert client.get(_consent_path(family, "revoke")).status_code == 404  # not the child's to do


def test_revoking_takes_a_confirmation_and_locks_the_agency_out_at_once(client, session):
    family = make_family(session)
    professional = client.application.test_client()
    sign_in_as(professional, family.professional)
    assert professional.get(f"/plans/{family.plan.id}").status_code == 200

    sign_in_as(client, family.guardians[0])
    confirm = client.get(_consent_path(family, "revoke")).get_data(as_text=True)
    assert "finns kvar i deras journal" in confirm and "raderas inte" in confirm
    assert "socialtjänsten" in confirm  # duties to report concern continue
    assert "Nej, gå tillbaka" in confirm
    response = _post(client, _consent_path(family, "revoke"))
    assert response.status_code == 303

    for path in (
        f"/plans/{family.plan.id}",
        f"/meetings/{family.meeting.id}",
        f"/plans/{family.plan.id}/consent",
    ):
        assert professional.get(path).status_code == 404, path
    page = client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert f"<bdi>{family.professional_agency.name}</bdi> kan inte läsa planen." in page
    assert "återkallade samtycket" in page  # the history


def test_revocation_is_an_audit_event_a_consent_event_and_tells_the_coordinator(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    _post(client, _consent_path(family, "revoke"))
    assert len(_events(session, "revoked")) == 1
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "consent")).all()
    assert [a.detail for a in audit] == ["revoked"]
    kinds = {(n.person_id, n.kind) for n in session.scalars(select(Notification))}
    assert (family.coordinator.id, "consent_changed") in kinds
    assert (family.guardians[0].id, "consent_receipt") in kinds


def test_double_tap_writes_one_event(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    token = csrf_token(client, _consent_path(family, "revoke"))
    first = client.post(_consent_path(family, "revoke"), data={"csrf_token": token})
    second = client.post(_consent_path(family, "revoke"), data={"csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert len(_events(session, "revoked")) == 1
    again = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Det var redan gjort" in again


def test_joint_custody_needs_both_guardians_and_shows_who_is_missing(client, session):
    family = make_family(session, consent=False)
    sara, johan = family.guardians
    pro = client.application.test_client()
    sign_in_as(pro, family.professional)
    sign_in_as(client, sara)
    _post(client, _consent_path(family, "give"))
    assert pro.get(f"/plans/{family.plan.id}").status_code == 404
    html = client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert f"<bdi>{johan.display_name}</bdi> har inte sagt ja än." in html
    second = client.application.test_client()
    sign_in_as(second, johan)
    confirm = second.get(_consent_path(family, "give")).get_data(as_text=True)
    assert "Samtycket gäller i 12 månader" in confirm
    _post(second, _consent_path(family, "give"))
    assert pro.get(f"/plans/{family.plan.id}").status_code == 200
    # One guardian revoking ends it for everyone, at once.
    _post(second, _consent_path(family, "revoke"))
    assert pro.get(f"/plans/{family.plan.id}").status_code == 404


def test_expired_consent_blocks_like_a_revoked_one(client, session):
    family = make_family(session)
    for party in session.scalars(select(ConsentParty)):
        party.valid_to = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    sign_in_as(client, family.professional)
    assert client.get(f"/plans/{family.plan.id}").status_code == 404
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    html = guardian.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "har gått ut" in html
    assert "Ge samtycke till" in html


def test_at_fifteen_the_childs_own_consent_is_needed_and_the_child_can_give_it(client, session):
    family = make_family(session, child_age=15, consent=False)
    pro = client.application.test_client()
    sign_in_as(pro, family.professional)
    for guardian in family.guardians:
        other = client.application.test_client()
        sign_in_as(other, guardian)
        _post(other, _consent_path(family, "give"))
    assert pro.get(f"/plans/{family.plan.id}").status_code == 404
    sign_in_as(client, family.child)
    html = client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "Du är så gammal att du själv bestämmer" in html
    assert f"<bdi>{family.child.display_name}</bdi> har inte sagt ja än." in html
    _post(client, _consent_path(family, "give"))
    assert pro.get(f"/plans/{family.plan.id}").status_code == 200


def test_fourteen_year_old_is_asked_but_not_required(client, session):
    family = make_family(session, child_age=14)
    sign_in_as(client, family.professional)
    assert client.get(f"/plans/{family.plan.id}").status_code == 200


def test_who_can_see_lists_people_agencies_and_why(client, session):
    family = make_family(session, consent=False)
    sign_in_as(client, family.guardians[0])
    html = client.get(f"/plans/{family.plan.id}/who-can-see").get_data(as_text=True)
    assert family.coordinator.display_name in html
    assert "Kan inte se planen." in html and family.guardians[1].display_name in html
    for guardian in family.guardians:
        other = client.application.test_client()
        sign_in_as(other, guardian)
        _post(other, _consent_path(family, "give"))
    html = client.get(f"/plans/{family.plan.id}/who-can-see").get_data(as_text=True)
    assert family.professional.display_name in html
    assert "Kan se planen eftersom ni har gett samtycke" in html


def test_child_sees_who_looked_at_their_plan_unit_and_time(client, session):
    family = make_family(session)
    pro = client.application.test_client()
    sign_in_as(pro, family.professional)
    pro.get(f"/plans/{family.plan.id}")
    sign_in_as(client, family.child)
    html = client.get(f"/plans/{family.plan.id}/who-can-see").get_data(as_text=True)
    assert "Vilka har tittat på din plan?" in html
    section = html.split("Vilka har tittat på din plan?")[1]
    assert family.professional_agency.name in section


def test_two_guardians_at_once_lose_nothing(app, session):
    """Two guardians give consent in the same instant, each twice (double tap)."""
    family = make_family(session, consent=False)
    clients = []
    for guardian in family.guardians:
        c = app.test_client()
        sign_in_as(c, guardian)
        clients.append((c, csrf_token(c, _consent_path(family, "give"))))
    barrier = threading.Barrier(4)
    results = []

    def tap(c, token):
        barrier.wait()
        results.append(
            c.post(_consent_path(family, "give"), data={"csrf_token": token}).status_code
        )

    threads = [threading.Thread(target=tap, args=pair) for pair in clients for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code == 303 for code in results), results
    professional_consents = (
        select(func.count())
        .select_from(Consent)
        .where(Consent.agency_id == family.professional_agency.id)
    )
    assert session.scalar(professional_consents) == 1
    given = _events(session, "given")
    assert sorted(e.person_id for e in given) == sorted(g.id for g in family.guardians)
    sign_in_as(clients[0][0], family.professional)
    assert clients[0][0].get(f"/plans/{family.plan.id}").status_code == 200


def test_reminder_thirty_days_before_the_end_once(client, session):
    from family_app.consent.services import remind_expiring

    family = make_family(session)
    professional = (
        select(ConsentParty).join(Consent).where(Consent.agency_id == family.professional_agency.id)
    )
    for party in session.scalars(professional):
        party.valid_to = datetime.now(UTC) + timedelta(days=20)
    session.commit()
    assert remind_expiring(session) == 2
    assert remind_expiring(session) == 0
    session.commit()
    sign_in_as(client, family.guardians[0])
    html = client.get("/account/notifications").get_data(as_text=True)
    assert "Ett samtycke slutar gälla snart." in html
    consent_page = client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "Det är snart." in consent_page and "Förnya samtycket för" in consent_page


def test_a_revoke_is_told_in_the_app_by_name_to_the_coordinator_and_the_other_guardian(
    client, session
):
    """Issue 13: inside the app the notice says who and which agency ("Sara
    återkallade samtycket för Vårdcentralen Kinna"); it goes to the coordinator and
    every other guardian, never the full name, never anything anyone wrote."""
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    _post(client, _consent_path(family, "revoke"))
    from family_app.i18n import isolate

    # Names isolated (Unicode marks), so a Swedish name cannot reorder an Arabic line.
    said = (
        f"{isolate(family.guardians[0].first_name)} återkallade samtycket för "
        f"{isolate(family.professional_agency.name)}."
    )
    for reader in (family.coordinator, family.guardians[1]):
        other = client.application.test_client()
        sign_in_as(other, reader)
        html = other.get("/account/notifications").get_data(as_text=True)
        assert said in html
        assert family.guardians[0].display_name not in html.split("<main")[1]
        assert "1 nytt meddelande" in other.get("/account/devices").get_data(as_text=True)


def test_a_harm_flag_set_after_the_notice_hides_the_agency_in_it_from_guardians(client, session):
    """Decision 10: the notice names the agency only while the reader may know of
    it; once a harm flag hides the agency from guardians, the guardian's notice is
    the general one, while the coordinator's still names it."""
    from family_app.models import Action

    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    _post(client, _consent_path(family, "revoke"))
    action = session.get(Action, family.action.id)
    action.harm_flag = True
    session.commit()
    other = client.application.test_client()
    sign_in_as(other, family.guardians[1])
    html = other.get("/account/notifications").get_data(as_text=True).split("<main")[1]
    assert family.professional_agency.name not in html
    assert "Ett samtycke i planen har ändrats." in html
    coordinator = client.application.test_client()
    sign_in_as(coordinator, family.coordinator)
    html = coordinator.get("/account/notifications").get_data(as_text=True)
    from family_app.i18n import isolate

    assert f"samtycket för {isolate(family.professional_agency.name)}." in html
