"""A read-only FHIR R4 API for agency systems (issue 15); see docs/fhir.md."""
