"""A new deployment starts on the command line: an agency and its first admin,
whose invitation opens the sign-in like any other."""

from __future__ import annotations

from sqlalchemy import select

from family_app.models import Agency, AuditEvent, Invitation, Person


def _run(app, *args: str):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["agency", *args])


def test_an_agency_and_its_first_admin_from_an_empty_database(app, session, client):
    added = _run(app, "add", "BUP Provstad", "--kind", "bup", "--principal", "region")
    assert added.exit_code == 0, added.output
    agency = session.scalar(select(Agency).where(Agency.name == "BUP Provstad"))
    assert (agency.kind, agency.principal) == ("bup", "region")

    made = _run(app, "admin", str(agency.id), "Anna Admin", "--title", "Enhetschef")
    assert made.exit_code == 0, made.output
    admin = session.scalar(select(Person).where(Person.display_name == "Anna Admin"))
    assert admin.is_admin and admin.agency_id == agency.id and admin.title == "Enhetschef"
    link = next(line for line in made.output.splitlines() if line.startswith("Link: "))
    assert any(line.startswith("Code: ") for line in made.output.splitlines())
    invitation = session.scalar(select(Invitation).where(Invitation.person_id == admin.id))
    assert invitation is not None and invitation.used_at is None
    # The printed link opens the invitation page (a one-time token, not the code).
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    audited = session.scalars(select(AuditEvent.detail).where(AuditEvent.object_id == admin.id))
    assert "agency_admin_added" in list(audited)

    listed = _run(app, "list")
    assert "BUP Provstad" in listed.output and "1 admin(s)" in listed.output


def test_the_agency_commands_refuse_bad_input_with_one_clear_line(app, session):
    assert _run(app, "add", "BUP Provstad").exit_code == 0
    twice = _run(app, "add", "BUP Provstad")
    assert twice.exit_code != 0 and "already exists" in twice.output
    assert _run(app, "add", "   ").exit_code != 0
    assert _run(app, "add", "X", "--kind", "circus").exit_code != 0
    missing = _run(app, "admin", "999999", "Anna Admin")
    assert missing.exit_code != 0 and "No agency with id 999999" in missing.output
    assert session.scalar(select(Person.id)) is None
