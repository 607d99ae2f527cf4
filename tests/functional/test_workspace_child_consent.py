"""The child's say on consent recorded by the coordinator, FB 6:13 a decisions and
maturity overrides (DESIGN rule 3, decision 10): each counts as the rule says,
shows in the family's consent history as what it is, and an exception is a
record of its own that a guardian's revoke does not erase."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from family_app.access import consent_state
from family_app.consent import services as consent_services
from family_app.models import (
    AuditEvent,
    ConsentEvent,
    ConsentException,
    Person,
    Plan,
    PlanStatus,
)
from family_app.models.base import utcnow
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family

TODAY = date.today()


def _post(client, path: str, data: dict | None = None):
    return client.post(path, data={"csrf_token": csrf_token(client, "/workspace/"), **(data or {})})


def _state(app, session, family):
    plan = session.get(Plan, family.plan.id)
    session.refresh(plan)
    with app.app_context():
        return consent_state(session, plan, family.professional_agency.id, utcnow())


def _history(app, person, family) -> str:
    client = app.test_client()
    sign_in_as(client, person)
    return client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)


def test_the_childs_own_consent_from_15_is_recorded_and_opens_the_plan(app, client, session):
    family = make_family(session, child_age=15, status=PlanStatus.DRAFT, consent=False)
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        for guardian in family.guardians:
            consent_services.give(session, plan, family.professional_agency, guardian, guardian, 12)
        session.commit()
    assert _state(app, session, family).missing == (family.child.id,)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/child",
        {
            "agency_id": str(family.professional_agency.id),
            "say": "consent",
            "method": "oral",
            "given_on": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=200)).isoformat(),
        },
    )
    assert response.status_code == 303
    assert _state(app, session, family).effective


def test_a_child_of_13_cannot_be_recorded_as_consenting_without_a_maturity_judgement(
    client, session
):
    family = make_family(session, child_age=13)
    sign_in_as(client, family.coordinator)
    data = {
        "agency_id": str(family.professional_agency.id),
        "say": "consent",
        "method": "written",
        "given_on": TODAY.isoformat(),
        "valid_to": (TODAY + timedelta(days=200)).isoformat(),
    }
    response = _post(client, f"/workspace/plans/{family.plan.id}/consent/child", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "under 15 år" in page
    assert (TODAY + timedelta(days=200)).isoformat() in page  # typed text kept
    assert (
        session.scalar(select(ConsentEvent.id).where(ConsentEvent.person_id == family.child.id))
        is None
    )


def test_the_assent_of_a_child_of_13_is_in_the_history_as_assent(app, client, session):
    family = make_family(session, child_age=13)
    sign_in_as(client, family.coordinator)
    for say in ("assent", "dissent"):
        response = _post(
            client,
            f"/workspace/plans/{family.plan.id}/consent/child",
            {
                "agency_id": str(family.professional_agency.id),
                "say": say,
                "method": "oral",
                "given_on": TODAY.isoformat(),
            },
        )
        assert response.status_code == 303
    kinds = set(
        session.scalars(select(ConsentEvent.kind).where(ConsentEvent.person_id == family.child.id))
    )
    assert kinds == {"child_assent", "child_dissent"}
    name = family.child.display_name
    child_page = _history(app, family.child, family)
    assert f"<bdi>{name}</bdi> gick med på att" in child_page
    assert f"<bdi>{name}</bdi> gick inte med på att" in child_page
    # The child's own say is the child's: never shown to the guardians.
    guardian_page = _history(app, family.guardians[0], family)
    assert "gick med på att" not in guardian_page


def test_a_child_of_10_has_no_assent_to_record(client, session):
    family = make_family(session, child_age=10)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/child",
        {
            "agency_id": str(family.professional_agency.id),
            "say": "assent",
            "method": "oral",
            "given_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "under 12 år" in response.get_data(as_text=True)


def test_an_fb_6_13a_decision_stands_in_for_one_guardian_and_survives_their_revoke(
    app, client, session
):
    family = make_family(session, child_age=10)
    assert _state(app, session, family).effective
    refuser = family.guardians[1]
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/fb-6-13a",
        {
            "agency_id": str(family.professional_agency.id),
            "person_id": str(refuser.id),
            "decided_by": "Socialnämnden i Orust",
            "decided_on": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=180)).isoformat(),
            "reason": "Barnet behöver vård nu; en vårdnadshavare säger nej.",
        },
    )
    assert response.status_code == 303
    exception = session.scalar(select(ConsentException))
    assert (exception.kind, exception.legal_ref, exception.decided_by, exception.person_id) == (
        "fb_6_13a",
        "FB 6 kap. 13 a §",
        "Socialnämnden i Orust",
        refuser.id,
    )
    assert exception.decided_by_id == family.coordinator.id
    # The guardian revokes: their own consent ends, the decision stands.
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        assert consent_services.revoke(session, plan, family.professional_agency, refuser, refuser)
        session.commit()
    assert _state(app, session, family).effective
    session.refresh(exception)
    assert exception.reason.startswith("Barnet behöver vård") and exception.ended_at is None
    # The other guardian's revoke still closes the plan to the agency (rule 2).
    with app.app_context():
        other = family.guardians[0]
        consent_services.revoke(session, plan, family.professional_agency, other, other)
        session.commit()
    assert not _state(app, session, family).effective
    page = _history(app, family.guardians[0], family)
    assert "Socialnämnden beslutade att vården" in page and "FB 6 kap. 13 a §" in page
    assert "en vårdnadshavare säger nej" not in page
    assert "en vårdnadshavare säger nej" not in " ".join(session.scalars(select(AuditEvent.detail)))


def test_an_fb_6_13a_decision_names_only_a_guardian_with_custody(client, session):
    family = make_family(session, child_age=10)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/fb-6-13a",
        {
            "agency_id": str(family.professional_agency.id),
            "person_id": str(family.child.id),
            "decided_by": "Socialnämnden",
            "decided_on": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=180)).isoformat(),
            "reason": "Skäl",
        },
    )
    assert response.status_code == 400
    assert session.scalar(select(ConsentException.id)) is None


def test_a_maturity_judgement_needs_a_written_reason(client, session):
    family = make_family(session, child_age=13)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/maturity",
        {
            "agency_id": str(family.professional_agency.id),
            "judgement": "judged_mature",
            "reason": "   ",
            "decided_by": "Psykolog Eva",
            "valid_to": (TODAY + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Skriv skälet till bedömningen." in response.get_data(as_text=True)
    assert session.scalar(select(ConsentException.id)) is None


def test_a_child_of_13_judged_mature_must_then_consent_themself(app, client, session):
    family = make_family(session, child_age=13)
    assert _state(app, session, family).effective
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/maturity",
        {
            "agency_id": str(family.professional_agency.id),
            "judgement": "judged_mature",
            "reason": "Hen förstår vad det innebär.",
            "decided_by": "Psykolog Eva",
            "valid_to": (TODAY + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 303
    state = _state(app, session, family)
    assert not state.effective and state.missing == (family.child.id,)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/child",
        {
            "agency_id": str(family.professional_agency.id),
            "say": "consent",
            "method": "written",
            "given_on": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 303
    assert _state(app, session, family).effective
    audit = set(session.scalars(select(AuditEvent.detail)))
    assert "judged_mature" in audit and "förstår" not in " ".join(audit)
    page = _history(app, family.guardians[0], family)
    assert "är mogen nog att själv samtycka" in page


def test_a_child_of_16_whose_consent_is_judged_not_required(app, client, session):
    family = make_family(session, child_age=16, consent=False)
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        for guardian in family.guardians:
            consent_services.give(session, plan, family.professional_agency, guardian, guardian, 12)
        session.commit()
    assert _state(app, session, family).missing == (family.child.id,)
    sign_in_as(client, family.coordinator)
    response = _post(
        client,
        f"/workspace/plans/{family.plan.id}/consent/maturity",
        {
            "agency_id": str(family.professional_agency.id),
            "judgement": "consent_waived",
            "reason": "Hen kan inte ta ställning just nu.",
            "decided_by": "Läkare Ali",
            "valid_to": (TODAY + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 303
    assert _state(app, session, family).effective
    page = _history(app, session.get(Person, family.child.id), family)
    assert "inte behövs för" in page


def test_the_professional_cannot_record_the_childs_say(client, session):
    family = make_family(session, child_age=13)
    sign_in_as(client, family.professional)
    for path in ("child", "fb-6-13a", "maturity"):
        assert client.get(f"/workspace/plans/{family.plan.id}/consent/{path}").status_code == 404


def test_the_coordinator_ends_an_exception_and_it_stays_in_the_history(app, client, session):
    family = make_family(session, child_age=10)
    refuser = family.guardians[1]
    sign_in_as(client, family.coordinator)
    assert (
        _post(
            client,
            f"/workspace/plans/{family.plan.id}/consent/fb-6-13a",
            {
                "agency_id": str(family.professional_agency.id),
                "person_id": str(refuser.id),
                "decided_by": "Socialnämnden",
                "decided_on": TODAY.isoformat(),
                "valid_to": (TODAY + timedelta(days=180)).isoformat(),
                "reason": "Vård behövs nu.",
            },
        ).status_code
        == 303
    )
    exception = session.scalar(select(ConsentException))
    page = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert "Undantag och bedömningar som gäller nu" in page and "Vård behövs nu." in page
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        consent_services.revoke(session, plan, family.professional_agency, refuser, refuser)
        session.commit()
    assert _state(app, session, family).effective  # the decision stands in
    path = f"/workspace/plans/{family.plan.id}/consent/exceptions/{exception.id}/end"
    assert client.get(path).status_code == 200
    assert _post(client, path).status_code == 303
    session.refresh(exception)
    assert exception.ended_at is not None and exception.reason == "Vård behövs nu."
    assert not _state(app, session, family).effective  # the revoke now binds
    assert "Personalen avslutade ett beslut om samtycke" in _history(app, family.child, family)
    assert "exception_ended" in set(session.scalars(select(AuditEvent.detail)))
    # An ended exception cannot be ended again, and is gone from the workspace list.
    assert client.get(path).status_code == 404
    page = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert "Vård behövs nu." not in page


def test_an_exception_of_another_plan_cannot_be_ended_here(client, session):
    family = make_family(session, child_age=10)
    other = make_family(session, child_age=10)
    from family_app.models import Consent

    consent = session.scalar(select(Consent).where(Consent.plan_id == other.plan.id))
    exception = ConsentException(consent_id=consent.id, person_id=other.guardians[0].id)
    session.add(exception)
    session.commit()
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/consent/exceptions/{exception.id}/end"
    assert client.get(path).status_code == 404
    assert _post(client, path).status_code == 404
    session.refresh(exception)
    assert exception.ended_at is None


def test_a_revoking_guardian_covered_by_a_decision_is_not_shown_as_saying_yes(app, client, session):
    family = make_family(session, child_age=10)
    refuser = family.guardians[1]
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        consent_services.revoke(session, plan, family.professional_agency, refuser, refuser)
        consent_services.record_exception(
            session,
            plan,
            family.professional_agency,
            refuser,
            family.coordinator,
            "FB 6 kap. 13 a §",
            "Skäl",
            "Socialnämnden",
            utcnow() + timedelta(days=30),
            kind="fb_6_13a",
        )
        session.commit()
    page = _history(app, family.guardians[0], family)
    start = page.index(f'id="agency-{family.professional_agency.id}"')
    card = page[start : page.index("</section>", start)]
    name = refuser.display_name
    assert f"<bdi>{name}</bdi>: personalen har beslutat om ett undantag." in card
    assert f"<bdi>{name}</bdi> har sagt ja" not in card
