"""The 18th birthday (DESIGN.md section 11, decision 3): from the day the child
turns 18, Stockholm date, the guardians and relatives lose access on every path
and the young person alone consents; the workspace says so in advance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from family_app.access import consent_state, stockholm_today
from family_app.consent import services as consent_services
from family_app.models import Notification, Person, Plan
from family_app.models.base import utcnow
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family
from tests.functional.test_authorization_matrix import MATRIX, _ask, _outcome, build_world

GUARDIAN_SIDE = ["guardian", "guardian_without_custody", "relative"]
# Every family path that reads or writes the plan: pages, htmx fragments, the
# meeting's .ics, consent, views (the feed and notifications are tested below).
FAMILY_PATHS = sorted(
    key
    for key in MATRIX
    if key[0].split(".")[0] in ("plans", "consent", "views")
    and any(MATRIX[key][role] not in (404, "302 sign-in") for role in GUARDIAN_SIDE)
)


def eighteen_on(day):  # noqa: ANN001, ANN201 - a date
    """The birth date of someone who turns 18 on ``day``."""
    return day.replace(year=day.year - 18)


def _set_birth(session, plan_id: int, born) -> None:  # noqa: ANN001
    plan = session.get(Plan, plan_id)
    plan.child.birth_date = born
    session.commit()


def test_the_family_paths_cover_pages_fragments_ics_consent_and_views():
    names = {endpoint for endpoint, _method in FAMILY_PATHS}
    assert {"plans.plan", "plans.next_steps", "plans.meeting_ics", "consent.index"} <= names
    assert {"views.overview", "consent.change"} <= names


@pytest.mark.parametrize("role", GUARDIAN_SIDE)
def test_guardians_lose_every_family_path_on_the_18th_birthday(app, session, role):
    today = stockholm_today()
    wrong = []
    for endpoint, method in FAMILY_PATHS:
        world = build_world(session, role)
        _set_birth(session, world.args["plan_id"], eighteen_on(today))
        _path, response = _ask(app, world, role, endpoint, method)
        session.expunge_all()
        if _outcome(response) != 404:
            wrong.append(f"{method} {endpoint}: {_outcome(response)}")
    assert wrong == []


@pytest.mark.parametrize("role", GUARDIAN_SIDE)
def test_guardians_keep_full_access_the_day_before(app, session, role):
    today = stockholm_today()
    wrong = []
    for endpoint, method in FAMILY_PATHS:
        world = build_world(session, role)
        _set_birth(session, world.args["plan_id"], eighteen_on(today + timedelta(days=1)))
        _path, response = _ask(app, world, role, endpoint, method)
        session.expunge_all()
        if _outcome(response) != MATRIX[(endpoint, method)][role]:
            wrong.append(f"{method} {endpoint}: {_outcome(response)}")
    assert wrong == []


def test_the_young_person_keeps_their_plan_on_the_18th_birthday(app, session):
    family = make_family(session, child_age=17)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today()))
    client = app.test_client()
    sign_in_as(client, family.child)
    assert client.get(f"/plans/{family.plan.id}").status_code == 200


def test_the_guardians_calendar_feed_drops_the_plan_on_the_18th_birthday(app, session):
    world = build_world(session, "guardian")
    token = world.args["token"]
    client = app.test_client()
    before = client.get(f"/feeds/{token}/calendar.ics")
    assert before.status_code == 200 and b"BEGIN:VEVENT" in before.data
    _set_birth(session, world.args["plan_id"], eighteen_on(stockholm_today()))
    after = client.get(f"/feeds/{token}/calendar.ics")
    assert after.status_code == 200 and b"BEGIN:VEVENT" not in after.data


def test_the_guardians_notifications_about_the_plan_go_on_the_18th_birthday(app, session):
    family = make_family(session, child_age=17)
    guardian = family.guardians[0]
    session.add(Notification(person_id=guardian.id, plan_id=family.plan.id, kind="plan_changed"))
    session.add(Notification(person_id=guardian.id, plan_id=None, kind="passkey_added"))
    session.commit()
    client = app.test_client()
    sign_in_as(client, guardian)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Det finns nytt i planen." in page
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today()))
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Det finns nytt i planen." not in page
    assert "En ny inloggningsnyckel har lagts till" in page  # not about the plan: still theirs


def test_after_18_consent_is_effective_with_the_young_persons_consent_alone(app, session):
    family = make_family(session, child_age=17, consent=False)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today() - timedelta(days=3)))
    plan = session.get(Plan, family.plan.id)
    agency = family.professional_agency
    with app.app_context():
        now = utcnow()
        assert not consent_state(session, plan, agency.id, now).effective
        # The guardians' consent alone no longer opens the plan.
        for guardian in family.guardians:
            consent_services.give(session, plan, agency, guardian, guardian, 12)
        session.commit()
        state = consent_state(session, plan, agency.id, utcnow())
        assert not state.effective and state.missing == (family.child.id,)
        consent_services.give(session, plan, agency, family.child, family.child, 12)
        for guardian in family.guardians:
            consent_services.revoke(session, plan, agency, guardian, guardian)
        session.commit()
        assert consent_state(session, plan, agency.id, utcnow()).effective
    client = app.test_client()
    sign_in_as(client, session.get(Person, family.professional.id))
    assert client.get(f"/plans/{family.plan.id}").status_code == 200


def test_the_day_before_18_the_young_persons_consent_alone_is_not_enough(app, session):
    family = make_family(session, child_age=17, consent=False)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today() + timedelta(days=1)))
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        agency = family.professional_agency
        consent_services.give(session, plan, agency, family.child, family.child, 12)
        session.commit()
        state = consent_state(session, plan, agency.id, utcnow())
    assert not state.effective
    assert set(state.missing) == {g.id for g in family.guardians}


def test_the_18th_birthday_begins_at_midnight_in_stockholm(app, session):
    family = make_family(session, child_age=17, consent=False)
    _set_birth(session, family.plan.id, datetime(2008, 6, 1).date())
    plan = session.get(Plan, family.plan.id)
    with app.app_context():
        agency = family.professional_agency
        given = datetime(2026, 5, 1, tzinfo=UTC)
        consent_services.give(session, plan, agency, family.child, family.child, 12, now=given)
        session.commit()
        # 23:30 UTC on 31 May is 01:30 on 1 June in Stockholm (summer time).
        late = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
        assert consent_state(session, plan, agency.id, late).effective
        assert not consent_state(session, plan, agency.id, late - timedelta(hours=2)).effective


def test_the_workspace_tells_the_team_90_days_ahead(app, session):
    family = make_family(session, child_age=17)
    birthday = stockholm_today() + timedelta(days=60)
    _set_birth(session, family.plan.id, eighteen_on(birthday))
    client = app.test_client()
    sign_in_as(client, family.coordinator)
    name = family.child.first_name
    for path in (f"/workspace/plans/{family.plan.id}", "/workspace/"):
        page = client.get(path).get_data(as_text=True)
        assert f"<bdi>{name}</bdi> fyller 18 den" in page, path
        assert "slutar vårdnadshavarna se planen" in page


def test_the_workspace_is_silent_more_than_90_days_ahead(app, session):
    family = make_family(session, child_age=17)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today() + timedelta(days=91)))
    client = app.test_client()
    sign_in_as(client, family.coordinator)
    page = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert "fyller 18" not in page


def test_the_workspace_says_the_guardians_no_longer_have_access(app, session):
    family = make_family(session, child_age=17)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today() - timedelta(days=1)))
    with app.app_context():
        plan = session.get(Plan, family.plan.id)
        consent_services.give(
            session, plan, family.coordinator_agency, family.child, family.child, 12
        )
        session.commit()
    client = app.test_client()
    sign_in_as(client, family.coordinator)
    page = client.get(f"/workspace/plans/{family.plan.id}").get_data(as_text=True)
    assert "Vårdnadshavarna har inte längre tillgång till planen" in page


def test_after_18_changes_are_told_to_the_young_person_only(app, session):
    from family_app.access import plan_access
    from family_app.workspace import services

    family = make_family(session, child_age=17)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today()))
    with app.test_request_context():
        plan = session.get(Plan, family.plan.id)
        assert services.family_to_tell(plan, stockholm_today()) == [plan.child]
        assert plan_access(session, session.get(Person, family.guardians[0].id), plan) is None
    told = session.scalars(select(Notification.person_id)).all()
    assert family.guardians[0].id not in told


def test_a_29_february_child_comes_of_age_on_1_march():
    from datetime import date

    from family_app.access import adult_born_by, adult_on
    from family_app.rules import AgeRules

    child = Person(display_name="Skottårsbarn", birth_date=date(2008, 2, 29))
    rules = AgeRules()
    assert adult_on(child, rules) == date(2026, 3, 1)
    assert child.age_on(date(2026, 2, 28)) == 17 and child.age_on(date(2026, 3, 1)) == 18
    # The latest birth date of an adult, as the notifications query uses it.
    assert adult_born_by(date(2026, 3, 1), rules) == date(2008, 3, 1)
    assert adult_born_by(date(2026, 2, 28), rules) == date(2008, 2, 28)
    assert adult_born_by(date(2028, 2, 29), rules) == date(2010, 2, 28)
    assert adult_on(Person(display_name="Okänd"), rules) is None


def test_a_relatives_notifications_go_too_but_not_the_young_persons(app, session):
    from family_app.models import MemberRole, PlanMember

    family = make_family(session, child_age=17)
    relative = Person(display_name="Moster")
    session.add(relative)
    session.flush()
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    for person in (relative, family.child):
        session.add(Notification(person_id=person.id, plan_id=family.plan.id, kind="plan_changed"))
    session.commit()
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today()))
    for person, shown in ((relative, False), (session.get(Person, family.child.id), True)):
        client = app.test_client()
        sign_in_as(client, person)
        page = client.get("/account/notifications").get_data(as_text=True)
        assert ("Det finns nytt i planen." in page) is shown


def test_the_young_adults_consent_page_asks_them_alone(app, session):
    family = make_family(session, child_age=17)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today()))
    client = app.test_client()
    sign_in_as(client, session.get(Person, family.child.id))
    page = client.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert "Du är vuxen nu och bestämmer själv." in page
    assert "Dina vårdnadshavare bestämmer också." not in page
    assert family.guardians[0].display_name not in page  # no party any more
    assert "Återkalla samtycket för" in page  # the young person decides themself


def test_after_18_the_coordinator_invites_the_young_person_only(app, session):
    family = make_family(session, child_age=17)
    _set_birth(session, family.plan.id, eighteen_on(stockholm_today()))
    with app.app_context():
        plan = session.get(Plan, family.plan.id)
        consent_services.give(
            session, plan, family.coordinator_agency, family.child, family.child, 12
        )
        session.commit()
    client = app.test_client()
    sign_in_as(client, family.coordinator)
    people = f"/workspace/plans/{family.plan.id}/people"
    page = client.get(people).get_data(as_text=True)
    assert family.guardians[0].display_name not in page
    assert family.child.first_name in page
    token = csrf_token(client, people)
    guardian = client.post(
        f"{people}/{family.guardians[0].id}/invitation", data={"csrf_token": token}
    )
    assert guardian.status_code == 404
    child = client.post(f"{people}/{family.child.id}/invitation", data={"csrf_token": token})
    assert child.status_code == 200
