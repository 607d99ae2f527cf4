"""The plan as FHIR R4 resources, built only from what a PlanAccess may see.

Every builder takes the reader's PlanAccess and asks it (visible_parts,
visible_agencies, knows_of_meeting, sees_answer, sees_protected_details), so an
agency system reads what a professional of its agency reads and nothing more.
What the rules keep from the child's guardians is labelled (meta.security R and
our hidden-from-guardians extension, decided by access.PlanAccess.hidden_from_guardians),
since the receiving journal may show the chart to guardians.
Ids are our database ids as strings; a resource type names its table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import PlanAccess, consent_states, family_of, plan_consents
from ..models import (
    ActionStatus,
    Agency,
    Consent,
    Meeting,
    MeetingStatus,
    MemberRole,
    Person,
    PlanStatus,
)

SYSTEM = "https://min-sip.se/fhir"  # our own code systems (docs/fhir.md)
V3_ROLE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

Resource = dict[str, Any]


def instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ref(kind: str, ident: int | None, display: str | None = None) -> dict[str, str]:
    found = {"reference": f"{kind}/{ident}"}
    if display:
        found["display"] = display
    return found


def _clean(resource: Resource) -> Resource:
    """FHIR has no empty values: drop None, "" and [] (one level is enough here)."""
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


HIDDEN_FROM_GUARDIANS = f"{SYSTEM}/StructureDefinition/hidden-from-guardians"
RESTRICTED = {"system": CONFIDENTIALITY, "code": "R"}


def _hidden_mark() -> list[dict[str, Any]]:
    """Our extension on a resource or element the guardians may not see."""
    return [{"url": HIDDEN_FROM_GUARDIANS, "valueBoolean": True}]


def _labelled(resource: Resource, whole: bool, some: bool = False) -> Resource:
    """Label what our rules keep from the guardians (access.hidden_from_guardians),
    so a receiving system that may show the chart to guardians keeps it from them:
    ``meta.security`` R (restricted) whenever the resource is or holds such data,
    and our extension on the resource when all of it is hidden (the elements that
    are hidden carry the extension themselves). The reason stays in Min SIP."""
    if whole or some:
        meta = resource.setdefault("meta", {})
        security = meta.setdefault("security", [])
        if RESTRICTED not in security:
            security.append(dict(RESTRICTED))
    if whole:
        resource["extension"] = _hidden_mark()
    return resource


def is_hidden(resource: Resource) -> bool:
    """Whether a built resource carries our hidden-from-guardians extension."""
    return any(e.get("url") == HIDDEN_FROM_GUARDIANS for e in resource.get("extension", []))


def patient(access: PlanAccess) -> Resource:
    child = access.plan.child
    return _clean(
        {
            "resourceType": "Patient",
            "id": str(child.id),
            "name": [{"text": child.display_name}],
            "birthDate": child.birth_date.isoformat() if child.birth_date else None,
            "meta": {"security": [{"system": CONFIDENTIALITY, "code": "R"}]}
            if child.protected_identity
            else None,
        }
    )


def related_people(access: PlanAccess) -> Iterator[Resource]:
    """Guardians and relatives, each as a RelatedPerson of the child (id: membership).
    Only those who take part now (access.family_of, as the team's family page): from
    the child's adult birthday guardians and relatives are out (decision 3), so
    none is listed, let alone with custody."""
    plan = access.plan
    taking_part = {person.id for person, _role in family_of(plan, access.today)}
    for member in plan.members:
        if member.role not in (MemberRole.GUARDIAN, MemberRole.RELATIVE):
            continue
        if member.person_id not in taking_part:
            continue
        person = member.person
        code = "GUARD" if member.role == MemberRole.GUARDIAN else "FAMMEMB"
        telecom = (
            [{"system": "phone", "value": person.phone}]
            if person.phone and access.sees_protected_details(person)
            else []
        )
        yield _clean(
            {
                "resourceType": "RelatedPerson",
                "id": str(member.id),
                "active": True,
                "patient": ref("Patient", plan.child_id),
                "relationship": [{"coding": [{"system": V3_ROLE, "code": code}]}],
                "name": [{"text": person.display_name}],
                "telecom": telecom,
                "extension": [
                    {"url": f"{SYSTEM}/StructureDefinition/custody", "valueBoolean": True}
                ]
                if member.has_custody
                else [],
            }
        )


def organization(agency: Agency) -> Resource:
    return _clean(
        {
            "resourceType": "Organization",
            "id": str(agency.id),
            "active": True,
            "name": agency.name,
            "type": [
                {"coding": [{"system": f"{SYSTEM}/CodeSystem/agency-kind", "code": agency.kind}]}
            ],  # fmt: skip
            "telecom": [{"system": "phone", "value": agency.phone}] if agency.phone else [],
        }
    )


def organizations(access: PlanAccess) -> Iterator[Resource]:
    for agency in access.visible_agencies:
        yield _labelled(organization(agency), access.hidden_from_guardians(agency))


def _team(access: PlanAccess) -> list[tuple[Person, str]]:
    """The plan's team as the reader may see it: the coordinator and professionals."""
    plan = access.plan
    found: list[tuple[Person, str]] = []
    if plan.coordinator is not None and access.sees_person(plan.coordinator):
        found.append((plan.coordinator, "coordinator"))
    for member in plan.members:
        if (
            member.role == MemberRole.PROFESSIONAL
            and access.sees_person(member.person)
            and all(p.id != member.person_id for p, _r in found)
        ):
            found.append((member.person, "professional"))
    return found


def practitioner_roles(access: PlanAccess) -> Iterator[Resource]:
    """Each team member as a PractitionerRole at their agency (id: the person)."""
    for person, role in _team(access):
        yield _labelled(
            _clean(
                {
                    "resourceType": "PractitionerRole",
                    "id": str(person.id),
                    "active": True,
                    "practitioner": {"display": person.display_name},
                    "organization": ref("Organization", person.agency_id)
                    if person.agency_id
                    else None,
                    "code": [
                        {
                            "coding": [{"system": f"{SYSTEM}/CodeSystem/team-role", "code": role}],
                            "text": person.title or None,
                        }
                    ],
                    "telecom": [{"system": "phone", "value": person.phone}] if person.phone else [],
                }
            ),
            access.hidden_from_guardians(person),
        )


def care_team(access: PlanAccess) -> Resource:
    plan = access.plan
    participants = []
    for person, role in _team(access):
        participant: dict[str, Any] = {
            "role": [{"coding": [{"system": f"{SYSTEM}/CodeSystem/team-role", "code": role}]}],
            "member": ref("PractitionerRole", person.id, person.display_name),
        }
        if access.hidden_from_guardians(person):
            participant["extension"] = _hidden_mark()
        participants.append(participant)
    some_hidden = any("extension" in p for p in participants)
    participants += [{"member": ref("RelatedPerson", r["id"])} for r in related_people(access)]
    return _labelled(
        _clean(
            {
                "resourceType": "CareTeam",
                "id": str(plan.id),
                "status": "active" if plan.status == PlanStatus.ACTIVE else "inactive",
                "subject": ref("Patient", plan.child_id),
                "participant": participants,
                "managingOrganization": [ref("Organization", plan.responsible_agency_id)]
                if plan.responsible_agency_id
                else [],
            }
        ),
        False,
        some_hidden,
    )


def goals(access: PlanAccess) -> Iterator[Resource]:
    for goal in access.visible_parts(access.plan.goals):
        yield _labelled(
            _clean(
                {
                    "resourceType": "Goal",
                    "id": str(goal.id),
                    "lifecycleStatus": "active",
                    "description": {"text": goal.text},
                    "subject": ref("Patient", access.plan.child_id),
                }
            ),
            access.hidden_from_guardians(goal),
        )


ACTION_STATUS = {
    ActionStatus.PLANNED: "not-started",
    ActionStatus.STARTED: "in-progress",
    ActionStatus.DONE: "completed",
    ActionStatus.PAUSED: "on-hold",
    ActionStatus.CANCELLED: "cancelled",
}


def _activity(access: PlanAccess, action: Any) -> dict[str, Any]:
    period = _clean(
        {
            "start": action.planned_start.isoformat() if action.planned_start else None,
            "end": action.planned_end.isoformat() if action.planned_end else None,
        }
    )
    detail = _clean(
        {
            "status": ACTION_STATUS.get(action.status, "unknown"),
            "description": "\n\n".join(t for t in (action.title, action.description) if t),
            "goal": [ref("Goal", action.goal_id)] if action.goal_id else [],
            "performer": [ref("Organization", action.responsible_agency_id)]
            if action.responsible_agency_id
            else [],
            "scheduledPeriod": period,
        }
    )
    found: dict[str, Any] = {"detail": detail}
    if access.hidden_from_guardians(action):
        found["extension"] = _hidden_mark()
    return found


def care_plan(access: PlanAccess) -> Resource:
    plan = access.plan
    shown_goals = access.visible_parts(plan.goals)
    activity = [_activity(access, a) for a in access.visible_parts(plan.actions)]
    some_hidden = any("extension" in a for a in activity) or any(
        access.hidden_from_guardians(g) for g in shown_goals
    )
    return _labelled(
        _clean(
            {
                "resourceType": "CarePlan",
                "id": str(plan.id),
                "status": "active" if plan.status == PlanStatus.ACTIVE else "completed",
                "intent": "plan",
                "title": "SIP",
                "description": plan.background,
                "subject": ref("Patient", plan.child_id),
                "created": instant(plan.published_at or plan.created_at),
                "author": ref("PractitionerRole", plan.coordinator_id)
                if plan.coordinator_id
                else None,
                "careTeam": [ref("CareTeam", plan.id)],
                "goal": [ref("Goal", g.id) for g in shown_goals],
                "activity": activity,
            }
        ),
        False,
        some_hidden,
    )


MEETING_STATUS = {
    MeetingStatus.PLANNED: "booked",
    MeetingStatus.HELD: "fulfilled",
    MeetingStatus.CANCELLED: "cancelled",
}


def appointments(session: Session, access: PlanAccess) -> Iterator[Resource]:
    plan = access.plan
    meetings = session.scalars(
        select(Meeting).where(Meeting.plan_id == plan.id).order_by(Meeting.starts_at)
    ).all()
    for meeting in meetings:
        if not access.knows_of_meeting(meeting):
            continue
        participants = [{"actor": ref("Patient", plan.child_id), "status": "accepted"}]
        for attendee in meeting.attendees:
            if not access.sees_attendee(attendee):
                continue
            if attendee.person_id is not None and attendee.person is not None:
                actor = ref("PractitionerRole", attendee.person_id, attendee.person.display_name)
            elif attendee.agency_id is not None:
                actor = ref("Organization", attendee.agency_id)
            else:
                continue
            participant: dict[str, Any] = {"actor": actor, "status": "accepted"}
            if access.hidden_from_guardians(attendee):
                participant["extension"] = _hidden_mark()
            participants.append(participant)
        some_hidden = any("extension" in p for p in participants)
        yield _labelled(
            _clean(
                {
                    "resourceType": "Appointment",
                    "id": str(meeting.id),
                    "status": MEETING_STATUS.get(meeting.status, "booked"),
                    "appointmentType": {
                        "coding": [
                            {"system": f"{SYSTEM}/CodeSystem/meeting-kind", "code": meeting.kind}
                        ]  # fmt: skip
                    },
                    "start": instant(meeting.starts_at),
                    "end": instant(meeting.ends_at),
                    "comment": meeting.place
                    if meeting.place and access.sees_protected_details()
                    else None,
                    "basedOn": [],
                    "participant": participants,
                }
            ),
            access.hidden_from_guardians(meeting),
            some_hidden,
        )


def consents(session: Session, access: PlanAccess) -> Iterator[Resource]:
    """Consent per agency of the plan the reader may know of: in force or not
    (rule 2, read fresh). Who consented and the child's own say stay out."""
    plan = access.plan
    agencies = {a.id for a in access.visible_agencies}
    rows: dict[int, Consent] = plan_consents(session, plan)
    states = consent_states(session, plan, agencies, _now())
    for agency_id, consent in sorted(rows.items()):
        if agency_id not in agencies:
            continue
        yield _labelled(
            {
                "resourceType": "Consent",
                "id": str(consent.id),
                "status": "active" if states[agency_id].effective else "inactive",
                "scope": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                            "code": "patient-privacy",
                        }
                    ]
                },
                "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
                "patient": ref("Patient", plan.child_id),
                "dateTime": instant(consent.created_at),
                "policyRule": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "OPTIN",
                        }
                    ]
                },
                "provision": {
                    "type": "permit",
                    "actor": [
                        {
                            "role": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/"
                                        "v3-ParticipationType",
                                        "code": "IRCP",
                                    }
                                ]
                            },
                            "reference": ref("Organization", agency_id),
                        }
                    ],
                },
            },
            access.hidden_from_guardians(consent),
        )


def questionnaire_responses(session: Session, access: PlanAccess) -> Iterator[Resource]:
    """The child's and guardians' sent views before each meeting, each answer only
    when the writer's audience lets this reader read it (rule 5)."""
    from ..views.services import visible_statements

    plan = access.plan
    members = {m.person_id: m for m in plan.members}
    meetings = session.scalars(
        select(Meeting).where(Meeting.plan_id == plan.id).order_by(Meeting.starts_at)
    ).all()
    for meeting in meetings:
        if not access.knows_of_meeting(meeting):
            continue
        for shown in visible_statements(session, meeting, access):
            statement = shown.statement
            items = []
            for answer in shown.answers:
                values: list[dict[str, Any]] = []
                if answer.text.strip():
                    values.append({"valueString": answer.text})
                for pick in filter(None, (answer.picks or "").split(",")):
                    values.append(
                        {
                            "valueCoding": {
                                "system": f"{SYSTEM}/CodeSystem/pick",
                                "code": pick.strip(),
                            }
                        }  # fmt: skip
                    )
                item = _clean({"linkId": answer.prompt, "answer": values})
                if access.hidden_from_guardians(answer):
                    item["extension"] = _hidden_mark()
                items.append(item)
            if not items:
                continue
            if statement.author_id == plan.child_id:
                author = ref("Patient", plan.child_id)
            elif statement.author_id in members:
                author = ref("RelatedPerson", members[statement.author_id].id)
            else:
                continue
            some_hidden = any("extension" in i for i in items)
            yield _labelled(
                _clean(
                    {
                        "resourceType": "QuestionnaireResponse",
                        "id": str(statement.id),
                        "status": "completed",
                        "basedOn": [ref("CarePlan", plan.id)],
                        "subject": ref("Patient", plan.child_id),
                        "authored": instant(statement.submitted_at),
                        "author": author,
                        "item": items,
                    }
                ),
                False,
                some_hidden,
            )


def _now() -> datetime:
    from ..models import utcnow

    return utcnow()


def of_kind(session: Session, access: PlanAccess, kind: str) -> list[Resource]:
    """Every resource of one type in one plan that this reader may read."""
    if kind == "CarePlan":
        return [care_plan(access)]
    if kind == "CareTeam":
        return [care_team(access)]
    if kind == "Patient":
        return [patient(access)]
    if kind == "Goal":
        return list(goals(access))
    if kind == "RelatedPerson":
        return list(related_people(access))
    if kind == "Organization":
        return list(organizations(access))
    if kind == "PractitionerRole":
        return list(practitioner_roles(access))
    if kind == "Appointment":
        return list(appointments(session, access))
    if kind == "Consent":
        return list(consents(session, access))
    if kind == "QuestionnaireResponse":
        return list(questionnaire_responses(session, access))
    raise KeyError(kind)


KINDS = (
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
)
