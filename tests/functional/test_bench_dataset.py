"""The benchmark's data-set builder (bench/dataset.py) at a tiny size.

Why: CI runs the benchmark only once at its smallest size; this catches, within
the suite, a service change that breaks the builder, and a page the benchmark
measures that no longer answers its signed-in person with the page itself.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from bench import dataset
from bench.run import _targets
from family_app.extensions import db
from family_app.models import AuditEvent, Credential, Person, Plan, PlanStatus
from tests.conftest import csrf_token, sign_in_as


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
    info = {"plan_id": personas.plan_id, "meeting_id": personas.meeting_id}
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
