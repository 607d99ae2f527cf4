"""No leak by any path (issue 9; DESIGN.md rules 5, 6, 9 and decisions 10-12).

A stateful property test drives the real app (Flask test client, real database)
through random sequences of what happens around one meeting: the child and the
guardians write, change and send their views; the coordinator puts answers on
the agenda, answers wishes and publishes; staff set and clear a harm flag on an
extra agency's action; consents are given and revoked. After every step that
changed something, every reader that can change fetches the paths that carry
views and agency names (meeting page and fragment, .ics, own feed, consent,
prepare, own views); at the end of every example every reader fetches every
path (FAMILY_APP_NO_LEAK_FULL=1 does that after every step). What they get is
compared with an independent reference model kept here (it never asks the
app's access code what to expect).

Markers: each text written carries a unique ``MARK-<n>-``; a reply to a wish a
unique ``SVAR-<n>-``. A text that has been overwritten is "dead" and must then
appear nowhere for anyone (that catches copies kept elsewhere, decision 12).

The three reported leaks follow as plain, deterministic tests.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from family_app.account.feeds import new_feed
from family_app.consent import services as consent_services
from family_app.extensions import db
from family_app.models import (
    Action,
    Agency,
    AuditEvent,
    Meeting,
    MemberRole,
    Person,
    PlanMember,
    StatementAnswer,
    utcnow,
)
from tests.conftest import _empty_all_tables, csrf_token, sign_in_as
from tests.factories import give_consent, make_family, make_person

HX = {"HX-Request": "true"}

GUARDIAN_SIDE = frozenset({"guardian_a", "guardian_b", "guardian_nc", "relative"})
FAMILY = frozenset({"child"}) | GUARDIAN_SIDE
CUSTODIAL = ("guardian_a", "guardian_b")
# Who writes views in the machine (a custodial and a non-custodial guardian too).
WRITERS = ("child", "guardian_a", "guardian_nc")
PROMPTS = ("hard", "want_help", "adults_know")
AUDIENCES = ("everyone", "coordinator", "not_guardians")
# Staff reader -> the agency whose consent lets them in.
STAFF_AGENCY = {
    "coordinator": "coord",
    "pro_consent": "pro",
    "pro_extra": "extra",
    "pro_noconsent": "nocon",
}
READERS = (
    # Staff first, so refused and staff reads are in the log when the family looks.
    "pro_noconsent",
    "pro_consent",
    "pro_extra",
    "coordinator",
    "child",
    "guardian_a",
    "guardian_b",
    "guardian_nc",
    "relative",
    "other_family_guardian",
)


def _unfold(body: str) -> str:
    """An .ics body with folded lines joined again (RFC 5545 folds at 75 octets)."""
    return body.replace("\r\n ", "").replace("\r\n\t", "")


def _as(app, person: Person):
    client = app.test_client()
    sign_in_as(client, person)
    return client


# --- the world: one plan with every kind of reader -----------------------------------------


@dataclass
class World:
    family: object
    people: dict[str, Person]
    agencies: dict[str, Agency]
    extra_action: Action
    feeds: dict[str, str]

    @property
    def plan_id(self) -> int:
        return self.family.plan.id

    @property
    def meeting_id(self) -> int:
        return self.family.meeting.id


_names = itertools.count(1)


def build_world(session, child_age: int) -> World:
    """make_family, plus: a guardian without custody, a relative, a professional of
    an agency that never gets consent, an extra agency (with its own action and
    professional, unique names) that a harm flag can hide, and another family."""
    n = next(_names)
    family = make_family(session, child_age=child_age, guardians=2)
    plan = family.plan
    guardian_nc = make_person(session, f"Umgangesforalder {n}")
    relative = make_person(session, f"Mormor {n}")
    session.add(
        PlanMember(
            plan_id=plan.id, person_id=guardian_nc.id, role=MemberRole.GUARDIAN, has_custody=False
        )
    )
    session.add(PlanMember(plan_id=plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    nocon = Agency(name=f"Ungdomsmottagningen U{n}Q", kind="other", principal="region")
    extra = Agency(name=f"Barnahusverksamhet H{n}Z", kind="other", principal="region")
    session.add_all([nocon, extra])
    session.flush()
    pro_noconsent = make_person(session, f"Kurator K{n}Y", agency_id=nocon.id)
    pro_extra = make_person(session, f"Utredare D{n}W", agency_id=extra.id)
    for pro in (pro_noconsent, pro_extra):
        session.add(PlanMember(plan_id=plan.id, person_id=pro.id, role=MemberRole.PROFESSIONAL))
    extra_action = Action(
        plan_id=plan.id,
        title="Stödsamtal",
        description="Samtal.",
        responsible_agency_id=extra.id,
        contact_person_id=pro_extra.id,
        status="planned",
    )
    nocon_action = Action(
        plan_id=plan.id, title="Samtal om mående", responsible_agency_id=nocon.id, status="planned"
    )
    session.add_all([extra_action, nocon_action])
    session.flush()
    parties = list(family.guardians) + ([family.child] if child_age >= 15 else [])
    give_consent(session, plan, extra, parties)
    other = make_family(session, child_age=10, guardians=1)
    session.commit()
    people = {
        "child": family.child,
        "guardian_a": family.guardians[0],
        "guardian_b": family.guardians[1],
        "guardian_nc": guardian_nc,
        "relative": relative,
        "coordinator": family.coordinator,
        "pro_consent": family.professional,
        "pro_extra": pro_extra,
        "pro_noconsent": pro_noconsent,
        "other_family_guardian": other.guardians[0],
    }
    feeds = {name: new_feed(session, person) for name, person in people.items()}
    session.commit()
    return World(
        family=family,
        people=people,
        agencies={
            "coord": family.coordinator_agency,
            "pro": family.professional_agency,
            "extra": extra,
            "nocon": nocon,
        },
        extra_action=extra_action,
        feeds=feeds,
    )


# --- the independent reference model -------------------------------------------------------


@dataclass
class Answer:
    marker: str
    audience: str
    answer_id: int


@dataclass
class Model:
    child_age: int
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    sent: set[str] = field(default_factory=set)
    agenda: set[tuple[str, str]] = field(default_factory=set)
    replies: dict[tuple[str, str], str] = field(default_factory=dict)
    dead: set[str] = field(default_factory=set)
    harm: bool = False
    # The meeting has started: views are read-only, answers can be published.
    started: bool = False
    # agency -> person -> consent in force
    consent: dict[str, dict[str, bool]] = field(default_factory=dict)

    def effective(self, agency: str) -> bool:
        parties = self.consent.get(agency, {})
        if agency == "extra" and self.harm:
            # Decision 10: an agency hidden from guardians by a harm flag has access
            # only through a recorded exception (none in this world), never through
            # a consent the guardians gave and can no longer see.
            return False
        required = list(CUSTODIAL) + (["child"] if self.child_age >= 15 else [])
        return all(parties.get(p, False) for p in required)

    def opens_plan(self, reader: str) -> bool:
        if reader in FAMILY:
            return True
        if reader in STAFF_AGENCY:
            return self.effective(STAFF_AGENCY[reader])
        return False

    def may_read(self, reader: str, key: tuple[str, str]) -> bool:
        """Rule 5, written out: the writer always; drafts nobody else; then by audience."""
        writer, _prompt = key
        if reader == writer:
            return True
        if not self.opens_plan(reader) or writer not in self.sent:
            return False
        audience = self.answers[key].audience
        if audience == "coordinator":
            return reader == "coordinator"
        if audience == "not_guardians":
            return reader not in GUARDIAN_SIDE
        return True

    def extra_hidden_from(self, reader: str) -> bool:
        return self.harm and reader in GUARDIAN_SIDE


# --- the paths every reader fetches ----------------------------------------------------------


def plan_paths(p: int, m: int, full: bool) -> list[tuple[str, dict, str]]:
    """(path, headers, kind) of the plan paths. The core set (every path that can
    carry a view's text or an agency's name to the meeting, the calendar or the
    consent list) is fetched after every step; the full set adds every other page."""
    core = [
        (f"/meetings/{m}", {}, "plan"),
        (f"/meetings/{m}", HX, "plan"),
        (f"/meetings/{m}/calendar.ics", {}, "plan"),
        (f"/plans/{p}/consent", {}, "plan"),
        (f"/meetings/{m}/prepare", {}, "team"),
    ]
    if not full:
        return core
    return core + [
        (f"/plans/{p}", {}, "plan"),
        (f"/plans/{p}/next", {}, "plan"),
        (f"/plans/{p}/next", HX, "plan"),
        (f"/plans/{p}/meetings", {}, "plan"),
        (f"/plans/{p}/who-can-see", {}, "plan"),
        (f"/plans/{p}/people", {}, "plan"),
        (f"/meetings/{m}/prepare", HX, "team"),
        (f"/meetings/{m}/my-views", {}, "writer"),
        (f"/meetings/{m}/wishes", {}, "writer"),
    ]


def expected_status(model: Model, reader: str, kind: str) -> int:
    if not model.opens_plan(reader):
        return 404
    if kind == "team":
        return 200 if reader in STAFF_AGENCY else 404
    if kind == "writer":
        # The child (asked from 6) and every guardian write views; nobody else.
        return 200 if reader in ("child", "guardian_a", "guardian_b", "guardian_nc") else 404
    return 200


class Readers:
    """One signed-in client per reader, and what each fetched."""

    def __init__(self, app, world: World):
        self.app = app
        self.world = world
        self.clients = {name: _as(app, person) for name, person in world.people.items()}
        self.tokens: dict[str, str] = {}

    def token(self, name: str) -> str:
        if name not in self.tokens:
            self.tokens[name] = csrf_token(self.clients[name], "/account/notifications")
        return self.tokens[name]

    def post(self, name: str, path: str, data: dict | None = None):
        return self.clients[name].post(path, data={"csrf_token": self.token(name), **(data or {})})

    def fetch(self, model: Model, name: str, full: bool) -> dict[str, str]:
        """The reader's paths; each status is checked against the model."""
        w = self.world
        client = self.clients[name]
        bodies: dict[str, str] = {}
        paths = plan_paths(w.plan_id, w.meeting_id, full)
        prompts = [k for (writer, k) in model.answers if writer == name]
        paths += [
            (f"/meetings/{w.meeting_id}/my-views/{k}", {}, "writer")
            for k in (PROMPTS if full else prompts)
        ]
        for path, headers, kind in paths:
            if kind == "team" and name not in STAFF_AGENCY and not full:
                continue
            response = client.get(path, headers=headers)
            want = expected_status(model, name, kind)
            assert response.status_code == want, (name, path, headers, response.status_code, want)
            label = path + (" [HX]" if headers else "")
            bodies[label] = _unfold(response.get_data(as_text=True))
        if full:
            response = client.get("/account/notifications")
            assert response.status_code == 200, (name, "/account/notifications")
            bodies["/account/notifications"] = response.get_data(as_text=True)
        feed = self.app.test_client().get(f"/feeds/{w.feeds[name]}/calendar.ics")
        assert feed.status_code == 200, (name, "feed")
        bodies["feed"] = _unfold(feed.get_data(as_text=True))
        return bodies


# Readers whose view can change with any step; the others (no access at all, or a
# second custodial guardian who reads like the first) are checked in the full round.
CORE_READERS = (
    "pro_consent",
    "pro_extra",
    "coordinator",
    "child",
    "guardian_a",
    "guardian_nc",
    "relative",
)


def check_every_reader(readers: Readers, model: Model, full: bool = True) -> None:
    w = readers.world
    m = w.meeting_id
    extra_name = w.agencies["extra"].name
    extra_staff = w.people["pro_extra"].display_name
    for name in READERS if full else CORE_READERS:
        bodies = readers.fetch(model, name, full)
        # Negative: nothing a reader may not read, on any path.
        for label, body in bodies.items():
            for key, answer in model.answers.items():
                if not model.may_read(name, key):
                    assert answer.marker not in body, (
                        f"LEAK: {name} sees {answer.marker} ({key}, {answer.audience}, "
                        f"sent={key[0] in model.sent}) on {label}"
                    )
                reply = model.replies.get(key)
                if reply and not model.may_read(name, key):
                    assert reply not in body, f"LEAK: {name} sees reply {reply} on {label}"
            for marker in model.dead:
                assert marker not in body, f"LEAK: overwritten text {marker} for {name} on {label}"
            if model.extra_hidden_from(name):
                assert extra_name not in body, f"LEAK: {name} learns {extra_name} on {label}"
                assert extra_staff not in body, f"LEAK: {name} learns {extra_staff} on {label}"
        if not model.opens_plan(name):
            continue
        # Positive: what the page must show.
        for key, answer in model.answers.items():
            writer, prompt = key
            if name == writer:
                own = bodies[f"/meetings/{m}/my-views/{prompt}"]
                assert answer.marker in own, (name, key, "own text missing")
            if not model.may_read(name, key) or name == writer:
                continue
            if name in STAFF_AGENCY:
                for label in (f"/meetings/{m}/prepare", f"/meetings/{m}/prepare [HX]"):
                    if label in bodies:
                        assert answer.marker in bodies[label], (name, key, label)
                if prompt == "want_help" and key in model.replies and name == "coordinator":
                    assert model.replies[key] in bodies[f"/meetings/{m}/prepare"], (name, key)
            else:
                # The family reads each other's sent views on the meeting page.
                assert answer.marker in bodies[f"/meetings/{m}"], (name, key)
                assert answer.marker in bodies[f"/meetings/{m} [HX]"], (name, key)
            if key in model.agenda:
                assert answer.marker in bodies[f"/meetings/{m}/calendar.ics"], (name, key)
                assert answer.marker in bodies["feed"], (name, key)
        consent_page = bodies[f"/plans/{w.plan_id}/consent"]
        if not model.extra_hidden_from(name):
            assert extra_name in consent_page, (name, "extra agency missing on consent page")


# --- the state machine -----------------------------------------------------------------------


class NoLeakMachine(RuleBasedStateMachine):
    """Configured per test by ``run_machine`` (the app fixture is per test)."""

    app = None
    database_url = ""
    child_age = 13

    def __init__(self) -> None:
        super().__init__()
        _empty_all_tables(self.database_url)
        self.session = db.session_factory()
        self.world = build_world(self.session, self.child_age)
        self.readers = Readers(self.app, self.world)
        parties = {p: True for p in CUSTODIAL}
        if self.child_age >= 15:
            parties["child"] = True
        self.model = Model(
            child_age=self.child_age,
            consent={a: dict(parties) for a in ("coord", "pro", "extra")},
        )
        self.counter = itertools.count(1)
        self.dirty = True  # the state changed since the last check
        self.clean = True  # nothing has failed so far (teardown must not mask a failure)

    def teardown(self) -> None:
        try:
            if self.clean:
                # The end of every example: every reader, every path.
                check_every_reader(self.readers, self.model, full=True)
        finally:
            self.session.close()

    # --- helpers
    @property
    def m(self) -> int:
        return self.world.meeting_id

    def _answer_id(self, writer: str, prompt: str) -> int:
        self.session.expire_all()
        person = self.world.people[writer]
        from family_app.models import Statement

        return self.session.scalar(
            select(StatementAnswer.id)
            .join(Statement, Statement.id == StatementAnswer.statement_id)
            .where(
                Statement.meeting_id == self.m,
                Statement.author_id == person.id,
                StatementAnswer.prompt == prompt,
            )
        )

    def _post(self, name: str, path: str, data: dict | None = None):
        self.dirty = True  # any request may change what someone reads
        return self.readers.post(name, path, data)

    def _save(self, writer: str, prompt: str, text: str, audience: str) -> int:
        path = f"/meetings/{self.m}/my-views/{prompt}"
        return self._post(writer, path, {"text": text, "audience": audience}).status_code

    # --- the family writes (until the meeting starts, rule 8)
    @precondition(lambda self: not self.model.started)
    @rule(
        writer=st.sampled_from(WRITERS),
        prompt=st.sampled_from(PROMPTS),
        audience=st.sampled_from(AUDIENCES),
        then_send=st.booleans(),
    )
    def write(self, writer: str, prompt: str, audience: str, then_send: bool) -> None:
        self.clean = False
        marker = f"MARK-{next(self.counter)}-"
        status = self._save(writer, prompt, f"{marker} mina tankar", audience)
        if writer != "child" and audience == "not_guardians":
            assert status == 400, (writer, audience, status)
            self.model.dead.add(marker)  # never saved: nobody may ever see it
            return
        assert status == 303, (writer, prompt, audience, status)
        key = (writer, prompt)
        old = self.model.answers.get(key)
        if old is not None:
            self.model.dead.add(old.marker)
        self.model.answers[key] = Answer(marker, audience, self._answer_id(writer, prompt))
        if then_send:
            self.send(writer)

    @precondition(lambda self: not self.model.started)
    @rule(data=st.data(), audience=st.sampled_from(AUDIENCES))
    def change_audience(self, data, audience: str) -> None:
        self.clean = False
        if not self.model.answers:
            return
        key = data.draw(st.sampled_from(sorted(self.model.answers)))
        writer, prompt = key
        answer = self.model.answers[key]
        status = self._save(writer, prompt, f"{answer.marker} mina tankar", audience)
        if writer != "child" and audience == "not_guardians":
            assert status == 400
            return
        assert status == 303
        answer.audience = audience

    @precondition(lambda self: not self.model.started)
    @rule(writer=st.sampled_from(WRITERS))
    def send(self, writer: str) -> None:
        self.clean = False
        response = self._post(writer, f"/meetings/{self.m}/my-views/send")
        assert response.status_code == 303
        self.model.sent.add(writer)

    # --- the coordinator
    @rule(data=st.data())
    def add_to_agenda(self, data) -> None:
        self.clean = False
        if not self.model.answers:
            return
        # Mostly an answer the coordinator may take; sometimes any (must be refused).
        eligible = sorted(
            k
            for k, a in self.model.answers.items()
            if k[0] in self.model.sent and a.audience != "coordinator"
        )
        pool = eligible if eligible and data.draw(st.booleans()) else sorted(self.model.answers)
        key = data.draw(st.sampled_from(pool))
        answer = self.model.answers[key]
        path = f"/meetings/{self.m}/answers/{answer.answer_id}/agenda"
        status = self._post("coordinator", path).status_code
        allowed = (
            self.model.opens_plan("coordinator")
            and key[0] in self.model.sent
            and answer.audience != "coordinator"
        )
        assert status == (303 if allowed else 404), (key, answer.audience, status)
        if allowed:
            self.model.agenda.add(key)

    @rule(data=st.data(), with_reason=st.booleans())
    def answer_wish(self, data, with_reason: bool) -> None:
        self.clean = False
        if not self.model.answers:
            return
        key = data.draw(st.sampled_from(sorted(self.model.answers)))
        answer = self.model.answers[key]
        reply = f"SVAR-{next(self.counter)}-"
        form = (
            {"outcome": "not_now", "reason": f"{reply} inte nu"}
            if with_reason
            else {"outcome": "agreed", "reason": ""}
        )
        path = f"/meetings/{self.m}/answers/{answer.answer_id}/response"
        status = self._post("coordinator", path, form).status_code
        allowed = self.model.opens_plan("coordinator") and key[0] in self.model.sent
        assert status == (303 if allowed else 404), (key, status)
        if not allowed:
            return
        old = self.model.replies.pop(key, None)
        if old:
            self.model.dead.add(old)
        if with_reason:
            self.model.replies[key] = reply

    @precondition(lambda self: not self.model.started)
    @rule()
    def meeting_starts(self) -> None:
        """The meeting begins: its start moves into the past (views become read-only)."""
        self.clean = False
        self.dirty = True
        meeting = self.session.get(Meeting, self.m)
        meeting.starts_at = utcnow() - timedelta(minutes=5)
        self.session.commit()
        self.model.started = True

    @rule()
    def publish(self) -> None:
        """Answers are published only once the meeting has started (409 before)."""
        self.clean = False
        status = self._post(
            "coordinator", f"/meetings/{self.m}/feedback", {"participation": "present"}
        ).status_code
        if not self.model.opens_plan("coordinator"):
            assert status == 404
        else:
            assert status == (303 if self.model.started else 409), status

    # --- staff: the harm flag (no route yet: written directly)
    @rule(flag=st.booleans())
    def harm_flag(self, flag: bool) -> None:
        self.clean = False
        self.dirty = True
        action = self.session.get(Action, self.world.extra_action.id)
        action.harm_flag = flag
        self.session.commit()
        self.model.harm = flag

    # --- consent, through the real route
    @rule(
        actor=st.sampled_from(["guardian_a", "guardian_b", "child", "guardian_nc", "relative"]),
        agency=st.sampled_from(["pro", "extra", "coord"]),
        change=st.sampled_from(["give", "revoke"]),
    )
    def consent(self, actor: str, agency: str, change: str) -> None:
        self.clean = False
        agency_id = self.world.agencies[agency].id
        path = f"/plans/{self.world.plan_id}/consent/{agency_id}/{change}"
        status = self._post(actor, path).status_code
        may = (actor in CUSTODIAL and not (agency == "extra" and self.model.harm)) or (
            actor == "child" and self.child_age >= 15
        )
        assert status == (303 if may else 404), (actor, agency, change, self.model.harm, status)
        if may:
            self.model.consent.setdefault(agency, {})[actor] = change == "give"

    @invariant()
    def no_leak_on_any_path(self) -> None:
        """After every step that changed something: every reader, on every path
        (FULL_EVERY_STEP) or on the paths that carry views and agency names."""
        if not self.dirty:
            self.clean = True
            return
        self.clean = False
        check_every_reader(self.readers, self.model, full=FULL_EVERY_STEP)
        self.dirty = False
        self.clean = True


# Bounds: small by default (the suite runs on two shared cores); raise them for a
# deeper, random hunt, e.g. FAMILY_APP_NO_LEAK_EXAMPLES=200 FAMILY_APP_NO_LEAK_FULL=1
# (without HYPOTHESIS_PROFILE=ci). A leak a hunt finds becomes a fixed test.
EXAMPLES = int(os.environ.get("FAMILY_APP_NO_LEAK_EXAMPLES", "2"))
STEPS = int(os.environ.get("FAMILY_APP_NO_LEAK_STEPS", "6"))
FULL_EVERY_STEP = os.environ.get("FAMILY_APP_NO_LEAK_FULL") == "1"


def run_machine(app, database_url: str, child_age: int, examples: int, steps: int) -> None:
    machine = type(
        f"NoLeakMachineAge{child_age}",
        (NoLeakMachine,),
        {"app": app, "database_url": database_url, "child_age": child_age},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            # Random by hand (a hunt); fixed under HYPOTHESIS_PROFILE=ci, so CI replays
            # the same paths and a red run can be reproduced (README, "property tests").
            derandomize=settings().derandomize,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )


@pytest.mark.parametrize("child_age", [13, 16])
def test_no_leak_by_any_path(app, database_url, child_age):
    run_machine(app, database_url, child_age, examples=EXAMPLES, steps=STEPS)


# --- the three reported leaks, as fixed examples ---------------------------------------------


def _write(client, family, key: str, text: str, audience: str = "everyone"):
    path = f"/meetings/{family.meeting.id}/my-views/{key}"
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "text": text, "audience": audience})


def _send(client, family):
    path = f"/meetings/{family.meeting.id}/my-views/send"
    return client.post(path, data={"csrf_token": csrf_token(client, path.rsplit("/", 1)[0])})


def _feed(app, session, person) -> str:
    token = new_feed(session, person)
    session.commit()
    return _unfold(app.test_client().get(f"/feeds/{token}/calendar.ics").get_data(as_text=True))


def _agenda_paths(family) -> list[tuple[str, dict]]:
    m = family.meeting.id
    return [(f"/meetings/{m}", {}), (f"/meetings/{m}", HX), (f"/meetings/{m}/calendar.ics", {})]


@pytest.mark.parametrize(
    ("narrowed_to", "kept_from"),
    [("not_guardians", "guardians"), ("coordinator", "professional")],
)
def test_leak_1_agenda_item_follows_the_audience_changed_after_it_was_added(
    app, session, narrowed_to, kept_from
):
    family = make_family(session, child_age=13, child_name="Alva")
    alva = _as(app, family.child)
    assert _write(alva, family, "hard", "LEAK1-TEXT rasterna", "everyone").status_code == 303
    assert _send(alva, family).status_code == 303
    answer = session.scalar(select(StatementAnswer))
    coordinator = _as(app, family.coordinator)
    token = csrf_token(coordinator, f"/meetings/{family.meeting.id}/prepare")
    added = coordinator.post(
        f"/meetings/{family.meeting.id}/answers/{answer.id}/agenda", data={"csrf_token": token}
    )
    assert added.status_code == 303
    readers = family.guardians if kept_from == "guardians" else [family.professional]
    for person in readers:  # before the change they do see it: the check can fail
        ics = _unfold(_as(app, person).get(f"/meetings/{family.meeting.id}/calendar.ics").text)
        assert "LEAK1-TEXT" in ics
    assert _write(alva, family, "hard", "LEAK1-TEXT rasterna", narrowed_to).status_code == 303
    for person in readers:
        client = _as(app, person)
        for path, headers in _agenda_paths(family):
            response = client.get(path, headers=headers)
            assert response.status_code == 200
            assert "LEAK1-TEXT" not in _unfold(response.text), (person.display_name, path, headers)
        assert "LEAK1-TEXT" not in _feed(app, session, person)
    # The coordinator (who leads the meeting) still has the item.
    ics = _unfold(coordinator.get(f"/meetings/{family.meeting.id}/calendar.ics").text)
    assert "LEAK1-TEXT" in ics


def test_leak_2_child_consent_to_a_harm_hidden_agency_is_not_named_in_guardian_history(
    app, session
):
    family = make_family(session, child_age=15)
    hidden = Agency(name="Barnahus LEAK2 utredning", kind="other", principal="region")
    session.add(hidden)
    session.flush()
    session.add(
        Action(
            plan_id=family.plan.id,
            title="Utredning",
            harm_flag=True,
            responsible_agency_id=hidden.id,
        )
    )
    session.commit()
    child = _as(app, family.child)
    path = f"/plans/{family.plan.id}/consent/{hidden.id}/give"
    token = csrf_token(child, path)
    assert child.post(path, data={"csrf_token": token}).status_code == 303
    # The child's own page and the coordinator's history do name it: the check can fail.
    assert "Barnahus LEAK2 utredning" in child.get(f"/plans/{family.plan.id}/consent").text
    coordinator = _as(app, family.coordinator)
    history = coordinator.get(f"/plans/{family.plan.id}/consent").text
    assert "Barnahus LEAK2 utredning" in history
    for guardian in family.guardians:
        client = _as(app, guardian)
        for page in ("consent", "who-can-see", "people"):
            html = client.get(f"/plans/{family.plan.id}/{page}").text
            assert "Barnahus LEAK2 utredning" not in html, (guardian.display_name, page)
        assert "Barnahus LEAK2 utredning" not in client.get("/account/notifications").text
    # Also through the services, as a coordinator recording it for the child.
    consent_services.revoke(session, family.plan, hidden, family.child, family.coordinator)
    session.commit()
    for guardian in family.guardians:
        html = _as(app, guardian).get(f"/plans/{family.plan.id}/consent").text
        assert "Barnahus LEAK2 utredning" not in html


def _log_section(html: str) -> str:
    assert 'id="access-log"' in html
    return html.split('id="access-log"', 1)[1]


def test_leak_3_the_family_access_log_shows_staff_reads_refusals_and_no_family_activity(
    app, session
):
    family = make_family(session, child_age=13)
    relative = make_person(session, "Morfar Relativsson")
    session.add(PlanMember(plan_id=family.plan.id, person_id=relative.id, role=MemberRole.RELATIVE))
    nocon = Agency(name="Ungdomsmottagning LEAK3", kind="other", principal="region")
    session.add(nocon)
    session.flush()
    refused = make_person(session, "Kurator Stoppad", agency_id=nocon.id)
    session.add(
        PlanMember(plan_id=family.plan.id, person_id=refused.id, role=MemberRole.PROFESSIONAL)
    )
    session.commit()
    p = family.plan.id
    who = f"/plans/{p}/who-can-see"

    # The professional reads once (BUP, in make_family: professional_agency).
    pro = _as(app, family.professional)
    assert pro.get(f"/plans/{p}").status_code == 200
    # The child and the relative use the app a lot.
    for person in (family.child, relative):
        client = _as(app, person)
        for _ in range(3):
            assert client.get(f"/plans/{p}").status_code == 200
    # Staff reads at 31+ different minutes, newer than the professional's read:
    # the coordinator's agency (Socialtjänsten) reads every minute for 35 minutes.
    first_read = session.scalar(
        select(AuditEvent).where(AuditEvent.actor_id == family.professional.id)
    )
    base = first_read.at
    first_read.at = base - timedelta(hours=2)  # the professional's read is the oldest
    for minute in range(35):
        session.add(
            AuditEvent(
                actor_id=family.coordinator.id,
                actor_agency_id=family.coordinator_agency.id,
                plan_id=p,
                action="read",
                object_type="plan",
                object_id=p,
                at=base - timedelta(minutes=minute + 1),
            )
        )
    session.commit()
    # Calendar polling by staff: many fetches, one line per agency and day.
    feed_token = new_feed(session, family.professional)
    session.commit()
    for _ in range(5):
        assert app.test_client().get(f"/feeds/{feed_token}/calendar.ics").status_code == 200
    # A read refused for lack of consent.
    assert _as(app, refused).get(f"/plans/{p}").status_code == 404

    child = _as(app, family.child)
    guardian = _as(app, family.guardians[0])
    for reader in (child, guardian):
        page1 = _log_section(reader.get(who).text)
        older = _log_section(reader.get(who + "?page=2").text)
        both = page1 + older
        # No family member's reads, by name, on any page of the log.
        family_names = [family.child.display_name, relative.display_name] + [
            g.display_name for g in family.guardians
        ]
        for name in family_names:
            assert name not in both, name
        # The refused attempt is listed, by agency.
        assert "<bdi>Ungdomsmottagning LEAK3</bdi> försökte öppna planen men stoppades" in page1
        # The professional's read is still there, on an older page.
        assert f"<bdi>{family.professional_agency.name}</bdi> öppnade planen" in both
        assert f"<bdi>{family.professional_agency.name}</bdi> öppnade planen" not in page1
        assert "?page=2" in page1
        # Calendar polling: exactly one line for the agency today.
        line = f"<bdi>{family.professional_agency.name}</bdi> hämtade mötestider till sin kalender"
        assert both.count(line) == 1, both.count(line)
        # Only staff reads as agency and time: the staff member's own name is not shown.
        assert family.professional.display_name not in page1 + older
