"""The benchmark's data set, written through the app's own services.

Why through the services: a benchmark over rows no coordinator could have written
would measure a database the app never sees. Each plan is created, staffed,
filled with goals and actions, given written consent, published and booked the
way the workspace's forms do it (``family_app/workspace/services.py``,
``family_app/consent/services.py``, ``family_app/views/services.py``), so its
members, notices and audit rows are the real ones.

Two things are written directly, and say so: the agencies' directory and their
staff (the admins' data, as in ``family_app/demo.py``), and, to reach the audit
log's size (ten more rows a plan: one million at 100,000 plans), the append-only
read events of a year's use, inserted in bulk. A passkey row
for the three people the benchmark signs in is written directly too: the
benchmark never verifies it, it only makes their sessions carry one, as a real
sign-in does (so the per-request passkey check is measured).

Plans are built in order, each from its own seeded random generator, and
committed in batches: an interrupted build resumes from the last batch. On SQLite
several processes can build them (``bench/shards.py``): the same rows, same ids.

What a plan costs: some 115 statements and 50 flushes through the ORM, about
70 ms of CPU on a 2-core machine (14-17 plans a second); the disk is not the limit
(a commit per batch of 100 plans), Python is.
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from family_app.access import PlanAccess, Role
from family_app.consent import services as consent_services
from family_app.models import (
    ActionStatus,
    Agency,
    AgencyKind,
    AuditEvent,
    ConsentMethod,
    Credential,
    Meeting,
    MemberRole,
    Person,
    Plan,
    PrincipalKind,
    WordsOf,
)
from family_app.views import services as views_services
from family_app.views.prompts import PROMPTS
from family_app.workspace import services
from family_app.workspace.services import MeetingTimes, NewChild, NewGuardian

AUDIT_ROWS_PER_PLAN = 10  # read events in bulk: one million at the top size
HISTORY = "bench_history"  # their detail code, to count them when resuming
PLANS_PER_COORDINATOR = 30  # a social secretary's caseload
PLANS_PER_MUNICIPALITY = 1000
BATCH = 100

KEY = "bench:"  # every person the builder makes is tagged, to find and resume

AGENCY_KINDS = [
    (AgencyKind.SOCIAL_SERVICES, PrincipalKind.MUNICIPALITY, "Socialtjänsten", "Socialsekreterare"),
    (AgencyKind.BUP, PrincipalKind.REGION, "BUP", "Psykolog"),
    (AgencyKind.SCHOOL_HEALTH, PrincipalKind.MUNICIPALITY, "Elevhälsan", "Specialpedagog"),
    (AgencyKind.PRIMARY_CARE, PrincipalKind.REGION, "Vårdcentralen", "Sjuksköterska"),
    (AgencyKind.HABILITATION, PrincipalKind.REGION, "Habiliteringen", "Arbetsterapeut"),
]
FIRST = ["Alva", "Yusuf", "Nora", "Elias", "Maja", "Omar", "Saga", "Liam", "Hiba", "Noah"]
LAST = ["Lindqvist", "Hassan", "Abdi", "Berg", "Nilsson", "Ali", "Holm", "Ek", "Karimi", "Lund"]
GOALS = [
    ("Jag vill klara skoldagen utan att bli helt slut.", WordsOf.CHILD),
    ("Jag vill kunna somna på kvällen.", WordsOf.CHILD),
    ("Vi vill bråka mindre hemma på morgonen.", WordsOf.FAMILY),
    ("Jag vill gå i skolan varje dag.", WordsOf.CHILD),
]
ACTIONS = [
    (
        "Samtal varje tisdag",
        "Samtalen hjälper mot oro. De är varje tisdag under terminen.",
        "Du träffar någon som du kan prata med varje tisdag.",
        "Föräldrarna följer med första gången.",
    ),
    (
        "Anpassat schema i skolan",
        "Skolan gör schemat kortare på fredagar och ger ett rum att vila i.",
        "Du slutar tidigare på fredagar och kan vila i ett lugnt rum.",
        "",
    ),
    (
        "Föräldrastöd",
        "Föräldrarna får fem träffar med tips om hur morgnarna kan bli lugnare.",
        "Dina föräldrar får hjälp att göra morgnarna lugnare.",
        "Föräldrarna går på träffarna.",
    ),
]


@dataclass(frozen=True)
class Personas:
    """Who the benchmark signs in, and on what: plan 0's guardian and child, and
    the coordinator of another plan (``coordinator_plan_id``) whenever the data set
    has a plan with another coordinator. Why: every page a coordinator opens writes
    a read into that plan's access log, which "who can see" shows; measured on plan
    0, a reused data set's log would grow with every run and that page with it."""

    plan_id: int
    meeting_id: int
    guardian_id: int
    child_id: int
    coordinator_id: int
    coordinator_plan_id: int


def _years_ago(today: date, years: int, days: int) -> date:
    return date(today.year - years, 1, 1) + timedelta(days=(today.toordinal() % 300) - days)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=UTC)


class Builder:
    """Writes plans 0..n-1; plan ``i`` looks the same whenever it is built."""

    def __init__(self, session: Session, plans: int, today: date) -> None:
        self.s = session
        self.plans = plans
        self.today = today
        # Ids, not rows: each batch's commit and expunge detaches the rows.
        self.staff: dict[tuple[int, str], list[int]] = {}
        self.agencies: dict[tuple[int, str], int] = {}
        # The directory rows plans are being built against, held here: the
        # session's identity map holds rows weakly, so without this every plan
        # would read its coordinator, team and agencies again (ten SELECTs a plan).
        self.held: dict[tuple[type, int], Agency | Person] = {}
        self.held_for = -1  # the municipality they belong to

    # --- the directory (the admins' data, written directly as in the demo) ---------------
    def directory(self) -> int:
        """The agencies and their staff, made where missing; how many rows it made.
        What exists is read in two statements (at 100,000 plans the directory has
        16,500 people)."""
        municipalities = max(1, -(-self.plans // PLANS_PER_MUNICIPALITY))
        per_agency = max(3, min(self.plans, PLANS_PER_MUNICIPALITY) // PLANS_PER_COORDINATOR)
        agencies = dict(self.s.execute(select(Agency.name, Agency.id)).all())
        found = dict(
            self.s.execute(
                select(Person.external_key, Person.id).where(
                    Person.external_key.like(f"{KEY}staff:%")
                )
            ).all()
        )
        made = 0
        for m in range(municipalities):
            for kind, principal, name, title in AGENCY_KINDS:
                agency_name = f"{name} {m + 1}"
                agency_id = agencies.get(agency_name)
                if agency_id is None:
                    agency = Agency(
                        name=agency_name,
                        kind=kind,
                        principal=principal,
                        description=f"{name} i kommun {m + 1}.",
                        phone="010-123 45 67",
                        hours="Måndag till fredag 8–16",
                    )
                    self.s.add(agency)
                    self.s.flush()
                    agency_id = agency.id
                    made += 1
                self.agencies[(m, kind)] = agency_id
                people = []
                for n in range(per_agency):
                    key = f"{KEY}staff:{m}:{kind}:{n}"
                    person_id = found.get(key)
                    if person_id is None:
                        person = Person(
                            external_key=key,
                            display_name=f"{FIRST[n % 10]} {LAST[(n // 10) % 10]} {n}",
                            agency_id=agency_id,
                            title=title,
                        )
                        self.s.add(person)
                        self.s.flush()
                        person_id = person.id
                        made += 1
                    people.append(person_id)
                self.staff[(m, kind)] = people
        self.s.commit()
        return made

    def row(self, model: type[Agency] | type[Person], row_id: int) -> Any:
        """A directory row, read once and then kept in this session."""
        found = self.held.get((model, row_id))
        if found is None:
            found = self.s.get(model, row_id)
            assert found is not None
            self.held[(model, row_id)] = found
        return found

    def next_batch(self) -> None:
        """Commit the batch and let its rows go; the directory rows stay held
        (re-attached: nothing of theirs was changed)."""
        self.s.commit()
        self.s.expunge_all()
        for found in self.held.values():
            self.s.add(found)

    def built(self) -> int:
        """How many plans earlier runs committed (they are built in order)."""
        return self.s.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.external_key.like(f"{KEY}child:%"))
        )

    # --- one family, as its coordinator writes it -------------------------------------
    def plan(self, i: int) -> None:
        rng = random.Random(i)
        t = self.today
        m = i // PLANS_PER_MUNICIPALITY
        if m != self.held_for:
            self.held.clear()
            self.held_for = m
        soc = self.staff[(m, AgencyKind.SOCIAL_SERVICES)]
        coordinator = self.row(Person, soc[i % len(soc)])
        # Plan 0 is the one the benchmark reads: a 13-year-old with two guardians.
        age = 13 if i == 0 else rng.randint(4, 16)
        two = i == 0 or rng.random() < 0.7
        last = LAST[rng.randrange(10)]
        child = NewChild(
            f"{FIRST[rng.randrange(10)]} {last}", _years_ago(t, age, i % 200), "sv", False
        )
        guardians = [NewGuardian(f"{FIRST[rng.randrange(10)]} {last}", "parent")]
        if two:
            guardians.append(NewGuardian(f"{FIRST[rng.randrange(10)]} {last}", "parent"))
        responsible = self.row(Agency, self.agencies[(m, AgencyKind.SOCIAL_SERVICES)])
        plan = services.create_plan(self.s, coordinator, child, guardians, responsible)
        self.s.flush()
        plan.child.external_key = f"{KEY}child:{i}"
        family = sorted(
            (member.person for member in plan.members if member.role == MemberRole.GUARDIAN),
            key=lambda p: p.id,
        )
        for n, guardian in enumerate(family):
            guardian.external_key = f"{KEY}guardian:{i}:{n}"
        access = PlanAccess(coordinator, plan, Role.COORDINATOR, today=t)
        others = rng.sample(AGENCY_KINDS[1:], rng.randint(2, 3))
        team = []
        for kind, *_ in others:
            staff = self.staff[(m, kind)]
            person = self.row(Person, staff[rng.randrange(len(staff))])
            services.add_member(self.s, access, "professional", professional=person)
            team.append((kind, person))
        self.s.flush()
        services.update_details(
            self.s,
            access,
            plan.version,
            "Barnet har svårt i skolan och sover dåligt. Flera verksamheter hjälper till, "
            "och planen visar vem som gör vad.",
            t + timedelta(days=rng.randint(20, 90)),
            responsible,
        )
        self.s.flush()
        for g in range(rng.randint(2, 3)):
            text, words_of = GOALS[(i + g) % len(GOALS)]
            goal = services.save_goal(self.s, access, None, 0, text, words_of)
            self.s.flush()
            for a in range(2):
                kind, contact = team[(g + a) % len(team)]
                title, description, for_child, family_part = ACTIONS[(g + a) % len(ACTIONS)]
                start = t + timedelta(days=rng.randint(-60, 20))
                action = services.save_action(
                    self.s,
                    access,
                    None,
                    0,
                    {
                        "title": title,
                        "description": description,
                        "child_description": for_child,
                        "family_part": family_part,
                        "goal_id": goal.id,
                        "responsible_agency_id": self.agencies[(m, kind)],
                        "contact_person_id": contact.id,
                        "planned_start": start,
                        "planned_end": start + timedelta(days=rng.randint(30, 120)),
                    },
                )
                self.s.flush()
                if start <= t and rng.random() < 0.6:
                    services.change_status(
                        self.s, access, action, action.version, ActionStatus.STARTED, start
                    )
        given = _at(t - timedelta(days=rng.randint(10, 200)), 10)
        parties = family + ([plan.child] if age >= 15 else [])
        for kind, _person in [(AgencyKind.SOCIAL_SERVICES, None), *team]:
            for party in parties:
                consent_services.record_outside_app(
                    self.s,
                    plan,
                    self.row(Agency, self.agencies[(m, kind)]),
                    party,
                    coordinator,
                    ConsentMethod.WRITTEN,
                    given,
                    given + timedelta(days=365),
                    now=given,
                )
        self.s.flush()
        services.publish(self.s, access)
        services.schedule_meeting(
            self.s,
            access,
            MeetingTimes("sip", _at(t - timedelta(days=rng.randint(20, 80)), 9), 90, "Skolan", ""),
        )
        ahead = services.schedule_meeting(
            self.s,
            access,
            MeetingTimes(
                "follow_up",
                _at(t + timedelta(days=rng.randint(3, 40)), 14),
                60,
                "Socialtjänsten",
                "",
            ),
        )
        self.s.flush()
        if age >= 6:  # the child has started on their views for the next meeting
            for prompt in PROMPTS[: rng.randint(1, 3)]:
                if prompt.kind == "text":
                    views_services.save_answer(
                        self.s,
                        ahead,
                        plan.child,
                        prompt.key,
                        "Det går bra i skolan.",
                        prompt.default_audience,
                    )
        self.s.flush()

    # --- the audit log's size, in bulk ---------------------------------------------------
    def fill_audit(self) -> None:
        """Add a year of the family's reading to the audit log: ten read events a
        plan (one million at 100,000 plans) on top of the 20-30 a plan the services
        write, spread over the last year. Inserted in bulk: the log is append-only
        rows, and pages reach it only by index, so how the rows got there does not
        change what is measured."""
        target = self.plans * AUDIT_ROWS_PER_PLAN
        have = self.s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.detail == HISTORY)
        )
        missing = target - have
        if missing <= 0:
            return
        plans = self.s.execute(select(Plan.id, Plan.child_id, Plan.coordinator_id)).all()
        rng = random.Random(-1)
        now = datetime.now(UTC)
        done = 0
        while done < missing:
            rows = []
            for _ in range(min(20_000, missing - done)):
                plan_id, child_id, actor_id = plans[rng.randrange(len(plans))]
                rows.append(
                    {
                        "at": now - timedelta(seconds=rng.randrange(365 * 24 * 3600)),
                        "actor_id": actor_id,
                        "plan_id": plan_id,
                        "child_id": child_id,
                        "action": "read",
                        "object_type": "plan",
                        "object_id": plan_id,
                        "detail": HISTORY,
                    }
                )
            self.s.execute(insert(AuditEvent), rows)
            self.s.commit()
            done += len(rows)
            _progress(f"bulk audit rows {have + done:,}/{target:,}")
        sys.stderr.write("\n")

    def personas(self) -> Personas:
        child = self.s.scalar(select(Person).where(Person.external_key == f"{KEY}child:0"))
        guardian = self.s.scalar(select(Person).where(Person.external_key == f"{KEY}guardian:0:0"))
        assert child is not None and guardian is not None, "plan 0 is missing"
        plan = self.s.scalar(select(Plan).where(Plan.child_id == child.id))
        assert plan is not None and plan.coordinator_id is not None
        meeting = self.s.scalar(
            select(Meeting)
            .where(Meeting.plan_id == plan.id, Meeting.starts_at > datetime.now(UTC))
            .order_by(Meeting.starts_at)
        )
        assert meeting is not None, "plan 0 has no meeting ahead"
        # Not plan 0's coordinator, so nothing they open reaches plan 0's log (a
        # data set of one coordinator's plans has no other: then theirs).
        other = (
            self.s.scalar(
                select(Plan)
                .where(Plan.coordinator_id != plan.coordinator_id)
                .order_by(Plan.id)
                .limit(1)
            )
            or plan
        )
        assert other.coordinator_id is not None
        for person_id in (guardian.id, child.id, other.coordinator_id):
            self._bench_passkey(person_id)
        self.s.commit()
        return Personas(plan.id, meeting.id, guardian.id, child.id, other.coordinator_id, other.id)

    def _bench_passkey(self, person_id: int) -> None:
        """A passkey row so the session carries one, as after a real sign-in. Its
        key is random bytes: nothing ever verifies it, nothing can sign in with it."""
        found = self.s.scalar(
            select(Credential).where(Credential.person_id == person_id, Credential.name == "bench")
        )
        if found is None:
            self.s.add(
                Credential(
                    person_id=person_id,
                    credential_id=secrets.token_bytes(32),
                    public_key=secrets.token_bytes(77),
                    name="bench",
                )
            )


def _progress(text: str) -> None:
    sys.stderr.write(f"\r  {text}   ")
    sys.stderr.flush()


def build(
    session: Session,
    plans: int,
    today: date | None = None,
    say: Callable = print,
    workers: int = 1,
) -> Personas:
    """Build (or finish building) the data set of ``plans`` plans; a complete one
    is left as it is. Returns who the benchmark signs in. With ``workers`` > 1 on
    SQLite the plans are built by that many processes (``bench/shards.py``)."""
    builder = Builder(session, plans, today or date.today())
    have = builder.built()
    if have > plans:
        raise SystemExit(
            f"This database holds {have} benchmark plans, more than {plans}: use another."
        )
    builder.directory()
    bind = session.get_bind()
    on_file = bind.dialect.name == "sqlite" and bind.url.database not in (None, "", ":memory:")
    if have < plans and workers > 1 and on_file:
        from flask import current_app

        from . import shards

        say(f"Building plans {have + 1}..{plans} through the services in {workers} processes...")
        session.close()
        shards.build(
            dict(current_app.config),
            Path(str(bind.url.database)).resolve(),
            plans,
            have,
            builder.today,
            workers,
            _progress,
        )
        sys.stderr.write("\n")
    elif have < plans:
        say(f"Building plans {have + 1}..{plans} through the services (batches of {BATCH})...")
        started = time.monotonic()
        for i in range(have, plans):
            builder.plan(i)
            if (i + 1) % BATCH == 0 or i + 1 == plans:
                builder.next_batch()
                rate = (i + 1 - have) / (time.monotonic() - started)
                _progress(f"plans {i + 1:,}/{plans:,}  ({rate:.0f}/s)")
        sys.stderr.write("\n")
    builder.fill_audit()
    return builder.personas()


def build_cloned(
    session: Session,
    plans: int,
    source: Path,
    size: int,
    today: date | None = None,
    say: Callable = print,
) -> Personas:
    """Finish a data set of ``plans`` plans whose first ``size`` were built through
    the services (``source``, copied into this database by ``bench.clone.clean_copy``)
    and the rest are copies of them (``bench/clone.py``). SQLite only."""
    from . import clone

    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        raise SystemExit("--clone-from works on SQLite only; PostgreSQL keeps the plain build.")
    builder = Builder(session, plans, today or date.today())
    have = builder.built()
    if have < size:
        raise SystemExit(f"This database holds {have} plans, fewer than the {size} to copy.")
    if have > plans:
        raise SystemExit(f"This database holds {have} benchmark plans, more than {plans}.")
    builder.directory()  # the staff of every municipality the copies fall in
    session.close()
    if have < plans:
        say(f"Copying plans {have + 1}..{plans} from the {size} built through the services...")
        clone.build(Path(str(bind.url.database)).resolve(), source, size, plans, have, _progress)
        sys.stderr.write("\n")
    problems = clone.foreign_key_problems(Path(str(bind.url.database)).resolve())
    if problems:
        raise SystemExit(f"The copied data set breaks {problems} foreign keys.")
    builder.fill_audit()
    return builder.personas()
