"""Agency names, opening hours and staff titles are translatable data (issue 12):
the agency's admin translates them, the family reads them in their language on
every page that names the agency, loaded in one query per page however many
agencies the plan has, and an out-of-date one gives way to the Swedish."""

from __future__ import annotations

from sqlalchemy import event, select

from family_app.extensions import db
from family_app.models import AuditEvent, ContentTranslation, MemberRole, PlanMember
from tests.conftest import csrf_token, sign_in_as
from tests.factories import give_consent, make_agency, make_family, make_person

NAME_AR = "قسم الطب النفسي للأطفال"
HOURS_AR = "من الاثنين إلى الجمعة ٨-١٦"
TITLE_AR = "أخصائي نفسي"


def _key(kind: str, obj, field: str) -> str:
    return f"t_{kind}_{obj.id}_{field}"


def _arabic_guardian(app, family):
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    guardian.post("/language", data={"csrf_token": csrf_token(guardian), "lang": "ar"})
    return guardian


def _translate(client, agency, professional, other_agency=None):
    path = "/admin/translations/ar"
    data = {
        "csrf_token": csrf_token(client, path),
        "translator": "Tolk Ali",
        _key("agency", agency, "name"): NAME_AR,
        _key("agency", agency, "hours"): HOURS_AR,
        _key("person", professional, "title"): TITLE_AR,
    }
    if other_agency is not None:  # not the admin's: ignored
        data[_key("agency", other_agency, "name")] = "اسم آخر"
    return client.post(path, data=data)


def test_the_admin_translates_and_the_family_reads_it(app, client, session):
    family = make_family(session)
    agency = family.professional_agency
    agency.hours = "Vardagar 8–16"
    family.professional.title = "Psykolog"
    admin = make_person(session, "Admin", agency_id=agency.id, is_admin=True)
    session.commit()
    sign_in_as(client, admin)
    form = client.get("/admin/translations/ar")
    assert form.status_code == 200
    assert "Vardagar 8–16" in form.get_data(as_text=True)
    assert family.coordinator_agency.name not in form.get_data(as_text=True)
    saved = _translate(client, agency, family.professional, family.coordinator_agency)
    assert saved.status_code == 303
    stored = session.scalars(select(ContentTranslation.object_type)).all()
    assert sorted(stored) == ["agency", "agency", "person"]  # nothing of the other agency
    audit = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.object_type == "translation")
    ).all()
    assert sorted(audit) == [
        "agency.hours.ar:saved",
        "agency.name.ar:saved",
        "person.title.ar:saved",
    ]

    guardian = _arabic_guardian(app, family)
    people = guardian.get(f"/plans/{family.plan.id}/people").get_data(as_text=True)
    assert NAME_AR in people and HOURS_AR in people and TITLE_AR in people
    consent = guardian.get(f"/plans/{family.plan.id}/consent").get_data(as_text=True)
    assert NAME_AR in consent
    plan = guardian.get(f"/plans/{family.plan.id}").get_data(as_text=True)
    assert NAME_AR in plan

    # In Swedish the Swedish name, as before.
    swedish = app.test_client()
    sign_in_as(swedish, family.guardians[1])
    assert NAME_AR not in swedish.get(f"/plans/{family.plan.id}/people").get_data(as_text=True)

    # The Swedish name changes: the old translation gives way to it, with the notice.
    agency.name = "BUP Nya namnet"
    session.commit()
    people = guardian.get(f"/plans/{family.plan.id}/people").get_data(as_text=True)
    assert NAME_AR not in people
    assert 'lang="sv" dir="auto">BUP Nya namnet<' in people
    assert "translation-updating" in people


def _count_translation_queries(app, client, path: str) -> int:
    count = {"n": 0}

    def on_execute(_conn, _cursor, statement, *_args):
        if "content_translations" in statement:
            count["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count["n"]


def test_directory_translations_cost_one_query_however_many_agencies(app, session):
    counts = []
    for extra in (0, 4):
        family = make_family(session)
        for _ in range(extra):
            agency = make_agency(session)
            staff = make_person(session, agency_id=agency.id, title="Kurator")
            session.add(
                PlanMember(plan_id=family.plan.id, person_id=staff.id, role=MemberRole.PROFESSIONAL)
            )
            give_consent(session, family.plan, agency, [*family.guardians, family.child])
            session.add(
                ContentTranslation(
                    object_type="agency",
                    object_id=agency.id,
                    field="name",
                    locale="ar",
                    text="اسم",
                    translator="Tolk",
                    source_hash="x",
                )
            )
        session.commit()
        guardian = _arabic_guardian(app, family)
        counts.append(
            [
                _count_translation_queries(app, guardian, f"/plans/{family.plan.id}{page}")
                for page in ("", "/people", "/consent", "/who-can-see")
            ]
        )
    assert counts[0] == counts[1]
    assert all(n <= 2 for n in counts[0])  # the plan's parts, and the directory
