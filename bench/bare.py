"""The benchmark's yardstick: a bare Flask endpoint under the same gunicorn settings.

Why: machines differ, so the budgets are ratios to what this machine serves with
Flask and gunicorn alone, measured in the same run. It answers a small HTML page
(no database, no templates, no session), so what the app's pages cost above it is
the app's own work.
"""

from flask import Flask

app = Flask(__name__)

PAGE = "<!doctype html><html lang=sv><title>Bare</title><p>Hej</p></html>"


@app.get("/")
def bare() -> str:
    """The whole endpoint."""
    return PAGE
