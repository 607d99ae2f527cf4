"""Fictional demo families (DESIGN.md section 7). Nobody here is a real person.

The families are written through the workspace's own services, as their
coordinator would write them (create the plan, add people, goals and actions,
record the consent given on paper, publish, schedule meetings), so the demo
proves the workspace can write everything the family sees. The few writes no
service exists for yet are kept in small ``_..._directly`` functions below,
each to be swapped for its service when it lands.

Dates are relative to the day of seeding, so the late action is late and the
next meeting is in five days whenever the demo is set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .access import PlanAccess, Role
from .auth.invitations import issue_invitation
from .consent import services as consent_services
from .models import (
    Action,
    ActionStatus,
    Agency,
    AgencyKind,
    AgendaItem,
    ChildParticipation,
    ConsentMethod,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MemberRole,
    Notification,
    Person,
    Plan,
    PrincipalKind,
    WordsOf,
)
from .workspace import services
from .workspace.services import MeetingTimes, NewChild, NewGuardian

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _years_ago(today: date, years: int, extra_days: int) -> date:
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - timedelta(days=extra_days)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Swedish wall-clock time, stored as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM).astimezone(UTC)


AGENCIES = [
    dict(
        key="bup",
        name="BUP Mark",
        kind=AgencyKind.BUP,
        principal=PrincipalKind.REGION,
        description="BUP hjälper barn och unga som mår psykiskt dåligt.",
        phone="010-123 45 67",
        hours="Måndag till fredag 8–16",
    ),
    dict(
        key="soc",
        name="Socialtjänsten Mark",
        kind=AgencyKind.SOCIAL_SERVICES,
        principal=PrincipalKind.MUNICIPALITY,
        description="Socialtjänsten ger stöd till barn och familjer i kommunen.",
        phone="0320-21 70 00",
        hours="Måndag till fredag 8–12 och 13–16",
    ),
    dict(
        key="school",
        name="Elevhälsan Kinnaskolan",
        kind=AgencyKind.SCHOOL_HEALTH,
        principal=PrincipalKind.MUNICIPALITY,
        description="Elevhälsan är skolans sköterska, kurator, psykolog och specialpedagog.",
        phone="0320-21 71 10",
        hours="Skoldagar 8–15",
    ),
    dict(
        key="vc",
        name="Vårdcentralen Kinna",
        kind=AgencyKind.PRIMARY_CARE,
        principal=PrincipalKind.REGION,
        description="Vårdcentralen tar hand om vanlig hälsa och sjukdom.",
        phone="0320-33 20 00",
        hours="Måndag till fredag 8–17",
    ),
    dict(
        key="hab",
        name="Habiliteringen Borås",
        kind=AgencyKind.HABILITATION,
        principal=PrincipalKind.REGION,
        description="Habiliteringen hjälper barn med funktionsnedsättning i vardagen.",
        phone="033-616 00 00",
        hours="Måndag till fredag 8–16",
    ),
]

PROFESSIONALS = [
    dict(key="leila", name="Leila Haddad", agency="soc", title="Socialsekreterare"),
    dict(key="maja", name="Maja Berg", agency="bup", title="Psykolog"),
    dict(key="erik", name="Erik Lund", agency="school", title="Specialpedagog"),
    dict(key="karin", name="Karin Ek", agency="vc", title="Sjuksköterska"),
    dict(key="mikael", name="Mikael Holm", agency="soc", title="Socialsekreterare"),
    dict(key="sofia", name="Sofia Andersson", agency="hab", title="Arbetsterapeut"),
    dict(key="sanna", name="Sanna Olsson", agency="school", title="Skolsköterska"),
]


# The agency admin the demo prints an invitation for: adds and invites the
# agency's professionals on the admin page (access.py Policy.AGENCY_ADMIN).
AGENCY_ADMIN = dict(
    key="agnes", name="Agnes Wik", agency="soc", title="Administratör för Socialtjänsten"
)

WRITTEN_CONSENT_DAYS = 365


@dataclass(frozen=True)
class DemoInvite:
    name: str
    role: str
    plan: str
    invite_path: str
    code: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "role": self.role,
            "plan": self.plan,
            "invite_path": self.invite_path,
            "code": self.code,
        }


@dataclass(frozen=True)
class DemoGuardian:
    key: str
    name: str
    kind: str = "parent"
    protected: bool = False
    language: str = "sv"
    phone: str | None = None
    address: str | None = None


# --- writes no workspace service makes yet -------------------------------------------------
# Each is a direct model write, kept small and named, so it can be swapped for the
# service when it exists (the agencies' directory, contact details, translations,
# a meeting's preparation and outcome).


def demo_email(key: str) -> str:
    """A fictional address under example.org (reserved for examples, RFC 2606), so
    the demo's e-mail can only ever reach a test mail server."""
    local = "".join(c if c.isalnum() else "." for c in key.lower()).strip(".")
    return f"{local}@example.org"


def _tag_demo_person_directly(
    person: Person,
    key: str,
    language: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> None:
    """The demo's idempotency key and the contact details no workspace form writes."""
    person.external_key = f"demo:{key}"
    person.email = demo_email(key)
    if language is not None:
        person.preferred_language = language
    person.phone = phone
    person.address = address


def _prepare_meeting_directly(
    session: Session,
    meeting: Meeting,
    participation: str,
    agenda: list[str],
    attendees: list[tuple[Person | Agency, str, bool]],
    represented_by: str | None = None,
) -> list[AgendaItem]:
    """How the child takes part, the agenda and who comes (with mandate or not);
    the meetings service for these is being built."""
    meeting.child_participation = participation
    meeting.child_represented_by = represented_by
    items = [
        AgendaItem(meeting_id=meeting.id, position=n, text=text)
        for n, text in enumerate(agenda, start=1)
    ]
    session.add_all(items)
    for who, role, can_decide in attendees:
        at = {"agency_id": who.id} if isinstance(who, Agency) else {"person_id": who.id}
        session.add(MeetingAttendee(meeting_id=meeting.id, role=role, can_decide=can_decide, **at))
    session.flush()
    return items


def _record_outcome(
    session: Session,
    access: PlanAccess,
    meeting: Meeting,
    summary: str,
    views_used: tuple[str, str],
    decisions: list[tuple[str, str, Agency, Person, date]],
) -> None:
    """A held meeting through the after-the-meeting services: who took part, how
    the child's views were used (for adults, for the child) and the decisions,
    each with a text for the child."""
    services.record_outcome(
        session,
        access,
        meeting,
        meeting.outcome_version,
        services.Outcome(
            took_part=frozenset(a.id for a in meeting.attendees),
            child_participation=meeting.child_participation or ChildParticipation.PRESENT,
            child_represented_by=meeting.child_represented_by or "",
            summary=summary,
            child_views_used=views_used[0],
            child_views_used_child=views_used[1],
        ),
    )
    for what, child_what, agency, person, by_date in decisions:
        services.save_decision(
            session,
            access,
            meeting,
            None,
            0,
            {
                "what": what,
                "child_what": child_what,
                "agency_id": agency.id,
                "person_id": person.id,
                "by_date": by_date,
            },
        )
    session.flush()


def _forget_seeding_notices(session: Session, plan: Plan) -> None:
    """The services tell the family and the coordinator about each change; in a
    demo that was "written" weeks ago those notices would only be noise."""
    session.execute(delete(Notification).where(Notification.plan_id == plan.id))


class _Seeder:
    def __init__(self, session: Session, today: date) -> None:
        self.s = session
        self.today = today
        self.agencies: dict[str, Agency] = {}
        self.people: dict[str, Person] = {}

    # --- the agencies' directory (no workspace service: it is the admins' data) ---------
    def agency(self, key: str, **fields) -> Agency:
        found = self.s.scalar(select(Agency).where(Agency.name == fields["name"]))
        if found is None:
            found = Agency(**fields)
            self.s.add(found)
            self.s.flush()
        self.agencies[key] = found
        return found

    def staff(self, key: str, **fields) -> Person:
        found = self.known(key)
        if found is None:
            found = Person(external_key=f"demo:{key}", email=demo_email(key), **fields)
            self.s.add(found)
            self.s.flush()
            self.people[key] = found
        return found

    def base(self) -> None:
        for fields in AGENCIES:
            self.agency(fields["key"], **{k: v for k, v in fields.items() if k != "key"})
        for pro in PROFESSIONALS:
            agency = self.agencies[pro["agency"]]
            self.staff(
                pro["key"],
                display_name=pro["name"],
                agency_id=agency.id,
                title=pro["title"],
                phone=agency.phone,
            )
        admin = AGENCY_ADMIN
        self.staff(
            admin["key"],
            display_name=admin["name"],
            agency_id=self.agencies[admin["agency"]].id,
            title=admin["title"],
            is_admin=True,
        )

    # --- helpers ---------------------------------------------------------------------------
    def known(self, key: str) -> Person | None:
        found = self.s.scalar(select(Person).where(Person.external_key == f"demo:{key}"))
        if found is not None:
            self.people[key] = found
        return found

    def already_seeded(self, child_key: str, guardians: list[DemoGuardian]) -> bool:
        """A second run finds the family and only issues new invitations."""
        if self.known(child_key) is None:
            return False
        for guardian in guardians:
            self.known(guardian.key)
        return True

    def new_plan(
        self,
        child_key: str,
        child: NewChild,
        guardians: list[DemoGuardian],
        coordinator_key: str,
        responsible_key: str,
        professionals: list[str],
        background: str,
        follow_up_in_days: int,
    ) -> PlanAccess:
        """The coordinator creates the draft, adds the team and writes the details,
        exactly as on the workspace's forms; the returned access is theirs."""
        coordinator = self.people[coordinator_key]
        responsible = self.agencies[responsible_key]
        plan = services.create_plan(
            self.s,
            coordinator,
            child,
            [NewGuardian(g.name, g.kind, g.protected) for g in guardians],
            responsible,
        )
        self.s.flush()
        self.people[child_key] = plan.child
        _tag_demo_person_directly(plan.child, child_key)
        members = sorted(
            (m for m in plan.members if m.role == MemberRole.GUARDIAN), key=lambda m: m.id
        )
        for guardian, member in zip(guardians, members, strict=True):
            self.people[guardian.key] = member.person
            _tag_demo_person_directly(
                member.person, guardian.key, guardian.language, guardian.phone, guardian.address
            )
        access = PlanAccess(coordinator, plan, Role.COORDINATOR, today=self.today)
        for key in professionals:
            services.add_member(self.s, access, "professional", professional=self.people[key])
        self.s.flush()
        services.update_details(
            self.s,
            access,
            plan.version,
            background,
            self.today + timedelta(days=follow_up_in_days),
            responsible,
        )
        self.s.flush()
        return access

    def goal(self, access: PlanAccess, text: str, words_of: str = WordsOf.CHILD) -> Goal:
        return services.save_goal(self.s, access, None, 0, text, words_of)

    def action(
        self,
        access: PlanAccess,
        goal: Goal,
        agency: str,
        contact: str,
        title: str,
        description: str,
        child_description: str,
        family_part: str = "",
        start_in_days: int | None = None,
        end_in_days: int | None = None,
        started: bool = False,
    ) -> Action:
        """An action as the action form writes it; a started one is then marked
        started on its start date, as the status form does."""
        t = self.today
        start = t + timedelta(days=start_in_days) if start_in_days is not None else None
        action = services.save_action(
            self.s,
            access,
            None,
            0,
            {
                "title": title,
                "description": description,
                "child_description": child_description,
                "family_part": family_part,
                "goal_id": goal.id,
                "responsible_agency_id": self.agencies[agency].id,
                "contact_person_id": self.people[contact].id,
                "planned_start": start,
                "planned_end": t + timedelta(days=end_in_days) if end_in_days else None,
            },
        )
        self.s.flush()
        if started:
            services.change_status(
                self.s, access, action, action.version, ActionStatus.STARTED, start or t
            )
            self.s.flush()
        return action

    def translate(
        self, access: PlanAccess, part: Plan | Goal | Action, field: str, text: str
    ) -> None:
        services.save_translation(
            self.s, access, part, field, "ar", text, "Demo: auktoriserad tolk"
        )

    def written_consent(self, access: PlanAccess, agency_key: str, parties: list[Person]) -> None:
        """Consent the family signed on paper two months ago, recorded by the
        coordinator (the workspace's "record consent" form)."""
        given = _at(self.today - timedelta(days=60), 10)
        for party in parties:
            consent_services.record_outside_app(
                self.s,
                access.plan,
                self.agencies[agency_key],
                party,
                access.person,
                ConsentMethod.WRITTEN,
                given,
                given + timedelta(days=WRITTEN_CONSENT_DAYS),
                now=given,
            )

    def meeting(
        self,
        access: PlanAccess,
        kind: str,
        starts_at: datetime,
        minutes: int,
        place: str = "",
        video_url: str = "",
    ) -> Meeting:
        meeting = services.schedule_meeting(
            self.s, access, MeetingTimes(kind, starts_at, minutes, place, video_url)
        )
        self.s.flush()
        return meeting

    def publish(self, access: PlanAccess) -> None:
        """Published under rule 1 like any plan: the demo must pass the same check."""
        problems = services.publish_problems(access.plan, self.today)
        if problems:
            fields = ", ".join(p.field for p in problems)
            raise RuntimeError(f"The demo plan cannot be published: {fields}")
        services.publish(self.s, access)
        self.s.flush()

    # --- the families ----------------------------------------------------------------
    def alva(self) -> None:
        t = self.today
        guardians = [
            DemoGuardian(
                "sara",
                "Sara Lindqvist",
                phone="070-111 22 33",
                address="Björkvägen 4, 511 54 Kinna",
            ),
            DemoGuardian(
                "johan", "Johan Lindqvist", phone="070-444 55 66", address="Ekgatan 9, 511 55 Kinna"
            ),
        ]
        if self.already_seeded("alva", guardians):
            return
        access = self.new_plan(
            "alva",
            NewChild("Alva Lindqvist", _years_ago(t, 13, 70), "sv", False),
            guardians,
            coordinator_key="leila",
            responsible_key="soc",
            professionals=["maja", "erik", "karin"],
            background=(
                "Alva har svårt att koncentrera sig i skolan och sover dåligt. "
                "Hon vill må bättre och orka med skolan. "
                "Flera verksamheter hjälper till, och den här planen visar vem som gör vad."
            ),
            follow_up_in_days=40,
        )
        p = self.people
        g_school = self.goal(access, "Jag vill klara skoldagen utan att bli helt slut.")
        g_sleep = self.goal(access, "Jag vill kunna somna på kvällen.")
        g_home = self.goal(access, "Vi vill bråka mindre hemma på morgonen.", WordsOf.FAMILY)
        self.action(
            access, g_school, "bup", "maja",
            "Utredning av ADHD",
            "BUP gör en utredning för att förstå hur Alva fungerar. "
            "Det blir fyra träffar med samtal och tester.",
            "Du träffar Maja på BUP fyra gånger. Ni pratar och gör några uppgifter.",
            "Sara och Johan fyller i ett formulär om hur det är hemma.",
            start_in_days=-30, end_in_days=30, started=True,
        )  # fmt: skip
        self.action(
            access, g_school, "bup", "maja",
            "Samtal varje tisdag (KBT)",
            "BUP ger Alva samtal varje tisdag. Samtalen heter KBT och hjälper mot oro.",
            "Du träffar Maja på BUP varje tisdag. Ni pratar om det som är svårt.",
            start_in_days=-21, end_in_days=90, started=True,
        )  # fmt: skip
        self.action(
            access, g_school, "school", "erik",
            "Anpassat schema i skolan",
            "Skolan gör Alvas schema kortare på fredagar. Alva får ett eget rum att vila i.",
            "Du slutar tidigare på fredagar. Du får vila i ett lugnt rum.",
            "Säg till Erik om något inte fungerar.",
            start_in_days=-45, end_in_days=120, started=True,
        )  # fmt: skip
        self.action(
            access, g_school, "school", "erik",
            "Stöd av specialpedagog",
            "Erik hjälper Alva att planera skolarbetet en gång i veckan.",
            "Du och Erik planerar skolarbetet varje vecka.",
            start_in_days=-40, started=True,
        )  # fmt: skip
        self.action(
            access, g_home, "soc", "leila",
            "Föräldrastöd",
            "Socialtjänsten träffar Sara och Johan fem gånger. "
            "De får tips om hur morgnarna kan bli lugnare.",
            "Dina föräldrar får hjälp att göra morgnarna lugnare.",
            "Sara och Johan går på träffarna.",
            start_in_days=10,
        )  # fmt: skip
        self.action(
            access, g_sleep, "vc", "karin",
            "Uppföljning av sömnen",
            "Vårdcentralen träffar Alva för att prata om sömnen. "
            "De kan ge råd och vid behov medicin.",
            "Du träffar Karin på vårdcentralen. Ni pratar om hur du sover.",
            "Skriv i en sömndagbok i två veckor innan.",
            start_in_days=-18,
        )  # fmt: skip
        for key in ("soc", "bup", "school", "vc"):
            self.written_consent(access, key, [p["sara"], p["johan"]])
        upcoming = self.meeting(
            access,
            MeetingKind.SIP,
            _at(t + timedelta(days=5), 14),
            60,
            place="Socialtjänsten, Storgatan 12, Kinna. Rum Ljuset.",
        )
        held = self.meeting(
            access,
            MeetingKind.SIP,
            _at(t - timedelta(days=56), 9),
            90,
            place="Kinnaskolan, konferensrummet.",
        )
        A = self.agencies
        _prepare_meeting_directly(
            self.s,
            upcoming,
            ChildParticipation.PART,
            [
                "Hur har det gått sedan sist?",
                "Varför har sömnhjälpen inte börjat?",
                "Vad händer efter utredningen?",
            ],
            [
                (p["leila"], "Samordnare", True),
                (p["maja"], "Psykolog", True),
                (p["erik"], "Specialpedagog", False),
                (A["vc"], "Sjuksköterska", True),
                (p["sara"], "Vårdnadshavare", False),
                (p["johan"], "Vårdnadshavare", False),
            ],
        )
        _prepare_meeting_directly(self.s, held, ChildParticipation.PRESENT, [], [])
        _record_outcome(
            self.s,
            access,
            held,
            "Vi bestämde att BUP gör en utredning och att skolan gör schemat kortare. "
            "Vårdcentralen följer upp sömnen. Leila samordnar planen.",
            (
                "Alva sa att fredagarna är jobbigast. Därför blev skolans beslut kortare fredagar.",
                "Du sa att fredagarna är jobbigast. Därför slutar du tidigare på fredagar nu.",
            ),
            [
                ("Göra en utredning av ADHD.",
                 "Maja på BUP tar reda på mer om hur du tänker och känner.",
                 A["bup"], p["maja"], t + timedelta(days=30)),
                ("Göra schemat kortare på fredagar.",
                 "Du slutar tidigare på fredagar.",
                 A["school"], p["erik"], t - timedelta(days=45)),
                ("Boka en tid om sömnen.",
                 "Du får en tid på vårdcentralen om hur du sover.",
                 A["vc"], p["karin"], t - timedelta(days=18)),
            ],
        )  # fmt: skip
        self.publish(access)
        _forget_seeding_notices(self.s, access.plan)

    def yusuf(self) -> None:
        t = self.today
        guardians = [
            DemoGuardian(
                "amal",
                "Amal Hassan",
                language="ar",
                phone="073-222 33 44",
                address="Parkvägen 2, 511 57 Kinna",
            )
        ]
        if self.already_seeded("yusuf", guardians):
            return
        access = self.new_plan(
            "yusuf",
            NewChild("Yusuf Ali", _years_ago(t, 15, 120), "sv", False),
            guardians,
            coordinator_key="mikael",
            responsible_key="soc",
            professionals=["maja", "sanna"],
            background="Yusuf är ofta borta från skolan. "
            "Han vill komma tillbaka och träffa sina kompisar.",
            follow_up_in_days=30,
        )
        plan = access.plan
        p = self.people
        A = self.agencies
        self.translate(
            access,
            plan,
            "background",
            "يوسف غالبًا ما يغيب عن المدرسة. يريد أن يعود ويلتقي بأصدقائه.",
        )
        goal = self.goal(access, "Jag vill gå i skolan varje dag.")
        self.translate(access, goal, "text", "أريد أن أذهب إلى المدرسة كل يوم.")
        talk = self.action(
            access, goal, "bup", "maja",
            "Samtal om oro",
            "BUP träffar Yusuf varannan vecka för att prata om oron inför skolan.",
            "Du träffar Maja på BUP varannan vecka. Ni pratar om oron.",
            "Amal följer med på första träffen.",
            start_in_days=-14, started=True,
        )  # fmt: skip
        school = self.action(
            access, goal, "school", "sanna",
            "Trappa upp skoldagen",
            "Skolan gör en plan där Yusuf börjar med en timme om dagen.",
            "Du börjar med en timme i skolan varje dag.",
            "Amal ringer skolan vid sjukdom.",
            start_in_days=7,
        )  # fmt: skip
        family = self.action(
            access, goal, "soc", "mikael",
            "Stöd till familjen",
            "Socialtjänsten träffar Amal och Yusuf hemma en gång i månaden.",
            "Mikael kommer hem till er en gång i månaden.",
            start_in_days=-30, started=True,
        )  # fmt: skip
        arabic = {
            (talk, "title"): "محادثات حول القلق",
            (talk, "description"): "يلتقي BUP بيوسف كل أسبوعين للتحدث عن القلق من المدرسة.",
            (talk, "family_part"): "أمل ترافقه في اللقاء الأول.",
            (talk, "child_description"): "تلتقي بمايا في BUP كل أسبوعين. تتحدثان عن القلق.",
            (school, "title"): "زيادة اليوم الدراسي تدريجيًا",
            (school, "description"): "تضع المدرسة خطة يبدأ فيها يوسف بساعة واحدة في اليوم.",
            (school, "family_part"): "تتصل أمل بالمدرسة في حالة المرض.",
            (school, "child_description"): "تبدأ بساعة واحدة في المدرسة كل يوم.",
            (family, "title"): "دعم للعائلة",
            (family, "description"): "تلتقي الخدمات الاجتماعية بأمل ويوسف في المنزل مرة في الشهر.",
            (family, "child_description"): "يأتي ميكائيل إلى منزلكم مرة في الشهر.",
        }
        for (obj, field), text in arabic.items():
            self.translate(access, obj, field, text)
        for key in ("soc", "bup", "school"):
            self.written_consent(access, key, [p["amal"], p["yusuf"]])
        meeting = self.meeting(
            access,
            MeetingKind.FOLLOW_UP,
            _at(t + timedelta(days=12), 15),
            60,
            video_url="https://video.example.invalid/sip-yusuf",
        )
        (item,) = _prepare_meeting_directly(
            self.s,
            meeting,
            ChildParticipation.PRESENT,
            ["Hur går det med skolan?"],
            [
                (p["mikael"], "Samordnare", True),
                (p["maja"], "Psykolog", True),
                (p["amal"], "Vårdnadshavare", False),
            ],
        )
        services.save_translation(
            self.s,
            access,
            item,
            "text",
            "ar",
            "كيف تسير الأمور في المدرسة؟",
            "Demo: auktoriserad tolk",
        )
        self.publish(access)
        # Amal has since revoked consent for the school's student health team, in the app.
        consent_services.revoke(
            self.s, plan, A["school"], p["amal"], p["amal"], now=_at(t - timedelta(days=3), 18)
        )
        _forget_seeding_notices(self.s, plan)

    def nora(self) -> None:
        t = self.today
        guardians = [
            DemoGuardian(
                "hodan",
                "Hodan Abdi",
                protected=True,
                language="so",
                phone="076-555 66 77",
                address="Skyddad adress",
            )
        ]
        if self.already_seeded("nora", guardians):
            return
        access = self.new_plan(
            "nora",
            NewChild("Nora Abdi", _years_ago(t, 9, 30), "sv", True),
            guardians,
            coordinator_key="sofia",
            responsible_key="hab",
            professionals=["erik"],
            background="Nora behöver stöd för att klara vardagen i skolan och hemma.",
            follow_up_in_days=60,
        )
        p = self.people
        goal = self.goal(access, "Jag vill kunna klä på mig själv.")
        self.action(
            access, goal, "hab", "sofia",
            "Träning i vardagen",
            "Habiliteringen tränar med Nora och Hodan hemma varannan vecka.",
            "Sofia kommer och tränar med dig varannan vecka.",
            "Hemma övar ni lite varje morgon.",
            start_in_days=-20, started=True,
        )  # fmt: skip
        self.action(
            access, goal, "school", "erik",
            "Bildschema i skolan",
            "Skolan gör ett schema med bilder så att Nora vet vad som händer.",
            "Du får ett schema med bilder i skolan.",
            start_in_days=14,
        )  # fmt: skip
        for key in ("hab", "school"):
            self.written_consent(access, key, [p["hodan"]])
        meeting = self.meeting(
            access,
            MeetingKind.SIP,
            _at(t + timedelta(days=20), 10),
            60,
            place="Habiliteringen, Allégatan 5, Borås.",
        )
        _prepare_meeting_directly(
            self.s,
            meeting,
            ChildParticipation.REPRESENTED_BY,
            [],
            [
                (p["sofia"], "Samordnare", True),
                (p["erik"], "Specialpedagog", True),
                (p["hodan"], "Vårdnadshavare", False),
            ],
            represented_by="Hodan",
        )
        self.publish(access)
        _forget_seeding_notices(self.s, access.plan)


DEMO_ROLES = [
    # (person key, role, plan child key)
    ("alva", "child", "alva"),
    ("sara", "guardian", "alva"),
    ("johan", "guardian", "alva"),
    ("leila", "coordinator", "alva"),
    ("maja", "professional", "alva"),
    ("erik", "professional", "alva"),
    ("karin", "professional", "alva"),
    ("yusuf", "child", "yusuf"),
    ("amal", "guardian", "yusuf"),
    ("mikael", "coordinator", "yusuf"),
    ("sanna", "professional", "yusuf"),
    ("nora", "child", "nora"),
    ("hodan", "guardian", "nora"),
    ("sofia", "coordinator", "nora"),
]
AGENCY_ADMIN_ROLE = "agency_admin"


def seed_demo(session: Session, today: date, invitation_days: int) -> list[DemoInvite]:
    """Create the demo (once) and issue a fresh invitation for every demo person,
    and for the agency admin, who adds and invites professionals (decision 5)."""
    seeder = _Seeder(session, today)
    seeder.base()
    seeder.alva()
    seeder.yusuf()
    seeder.nora()
    session.flush()
    invites = []
    for key, role, plan_key in DEMO_ROLES:
        person = seeder.people[key]
        issued = issue_invitation(session, person, None, invitation_days)
        invites.append(
            DemoInvite(
                name=person.display_name,
                role=role,
                plan=seeder.people[plan_key].display_name,
                invite_path=f"/i/{issued.token}",
                code=issued.code,
            )
        )
    admin = seeder.people[AGENCY_ADMIN["key"]]
    issued = issue_invitation(session, admin, None, invitation_days)
    invites.append(
        DemoInvite(
            name=admin.display_name,
            role=AGENCY_ADMIN_ROLE,
            plan="",
            invite_path=f"/i/{issued.token}",
            code=issued.code,
        )
    )
    session.commit()
    return invites
