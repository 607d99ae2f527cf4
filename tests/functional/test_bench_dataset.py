"""The benchmark's data-set builder (bench/dataset.py) at a tiny size.

Why: CI runs the benchmark only once at its smallest size; this catches, within
the suite, a service change that breaks the builder, and a page the benchmark
measures that no longer answers its signed-in person with the page itself.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import DateTime, LargeBinary, func, select
from sqlalchemy.orm import Session

from bench import dataset, shards
from bench.run import _targets
from family_app import create_app
from family_app.cli import alembic_config
from family_app.extensions import db
from family_app.models import (
    AuditEvent,
    Base,
    Credential,
    Meeting,
    MemberRole,
    Person,
    Plan,
    PlanStatus,
)
from family_app.models.base import UTCDateTime
from tests.conftest import app_config, csrf_token, sign_in_as


def test_builds_resumes_and_refuses_a_smaller_size(app: Flask) -> None:
    with app.app_context():
        personas = dataset.build(db.session, 3, say=lambda _text: None)
        plans = db.session.scalars(select(Plan)).all()
        assert len(plans) == 3
        assert {p.status for p in plans} == {PlanStatus.ACTIVE}
        bulk = select(func.count()).where(AuditEvent.detail == dataset.HISTORY)
        assert db.session.scalar(bulk) == 3 * dataset.AUDIT_ROWS_PER_PLAN
        passkeys = db.session.scalar(select(func.count()).select_from(Credential))
        assert passkeys == 3  # guardian, child and coordinator of plan 0

        # A second run of the same size adds nothing and finds the same people.
        assert dataset.build(db.session, 3, say=lambda _text: None) == personas
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 3
        assert db.session.scalar(bulk) == 3 * dataset.AUDIT_ROWS_PER_PLAN

        # One more plan is built on top; a smaller size is refused.
        dataset.build(db.session, 4, say=lambda _text: None)
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 4
        with pytest.raises(SystemExit):
            dataset.build(db.session, 2, say=lambda _text: None)


def test_every_measured_page_answers_its_person(app: Flask) -> None:
    with app.app_context():
        personas = dataset.build(db.session, 2, say=lambda _text: None)
        people = {
            "guardian": db.session.get(Person, personas.guardian_id),
            "child": db.session.get(Person, personas.child_id),
            "coordinator": db.session.get(Person, personas.coordinator_id),
        }
        db.session.expunge_all()
    info = {
        "plan_id": personas.plan_id,
        "meeting_id": personas.meeting_id,
        "coordinator_plan_id": personas.coordinator_plan_id,
    }
    for target in _targets(info):
        client = app.test_client()
        sign_in_as(client, people[target.who])
        if target.method == "POST":
            token = csrf_token(client, target.path.removesuffix("/autosave"))
            response = client.post(
                target.path,
                data=target.body,
                content_type="application/x-www-form-urlencoded",
                headers={"X-CSRFToken": token, "HX-Request": "true"},
            )
        else:
            response = client.get(target.path)
        assert response.status_code == 200, (target.name, response.status_code)


def test_the_coordinator_measured_leaves_plan_0s_access_log_alone(app: Flask) -> None:
    """The benchmark's coordinator is another plan's: what they open (their plan,
    their list of plans) writes nothing into the log "who can see" shows for plan 0,
    so a reused data set measures that page the same on every run."""
    with app.app_context():
        personas = dataset.build(db.session, dataset.PLANS_PER_COORDINATOR + 1, say=lambda _t: None)
        plan_0 = db.session.get(Plan, personas.plan_id)
        other = db.session.get(Plan, personas.coordinator_plan_id)
        assert other.coordinator_id == personas.coordinator_id != plan_0.coordinator_id
        coordinator = db.session.get(Person, personas.coordinator_id)
        db.session.expunge_all()

    def log_of_plan_0() -> int:
        with app.app_context():
            return db.session.scalar(
                select(func.count()).where(AuditEvent.plan_id == personas.plan_id)
            )

    before = log_of_plan_0()
    client = app.test_client()
    sign_in_as(client, coordinator)
    info = {"plan_id": personas.plan_id, "coordinator_plan_id": personas.coordinator_plan_id}
    paths = [t.path for t in _targets(info | {"meeting_id": 0}) if t.who == "coordinator"]
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert log_of_plan_0() == before
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.plan_id == personas.coordinator_plan_id)
            )
            > 0
        )


def _rows(session: Session) -> dict[str, list[Any]]:
    """Every row of every table, by id, without what differs between two builds
    of the same plans: times taken from the clock, meeting UIDs and passkey bytes
    (random)."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if not isinstance(c.type, DateTime | UTCDateTime | LargeBinary)
            and c is not Meeting.__table__.c.uid
        ]
        rows[table.name] = session.execute(select(*columns).order_by(table.c.id)).all()
    return rows


def test_processes_build_what_one_process_builds(tmp_path: Path, monkeypatch) -> None:
    """Plans built in shards by two processes and merged (bench/shards.py) are the
    rows one process writes, with the same ids, also on top of an earlier build."""
    monkeypatch.setattr(shards, "SHARD_PLANS", 2)  # several shards, merged one after another
    today = date.today()
    built = []
    for workers in (1, 2):
        app = create_app(app_config(f"sqlite:///{tmp_path / f'workers-{workers}.db'}"))
        with app.app_context():
            command.upgrade(alembic_config(), "head")
            dataset.build(db.session, 2, today, say=lambda _text: None, workers=workers)
            dataset.build(db.session, 7, today, say=lambda _text: None, workers=workers)
            built.append(_rows(db.session))
            db.session.close()
        assert db.engine is not None
        db.engine.dispose()
    one, two = built
    assert len(one["plans"]) == 7 and len(one["audit_events"]) > 7 * 20
    for table, rows in one.items():
        assert two[table] == rows, table


def test_copies_of_service_built_plans_are_families_of_their_own(tmp_path: Path) -> None:
    """--clone-from (bench/clone.py): 3 plans through the services, copied to 9;
    every per-plan table three times over, new children, the directory shared,
    foreign keys sound, and a copied plan's page answers its guardian."""
    from bench import clone

    today = date.today()
    source, target = tmp_path / "plans-3.sqlite", tmp_path / "plans-9-clone-3.sqlite"
    app = create_app(app_config(f"sqlite:///{source}"))
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        dataset.build(db.session, 3, today, say=lambda _text: None)
        db.session.close()
    assert db.engine is not None
    db.engine.dispose()
    clone.clean_copy(source, target)
    app = create_app(app_config(f"sqlite:///{target}"))
    with app.app_context():
        three = {
            t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
        personas = dataset.build_cloned(db.session, 9, source, 3, today, say=lambda _text: None)
        nine = {
            t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
        assert nine["plans"] == 9
        children = db.session.scalars(select(Plan.child_id)).all()
        assert len(set(children)) == 9
        keys = db.session.scalars(
            select(Person.external_key).where(Person.external_key.like("bench:child:%"))
        ).all()
        assert sorted(keys) == sorted(f"bench:child:{i}" for i in range(9))
        # The directory is shared; the personas are the service-built plan 0's.
        assert nine["agencies"] == three["agencies"]
        assert personas.child_id == db.session.scalar(
            select(Person.id).where(Person.external_key == "bench:child:0")
        )
        staff = db.session.scalar(
            select(func.count()).where(Person.external_key.like("bench:staff:%"))
        )
        assert nine["people"] - staff == 3 * (three["people"] - staff)
        bulk = db.session.scalar(select(func.count()).where(AuditEvent.detail == dataset.HISTORY))
        assert bulk == 9 * dataset.AUDIT_ROWS_PER_PLAN
        assert nine["audit_events"] - bulk == 3 * three["audit_events"]
        for table in Base.metadata.sorted_tables:
            name = table.name
            if name in ("agencies", "people", "audit_events", "credentials", "alembic_version"):
                continue
            assert nine[name] == 3 * three[name], name
        assert db.session.scalar(select(func.count()).select_from(Credential)) == 3
        copied = db.session.scalar(select(Plan).where(Plan.child_id == max(children)))
        guardian = next(m.person for m in copied.members if m.role == MemberRole.GUARDIAN)
        plan_id = copied.id
        db.session.expunge_all()
    assert clone.foreign_key_problems(target) == 0
    client = app.test_client()
    sign_in_as(client, guardian)
    for path in (f"/plans/{plan_id}", f"/plans/{plan_id}/meetings", f"/plans/{plan_id}/consent"):
        assert client.get(path).status_code == 200, path
