"""/fhir/: read-only FHIR R4 (JSON) for an agency's own system (issue 15).

No session, no cookie, no CSRF: the caller shows its agency's API token as
``Authorization: Bearer``. Reads (by id) and minimal searches; anything else is an
OperationOutcome. Something that exists but is not this agency's to read is 404,
exactly like something that does not exist (never a hint a child's plan exists).
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, g, request, url_for

from ..access import Policy, guard
from ..extensions import db
from . import resources, services
from .outcome import FhirError, error_response, fhir_response

bp = Blueprint("fhir", __name__, url_prefix="/fhir")

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
OUR_ID = re.compile(r"^[1-9][0-9]{0,8}$")  # our ids: positive, below 2**31
PATIENT_KINDS = frozenset(resources.KINDS) - {"Patient", "Organization", "PractitionerRole"}
# Accepted everywhere and changing nothing: JSON is all we speak.
HARMLESS = {"_format": {"json", "application/json", "application/fhir+json"}}


PAGE_SIZE = 100  # resources on a page of a search, unless _count asks for fewer
PAGE_MAX = 500
CURSOR = re.compile(r"^([1-9][0-9]{0,8})-([0-9]{1,6})$")


def search_params(kind: str) -> dict[str, str]:
    """Search parameters each resource type takes (name -> FHIR type)."""
    found = {"_id": "token"}
    if kind in PATIENT_KINDS:
        found["patient"] = "reference"
    if kind not in services.DIRECTORY:
        found["_count"] = "number"
    return found


def _count(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", value) or not 1 <= int(value) <= PAGE_MAX:
        raise FhirError(400, f"_count takes a number from 1 to {PAGE_MAX}.")
    return int(value)


def _cursor(value: str) -> services.Cursor:
    found = CURSOR.match(value)
    if found is None:
        raise FhirError(400, "_cursor is not one this server wrote; start the search again.")
    return services.Cursor(int(found.group(1)), int(found.group(2)))


@bp.errorhandler(FhirError)
def fhir_error(error: FhirError):  # noqa: ANN201 - a view's answer
    return error_response(error)


def _kind(resource_type: str) -> str:
    if resource_type not in resources.KINDS:
        raise FhirError(404, "This resource type is not supported here.", "not-supported")
    return resource_type


def _our_id(value: str) -> int | None:
    """Our id, or None for a well-formed FHIR id that cannot be ours (404);
    anything that is no FHIR id at all is a 400."""
    if not FHIR_ID.match(value):
        raise FhirError(400, "The id is not a valid FHIR id.")
    return int(value) if OUR_ID.match(value) else None


@bp.get("/metadata", merge_slashes=False, provide_automatic_options=False)
@guard(Policy.PUBLIC)
def metadata():
    """The CapabilityStatement: what this server reads and searches. No token needed."""
    version = current_app.config.get("RELEASE", "") or "1"
    return fhir_response(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-12-01",
            "kind": "instance",
            "software": {"name": "Min SIP", "version": str(version)},
            "implementation": {
                "description": "Min SIP: read-only FHIR API for agency systems",
                "url": url_for("fhir.metadata", _external=True).rsplit("/metadata", 1)[0],
            },
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": "Authorization: Bearer <the agency's API token>, "
                        "made by the agency's admin in Min SIP."
                    },
                    "resource": [
                        {
                            "type": kind,
                            "interaction": [{"code": "read"}, {"code": "search-type"}],
                            "searchParam": [
                                {"name": name, "type": kind_}
                                for name, kind_ in search_params(kind).items()
                            ],
                        }
                        for kind in resources.KINDS
                    ],
                }
            ],
        }
    )


@bp.get("/<resource_type>/<resource_id>", merge_slashes=False, provide_automatic_options=False)
@guard(Policy.AGENCY_SYSTEM)
def read(resource_type: str, resource_id: str):
    """One resource by id, when this agency may read it now; else 404."""
    kind = _kind(resource_type)
    ident = _our_id(resource_id)
    if request.args:
        raise FhirError(400, "A read takes no search parameters.")
    reader = services.Reader(db.session, g.api_token)
    # The same work whether the id exists or not (no timing hint): an unknown id
    # asks the team query with no plan, never skips it.
    plan_ids = services.owner_plan_ids(db.session, kind, ident) if ident is not None else []
    found = reader.collect(kind, plan_ids, {resource_id}, named=True)
    reader.finish()
    if not found:
        raise FhirError(404, "No such resource, or not one this token may read.")
    return fhir_response(found[0])


def _ids(value: str) -> set[str]:
    parts = value.split(",")
    if not value or len(parts) > 50:
        raise FhirError(400, "_id takes one to 50 ids.")
    for part in parts:
        _our_id(part)
    return set(parts)


def _patient(value: str) -> str:
    found = re.fullmatch(r"(?:Patient/)?([A-Za-z0-9\-.]{1,64})", value)
    if found is None:
        raise FhirError(400, "patient takes a Patient id or Patient/<id>.")
    return found.group(1)


@bp.get("/<resource_type>", merge_slashes=False, provide_automatic_options=False)
@guard(Policy.AGENCY_SYSTEM)
def search(resource_type: str):
    """A searchset Bundle of the resources of the type this agency may read now,
    narrowed by _id and (for the plan's resources) patient. A child's data comes a
    page at a time (``_count``, at most 500, else 100), with a ``next`` link while
    there is more; the directory (agencies, staff) comes whole."""
    kind = _kind(resource_type)
    allowed = search_params(kind)
    wanted: set[str] | None = None
    plan_ids: list[int] | None = None
    count = PAGE_SIZE
    cursor: services.Cursor | None = None
    for name in request.args:
        values = request.args.getlist(name)
        if name in HARMLESS and all(v in HARMLESS[name] for v in values):
            continue
        if name not in allowed and not (name == "_cursor" and "_count" in allowed):
            raise FhirError(400, "This search parameter is not supported.", "not-supported")
        if len(values) != 1:
            raise FhirError(400, "Give each search parameter once.")
        if name == "_id":
            wanted = _ids(values[0])
        elif name == "patient":
            child = _patient(values[0])
            plan_ids = (
                services.plans_of_patient(db.session, int(child)) if OUR_ID.match(child) else []
            )
        elif name == "_count":
            count = _count(values[0])
        elif name == "_cursor":
            cursor = _cursor(values[0])
    reader = services.Reader(db.session, g.api_token)
    # patient= names the plans (a refusal is recorded); a broad search does not.
    # An unknown patient still asks the team query, with no plan (no timing hint).
    named = plan_ids is not None
    if kind in services.DIRECTORY:
        found, following = reader.collect(kind, plan_ids, wanted, named=named), None
    else:
        page = reader.collect_page(kind, plan_ids, wanted, named, count, cursor)
        found, following = page.resources, page.next
    reader.finish()
    bundle: dict = {"resourceType": "Bundle", "type": "searchset"}
    if cursor is None and following is None:
        bundle["total"] = len(found)  # known only when everything is on the first page
    bundle["link"] = [{"relation": "self", "url": request.url}]
    if following is not None:
        args = request.args.to_dict() | {"_count": str(count), "_cursor": str(following)}
        bundle["link"].append(
            {
                "relation": "next",
                "url": url_for("fhir.search", resource_type=kind, _external=True, **args),
            }
        )
    bundle["entry"] = [
        {
            "fullUrl": url_for(
                "fhir.read", resource_type=kind, resource_id=r["id"], _external=True
            ),
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in found
    ]
    if not found:
        del bundle["entry"]  # FHIR has no empty lists
    return fhir_response(bundle)
