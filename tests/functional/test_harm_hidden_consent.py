"""Decision 10: an agency whose involvement is hidden from the guardians by a harm
flag reads the plan only through a recorded consent exception — never through a
consent the guardians gave before the flag, which they can no longer see or revoke."""

from __future__ import annotations

from datetime import date, timedelta

from family_app.access import harm_hidden_agency_ids
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family


def _reads(app, person, plan_id: int) -> int:
    client = app.test_client()
    sign_in_as(client, person)
    return client.get(f"/plans/{plan_id}").status_code


def test_a_harm_hidden_agency_reads_only_through_recorded_exceptions(app, client, session):
    family = make_family(session)
    agency = family.professional_agency
    assert family.action.responsible_agency_id == agency.id
    # Both guardians consented: the agency reads the plan.
    assert _reads(app, family.professional, family.plan.id) == 200

    family.action.harm_flag = True
    session.commit()
    assert harm_hidden_agency_ids(family.plan) == {agency.id}
    # The guardians no longer see the agency, so their consent no longer opens the plan.
    assert _reads(app, family.professional, family.plan.id) == 404
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    assert agency.name not in guardian.get(f"/plans/{family.plan.id}/consent").text

    # The coordinator records an exception for one guardian: still not enough.
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/consent/exception"
    form = {
        "agency_id": str(agency.id),
        "legal_ref": "OSL 12 kap. 3 §",
        "reason": "Risk för barnet om vårdnadshavarna får veta.",
        "decided_by": "Socialnämnden",
        "valid_to": (date.today() + timedelta(days=90)).isoformat(),
    }
    first = client.post(
        path,
        data={
            **form,
            "person_id": str(family.guardians[0].id),
            "csrf_token": csrf_token(client, path),
        },
    )
    assert first.status_code == 303
    assert _reads(app, family.professional, family.plan.id) == 404
    second = client.post(
        path,
        data={
            **form,
            "person_id": str(family.guardians[1].id),
            "csrf_token": csrf_token(client, path),
        },
    )
    assert second.status_code == 303
    # An exception for each guardian with custody: the agency reads, on the record.
    assert _reads(app, family.professional, family.plan.id) == 200


def test_the_team_is_told_when_a_flag_hides_a_whole_agency(client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    path = f"/workspace/plans/{family.plan.id}/actions/{family.action.id}/harm-flag"
    response = client.post(
        path,
        data={"reason": "Skäl enligt OSL.", "csrf_token": csrf_token(client, path)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "registrerat undantag för varje vårdnadshavare" in response.text


def test_clearing_the_flag_lets_the_guardians_consent_count_again(app, session):
    family = make_family(session)
    family.action.harm_flag = True
    session.commit()
    assert _reads(app, family.professional, family.plan.id) == 404
    family.action.harm_flag = False
    session.commit()
    assert harm_hidden_agency_ids(family.plan) == frozenset()
    assert _reads(app, family.professional, family.plan.id) == 200


def test_the_coordinators_and_the_responsible_agency_are_never_harm_hidden(session):
    family = make_family(session)
    plan = family.plan
    for action in plan.actions:
        action.harm_flag = True
    action = family.action
    action.responsible_agency_id = plan.responsible_agency_id
    session.commit()
    assert plan.responsible_agency_id not in harm_hidden_agency_ids(plan)
    assert family.coordinator.agency_id not in harm_hidden_agency_ids(plan)


def test_a_meeting_only_a_hidden_agency_attends_is_unknown_to_guardians_on_every_path(app, session):
    """Follow-up to decision 10: the meeting's time and place would tell the guardians
    that the hidden agency is involved, so once a harm flag hides every agency it
    invites, the meeting is gone for them by every path; the child still sees it."""
    from family_app.account.feeds import new_feed
    from family_app.models import MeetingAttendee

    family = make_family(session, child_age=10)
    meeting = family.meeting
    meeting.place = "MARK-HIDDEN-PLACE"
    session.add(
        MeetingAttendee(
            meeting_id=meeting.id, agency_id=family.professional_agency.id, role="Behandlare"
        )
    )
    session.commit()
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    feed = new_feed(session, family.guardians[0])
    session.commit()
    paths = [
        f"/plans/{family.plan.id}",
        f"/plans/{family.plan.id}/meetings",
        f"/plans/{family.plan.id}/next",
        f"/feeds/{feed}/calendar.ics",
    ]
    meeting_paths = [f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/calendar.ics"]
    # Before the flag: the guardian sees the meeting everywhere.
    link = f"/meetings/{meeting.id}"
    for path in paths:
        assert link in guardian.get(path).get_data(as_text=True), path
    for path in meeting_paths:
        assert guardian.get(path).status_code == 200, path

    family.action.harm_flag = True
    session.commit()
    for path in paths:
        response = guardian.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert link not in body and "MARK-HIDDEN-PLACE" not in body, path
    for path in [*meeting_paths, f"/meetings/{meeting.id}/my-views"]:
        assert guardian.get(path).status_code == 404, path
    # The child, for whom the flag hides nothing, still sees it.
    child = app.test_client()
    sign_in_as(child, family.child)
    assert child.get(f"/meetings/{meeting.id}").status_code == 200
    assert link in child.get(f"/plans/{family.plan.id}/meetings").text

    # A reminder the day before goes to the child, never to the guardians.
    from family_app.access import plan_access

    for person, expected in ((family.guardians[0], False), (family.child, True)):
        access = plan_access(session, person, family.plan)
        assert access is not None and access.sees_meeting(meeting) is expected


def test_a_waiting_consent_message_does_not_name_an_agency_hidden_since(app, session):
    """The "Klart" after a revoke waits in the session for the next page. A flag
    set in between hides the agency, so that page says the change is saved without
    its name (found by the no-leak state machine: revoke, flag, open a meeting)."""
    family = make_family(session)
    agency = family.professional_agency
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    path = f"/plans/{family.plan.id}/consent/{agency.id}/revoke"
    posted = guardian.post(path, data={"csrf_token": csrf_token(guardian, path)})
    assert posted.status_code == 303  # the redirect not yet followed

    family.action.harm_flag = True
    session.commit()
    page = guardian.get(f"/meetings/{family.meeting.id}").text
    assert "Ändringen är sparad." in page
    assert agency.name not in page


def test_a_consent_message_names_the_agency_in_the_readers_language(app, session):
    family = make_family(session)
    agency = family.professional_agency
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    path = f"/plans/{family.plan.id}/consent/{agency.id}/revoke"
    page = guardian.post(
        path, data={"csrf_token": csrf_token(guardian, path)}, follow_redirects=True
    ).text
    assert f"Klart. \u2068{agency.name}\u2069 kan inte längre läsa planen." in page
    assert page.count("kan inte längre läsa planen") == 1  # shown once, then gone
    assert "kan inte längre läsa planen" not in guardian.get(f"/plans/{family.plan.id}").text
