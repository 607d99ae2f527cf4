"""Issue 9: rules held at the data, not page by page.

Each test changes state first (writes, narrows an audience, flags, revokes) and
then reads through the paths that could leak.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select, text

from family_app.consent.who import log_events
from family_app.models import (
    Action,
    Agency,
    AuditEvent,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    Notification,
    Person,
    PlanMember,
    StatementAnswer,
)
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family, make_person

HX = {"HX-Request": "true"}


def _as(app, person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


def _write(client, family, key, text, audience="everyone"):
    path = f"/meetings/{family.meeting.id}/my-views/{key}"
    token = csrf_token(client, path)
    return client.post(
        path, data={"csrf_token": token, "text": text, "audience": audience, "go": "next"}
    )


def _send(client, family):
    path = f"/meetings/{family.meeting.id}/my-views/send"
    return client.post(path, data={"csrf_token": csrf_token(client, path.rsplit("/", 1)[0])})


def _add_to_agenda(app, family, answer_id):
    coordinator = _as(app, family.coordinator)
    token = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    return coordinator.post(
        f"/meetings/{family.meeting.id}/answers/{answer_id}/agenda", data={"csrf_token": token}
    )


def _hidden_agency(session, family, name="Barnahus Hemlig"):
    """An agency whose only part in the plan is a harm-flagged action, with a
    professional, a meeting attendance and a decision of its own."""
    agency = Agency(name=name, kind="other", principal="region")
    session.add(agency)
    session.flush()
    staff = make_person(session, "Hemlig Utredare", agency_id=agency.id)
    session.add(PlanMember(plan_id=family.plan.id, person_id=staff.id, role="professional"))
    session.add(
        Action(
            plan_id=family.plan.id,
            title="Utredning",
            harm_flag=True,
            responsible_agency_id=agency.id,
        )
    )
    now = datetime.now(UTC)
    held = Meeting(
        plan_id=family.plan.id,
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=10, hours=-1),
        status=MeetingStatus.HELD,
        summary="Mötet hölls.",
    )
    session.add(held)
    session.flush()
    session.add(MeetingAttendee(meeting_id=held.id, agency_id=agency.id, role="Utredare"))
    session.add(MeetingAttendee(meeting_id=held.id, person_id=staff.id, role="Utredare"))
    session.add(
        Decision(
            meeting_id=held.id,
            what="Utredningen fortsätter",
            child_what="Utredningen fortsätter. Du får veta mer.",
            agency_id=agency.id,
            by_date=(now + timedelta(days=20)).date(),
        )
    )
    session.add(MeetingAttendee(meeting_id=family.meeting.id, agency_id=agency.id, role="Utredare"))
    # The coordinator comes to both meetings, so the guardians know of them; a
    # meeting only the hidden agency attends is hidden whole (test_harm_hidden_consent).
    for meeting in (held, family.meeting):
        session.add(
            MeetingAttendee(
                meeting_id=meeting.id, agency_id=family.coordinator_agency.id, role="Samordnare"
            )
        )
    session.commit()
    return agency, staff, held


def test_agenda_item_follows_the_childs_later_choice_on_every_path(app, session):
    """Reproduction 1 of issue 9: the agenda was a copy that kept the old audience."""
    family = make_family(session, child_age=13)
    child = _as(app, family.child)
    _write(child, family, "hard", "MARK-AGENDA-TEXT rasterna")
    _send(child, family)
    answer = session.scalar(select(StatementAnswer))
    assert _add_to_agenda(app, family, answer.id).status_code == 303
    guardian = _as(app, family.guardians[0])
    meeting_path = f"/meetings/{family.meeting.id}"
    assert "MARK-AGENDA-TEXT" in guardian.get(meeting_path).get_data(as_text=True)

    _write(child, family, "hard", "MARK-AGENDA-TEXT rasterna", audience="not_guardians")

    from family_app.account.feeds import new_feed

    feed = new_feed(session, family.guardians[0])
    session.commit()
    for path, headers in [
        (meeting_path, {}),
        (meeting_path, HX),
        (f"{meeting_path}/calendar.ics", {}),
        (f"/plans/{family.plan.id}/meetings", {}),
        (f"/feeds/{feed}/calendar.ics", {}),
    ]:
        body = guardian.get(path, headers=headers).get_data(as_text=True)
        assert "MARK-AGENDA-TEXT" not in body, path
    professional = _as(app, family.professional)
    assert "MARK-AGENDA-TEXT" in professional.get(meeting_path).get_data(as_text=True)

    _write(child, family, "hard", "MARK-AGENDA-TEXT rasterna", audience="coordinator")
    for path in (meeting_path, f"{meeting_path}/calendar.ics"):
        assert "MARK-AGENDA-TEXT" not in professional.get(path).get_data(as_text=True), path
    coordinator = _as(app, family.coordinator)
    assert "MARK-AGENDA-TEXT" in coordinator.get(meeting_path).get_data(as_text=True)


def test_narrowing_an_answer_on_the_agenda_tells_the_coordinator(app, session):
    family = make_family(session, child_age=13)
    child = _as(app, family.child)
    _write(child, family, "hard", "Rasterna")
    _send(child, family)
    answer = session.scalar(select(StatementAnswer))
    _add_to_agenda(app, family, answer.id)
    _write(child, family, "hard", "Rasterna", audience="not_guardians")
    kinds = session.scalars(
        select(Notification.kind).where(Notification.person_id == family.coordinator.id)
    ).all()
    assert kinds.count("agenda_narrowed") == 1
    # Widening again tells nobody anything new.
    _write(child, family, "hard", "Rasterna", audience="everyone")
    kinds = session.scalars(
        select(Notification.kind).where(Notification.person_id == family.coordinator.id)
    ).all()
    assert kinds.count("agenda_narrowed") == 1


def test_coordinator_only_answers_cannot_be_put_on_the_agenda(app, session):
    family = make_family(session, child_age=13)
    child = _as(app, family.child)
    _write(child, family, "hard", "Bara till Leila", audience="coordinator")
    _send(child, family)
    answer = session.scalar(select(StatementAnswer))
    assert _add_to_agenda(app, family, answer.id).status_code == 404
    html = _as(app, family.coordinator).get(f"/meetings/{family.meeting.id}/prepare")
    assert "Lägg till på dagordningen" not in html.get_data(as_text=True)


def test_hidden_agency_is_filtered_from_every_list_guardians_read(app, session):
    """Reproduction 2 of issue 9 and decision 10: the agency, its staff, its
    consent events, its attendance and its decisions are hidden from guardians."""
    family = make_family(session, child_age=15)
    agency, staff, held = _hidden_agency(session, family)
    child = _as(app, family.child)
    give = f"/plans/{family.plan.id}/consent/{agency.id}/give"
    token = csrf_token(child, give)
    assert child.post(give, data={"csrf_token": token}).status_code == 303

    guardian = _as(app, family.guardians[0])
    plan = f"/plans/{family.plan.id}"
    paths = [
        plan,
        f"{plan}/next",
        f"{plan}/people",
        f"{plan}/meetings",
        f"{plan}/consent",
        f"{plan}/who-can-see",
        f"/meetings/{held.id}",
        f"/meetings/{family.meeting.id}",
    ]
    for path in paths:
        for headers in ({}, HX):
            response = guardian.get(path, headers=headers)
            assert response.status_code == 200, path
            body = response.get_data(as_text=True)
            for secret in (agency.name, staff.display_name, "Utredningen fortsätter"):
                assert secret not in body, (path, secret)
    assert guardian.get(f"{plan}/consent/{agency.id}/give").status_code == 404
    # The team and the child see it all.
    coordinator_consent = _as(app, family.coordinator).get(f"{plan}/consent")
    assert agency.name in coordinator_consent.get_data(as_text=True)
    held_page = child.get(f"/meetings/{held.id}").get_data(as_text=True)
    assert agency.name in held_page and "Utredningen fortsätter" in held_page


def test_clearing_the_harm_flag_shows_the_agency_again(app, session):
    family = make_family(session, child_age=13)
    agency, _staff, _held = _hidden_agency(session, family)
    guardian = _as(app, family.guardians[0])
    people = f"/plans/{family.plan.id}/people"
    assert agency.name not in guardian.get(people).get_data(as_text=True)
    action = session.scalar(select(Action).where(Action.responsible_agency_id == agency.id))
    action.harm_flag = False
    session.commit()
    assert agency.name in guardian.get(people).get_data(as_text=True)


def test_the_childs_say_on_consent_stays_with_the_child_and_the_team(app, session):
    family = make_family(session, child_age=13)
    child = _as(app, family.child)
    path = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/child-view"
    token = csrf_token(child, f"/plans/{family.plan.id}/consent")
    child.post(path, data={"csrf_token": token, "view": "not_ok", "words": "MARK-CHILDVIEW"})
    consent = f"/plans/{family.plan.id}/consent"
    assert "MARK-CHILDVIEW" in child.get(consent).get_data(as_text=True)
    assert "MARK-CHILDVIEW" in _as(app, family.coordinator).get(consent).get_data(as_text=True)
    guardian_page = _as(app, family.guardians[0]).get(consent).get_data(as_text=True)
    assert "MARK-CHILDVIEW" not in guardian_page
    assert "berättade vad hen tycker" not in guardian_page


def test_a_read_refused_for_lack_of_consent_is_recorded_and_shown(app, session):
    family = make_family(session, consent=False)
    professional = _as(app, family.professional)
    assert professional.get(f"/plans/{family.plan.id}").status_code == 404
    refused = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "refused", AuditEvent.plan_id == family.plan.id
        )
    ).all()
    assert [(e.actor_id, e.detail) for e in refused] == [(family.professional.id, "no_consent")]
    # Someone with nothing to do with the plan leaves no trace in its log.
    stranger = make_person(session, "Främling", agency_id=family.professional_agency.id)
    session.commit()
    assert _as(app, stranger).get(f"/plans/{family.plan.id}").status_code == 404
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()) == 1
    html = _as(app, family.guardians[0]).get(f"/plans/{family.plan.id}/who-can-see")
    assert "försökte öppna planen men stoppades" in html.get_data(as_text=True)


def test_family_reads_never_reach_the_access_log_staff_reads_always_do(app, session):
    """Reproduction 3 of issue 9."""
    family = make_family(session, child_age=13)
    professional = _as(app, family.professional)
    professional.get(f"/plans/{family.plan.id}")
    child = _as(app, family.child)
    for _ in range(40):  # the child's own reads, many of them
        child.get(f"/plans/{family.plan.id}/next")
    guardian = _as(app, family.guardians[0])
    who = f"/plans/{family.plan.id}/who-can-see"
    html = guardian.get(who).get_data(as_text=True)
    log = html.split('id="access-log"')[1]
    assert f"<bdi>{family.professional_agency.name}</bdi> öppnade planen." in log
    assert "Barnet" not in log and family.child.display_name not in log


def _staff_event(family, person, at, action: str = "read", object_type: str = "plan"):
    """An audit row of a staff member's event in the family's plan."""
    return AuditEvent(
        at=at,
        actor_id=person.id,
        actor_agency_id=person.agency_id,
        plan_id=family.plan.id,
        action=action,
        object_type=object_type,
    )


def test_access_log_is_paged_and_collapses_feed_polling(app, session):
    family = make_family(session, child_age=13)
    now = datetime.now(UTC)
    first = AuditEvent(
        at=now - timedelta(days=40),
        actor_id=family.professional.id,
        actor_agency_id=family.professional_agency.id,
        plan_id=family.plan.id,
        child_id=family.child.id,
        action="read",
        object_type="plan",
    )
    session.add(first)
    for minute in range(45):  # 45 later reads, one a minute
        session.add(
            _staff_event(family, family.coordinator, now - timedelta(days=2, minutes=minute))
        )
    for poll in range(20):  # a calendar app polling all day
        at = now.replace(hour=12) - timedelta(days=1, minutes=poll * 15)
        session.add(_staff_event(family, family.professional, at, "export", "calendar_feed"))
    session.commit()
    guardian = _as(app, family.guardians[0])
    who = f"/plans/{family.plan.id}/who-can-see"
    pages = []
    for page in (1, 2, 3):
        html = guardian.get(f"{who}?page={page}").get_data(as_text=True)
        pages.append(html.split('id="access-log"')[1])
    everything = "".join(pages)
    assert everything.count("hämtade mötestider till sin kalender") == 1
    assert everything.count(f"<bdi>{family.professional_agency.name}</bdi> öppnade planen.") == 1
    assert everything.count(f"<bdi>{family.coordinator_agency.name}</bdi> öppnade planen.") == 45
    assert f"<bdi>{family.professional_agency.name}</bdi> öppnade planen." not in pages[0]
    assert "Äldre" in pages[0] and "Nyare" in pages[1]
    # Out-of-range and nonsense pages answer calmly.
    assert guardian.get(f"{who}?page=99999999999").status_code == 200
    assert guardian.get(f"{who}?page=abc").status_code == 200


def test_a_long_access_log_is_read_a_page_at_a_time_past_hidden_units(app, session):
    """Issue 14: the log is read newest first only as far as the page asked for.
    The rows of a unit hidden from the guardians lie between the shown ones and
    across the batches the rows are fetched in; every page is still full, in
    order, and none of them shows the hidden unit."""
    family = make_family(session, child_age=13)
    family.action.harm_flag = True  # the professional's unit is hidden from the guardians
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for minute in range(150):  # 300 rows: more than one batch of LOG_BATCH
        for person, seconds in ((family.coordinator, 0), (family.professional, 30)):
            at = now - timedelta(days=1, minutes=minute, seconds=seconds)
            session.add(_staff_event(family, person, at))
    session.commit()
    guardian = _as(app, family.guardians[0])
    who = f"/plans/{family.plan.id}/who-can-see"
    shown = f"<bdi>{family.coordinator_agency.name}</bdi> öppnade planen."
    times: list[str] = []
    for page in range(1, 7):
        html = guardian.get(f"{who}?page={page}").get_data(as_text=True)
        log = html.split('id="access-log"')[1]
        assert family.professional_agency.name not in html
        assert log.count(shown) == (30 if page <= 5 else 0), page
        assert (f"page={page + 1}" in log) == (page < 5), page
        times += re.findall(r'<time class="history__date" datetime="([^"]+)"', log)
    assert len(times) == 150 and times == sorted(times, reverse=True)


def test_the_access_log_is_grouped_by_the_database_from_the_index_alone(app, session):
    """A plan's staff events are read from one index that holds every column the
    log asks for (no table rows, no family reads), and grouped by unit and minute
    in the database: a burst of reads is one row however long it was."""
    statement = log_events(1)
    if session.bind.dialect.name == "sqlite":
        sql = statement.compile(session.bind, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all())
        assert "USING COVERING INDEX ix_audit_events_plan_log" in plan, plan
        assert "SCAN audit_events" not in plan, plan
    names = {i["name"] for i in inspect(session.bind).get_indexes("audit_events")}
    assert "ix_audit_events_plan_log" in names
    family = make_family(session, child_age=13)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    session.add_all(
        _staff_event(
            family,
            family.coordinator,
            now - timedelta(hours=3, seconds=second),
            "read",
            "workspace_plan",
        )  # fmt: skip
        for second in range(1, 59)
    )
    session.commit()
    assert len(session.execute(log_events(family.plan.id)).all()) == 1


def test_staff_reads_outside_the_plan_pages_are_audited(app, session):
    family = make_family(session, child_age=13)
    coordinator = _as(app, family.coordinator)

    def reads(kind):
        return session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor_id == family.coordinator.id,
                AuditEvent.action == "read",
                AuditEvent.object_type == kind,
            )
        ).all()

    make_family(session)  # a second plan so the home page lists rather than redirects
    second = make_family(session)
    second.plan.coordinator_id = family.coordinator.id
    session.commit()
    coordinator.get("/")
    assert len(reads("plan_list")) == 1
    coordinator.get(f"/workspace/plans/{family.plan.id}/people")
    assert len(reads("family_list")) == 1
    # The answers re-rendered after a 400 on the response form are a read too.
    child = _as(app, family.child)
    _write(child, family, "want_help", "Mer hjälp")
    _send(child, family)
    answer = session.scalar(select(StatementAnswer))
    before = len(reads("statements"))
    path = f"/meetings/{family.meeting.id}/answers/{answer.id}/response"
    token = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    response = coordinator.post(path, data={"csrf_token": token, "outcome": "not_now"})
    assert response.status_code == 400
    assert len(reads("statements")) == before + 2  # the prepare page and the 400 page
    assert session.get(Person, family.child.id) is not None


def test_the_coordinators_agency_can_always_be_given_consent(app, session):
    """Decision 2: the coordinator's agency needs consent once the plan is active.
    An agency that is neither responsible nor has an action must still be on the
    family's consent page, or the coordinator is locked out for good."""
    family = make_family(session, child_age=13, coordinator_consent=False)
    other = Agency(name="Ansvarig Region", kind="bup", principal="region")
    session.add(other)
    session.flush()
    family.plan.responsible_agency_id = other.id
    session.commit()
    coordinator = _as(app, family.coordinator)
    assert coordinator.get(f"/plans/{family.plan.id}").status_code == 404
    guardians = [_as(app, g) for g in family.guardians]
    page = guardians[0].get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert family.coordinator_agency.name in page
    for guardian in guardians:
        give = f"/plans/{family.plan.id}/consent/{family.coordinator_agency.id}/give"
        token = csrf_token(guardian, give)
        assert guardian.post(give, data={"csrf_token": token}).status_code == 303
    assert coordinator.get(f"/plans/{family.plan.id}").status_code == 200
