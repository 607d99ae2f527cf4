"""Every page is valid HTML, as the W3C Nu Html Checker (vnu) judges it.

Each page is rendered as the people who reach it (the authorization matrix says
who gets a 200 on which GET route, so a new page is checked as soon as it has a
line there), error pages included; then all of them, the style sheet and the
icons go to ONE run of the checker, because the JVM takes seconds to start.
vnu comes from npm (package.json, `vnu-jar`) and runs on the machine's Java 17.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from family_app.auth.invitations import issue_invitation
from tests.conftest import csrf_token, sign_in_as
from tests.functional.test_authorization_matrix import (  # noqa: F401  (app: the fixture)
    MATRIX,
    _ask,
    _csrf_token,
    app,
    build_world,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VNU = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Everyone whose pages differ: each age of child, each kind of family member,
# the team, the translator, the admin and someone signed out.
ROLES = [
    "anonymous",
    "child",
    "child_under_6",
    "child_15",
    "guardian",
    "guardian_without_custody",
    "relative",
    "coordinator",
    "professional_with_consent",
    "translator",
    "admin",
]
# Answers that are no HTML page of ours.
NOT_HTML = {
    "main.healthz",
    "main.service_worker",
    "plans.meeting_ics",
    "feeds.calendar_feed",
    "fhir.metadata",  # FHIR JSON (issue 15)
}
# A sample of wrong addresses: the error page as each of these people sees it.
ARABIC = {"Accept-Language": "ar"}
MISSING = {"anonymous": "/nowhere", "guardian": "/plans/999999", "coordinator": "/workspace/x"}


def _my_data_pages(flask_app, person, lang: str) -> list[tuple[str, object]]:  # noqa: ANN001
    """The downloaded My data page (HTML) and the page a used link answers with."""
    client = flask_app.test_client()
    sign_in_as(client, person)
    with client.session_transaction() as sess:
        sess["lang"] = lang
    token = csrf_token(client, "/account/my-data")
    client.post("/account/my-data", data={"csrf_token": token, "format": "html"})
    with client.session_transaction() as sess:
        ((export_id, secret),) = sess["my_data_tokens"].items()
    path = f"/account/my-data/{export_id}/download"
    form = {"csrf_token": token, "token": secret}
    return [(path, client.post(path, data=form)), (path, client.post(path, data=form))]


def _render_every_page(flask_app, session, out: Path) -> dict[str, str]:  # noqa: ANN001
    """Write each page to ``out``; answer file name -> what it was (role, path)."""
    rendered: dict[str, str] = {}

    def keep(role: str, path: str, response) -> None:  # noqa: ANN001
        assert response.mimetype == "text/html", (role, path, response.mimetype)
        name = f"{len(rendered):03d}.html"
        (out / name).write_bytes(response.get_data())
        rendered[name] = f"{role} {path} ({response.status_code})"

    for role in ROLES:
        world = build_world(session, role)
        for (endpoint, method), answers in sorted(MATRIX.items()):
            if method != "GET" or endpoint in NOT_HTML or answers[role] != 200:
                continue
            path, response = _ask(flask_app, world, role, endpoint, method)
            assert response.status_code == 200, (role, path, response.status_code)
            keep(role, path, response)
        if role == "guardian":  # My data (issue 15): the file to keep, and its used link
            for lang in ("sv", "ar"):
                for path, response in _my_data_pages(flask_app, world.people[role], lang):
                    keep(f"{role} {lang}", path, response)
        if role in MISSING:
            client = flask_app.test_client()
            if role != "anonymous":
                sign_in_as(client, world.people[role])
            response = client.get(MISSING[role])
            assert response.status_code == 404
            keep(role, MISSING[role], response)
        if role == "admin":  # issue 15: an API token shown once, and a refused form
            client = flask_app.test_client()
            sign_in_as(client, world.people[role])
            token = _csrf_token(flask_app, client)
            for name, days in (("Journal", "30"), ("", "7")):
                data = {"csrf_token": token, "name": name, "days": days}
                response = client.post("/admin/api-tokens/new", data=data)
                keep(role, f"/admin/api-tokens/new days={days}", response)
        if role == "anonymous":  # right to left; a real invitation, as the invited opens it
            for path in ("/", "/sign-in"):
                keep("anonymous ar", path, flask_app.test_client().get(path, headers=ARABIC))
            issued = issue_invitation(session, world.people["guardian"], None, 14)
            session.commit()
            path = f"/i/{issued.token}"
            keep(role, path, flask_app.test_client().get(path))
        session.expunge_all()
    return rendered


def test_every_page_the_style_sheet_and_the_icons_are_valid(app, session, tmp_path):  # noqa: F811
    assert VNU.is_file(), "vnu.jar is missing: run `npm ci` (scripts/test does)"
    java = shutil.which("java")
    assert java, "Java 11 or later is needed to run vnu.jar"
    rendered = _render_every_page(app, session, tmp_path)
    assert len(rendered) > 100  # every role's pages, not a handful
    styles = sorted((PROJECT_ROOT / "static" / "css").glob("*.css"))
    icons = sorted((PROJECT_ROOT / "static" / "icons").glob("*.svg"))
    # --also-check-css and --also-check-svg: the style sheet and the icons are
    # ours too and a browser reads them as strictly; nothing needs switching off.
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--also-check-css"]
        + ["--also-check-svg", str(tmp_path), *map(str, styles), *map(str, icons)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout, result.stderr  # vnu itself failed to run
    messages = json.loads(result.stdout)["messages"]

    def where(message: dict) -> str:
        url = message.get("url", "")
        name = url.rsplit("/", 1)[-1]
        return rendered.get(name, name)

    report = [
        f"{m['type']}/{m.get('subType', '')} {where(m)} line {m.get('lastLine')}: {m['message']}"
        f" | {m.get('extract', '').strip()}"
        for m in messages
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    print("\n".join(report) or "vnu: no errors, no warnings")
    # Warnings fail too: there are none, and a new one is worth a look before it stays.
    assert report == [], f"{len(report)} vnu messages:\n" + "\n".join(report)
