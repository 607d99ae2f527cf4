"""gzip for text responses, so a phone on a slow connection loads little.

A reverse proxy may do this in production too; doing it here keeps the page
weight we promise (README) true however the app is served.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
}
MIN_SIZE = 512
_static_cache: dict[tuple[str, str], bytes] = {}


def _compress(response: Response) -> Response:
    if (
        response.status_code != 200
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE
        or "gzip" not in request.headers.get("Accept-Encoding", "")
    ):
        return response
    response.headers.add("Vary", "Accept-Encoding")
    is_static = request.endpoint == "static"
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    etag = response.headers.get("ETag", "")
    if is_static and etag:
        key = (request.path, etag)
        if key not in _static_cache:
            _static_cache[key] = gzip.compress(data, compresslevel=9)
        body = _static_cache[key]
    else:
        body = gzip.compress(data, compresslevel=6)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    if etag and not etag.startswith("W/"):
        response.headers["ETag"] = "W/" + etag  # a different encoding, a weak match
    return response


def init_app(app: Flask) -> None:
    app.after_request(_compress)
