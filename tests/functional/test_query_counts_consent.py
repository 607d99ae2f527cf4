"""The consent pages cost the same number of SQL statements however many agencies
take part: consent is loaded for every agency of the plan in one go
(access.plan_consents / consent_states), never once per agency."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from family_app.models import Action, ActionStatus, MemberRole, PlanMember
from tests.conftest import count_queries, sign_in_as
from tests.factories import Family, give_consent, make_agency, make_family, make_person

PAGES = ["/consent", "/who-can-see"]
READERS = ["guardian", "coordinator"]


def _family_with_agencies(session, agencies: int) -> tuple[Family, list[str]]:
    """A plan with ``agencies`` agencies, each with an action, a professional in
    the plan, and consent given by both guardians with custody."""
    family = make_family(session)
    # make_family's two agencies: give the coordinator's an action of its own too.
    session.add(
        Action(
            plan_id=family.plan.id,
            goal_id=family.goal.id,
            title="Samordning",
            responsible_agency_id=family.coordinator_agency.id,
            contact_person_id=family.coordinator.id,
            status=ActionStatus.STARTED,
            planned_start=date.today(),
        )
    )
    names = [family.coordinator_agency.name, family.professional_agency.name]
    for i in range(agencies - 2):
        agency = make_agency(session)
        names.append(agency.name)
        contact = make_person(session, agency_id=agency.id)
        session.add(
            PlanMember(plan_id=family.plan.id, person_id=contact.id, role=MemberRole.PROFESSIONAL)
        )
        session.add(
            Action(
                plan_id=family.plan.id,
                goal_id=family.goal.id,
                title=f"Insats {i}",
                responsible_agency_id=agency.id,
                contact_person_id=contact.id,
                status=ActionStatus.PLANNED,
                planned_start=date.today() + timedelta(days=i + 1),
            )
        )
        give_consent(session, family.plan, agency, family.guardians)
    session.commit()
    return family, names


def _reader(family: Family, role: str):
    return family.guardians[0] if role == "guardian" else family.coordinator


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("page", PAGES)
def test_consent_pages_cost_the_same_with_2_and_12_agencies(app, session, page, role):
    counts = []
    for size in (2, 12):
        family, names = _family_with_agencies(session, size)
        client = app.test_client()
        sign_in_as(client, _reader(family, role))
        client.get("/healthz")  # warm up the connection (SQLite pragmas)
        path = f"/plans/{family.plan.id}{page}"
        # The page really names every agency: the large plan is not cut short.
        body = client.get(path).get_data(as_text=True)
        assert [n for n in names if not re.search(re.escape(n) + r"\b", body)] == []
        counts.append(count_queries(app, client, path))
    assert counts[0] == counts[1], counts


def test_the_notices_page_costs_the_same_for_2_and_12_consent_notices(app, client, session):
    """Each consent notice names who and which agency; the events are loaded with
    the notices, not one by one as each line is written."""
    from family_app.models import Consent, ConsentEvent, Notification

    family = make_family(session)
    sign_in_as(client, family.coordinator)
    consent = session.scalar(
        select(Consent).where(Consent.agency_id == family.professional_agency.id)
    )

    def add_notices(n: int) -> None:
        for _ in range(n):
            event_row = ConsentEvent(
                consent_id=consent.id, person_id=family.guardians[0].id, kind="revoked"
            )
            session.add(event_row)
            session.flush()
            session.add(
                Notification(
                    person_id=family.coordinator.id,
                    plan_id=family.plan.id,
                    kind="consent_changed",
                    object_type="consent_event",
                    object_id=event_row.id,
                )
            )
        session.commit()

    add_notices(2)
    client.get("/account/notifications")  # a first visit makes the session's CSRF token
    few = count_queries(app, client, "/account/notifications")
    add_notices(10)
    many = count_queries(app, client, "/account/notifications")
    page = client.get("/account/notifications").get_data(as_text=True)
    assert page.count(family.professional_agency.name) >= 12
    assert many == few, (few, many)
