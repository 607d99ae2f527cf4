"""One log line per request with the route *pattern*, never the path.

Paths hold secrets (invitation and calendar-feed tokens) and ids of children's
plans; the pattern (``/feeds/<token>/calendar.ics``) says what happened without
either. Nothing a person wrote, and no name, ever reaches the log.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

log = logging.getLogger("family_app.requests")


def init_app(app: Flask) -> None:
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        if app.testing:
            return response
        rule = request.url_rule.rule if request.url_rule else "<no route>"
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info("%s %s %s %.1fms", request.method, rule, response.status_code, elapsed)
        return response
