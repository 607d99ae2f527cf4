"""FHIR answers: application/fhir+json, and every error an OperationOutcome."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

FHIR_JSON = "application/fhir+json; charset=utf-8"
# HTTP status -> OperationOutcome issue code (FHIR R4 IssueType).
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    413: "too-costly",
    429: "throttled",
    500: "exception",
}


class FhirError(Exception):
    """An error answered as an OperationOutcome with this status. ``diagnostics``
    is a fixed English sentence from our code, never input echoed back."""

    def __init__(self, status: int, diagnostics: str, code: str | None = None) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.code = code or ISSUE_CODES.get(status, "processing")


def fhir_response(body: dict[str, Any], status: int = 200) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status, content_type=FHIR_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


def operation_outcome(status: int, diagnostics: str, code: str | None = None) -> Response:
    """An OperationOutcome with one error issue; 401 says which scheme to use."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": code or ISSUE_CODES.get(status, "processing"),
                "diagnostics": diagnostics,
            }
        ],
    }
    response = fhir_response(body, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fhir"'
    if status == 405:
        response.headers["Allow"] = "GET"
    return response


def error_response(error: FhirError) -> Response:
    return operation_outcome(error.status, error.diagnostics, error.code)


GENERIC = {
    400: "The request is not valid.",
    404: "No such resource, or not one this token may read.",
    405: "This API is read-only: only GET is supported.",
    413: "The request is too large.",
    429: "Too many requests; wait a minute.",
    500: "Something went wrong on the server.",
}


def is_fhir_request() -> bool:
    """A request to the FHIR API: its errors are OperationOutcomes, never pages."""
    from flask import has_request_context, request

    return has_request_context() and (request.path == "/fhir" or request.path.startswith("/fhir/"))


def for_status(status: int) -> Response:
    """What errors.py answers for a /fhir/ path instead of an HTML page."""
    return operation_outcome(status, GENERIC.get(status, "The request failed."))
