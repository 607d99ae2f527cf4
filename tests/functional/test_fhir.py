"""The FHIR R4 API for agency systems (issue 15), checked with FHIR models no one
here wrote: fhir.resources (R4B models, which for these resources are R4's) and
fhirclient's R4 (4.0.1) models in strict mode. Every rule is checked by changing
state first (revoke, harm flag, narrow) and reading after."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhirclient.models.fhirelementfactory import FHIRElementFactory
from sqlalchemy import select

from family_app.models import (
    AgencyApiToken,
    Audience,
    AuditEvent,
    ConsentException,
    MemberRole,
    PlanMember,
    Statement,
    StatementAnswer,
)
from family_app.tokens import hash_token, new_token
from tests.conftest import csrf_token, sign_in_as
from tests.factories import birth_date_for_age, make_agency, make_family, make_person

KINDS = [
    "CarePlan",
    "CareTeam",
    "Goal",
    "Patient",
    "RelatedPerson",
    "Organization",
    "PractitionerRole",
    "Appointment",
    "Consent",
    "QuestionnaireResponse",
]


def make_token(session, agency, days: int = 90, revoked: bool = False) -> str:
    token = new_token()
    now = datetime.now(UTC)
    session.add(
        AgencyApiToken(
            agency_id=agency.id,
            name="Journalsystemet",
            token_hash=hash_token(token),
            expires_at=now + timedelta(days=days),
            revoked_at=now if revoked else None,
        )
    )
    session.commit()
    return token


def validate(body: dict) -> None:
    """Valid FHIR by both independent model sets, or the test fails."""
    kind = body["resourceType"]
    get_fhir_model_class(kind).model_validate(body)
    FHIRElementFactory.instantiate(kind, body)  # strict: raises FHIRValidationError
    for entry in body.get("entry", []):
        validate(entry["resource"])


def fhir_get(client, path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(path, headers=headers)
    assert response.status_code != 500
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    assert "Set-Cookie" not in response.headers, "the API is session-less"
    body = response.get_json(force=True)
    validate(body)
    return response, body


def outcome(client, path: str, token: str | None, status: int, method: str = "GET") -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == status, (method, path, response.status_code)
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    assert "Set-Cookie" not in response.headers
    body = response.get_json(force=True)
    assert body["resourceType"] == "OperationOutcome"
    validate(body)
    return body


def with_views(session, family) -> Statement:
    """The child's sent views before the meeting, one answer for each audience."""
    statement = Statement(
        meeting_id=family.meeting.id,
        author_id=family.child.id,
        status="submitted",
        submitted_at=datetime.now(UTC),
    )
    session.add(statement)
    session.flush()
    for prompt, text, audience in (
        ("going_well", "Fotbollen går bra", Audience.EVERYONE),
        ("hard", "Bara för samordnaren", Audience.COORDINATOR),
        ("want_help", "Inte för mina föräldrar", Audience.NOT_GUARDIANS),
    ):
        session.add(
            StatementAnswer(statement_id=statement.id, prompt=prompt, text=text, audience=audience)
        )
    session.commit()
    return statement


def test_every_resource_type_validates_and_reads_by_id_and_search(client, session):
    family = make_family(session, child_age=13)
    with_views(session, family)
    token = make_token(session, family.professional_agency)

    _response, capability = fhir_get(client, "/fhir/metadata", None)
    assert capability["fhirVersion"] == "4.0.1"
    assert {r["type"] for r in capability["rest"][0]["resource"]} == set(KINDS)

    for kind in KINDS:
        _response, bundle = fhir_get(client, f"/fhir/{kind}", token)
        assert bundle["type"] == "searchset" and bundle["total"] >= 1, kind
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert entry["fullUrl"].endswith(f"/fhir/{kind}/{resource['id']}")
            _response, read = fhir_get(client, f"/fhir/{kind}/{resource['id']}", token)
            assert read == resource
    _response, plan = fhir_get(client, f"/fhir/CarePlan/{family.plan.id}", token)
    assert plan["subject"] == {"reference": f"Patient/{family.child.id}"}
    assert [g["reference"] for g in plan["goal"]] == [f"Goal/{family.goal.id}"]
    assert plan["activity"][0]["detail"]["performer"] == [
        {"reference": f"Organization/{family.professional_agency.id}"}
    ]
    _response, by_patient = fhir_get(
        client, f"/fhir/Appointment?patient=Patient/{family.child.id}", token
    )
    assert [e["resource"]["id"] for e in by_patient["entry"]] == [str(family.meeting.id)]
    _response, by_id = fhir_get(client, f"/fhir/CarePlan?_id={family.plan.id}", token)
    assert by_id["total"] == 1


def test_bad_input_is_an_operation_outcome_with_the_right_status(client, session):
    family = make_family(session)
    token = make_token(session, family.professional_agency)
    revoked = make_token(session, family.professional_agency, revoked=True)
    expired = make_token(session, family.professional_agency, days=-1)
    plan = f"/fhir/CarePlan/{family.plan.id}"
    for bad in (None, "nonsense", revoked, expired, token + "x", "x" * 500):
        outcome(client, plan, bad, 401)
    assert client.get(plan, headers={"Authorization": f"Basic {token}"}).status_code == 401
    outcome(client, "/fhir/Observation", token, 404)
    outcome(client, "/fhir/Observation/1", token, 404)
    outcome(client, "/fhir/CarePlan/a%20b", token, 400)
    outcome(client, "/fhir/CarePlan/" + "9" * 70, token, 400)
    outcome(client, "/fhir/CarePlan/abc", token, 404)  # a FHIR id, but none of ours
    outcome(client, "/fhir/CarePlan/99999999999", token, 404)
    outcome(client, "/fhir/CarePlan/0", token, 404)
    outcome(client, "/fhir/CarePlan?subject=Patient/1", token, 400)
    outcome(client, "/fhir/Patient?patient=1", token, 400)
    outcome(client, "/fhir/CarePlan?patient=a%20b", token, 400)
    outcome(client, "/fhir/CarePlan?_id=", token, 400)
    outcome(client, f"/fhir/CarePlan?_id={family.plan.id}&_id=2", token, 400)
    outcome(client, f"{plan}?_elements=id", token, 400)
    outcome(client, f"{plan}/_history", token, 404)
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        outcome(client, plan, token, 405, method)
        outcome(client, "/fhir/CarePlan", token, 405, method)
    # A cookie from a signed-in session changes nothing: no token, no data.
    sign_in_as(client, family.professional)
    outcome(client, plan, None, 401)


def test_an_agency_outside_the_plan_or_without_consent_gets_what_a_stranger_gets(client, session):
    family = make_family(session, consent=False)
    outsider = make_token(session, make_agency(session))
    without_consent = make_token(session, family.professional_agency)
    plan = f"/fhir/CarePlan/{family.plan.id}"
    nowhere = outcome(client, "/fhir/CarePlan/999999", outsider, 404)
    for token in (outsider, without_consent):
        assert outcome(client, plan, token, 404) == nowhere
        assert outcome(client, f"/fhir/Patient/{family.child.id}", token, 404) == nowhere
        _response, bundle = fhir_get(client, f"/fhir/CarePlan?patient={family.child.id}", token)
        assert bundle["total"] == 0 and "entry" not in bundle
    refused = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "refused", AuditEvent.plan_id == family.plan.id
        )
    ).all()
    # Only the agency of the plan's team is recorded as refused; the outsider was never in it.
    assert {e.actor_agency_id for e in refused} == {family.professional_agency.id}
    assert all(e.actor_id is None and e.detail == "no_consent" for e in refused)


def _revoke(client, family) -> None:
    path = f"/plans/{family.plan.id}/consent/{family.professional_agency.id}/revoke"
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 303


def test_revoked_consent_means_nothing_read_and_the_family_sees_the_refused_attempt(
    app, client, session
):
    family = make_family(session)
    token = make_token(session, family.professional_agency)
    plan = f"/fhir/CarePlan/{family.plan.id}"
    fhir_get(client, plan, token)

    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    _revoke(guardian, family)

    outcome(client, plan, token, 404)
    for kind in KINDS:
        if kind == "Organization":  # its own agency's record only, no child's data
            _response, bundle = fhir_get(client, f"/fhir/{kind}", token)
            ids = [e["resource"]["id"] for e in bundle["entry"]]
            assert ids == [str(family.professional_agency.id)]
            continue
        _response, bundle = fhir_get(client, f"/fhir/{kind}?_id=1,2,3", token)
        _response, bundle = fhir_get(client, f"/fhir/{kind}", token)
        assert bundle["total"] == 0, kind
    html = guardian.get(f"/plans/{family.plan.id}/who-can-see").get_data(as_text=True)
    log = html.split('id="access-log"')[1]
    name = family.professional_agency.name
    assert f"<bdi>{name}</bdi> försökte öppna planen men stoppades" in log
    assert f"<bdi>{name}</bdi> öppnade planen." in log  # the read before the revoke


def test_the_childs_audience_holds_for_every_agency_system(client, session):
    family = make_family(session, child_age=13)
    statement = with_views(session, family)
    path = f"/fhir/QuestionnaireResponse/{statement.id}"
    for agency in (family.professional_agency, family.coordinator_agency):
        _response, views = fhir_get(client, path, make_token(session, agency))
        texts = [a["valueString"] for item in views["item"] for a in item["answer"]]
        assert texts == ["Fotbollen går bra", "Inte för mina föräldrar"], agency.name
        assert views["author"] == {"reference": f"Patient/{family.child.id}"}

    # The child narrows everything to the coordinator: nothing is left for a system.
    for answer in session.scalars(
        select(StatementAnswer).where(StatementAnswer.statement_id == statement.id)
    ):
        answer.audience = Audience.COORDINATOR
    session.commit()
    token = make_token(session, family.professional_agency)
    outcome(client, path, token, 404)
    _response, bundle = fhir_get(client, "/fhir/QuestionnaireResponse", token)
    assert bundle["total"] == 0
    assert "Bara för samordnaren" not in json.dumps(bundle, ensure_ascii=False)


def test_a_harm_hidden_agency_reads_only_on_an_exception_of_its_own(app, client, session):
    """Decision 10: once every action of an agency carries a harm flag, guardians'
    earlier consent no longer counts for it; its system reads nothing until an
    exception is recorded for each guardian, and the family is never told of it."""
    family = make_family(session)
    token = make_token(session, family.professional_agency)
    plan = f"/fhir/CarePlan/{family.plan.id}"
    fhir_get(client, plan, token)
    family.action.harm_flag = True
    family.action.harm_reason = "Skäl"
    session.commit()

    outcome(client, plan, token, 404)
    _response, bundle = fhir_get(client, f"/fhir/Goal?patient={family.child.id}", token)
    assert bundle["total"] == 0
    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    html = guardian.get(f"/plans/{family.plan.id}/who-can-see").get_data(as_text=True)
    assert family.professional_agency.name not in html  # hidden agency, no refusal line

    consent_id = session.scalar(select(AuditEvent.id).where(AuditEvent.action == "refused"))
    assert consent_id is not None  # the refusal is in the audit log all the same
    from family_app.models import Consent

    consent = session.scalar(
        select(Consent).where(
            Consent.plan_id == family.plan.id, Consent.agency_id == family.professional_agency.id
        )
    )
    for parent in family.guardians:
        session.add(
            ConsentException(
                consent_id=consent.id,
                person_id=parent.id,
                legal_ref="OSL 12 kap. 3 §",
                reason="Skäl",
                decided_by="Socialnämnden",
            )
        )
    session.commit()
    _response, care_plan = fhir_get(client, plan, token)
    activity = care_plan["activity"][0]
    assert activity["extension"][0]["valueBoolean"] is True  # marked: not for the family
    assert "Skäl" not in json.dumps(care_plan, ensure_ascii=False)  # the reason stays in the app
    family.goal.harm_flag = True
    family.goal.harm_reason = "Skäl"
    session.commit()
    _response, goal = fhir_get(client, f"/fhir/Goal/{family.goal.id}", token)
    assert goal["meta"]["security"][0]["code"] == "R"  # restricted: keep it from the family


def test_every_read_is_audited_under_the_agency_and_nothing_personal_is_logged(
    client, session, caplog
):
    family = make_family(session)
    token = make_token(session, family.professional_agency)
    caplog.set_level(logging.DEBUG)
    fhir_get(client, f"/fhir/CarePlan/{family.plan.id}", token)
    fhir_get(client, f"/fhir/Goal?patient={family.child.id}", token)
    outcome(client, "/fhir/CarePlan/a%20b", token, 400)
    reads = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "read", AuditEvent.plan_id == family.plan.id)
    ).all()
    row = session.scalar(select(AgencyApiToken))
    assert [(e.object_type, e.actor_agency_id, e.actor_id, e.detail) for e in reads] == [
        ("fhir_careplan", family.professional_agency.id, None, f"api_token:{row.id}"),
        ("fhir_goal", family.professional_agency.id, None, f"api_token:{row.id}"),
    ]
    assert row.last_used_at is not None
    logged = caplog.text
    assert token not in logged and family.child.display_name not in logged


def test_the_admin_creates_lists_and_revokes_a_token_shown_once(app, client, session):
    family = make_family(session)
    admin = make_person(
        session, "Agnes Wik", agency_id=family.professional_agency.id, is_admin=True
    )
    session.commit()
    sign_in_as(client, admin)
    path = "/admin/api-tokens/new"
    token_field = csrf_token(client, path)
    bad = client.post(path, data={"csrf_token": token_field, "name": "", "days": "90"})
    assert bad.status_code == 400 and "Skriv vilket system" in bad.get_data(as_text=True)
    bad = client.post(path, data={"csrf_token": token_field, "name": "Journal", "days": "7"})
    assert bad.status_code == 400 and 'value="Journal"' in bad.get_data(as_text=True)
    assert client.post(path, data={"name": "Journal", "days": "90"}).status_code == 400  # CSRF

    shown = client.post(path, data={"csrf_token": token_field, "name": "Journal", "days": "30"})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = shown.get_data(as_text=True)
    token = html.split("<code>")[1].split("</code>")[0]
    row = session.scalar(select(AgencyApiToken))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert (row.expires_at - datetime.now(UTC)).days in (29, 30)
    fhir_get(app.test_client(), f"/fhir/CarePlan/{family.plan.id}", token)

    index = client.get("/admin/").get_data(as_text=True)
    assert "Journal" in index and "Senast använd" in index and token not in index
    revoke = f"/admin/api-tokens/{row.id}/revoke"
    assert (
        client.post(revoke, data={"csrf_token": csrf_token(client, "/admin/")}).status_code == 303
    )
    outcome(app.test_client(), f"/fhir/CarePlan/{family.plan.id}", token, 401)
    assert "Återkallad" in client.get("/admin/").get_data(as_text=True)

    # Another agency's admin cannot revoke it (404), nor see it listed.
    other = make_person(session, "Annan", agency_id=family.coordinator_agency.id, is_admin=True)
    session.commit()
    stranger = app.test_client()
    sign_in_as(stranger, other)
    answer = stranger.post(revoke, data={"csrf_token": csrf_token(stranger, "/admin/")})
    assert answer.status_code == 404
    assert "Journal" not in stranger.get("/admin/").get_data(as_text=True)


@pytest.fixture
def live_server(app):
    """The app on a real socket, as an agency system reaches it."""
    import threading

    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: object) -> None:
            """No request lines in the test output (paths carry ids)."""

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/fhir"
    server.shutdown()
    thread.join(5)


def test_an_agency_system_reads_its_plan_with_fhirpy_and_fhirclient(app, live_server, session):
    """Done when: an agency system reads its plan through fhirpy and fhirclient; with
    consent revoked it reads nothing, and the family sees the refused attempt."""
    from fhirclient import client as smart_client
    from fhirclient.models.careplan import CarePlan
    from fhirpy import SyncFHIRClient
    from fhirpy.base.exceptions import ResourceNotFound

    family = make_family(session, child_age=13)
    with_views(session, family)
    token = make_token(session, family.professional_agency)
    fhir = SyncFHIRClient(live_server, authorization=f"Bearer {token}")

    plans = fhir.resources("CarePlan").search(patient=family.child.id).fetch()
    assert [p["id"] for p in plans] == [str(family.plan.id)]
    care_plan = plans[0]
    assert care_plan["subject"]["reference"] == f"Patient/{family.child.id}"
    child = fhir.reference("Patient", family.child.id).to_resource()
    assert child["name"][0]["text"] == family.child.display_name
    goal = fhir.reference(reference=care_plan["goal"][0]["reference"]).to_resource()
    assert goal["description"]["text"] == "Jag vill sova bättre."
    meetings = fhir.resources("Appointment").search(patient=family.child.id).fetch_all()
    assert [m["id"] for m in meetings] == [str(family.meeting.id)]
    views = fhir.resources("QuestionnaireResponse").search(patient=family.child.id).fetch()
    assert "Bara för samordnaren" not in json.dumps(
        [v.serialize() for v in views], ensure_ascii=False
    )

    # fhirclient (SMART on FHIR's Python client), with the token on its session.
    smart = smart_client.FHIRClient(settings={"app_id": "journal", "api_base": live_server + "/"})
    smart.server.session.headers["Authorization"] = f"Bearer {token}"
    read = CarePlan.read(str(family.plan.id), smart.server)
    assert read.subject.reference == f"Patient/{family.child.id}"

    guardian = app.test_client()
    sign_in_as(guardian, family.guardians[0])
    _revoke(guardian, family)
    assert fhir.resources("CarePlan").search(patient=family.child.id).fetch() == []
    with pytest.raises(ResourceNotFound):
        fhir.reference("CarePlan", family.plan.id).to_resource()
    html = guardian.get(f"/plans/{family.plan.id}/who-can-see").get_data(as_text=True)
    assert f"<bdi>{family.professional_agency.name}</bdi> försökte öppna planen" in html


def test_an_agency_that_left_the_team_or_a_draft_plan_reads_nothing(client, session):
    """Consent alone is not enough: the agency must be in the plan's team now (its
    professional taken off the plan, the consent still stands), and a draft is the
    coordinator's alone. Neither is a refusal for lack of consent."""
    from family_app.models import PlanStatus

    family = make_family(session)
    token = make_token(session, family.professional_agency)
    plan = f"/fhir/CarePlan/{family.plan.id}"
    fhir_get(client, plan, token)
    session.delete(
        session.scalar(select(PlanMember).where(PlanMember.person_id == family.professional.id))
    )
    session.commit()
    outcome(client, plan, token, 404)
    draft = make_family(session, status=PlanStatus.DRAFT)
    outcome(
        client,
        f"/fhir/CarePlan/{draft.plan.id}",
        make_token(session, draft.professional_agency),
        404,
    )
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all() == []


def test_no_query_makes_a_500(client, session):
    """Whatever an agency system sends (odd types, ids, parameters, bytes that are
    no UTF-8, NUL, very long values), the answer is FHIR JSON and never a 500."""
    from urllib.parse import quote_from_bytes

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    family = make_family(session)
    token = make_token(session, family.professional_agency)
    segment = st.one_of(
        st.sampled_from([*KINDS, "metadata", "Observation", "", "..", str(family.plan.id)]),
        st.binary(max_size=80).map(lambda b: quote_from_bytes(b, safe="")),
    )
    params = st.lists(
        st.tuples(
            st.sampled_from(["_id", "patient", "_format", "subject", "_count", "x\x00"]),
            st.one_of(st.binary(max_size=3000), st.just(b"Patient/" + b"9" * 40)),
        ),
        max_size=3,
    )

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(parts=st.lists(segment, min_size=1, max_size=3), query=params)
    def ask(parts, query):
        path = "/fhir/" + "/".join(parts)
        query_string = "&".join(
            f"{quote_from_bytes(n.encode(), safe='')}={quote_from_bytes(v, safe='')}"
            for n, v in query
        )
        response = client.get(
            path, query_string=query_string, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code < 500, (path, query_string[:100])
        assert response.headers["Content-Type"].startswith("application/fhir+json"), path
        body = response.get_json(force=True)
        assert body["resourceType"] in ("OperationOutcome", "Bundle", "CapabilityStatement", *KINDS)

    ask()


HIDDEN = "https://min-sip.se/fhir/StructureDefinition/hidden-from-guardians"
RESTRICTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}


def _labelled(resource: dict) -> bool:
    """Labelled as a whole: restricted, and our extension on the resource."""
    return RESTRICTED in resource.get("meta", {}).get("security", []) and {
        "url": HIDDEN,
        "valueBoolean": True,
    } in resource.get("extension", [])


def test_everything_kept_from_guardians_is_labelled_by_the_guardians_own_rule(client, session):
    """A journal may show the chart to guardians (proxy access), so whatever our rules
    keep from them is labelled: a goal the child (13+) hid, a harm-flagged action and
    with it its agency (Organization, its staff, its consent, a meeting only it
    attends), and each answer "not for my guardians". Labelled after the change, not
    before; under the child's choosing age the child's hiding hides nothing."""
    from family_app.models import MeetingAttendee

    family = make_family(session, child_age=13)
    with_views(session, family)
    session.add(
        MeetingAttendee(meeting_id=family.meeting.id, agency_id=family.professional_agency.id)
    )
    session.commit()
    token = make_token(session, family.coordinator_agency)
    hidden_agency = family.professional_agency.id

    def read(kind: str, ident: int) -> dict:
        return fhir_get(client, f"/fhir/{kind}/{ident}", token)[1]

    _response, consents = fhir_get(client, f"/fhir/Consent?patient={family.child.id}", token)
    consent_of = {
        e["resource"]["provision"]["actor"][0]["reference"]["reference"]: e["resource"]["id"]
        for e in consents["entry"]
    }
    hidden_consent = consent_of[f"Organization/{hidden_agency}"]
    whole = [
        ("Goal", family.goal.id),
        ("Organization", hidden_agency),
        ("PractitionerRole", family.professional.id),
        ("Appointment", family.meeting.id),
        ("Consent", int(hidden_consent)),
    ]
    for kind, ident in whole:
        assert not _labelled(read(kind, ident)), kind
        assert "meta" not in read(kind, ident), kind
    assert "meta" not in read("CarePlan", family.plan.id)

    # The child hides the goal from the guardians; a harm flag hides the action.
    family.goal.hidden_from_guardians_by_child = True
    family.action.harm_flag = True
    family.action.harm_reason = "Skäl"
    session.commit()
    for kind, ident in whole:
        assert _labelled(read(kind, ident)), kind
    _response, search = fhir_get(client, "/fhir/Organization", token)
    labelled = {e["resource"]["id"] for e in search["entry"] if _labelled(e["resource"])}
    assert labelled == {str(hidden_agency)}  # the coordinator's own agency stays unlabelled
    assert not _labelled(
        read("Consent", int(consent_of[f"Organization/{family.coordinator_agency.id}"]))
    )

    care_plan = read("CarePlan", family.plan.id)
    assert care_plan["meta"]["security"] == [RESTRICTED] and "extension" not in care_plan
    assert care_plan["activity"][0]["extension"] == [{"url": HIDDEN, "valueBoolean": True}]
    team = read("CareTeam", family.plan.id)
    assert team["meta"]["security"] == [RESTRICTED]
    marked = [p["member"]["reference"] for p in team["participant"] if "extension" in p]
    assert marked == [f"PractitionerRole/{family.professional.id}"]

    _response, views = fhir_get(client, "/fhir/QuestionnaireResponse", token)
    response = views["entry"][0]["resource"]
    assert response["meta"]["security"] == [RESTRICTED] and "extension" not in response
    assert [(i["linkId"], "extension" in i) for i in response["item"]] == [
        ("going_well", False),
        ("want_help", True),
    ]
    assert "Skäl" not in json.dumps([care_plan, team, views], ensure_ascii=False)

    # Under the age the child chooses from, guardians see what the child hid: no label.
    young = make_family(session, child_age=10)
    young.goal.hidden_from_guardians_by_child = True
    session.commit()
    young_token = make_token(session, young.coordinator_agency)
    _response, goal = fhir_get(client, f"/fhir/Goal/{young.goal.id}", young_token)
    assert "meta" not in goal and "extension" not in goal


def test_directory_reads_and_broad_searches_stay_out_of_the_families_logs(client, session):
    """Reading an agency or a colleague is no read of a family's plan: one directory
    read, no plan. A broad search (a system polling) records no refusal in a plan it
    did not name; reading that plan by id or by patient= does. Reads of a child's
    data are still audited in that child's plan."""
    family = make_family(session)
    agency = family.professional_agency
    token = make_token(session, agency)
    without = make_family(session, consent=False)
    colleague = make_person(session, "Kollega", agency_id=agency.id)
    session.add(
        PlanMember(plan_id=without.plan.id, person_id=colleague.id, role=MemberRole.PROFESSIONAL)
    )
    session.commit()

    def events(action: str, plan_id: int | None) -> list[AuditEvent]:
        return session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action,
                AuditEvent.plan_id.is_(None) if plan_id is None else AuditEvent.plan_id == plan_id,
            )
        ).all()

    for _minute in range(3):  # a system polling every minute
        fhir_get(client, f"/fhir/Organization/{agency.id}", token)
        fhir_get(client, f"/fhir/PractitionerRole/{family.professional.id}", token)
        fhir_get(client, "/fhir/Organization", token)
        fhir_get(client, "/fhir/PractitionerRole", token)
        fhir_get(client, "/fhir/CarePlan", token)
        fhir_get(client, "/fhir/Goal", token)
    session.expire_all()
    assert {e.object_type for e in events("read", family.plan.id)} == {"fhir_careplan", "fhir_goal"}
    assert len(events("read", family.plan.id)) == 6
    assert events("refused", without.plan.id) == []
    directory = events("read", None)
    assert len(directory) == 12
    assert {(e.object_type, e.actor_agency_id) for e in directory} == {
        ("fhir_organization", agency.id),
        ("fhir_practitionerrole", agency.id),
    }
    # The colleague shares only a plan the agency may not read: not in the directory.
    outcome(client, f"/fhir/PractitionerRole/{colleague.id}", token, 404)

    # Naming the plan without consent is an attempt the family sees.
    outcome(client, f"/fhir/CarePlan/{without.plan.id}", token, 404)
    fhir_get(client, f"/fhir/Goal?patient={without.child.id}", token)
    session.expire_all()
    assert [e.object_type for e in events("refused", without.plan.id)] == ["plan", "plan"]


def test_an_unknown_id_costs_the_same_queries_as_one_not_ours(app, client, session):
    """No timing hint: a plan of another agency and an id that does not exist are
    asked the same queries (the team query runs for both)."""
    from tests.conftest import statements_of

    family = make_family(session)
    token = make_token(session, make_agency(session))
    headers = {"Authorization": f"Bearer {token}"}
    for kind, ident in (("CarePlan", family.plan.id), ("Goal", family.goal.id)):
        existing, _r = statements_of(app, client, f"/fhir/{kind}/{ident}", 404, headers=headers)
        missing, _r = statements_of(app, client, f"/fhir/{kind}/99999999", 404, headers=headers)
        assert len(existing) == len(missing), kind
    existing, _r = statements_of(
        app, client, f"/fhir/CarePlan?patient={family.child.id}", headers=headers
    )
    missing, _r = statements_of(app, client, "/fhir/CarePlan?patient=99999999", headers=headers)
    assert len(existing) == len(missing)


def test_from_the_18th_birthday_no_guardian_is_in_the_team(client, session):
    """Decision 3: from the adult birthday the guardians are out, as on the team's
    family page (access.family_of): no RelatedPerson, none in the CareTeam, and
    nowhere custody. The day before, they are there with custody."""
    family = make_family(session, child_age=17)
    token = make_token(session, family.professional_agency)
    _response, people = fhir_get(client, f"/fhir/RelatedPerson?patient={family.child.id}", token)
    assert people["total"] == 2
    member_id = people["entry"][0]["resource"]["id"]
    assert people["entry"][0]["resource"]["relationship"][0]["coding"][0]["code"] == "GUARD"

    family.child.birth_date = birth_date_for_age(18)
    session.commit()
    _response, people = fhir_get(client, f"/fhir/RelatedPerson?patient={family.child.id}", token)
    assert people["total"] == 0
    outcome(client, f"/fhir/RelatedPerson/{member_id}", token, 404)
    _response, team = fhir_get(client, f"/fhir/CareTeam/{family.plan.id}", token)
    assert not [p for p in team["participant"] if "RelatedPerson" in p["member"]["reference"]]
    assert "custody" not in json.dumps(team) and "GUARD" not in json.dumps(team)


def _one_agency_in(session, plans: int):
    """``plans`` families whose teams share one professional (one agency, with the
    guardians' consent in each), every plan with two goals."""
    from family_app.models import Goal
    from tests.factories import give_consent

    families = [make_family(session) for _ in range(plans)]
    first = families[0]
    for family in families[1:]:
        session.add(
            PlanMember(
                plan_id=family.plan.id,
                person_id=first.professional.id,
                role=MemberRole.PROFESSIONAL,
            )
        )
        give_consent(session, family.plan, first.professional_agency, family.guardians)
    for family in families:
        session.add(Goal(plan_id=family.plan.id, text="Andra målet", position=2))
    session.commit()
    return families, make_token(session, first.professional_agency)


def _pages(client, path: str, token: str) -> list[dict]:
    """Every page of a search, following the server's next links."""
    pages = []
    while path:
        _response, body = fhir_get(client, path, token)
        pages.append(body)
        following = [link["url"] for link in body["link"] if link["relation"] == "next"]
        path = following[0].split("://", 1)[1].split("/", 1)[1] if following else None
        path = "/" + path if path else None
        assert len(pages) < 50, "the next links go round in circles"
    return pages


def test_a_search_comes_a_page_at_a_time_and_the_pages_add_up_to_the_whole(client, session):
    """Issue 14 at scale: an agency in many plans gets a child's data a page at a
    time (_count), with next links; every resource exactly once, none too many on
    a page, each page's reads audited in their plans."""
    families, token = _one_agency_in(session, 3)
    goals = {str(g.id) for f in families for g in session.get(type(f.plan), f.plan.id).goals}
    assert len(goals) == 6
    _r, whole = fhir_get(client, "/fhir/Goal", token)
    assert whole["total"] == 6 and {e["resource"]["id"] for e in whole["entry"]} == goals
    assert [link["relation"] for link in whole["link"]] == ["self"]
    for count in (1, 4, 6):
        pages = _pages(client, f"/fhir/Goal?_count={count}", token)
        ids = [e["resource"]["id"] for page in pages for e in page.get("entry", [])]
        assert sorted(ids) == sorted(goals), count  # each once
        assert all(len(page.get("entry", [])) <= count for page in pages)
        assert len(pages) == -(-6 // count), count  # no empty page after the last
        if len(pages) > 1:
            assert all("total" not in page for page in pages)
    # The patient's search pages the same way.
    child = families[1].child.id
    pages = _pages(client, f"/fhir/Goal?patient={child}&_count=1", token)
    assert len([e for page in pages for e in page.get("entry", [])]) == 2
    # Each page's reads are audited in the plan they came from, under the agency.
    session.expire_all()
    reads = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "fhir_goal", AuditEvent.plan_id == families[2].plan.id
        )
    ).all()
    assert reads and {e.actor_agency_id for e in reads} == {families[0].professional_agency.id}


def test_a_revoke_between_two_pages_holds_on_the_next_page(app, client, session):
    families, token = _one_agency_in(session, 2)
    first = fhir_get(client, "/fhir/Goal?_count=2", token)[1]
    assert {e["resource"]["id"] for e in first["entry"]} == {
        str(g.id) for g in session.get(type(families[0].plan), families[0].plan.id).goals
    }
    (following,) = [link["url"] for link in first["link"] if link["relation"] == "next"]
    guardian = app.test_client()
    sign_in_as(guardian, families[1].guardians[0])
    path = f"/plans/{families[1].plan.id}/consent/{families[0].professional_agency.id}/revoke"
    response = guardian.post(path, data={"csrf_token": csrf_token(guardian, path)})
    assert response.status_code == 303
    _r, second = fhir_get(client, "/" + following.split("/", 3)[3], token)
    assert "entry" not in second
    assert [link["relation"] for link in second["link"]] == ["self"]


def test_paging_input_is_checked(client, session):
    _families, token = _one_agency_in(session, 1)
    for query in ("_count=0", "_count=501", "_count=abc", "_count=-1", "_count=1&_count=2",
                  "_cursor=x", "_cursor=0-0", "_cursor=1-", "_cursor=99999999999-0"):  # fmt: skip
        outcome(client, f"/fhir/Goal?{query}", token, 400)
    # The directory comes whole: no paging parameters there.
    outcome(client, "/fhir/Organization?_count=5", token, 400)
    outcome(client, "/fhir/PractitionerRole?_cursor=1-0", token, 400)
    # A well-formed cursor past the end is an empty last page.
    _r, body = fhir_get(client, "/fhir/Goal?_cursor=999999999-0", token)
    assert "entry" not in body


def test_fhirpy_follows_the_next_links_to_every_resource(live_server, session):
    """A real client, not ours: fhirpy's fetch_all walks the pages by their next links."""
    from fhirpy import SyncFHIRClient

    families, token = _one_agency_in(session, 3)
    fhir = SyncFHIRClient(live_server, authorization=f"Bearer {token}")
    goals = fhir.resources("Goal").limit(1).fetch_all()
    assert sorted(int(g["id"]) for g in goals) == sorted(
        g.id for f in families for g in session.get(type(f.plan), f.plan.id).goals
    )
    plans = fhir.resources("CarePlan").limit(2).fetch_all()
    assert [int(p["id"]) for p in plans] == [f.plan.id for f in families]
