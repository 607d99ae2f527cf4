"""The ``family-app`` command: database, demo data, invitations, translations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from .config import PROJECT_ROOT, ConfigError
from .extensions import db
from .models.people import AgencyKind, PrincipalKind


def _fail(message: str) -> None:
    raise click.ClickException(message)


def check_database() -> None:
    """Stop with one clear line when the database cannot be reached."""
    try:
        with db.engine.connect() as connection:  # type: ignore[union-attr]
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        _fail(f"Cannot reach the database ({_safe_url()}): {reason}")


def _safe_url() -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


def alembic_config():  # -> alembic.config.Config
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["engine"] = db.engine
    return cfg


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema up to date."""
    from alembic import command

    check_database()
    command.upgrade(alembic_config(), "head")
    click.echo("Database is up to date.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the models (review it before committing)."""
    from alembic import command

    check_database()
    command.revision(alembic_config(), message=message, autogenerate=True)


@db_group.command("check")
def db_check() -> None:
    """Exit non-zero when the database is unreachable."""
    check_database()
    click.echo("Database reachable.")


@click.command("seed-demo")
@click.option("--json", "as_json", is_flag=True, help="Print the invitations as JSON.")
def seed_demo_command(as_json: bool) -> None:
    """Create the fictional demo families and print one invitation per person,
    and the agency admin's (link and code), so a new user can sign in as admin."""
    from .access import stockholm_today
    from .demo import AGENCY_ADMIN_ROLE, seed_demo

    check_database()
    invites = seed_demo(db.session, stockholm_today(), current_app.config["INVITATION_DAYS"])
    if as_json:
        click.echo(json.dumps([i.as_dict() for i in invites], ensure_ascii=False, indent=2))
        return
    origin = current_app.config["WEBAUTHN_ORIGIN"]
    admins = [i for i in invites if i.role == AGENCY_ADMIN_ROLE]
    click.echo("Demo invitations (each works once):")
    for invite in invites:
        if invite not in admins:
            click.echo(f"  {invite.name:<16} {invite.role:<13} {origin}{invite.invite_path}")
    for admin in admins:
        click.echo("")
        click.echo(f"Agency admin ({admin.name}): adds professionals and invites them.")
        click.echo(f"  Link: {origin}{admin.invite_path}")
        click.echo(f"  Code: {admin.code}")


@click.command("invite")
@click.argument("person_id", type=int)
@click.option("--reason", default="", help="Why an account that has passkeys is invited again.")
@click.option(
    "--replace-passkeys",
    is_flag=True,
    help="Remove the person's passkeys (and so their sessions) first, e.g. a lost phone.",
)
def invite_command(person_id: int, reason: str, replace_passkeys: bool) -> None:
    """Issue a new one-time invitation for a person (the old one stops working).

    An account that already has passkeys is never silently re-invited: either say
    why (the new passkey is then pending until an old device confirms it, or for
    FAMILY_APP_PENDING_PASSKEY_HOURS), or remove the old passkeys first."""
    from sqlalchemy import delete

    from .audit import AuditAction, record
    from .auth.invitations import issue_invitation
    from .models import Credential, Person

    check_database()
    person = db.session.scalar(select(Person).where(Person.id == person_id))
    if person is None:
        _fail(f"No person with id {person_id}.")
    has_passkeys = db.session.scalar(
        select(Credential.id).where(Credential.person_id == person.id).limit(1)
    )
    if has_passkeys and replace_passkeys:
        db.session.execute(delete(Credential).where(Credential.person_id == person.id))
        record(db.session, AuditAction.CREDENTIAL, None, object_type="person", object_id=person.id,
               detail="all_removed_by_admin")  # fmt: skip
    elif has_passkeys and not reason.strip():
        _fail(
            f"Person {person_id} already has passkeys: give --reason (the new passkey will be "
            "pending) or --replace-passkeys."
        )
    issued = issue_invitation(
        db.session,
        person,
        None,
        current_app.config["INVITATION_DAYS"],
        reason=reason.strip() or None,
    )
    db.session.commit()
    origin = current_app.config["WEBAUTHN_ORIGIN"]
    click.echo(f"Link: {origin}/i/{issued.token}")
    click.echo(f"Code: {issued.code}")


@click.group("agency")
def agency_group() -> None:
    """Agencies and their first admin: how a new deployment starts."""


@agency_group.command("add")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in AgencyKind]),
    default="other",
    show_default=True,
)
@click.option(
    "--principal",
    type=click.Choice([p.value for p in PrincipalKind]),
    default="other",
    show_default=True,
    help="Region or municipality for an agency that may hold overall responsibility.",
)
def agency_add(name: str, kind: str, principal: str) -> None:
    """Add an agency to the directory and print its id."""
    from .audit import AuditAction, record
    from .models import Agency

    check_database()
    name = name.strip()
    if not name or len(name) > 120:
        _fail("Give the agency a name of 1 to 120 characters.")
    if db.session.scalar(select(Agency.id).where(Agency.name == name)) is not None:
        _fail(f"An agency called {name!r} already exists.")
    agency = Agency(name=name, kind=kind, principal=principal)
    db.session.add(agency)
    db.session.flush()
    record(db.session, AuditAction.WRITE, None, object_type="agency", object_id=agency.id)
    db.session.commit()
    click.echo(f"Agency {agency.id}: {agency.name}")


@agency_group.command("list")
def agency_list() -> None:
    """The agencies in the directory, with their ids and number of admins."""
    from sqlalchemy import func

    from .models import Agency, Person

    check_database()
    admins = dict(
        db.session.execute(
            select(Person.agency_id, func.count(Person.id))
            .where(Person.is_admin.is_(True))
            .group_by(Person.agency_id)
        ).all()
    )
    for agency in db.session.scalars(select(Agency).order_by(Agency.name)):
        click.echo(
            f"{agency.id:>5}  {agency.name}  ({agency.kind}, {agency.principal}, "
            f"{admins.get(agency.id, 0)} admin(s))"
        )


@agency_group.command("admin")
@click.argument("agency_id", type=int)
@click.argument("name")
@click.option("--title", default="", help="Work title shown to colleagues.")
def agency_admin(agency_id: int, name: str, title: str) -> None:
    """Add an admin to an agency and print their one-time invitation.

    The admin then adds and invites the agency's professionals on the web page."""
    from .audit import AuditAction, record
    from .auth.invitations import issue_invitation
    from .models import Agency, Person

    check_database()
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        _fail(f"No agency with id {agency_id} (see: family-app agency list).")
    name = name.strip()
    if not name or len(name) > 120:
        _fail("Give the admin a name of 1 to 120 characters.")
    admin = Person(
        display_name=name, agency_id=agency.id, is_admin=True, title=title.strip() or None
    )
    db.session.add(admin)
    db.session.flush()
    record(db.session, AuditAction.WRITE, None, object_type="person", object_id=admin.id,
           detail="agency_admin_added")  # fmt: skip
    issued = issue_invitation(db.session, admin, None, current_app.config["INVITATION_DAYS"])
    db.session.commit()
    origin = current_app.config["WEBAUTHN_ORIGIN"]
    click.echo(f"Admin {admin.id} of {agency.name}")
    click.echo(f"Link: {origin}/i/{issued.token}")
    click.echo(f"Code: {issued.code}")


@click.command("reminders")
def reminders_command() -> None:
    """In-app reminders (and their e-mail, through the outbox) for consents that
    end within 30 days and for meetings tomorrow, and expired sign-in sessions
    removed. The queue's consumer runs this daily (``family-app worker``); by hand
    it is safe to run again: nobody is told twice."""
    from .queue import run_daily

    check_database()
    counts = run_daily(db.session)
    click.echo(f"{counts['consents']} reminder(s) sent.")
    click.echo(f"{counts['meetings']} meeting reminder(s) sent.")
    click.echo(f"{counts['sessions']} expired session(s) removed.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Sending threads.")
def worker_command(workers: int) -> None:
    """The queue's consumer, the second process next to gunicorn: sends e-mail from
    the outbox (with retries) and runs the daily reminders."""
    from .queue import run_consumer

    check_database()
    run_consumer(current_app._get_current_object(), workers=workers)  # type: ignore[attr-defined]


@click.group("push")
def push_group() -> None:
    """Web Push (the installed app's notices)."""


@push_group.command("keys")
@click.option(
    "--write",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the private key (PEM) to this file, readable by its owner only, and "
    "print only the public key. Without it the private key is printed.",
)
@click.option("--if-missing", is_flag=True, help="With --write: keep a file that already exists.")
def push_keys(path: Path | None, if_missing: bool) -> None:
    """A new VAPID key pair for FAMILY_APP_VAPID_PRIVATE_KEY (or …_FILE). Changing
    the key later stops every existing subscription: people turn notices on again."""
    import os

    from .push import generate_keys, public_key_of, vapid_from_text

    if path is not None and if_missing and path.exists():
        click.echo(f"Public key: {public_key_of(vapid_from_text(path.read_text()))}")
        return
    private_pem, public = generate_keys()
    if path is None:
        click.echo(private_pem, nl=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(private_pem)
        click.echo(f"Private key written to {path}")
    click.echo(f"Public key: {public}")


LOCALES_DIR = PROJECT_ROOT / "translations"
POT = LOCALES_DIR / "messages.pot"


def _babel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


def extract_messages(output: Path = POT) -> None:
    _babel(
        "extract",
        "-F",
        str(PROJECT_ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(output),
        str(PROJECT_ROOT),
    )


@click.group("translations")
def translations_group() -> None:
    """Extract, update and compile the message catalogues."""


@translations_group.command("update")
def translations_update() -> None:
    """Extract messages, merge them into every catalogue, and compile: one command."""
    extract_messages()
    for code in current_app.config["LANGUAGES"]:
        if code == "sv":
            continue
        po = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _babel(
                "update", "-i", str(POT), "-d", str(LOCALES_DIR), "-l", code, "--no-fuzzy-matching"
            )
        else:
            _babel("init", "-i", str(POT), "-d", str(LOCALES_DIR), "-l", code)
    _babel("compile", "-d", str(LOCALES_DIR))
    click.echo("Catalogues updated and compiled.")


@translations_group.command("compile")
def translations_compile() -> None:
    """Compile every catalogue to .mo (not committed; built here and in the image)."""
    _babel("compile", "-d", str(LOCALES_DIR), "--statistics")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(invite_command)
    app.cli.add_command(reminders_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(agency_group)
    app.cli.add_command(translations_group)
    app.cli.add_command(push_group)


def _create_app_for_cli() -> Flask:
    from . import create_app

    return create_app()


def main() -> None:
    """Console entry point; configuration errors end in one clear line."""
    try:
        FlaskGroup(create_app=_create_app_for_cli, add_version_option=False).main(
            prog_name="family-app"
        )
    except ConfigError as exc:
        click.echo(f"family-app: {exc}", err=True)
        sys.exit(2)
