"""Before the meeting: the coordinator says who from the team comes and who can
decide, how the child takes part, and puts the team's points on the agenda; the
family's meeting page shows exactly that."""

from __future__ import annotations

from sqlalchemy import select

from family_app.models import AgendaItem, AuditEvent, MeetingAttendee, StatementAnswer
from tests.conftest import csrf_token, sign_in_as
from tests.factories import make_family


def _setup_path(family) -> str:
    return f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/setup"


def _post(client, path: str, data: dict, page: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_who_comes_and_who_can_decide_reaches_the_family(app, client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    page = client.get(_setup_path(family))
    assert page.status_code == 200
    pro = family.professional.id
    # Someone else speaks for the child, but who is missing: the form comes back.
    bad = _post(
        client,
        _setup_path(family),
        {
            f"attend_{pro}": "y",
            f"role_{pro}": "Psykolog på BUP",
            f"decide_{pro}": "y",
            "child_participation": "represented_by",
        },
        _setup_path(family),
    )
    assert bad.status_code == 400
    assert "Psykolog på BUP" in bad.get_data(as_text=True)
    assert "Skriv vem som talar för barnet." in bad.get_data(as_text=True)
    assert session.scalar(select(MeetingAttendee.id)) is None

    good = _post(
        client,
        _setup_path(family),
        {
            f"attend_{pro}": "y",
            f"role_{pro}": "Psykolog på BUP",
            f"decide_{pro}": "y",
            "child_participation": "represented_by",
            "child_represented_by": "Mormor Elsa",
        },
        _setup_path(family),
    )
    assert good.status_code == 303
    session.expire_all()
    row = session.scalar(select(MeetingAttendee))
    assert (row.person_id, row.agency_id, row.role, row.can_decide) == (
        pro,
        family.professional.agency_id,
        "Psykolog på BUP",
        True,
    )
    assert family.meeting.child_represented_by == "Mormor Elsa"
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.detail == "attendees"))

    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    shown = guardian.get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
    assert family.professional.display_name in shown and "kan fatta beslut" in shown
    assert "Mormor Elsa" in shown and "Någon annan talar för barnet." in shown
    child = app.test_client()
    sign_in_as(child, family.child)
    to_child = child.get(f"/meetings/{family.meeting.id}").get_data(as_text=True)
    assert "Någon annan talar för dig." in to_child  # said to the child, not about them

    # Nobody from the team ticked: the attendance goes, the choice of participation too.
    assert _post(client, _setup_path(family), {}, _setup_path(family)).status_code == 303
    session.expire_all()
    assert session.scalar(select(MeetingAttendee.id)) is None
    assert family.meeting.child_participation is None


def test_the_team_s_points_on_the_agenda_and_never_the_child_s(app, client, session):
    family = make_family(session)
    sign_in_as(client, family.coordinator)
    agenda = f"/workspace/plans/{family.plan.id}/meetings/{family.meeting.id}/agenda"
    empty = _post(client, agenda, {"text": "  "}, _setup_path(family))
    assert empty.status_code == 400 and "Skriv punkten." in empty.get_data(as_text=True)
    assert (
        _post(client, agenda, {"text": "Skolgången i vår"}, _setup_path(family)).status_code == 303
    )
    item = session.scalar(select(AgendaItem))
    assert (item.text, item.source, item.audience, item.answer_id) == (
        "Skolgången i vår",
        "team",
        "everyone",
        None,
    )
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    assert "Skolgången i vår" in guardian.get(f"/meetings/{family.meeting.id}").get_data(
        as_text=True
    )

    removed = _post(client, f"{agenda}/{item.id}/remove", {}, _setup_path(family))
    assert removed.status_code == 303
    session.expire_all()
    assert session.scalar(select(AgendaItem.id)) is None
    assert "Skolgången i vår" not in guardian.get(f"/meetings/{family.meeting.id}").get_data(
        as_text=True
    )

    # A point taken from the child's views is the child's: the coordinator cannot remove it.
    from family_app.models import Statement

    statement = Statement(
        meeting_id=family.meeting.id, author_id=family.child.id, status="submitted"
    )
    session.add(statement)
    session.flush()
    answer = StatementAnswer(statement_id=statement.id, prompt="want_help", text="Mer tid")
    session.add(answer)
    session.flush()
    childs = AgendaItem(meeting_id=family.meeting.id, answer_id=answer.id, source="child")
    session.add(childs)
    session.commit()
    assert _post(client, f"{agenda}/{childs.id}/remove", {}, _setup_path(family)).status_code == 404
    session.expire_all()
    assert session.get(AgendaItem, childs.id) is not None


def test_only_a_planned_meeting_of_this_plan_is_set_up(client, session):
    family = make_family(session)
    other = make_family(session)
    sign_in_as(client, family.coordinator)
    foreign = f"/workspace/plans/{family.plan.id}/meetings/{other.meeting.id}/setup"
    assert client.get(foreign).status_code == 404
    family.meeting.status = "cancelled"
    session.commit()
    assert client.get(_setup_path(family)).status_code == 404
