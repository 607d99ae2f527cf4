"""Consent the family gave on paper or orally, and consent exceptions, recorded by
the coordinator: they count under rule 2 and show in the family's history as
what they are; the exception's reason stays with the team."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from family_app.access import consent_state
from family_app.models import (
    AuditEvent,
    Consent,
    ConsentEvent,
    ConsentException,
    ConsentParty,
    Plan,
    PlanStatus,
)
from family_app.models.base import utcnow
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_agency, make_family, make_person

TODAY = date.today()


def _post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, "/workspace/"), **data})


def test_written_consent_from_both_guardians_opens_the_plan_to_the_agency(client, session):
    family = make_family(session, status=PlanStatus.DRAFT, consent=False)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/consent/new"
    for guardian in family.guardians:
        response = _post(
            client,
            path,
            {
                "agency_id": str(family.professional_agency.id),
                "person_id": str(guardian.id),
                "method": "written",
                "given_on": TODAY.isoformat(),
                "valid_to": (TODAY + timedelta(days=365)).isoformat(),
            },
        )
        assert response.status_code == 303
    plan = session.get(Plan, family.plan.id)
    with client.application.app_context():
        state = consent_state(session, plan, family.professional_agency.id, utcnow())
    assert state.effective
    parties = [
        p
        for p in session.scalars(select(ConsentParty))
        if p.consent.agency_id == family.professional_agency.id
    ]
    assert [(p.method, p.recorded_by_id) for p in parties] == [
        ("written", family.coordinator.id)
    ] * 2
    plan.status = PlanStatus.ACTIVE
    session.commit()
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    history = guardian.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "gav skriftligt samtycke" in history


def test_recorded_consent_refuses_bad_dates_and_people_outside_the_plan(client, session):
    family = make_family(session, consent=False)
    stranger = make_person(session)
    session.commit()
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/consent/new"
    good = {
        "agency_id": str(family.professional_agency.id),
        "person_id": str(family.guardians[0].id),
        "method": "oral",
        "given_on": TODAY.isoformat(),
        "valid_to": (TODAY + timedelta(days=30)).isoformat(),
    }
    for change in (
        {"person_id": str(stranger.id)},
        {"agency_id": str(make_agency(session).id)},
        {"given_on": (TODAY + timedelta(days=2)).isoformat()},
        {"valid_to": (TODAY - timedelta(days=2)).isoformat()},
        {"method": "telepathy"},
    ):
        session.commit()
        response = _post(client, path, {**good, **change})
        assert response.status_code == 400, change
    session.expire_all()
    assert session.scalars(select(ConsentEvent)).all() == []


def test_an_exception_stands_in_for_a_guardian_and_its_reason_stays_with_the_team(client, session):
    family = make_family(session, consent=False)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/consent/exception"
    assert _post(client, path, {"agency_id": str(family.professional_agency.id)}).status_code == 400
    for guardian in family.guardians:
        response = _post(
            client,
            path,
            {
                "agency_id": str(family.professional_agency.id),
                "person_id": str(guardian.id),
                "legal_ref": "OSL 12 kap. 3 §",
                "reason": "Barnet kan ta allvarlig skada.",
                "decided_by": "Socialnämnden",
                "valid_to": (TODAY + timedelta(days=90)).isoformat(),
            },
        )
        assert response.status_code == 303
    plan = session.get(Plan, family.plan.id)
    with client.application.app_context():
        state = consent_state(session, plan, family.professional_agency.id, utcnow())
    assert state.effective
    exception = session.scalar(
        select(ConsentException)
        .join(ConsentException.consent)
        .where(
            ConsentException.person_id == family.guardians[0].id,
            Consent.agency_id == family.professional_agency.id,
        )
    )
    assert (exception.legal_ref, exception.decided_by) == (
        "OSL 12 kap. 3 §",
        "Socialnämnden",
    )
    notes = session.scalars(select(ConsentEvent.note).where(ConsentEvent.kind == "exception"))
    assert set(notes) == {"OSL 12 kap. 3 §"}
    assert "allvarlig" not in " ".join(session.scalars(select(AuditEvent.detail)))
    guardian = client.application.test_client()
    sign_in_as(guardian, family.guardians[0])
    history = guardian.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "med stöd av <bdi>OSL 12 kap. 3 §</bdi>" in history
    assert "allvarlig skada" not in history
