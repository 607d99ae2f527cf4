"""Fictional demo families (DESIGN.md section 7). Nobody here is a real person.

Dates are relative to the day of seeding, so the late action is late and the
next meeting is in five days whenever the demo is set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth.invitations import issue_invitation
from .content import source_hash
from .models import (
    Action,
    ActionStatus,
    Agency,
    AgencyKind,
    AgendaItem,
    ChildParticipation,
    Consent,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    ConsentParty,
    ContentTranslation,
    Decision,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    PrincipalKind,
    WordsOf,
)

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


class _Seeder:
    def __init__(self, session: Session, today: date) -> None:
        self.s = session
        self.today = today
        self.agencies: dict[str, Agency] = {}
        self.people: dict[str, Person] = {}

    # --- helpers -------------------------------------------------------------------
    def agency(self, key: str, **fields) -> Agency:
        found = self.s.scalar(select(Agency).where(Agency.name == fields["name"]))
        if found is None:
            found = Agency(**fields)
            self.s.add(found)
            self.s.flush()
        self.agencies[key] = found
        return found

    def person(self, key: str, **fields) -> tuple[Person, bool]:
        external = f"demo:{key}"
        found = self.s.scalar(select(Person).where(Person.external_key == external))
        created = found is None
        if found is None:
            found = Person(external_key=external, **fields)
            self.s.add(found)
            self.s.flush()
        self.people[key] = found
        return found, created

    def consent(self, plan: Plan, agency_key: str, parties: list[Person], by: Person) -> Consent:
        consent = Consent(
            plan_id=plan.id,
            agency_id=self.agencies[agency_key].id,
            scope="Planen och det som sägs på SIP-mötena.",
            purpose="Att samordna hjälpen till barnet.",
        )
        self.s.add(consent)
        self.s.flush()
        given = _at(self.today - timedelta(days=60), 10)
        for party in parties:
            self.s.add(
                ConsentParty(
                    consent_id=consent.id,
                    person_id=party.id,
                    given_at=given,
                    valid_from=given,
                    valid_to=given + timedelta(days=365),
                    method=ConsentMethod.WRITTEN,
                    recorded_by_id=by.id,
                )
            )
            self.s.add(
                ConsentEvent(
                    consent_id=consent.id,
                    person_id=party.id,
                    kind=ConsentEventKind.GIVEN,
                    method=ConsentMethod.WRITTEN,
                    actor_id=by.id,
                    valid_to=given + timedelta(days=365),
                    at=given,
                )
            )
        self.s.flush()
        return consent

    def translate(self, obj: object, field: str, locale: str, text: str) -> None:
        from .content import OBJECT_TYPES

        self.s.add(
            ContentTranslation(
                object_type=OBJECT_TYPES[type(obj).__name__],
                object_id=obj.id,  # type: ignore[attr-defined]
                field=field,
                locale=locale,
                text=text,
                translator="Demo: auktoriserad tolk",
                source_hash=source_hash(getattr(obj, field)),
            )
        )

    def member(self, plan: Plan, person: Person, role: MemberRole, custody: bool = False) -> None:
        self.s.add(PlanMember(plan_id=plan.id, person_id=person.id, role=role, has_custody=custody))

    # --- the families ----------------------------------------------------------------
    def base(self) -> None:
        for fields in AGENCIES:
            key = fields.pop("key") if "key" in fields else None
            self.agency(key, **fields)
            fields["key"] = key
        for pro in PROFESSIONALS:
            self.person(
                pro["key"],
                display_name=pro["name"],
                agency_id=self.agencies[pro["agency"]].id,
                title=pro["title"],
                phone=self.agencies[pro["agency"]].phone,
            )

    def alva(self) -> None:
        t = self.today
        alva, created = self.person(
            "alva", display_name="Alva Lindqvist", birth_date=_years_ago(t, 13, 70)
        )
        self.person(
            "sara",
            display_name="Sara Lindqvist",
            phone="070-111 22 33",
            address="Björkvägen 4, 511 54 Kinna",
        )
        self.person(
            "johan",
            display_name="Johan Lindqvist",
            phone="070-444 55 66",
            address="Ekgatan 9, 511 55 Kinna",
        )
        if not created:
            return
        p = self.people
        plan = Plan(
            child_id=alva.id,
            status=PlanStatus.ACTIVE,
            background=(
                "Alva har svårt att koncentrera sig i skolan och sover dåligt. "
                "Hon vill må bättre och orka med skolan. "
                "Flera verksamheter hjälper till, och den här planen visar vem som gör vad."
            ),
            responsible_agency_id=self.agencies["soc"].id,
            coordinator_id=p["leila"].id,
            follow_up_date=t + timedelta(days=40),
        )
        self.s.add(plan)
        self.s.flush()
        self.member(plan, p["sara"], MemberRole.GUARDIAN, custody=True)
        self.member(plan, p["johan"], MemberRole.GUARDIAN, custody=True)
        for key in ("maja", "erik", "karin"):
            self.member(plan, p[key], MemberRole.PROFESSIONAL)
        g_school = Goal(
            plan_id=plan.id,
            position=1,
            words_of=WordsOf.CHILD,
            text="Jag vill klara skoldagen utan att bli helt slut.",
        )
        g_sleep = Goal(
            plan_id=plan.id,
            position=2,
            words_of=WordsOf.CHILD,
            text="Jag vill kunna somna på kvällen.",
        )
        g_home = Goal(
            plan_id=plan.id,
            position=3,
            words_of=WordsOf.FAMILY,
            text="Vi vill bråka mindre hemma på morgonen.",
        )
        self.s.add_all([g_school, g_sleep, g_home])
        self.s.flush()
        A = self.agencies
        self.s.add_all(
            [
                Action(
                    plan_id=plan.id,
                    goal_id=g_school.id,
                    title="Utredning av ADHD",
                    description="BUP gör en utredning för att förstå hur Alva fungerar. "
                    "Det blir fyra träffar med samtal och tester.",
                    child_description="Du träffar Maja på BUP fyra gånger. "
                    "Ni pratar och gör några uppgifter.",
                    family_part="Sara och Johan fyller i ett formulär om hur Alva har det hemma.",
                    responsible_agency_id=A["bup"].id,
                    contact_person_id=p["maja"].id,
                    status=ActionStatus.STARTED,
                    planned_start=t - timedelta(days=30),
                    planned_end=t + timedelta(days=30),
                ),
                Action(
                    plan_id=plan.id,
                    goal_id=g_school.id,
                    title="Samtal varje tisdag (KBT)",
                    description="BUP ger Alva samtal varje tisdag. "
                    "Samtalen heter KBT och hjälper mot oro.",
                    child_description="Du träffar Maja på BUP varje tisdag. "
                    "Ni pratar om det som är svårt.",
                    family_part="",
                    responsible_agency_id=A["bup"].id,
                    contact_person_id=p["maja"].id,
                    status=ActionStatus.STARTED,
                    planned_start=t - timedelta(days=21),
                    planned_end=t + timedelta(days=90),
                ),
                Action(
                    plan_id=plan.id,
                    goal_id=g_school.id,
                    title="Anpassat schema i skolan",
                    description="Skolan gör Alvas schema kortare på fredagar. "
                    "Alva får ett eget rum att vila i.",
                    child_description="Du slutar tidigare på fredagar. Du får vila i ett lugnt rum.",
                    family_part="Alva säger till Erik om något inte fungerar.",
                    responsible_agency_id=A["school"].id,
                    contact_person_id=p["erik"].id,
                    status=ActionStatus.STARTED,
                    planned_start=t - timedelta(days=45),
                    planned_end=t + timedelta(days=120),
                ),
                Action(
                    plan_id=plan.id,
                    goal_id=g_school.id,
                    title="Stöd av specialpedagog",
                    description="Erik hjälper Alva att planera skolarbetet en gång i veckan.",
                    child_description="Du och Erik planerar skolarbetet varje vecka.",
                    responsible_agency_id=A["school"].id,
                    contact_person_id=p["erik"].id,
                    status=ActionStatus.STARTED,
                    planned_start=t - timedelta(days=40),
                ),
                Action(
                    plan_id=plan.id,
                    goal_id=g_home.id,
                    title="Föräldrastöd",
                    description="Socialtjänsten träffar Sara och Johan fem gånger. "
                    "De får tips om hur morgnarna kan bli lugnare.",
                    child_description="Dina föräldrar får hjälp att göra morgnarna lugnare.",
                    family_part="Sara och Johan går på träffarna.",
                    responsible_agency_id=A["soc"].id,
                    contact_person_id=p["leila"].id,
                    status=ActionStatus.PLANNED,
                    planned_start=t + timedelta(days=10),
                ),
                Action(
                    plan_id=plan.id,
                    goal_id=g_sleep.id,
                    title="Uppföljning av sömnen",
                    description="Vårdcentralen träffar Alva för att prata om sömnen. "
                    "De kan ge råd och vid behov medicin.",
                    child_description="Du träffar Karin på vårdcentralen. Ni pratar om hur du sover.",
                    family_part="Alva skriver en sömndagbok i två veckor innan.",
                    responsible_agency_id=A["vc"].id,
                    contact_person_id=p["karin"].id,
                    status=ActionStatus.PLANNED,
                    planned_start=t - timedelta(days=18),
                ),
            ]
        )
        for key in ("soc", "bup", "school", "vc"):
            self.consent(plan, key, [p["sara"], p["johan"]], p["leila"])
        upcoming = Meeting(
            plan_id=plan.id,
            kind=MeetingKind.SIP,
            status=MeetingStatus.PLANNED,
            starts_at=_at(t + timedelta(days=5), 14),
            ends_at=_at(t + timedelta(days=5), 15),
            place="Socialtjänsten, Storgatan 12, Kinna. Rum Ljuset.",
            child_participation=ChildParticipation.PART,
        )
        held = Meeting(
            plan_id=plan.id,
            kind=MeetingKind.SIP,
            status=MeetingStatus.HELD,
            starts_at=_at(t - timedelta(days=56), 9),
            ends_at=_at(t - timedelta(days=56), 10, 30),
            place="Kinnaskolan, konferensrummet.",
            child_participation=ChildParticipation.PRESENT,
            summary="Vi bestämde att BUP utreder Alva och att skolan gör schemat kortare. "
            "Vårdcentralen följer upp sömnen. Leila samordnar planen.",
        )
        self.s.add_all([upcoming, held])
        self.s.flush()
        self.s.add_all(
            [
                AgendaItem(meeting_id=upcoming.id, position=1, text="Hur har det gått sedan sist?"),
                AgendaItem(
                    meeting_id=upcoming.id, position=2, text="Varför har sömnhjälpen inte börjat?"
                ),
                AgendaItem(
                    meeting_id=upcoming.id, position=3, text="Vad händer efter utredningen?"
                ),
                MeetingAttendee(
                    meeting_id=upcoming.id,
                    person_id=p["leila"].id,
                    role="Samordnare",
                    can_decide=True,
                ),
                MeetingAttendee(
                    meeting_id=upcoming.id, person_id=p["maja"].id, role="Psykolog", can_decide=True
                ),
                MeetingAttendee(
                    meeting_id=upcoming.id,
                    person_id=p["erik"].id,
                    role="Specialpedagog",
                    can_decide=False,
                ),
                MeetingAttendee(
                    meeting_id=upcoming.id,
                    agency_id=A["vc"].id,
                    role="Sjuksköterska",
                    can_decide=True,
                ),
                MeetingAttendee(
                    meeting_id=upcoming.id, person_id=p["sara"].id, role="Vårdnadshavare"
                ),
                MeetingAttendee(
                    meeting_id=upcoming.id, person_id=p["johan"].id, role="Vårdnadshavare"
                ),
                Decision(
                    meeting_id=held.id,
                    what="Göra en utredning av ADHD.",
                    agency_id=A["bup"].id,
                    person_id=p["maja"].id,
                    by_date=t + timedelta(days=30),
                ),
                Decision(
                    meeting_id=held.id,
                    what="Göra schemat kortare på fredagar.",
                    agency_id=A["school"].id,
                    person_id=p["erik"].id,
                    by_date=t - timedelta(days=45),
                ),
                Decision(
                    meeting_id=held.id,
                    what="Boka en tid om sömnen.",
                    agency_id=A["vc"].id,
                    person_id=p["karin"].id,
                    by_date=t - timedelta(days=18),
                ),
            ]
        )

    def yusuf(self) -> None:
        t = self.today
        yusuf, created = self.person(
            "yusuf", display_name="Yusuf Ali", birth_date=_years_ago(t, 15, 120)
        )
        self.person(
            "amal",
            display_name="Amal Hassan",
            preferred_language="ar",
            phone="073-222 33 44",
            address="Parkvägen 2, 511 57 Kinna",
        )
        if not created:
            return
        p = self.people
        A = self.agencies
        plan = Plan(
            child_id=yusuf.id,
            status=PlanStatus.ACTIVE,
            background="Yusuf är ofta borta från skolan. Han vill komma tillbaka och träffa sina kompisar.",
            responsible_agency_id=A["soc"].id,
            coordinator_id=p["mikael"].id,
            follow_up_date=t + timedelta(days=30),
        )
        self.s.add(plan)
        self.s.flush()
        self.translate(
            plan, "background", "ar", "يوسف غالبًا ما يغيب عن المدرسة. يريد أن يعود ويلتقي بأصدقائه."
        )
        self.member(plan, p["amal"], MemberRole.GUARDIAN, custody=True)
        for key in ("maja", "sanna"):
            self.member(plan, p[key], MemberRole.PROFESSIONAL)
        goal = Goal(
            plan_id=plan.id,
            position=1,
            words_of=WordsOf.CHILD,
            text="Jag vill gå i skolan varje dag.",
        )
        self.s.add(goal)
        self.s.flush()
        self.translate(goal, "text", "ar", "أريد أن أذهب إلى المدرسة كل يوم.")
        talk = Action(
            plan_id=plan.id,
            goal_id=goal.id,
            title="Samtal om oro",
            description="BUP träffar Yusuf varannan vecka för att prata om oron inför skolan.",
            child_description="Du träffar Maja på BUP varannan vecka. Ni pratar om oron.",
            family_part="Amal följer med på första träffen.",
            responsible_agency_id=A["bup"].id,
            contact_person_id=p["maja"].id,
            status=ActionStatus.STARTED,
            planned_start=t - timedelta(days=14),
        )
        school = Action(
            plan_id=plan.id,
            goal_id=goal.id,
            title="Trappa upp skoldagen",
            description="Skolan gör en plan där Yusuf börjar med en timme om dagen.",
            child_description="Du börjar med en timme i skolan varje dag.",
            family_part="Amal ringer skolan om Yusuf är sjuk.",
            responsible_agency_id=A["school"].id,
            contact_person_id=p["sanna"].id,
            status=ActionStatus.PLANNED,
            planned_start=t + timedelta(days=7),
        )
        family = Action(
            plan_id=plan.id,
            goal_id=goal.id,
            title="Stöd till familjen",
            description="Socialtjänsten träffar Amal och Yusuf hemma en gång i månaden.",
            child_description="Mikael kommer hem till er en gång i månaden.",
            responsible_agency_id=A["soc"].id,
            contact_person_id=p["mikael"].id,
            status=ActionStatus.STARTED,
            planned_start=t - timedelta(days=30),
        )
        self.s.add_all([talk, school, family])
        self.s.flush()
        arabic = {
            (talk, "title"): "محادثات حول القلق",
            (talk, "description"): "يلتقي BUP بيوسف كل أسبوعين للتحدث عن القلق من المدرسة.",
            (talk, "family_part"): "أمل ترافقه في اللقاء الأول.",
            (talk, "child_description"): "تلتقي بمايا في BUP كل أسبوعين. تتحدثان عن القلق.",
            (school, "title"): "زيادة اليوم الدراسي تدريجيًا",
            (school, "description"): "تضع المدرسة خطة يبدأ فيها يوسف بساعة واحدة في اليوم.",
            (school, "family_part"): "تتصل أمل بالمدرسة إذا كان يوسف مريضًا.",
            (school, "child_description"): "تبدأ بساعة واحدة في المدرسة كل يوم.",
            (family, "title"): "دعم للعائلة",
            (family, "description"): "تلتقي الخدمات الاجتماعية بأمل ويوسف في المنزل مرة في الشهر.",
            (family, "child_description"): "يأتي ميكائيل إلى منزلكم مرة في الشهر.",
        }
        for (obj, field), text in arabic.items():
            self.translate(obj, field, "ar", text)
        for key in ("soc", "bup", "school"):
            self.consent(plan, key, [p["amal"], yusuf], p["mikael"])
        # Amal has revoked consent for the school's student health team.
        school_consent = self.s.scalar(
            select(Consent).where(Consent.plan_id == plan.id, Consent.agency_id == A["school"].id)
        )
        revoked = _at(t - timedelta(days=3), 18)
        party = next(x for x in school_consent.parties if x.person_id == p["amal"].id)
        party.revoked_at = revoked
        self.s.add(
            ConsentEvent(
                consent_id=school_consent.id,
                person_id=p["amal"].id,
                kind=ConsentEventKind.REVOKED,
                method=ConsentMethod.IN_APP,
                actor_id=p["amal"].id,
                at=revoked,
            )
        )
        meeting = Meeting(
            plan_id=plan.id,
            kind=MeetingKind.FOLLOW_UP,
            status=MeetingStatus.PLANNED,
            starts_at=_at(t + timedelta(days=12), 15),
            ends_at=_at(t + timedelta(days=12), 16),
            video_url="https://video.example.invalid/sip-yusuf",
            child_participation=ChildParticipation.PRESENT,
        )
        self.s.add(meeting)
        self.s.flush()
        item = AgendaItem(meeting_id=meeting.id, position=1, text="Hur går det med skolan?")
        self.s.add_all(
            [
                item,
                MeetingAttendee(
                    meeting_id=meeting.id,
                    person_id=p["mikael"].id,
                    role="Samordnare",
                    can_decide=True,
                ),
                MeetingAttendee(
                    meeting_id=meeting.id, person_id=p["maja"].id, role="Psykolog", can_decide=True
                ),
                MeetingAttendee(
                    meeting_id=meeting.id, person_id=p["amal"].id, role="Vårdnadshavare"
                ),
            ]
        )
        self.s.flush()
        self.translate(item, "text", "ar", "كيف تسير الأمور في المدرسة؟")

    def nora(self) -> None:
        t = self.today
        nora, created = self.person(
            "nora",
            display_name="Nora Abdi",
            birth_date=_years_ago(t, 9, 30),
            protected_identity=True,
        )
        self.person(
            "hodan",
            display_name="Hodan Abdi",
            preferred_language="so",
            protected_identity=True,
            phone="076-555 66 77",
            address="Skyddad adress",
        )
        if not created:
            return
        p = self.people
        A = self.agencies
        plan = Plan(
            child_id=nora.id,
            status=PlanStatus.ACTIVE,
            background="Nora behöver stöd för att klara vardagen i skolan och hemma.",
            responsible_agency_id=A["hab"].id,
            coordinator_id=p["sofia"].id,
            follow_up_date=t + timedelta(days=60),
        )
        self.s.add(plan)
        self.s.flush()
        self.member(plan, p["hodan"], MemberRole.GUARDIAN, custody=True)
        self.member(plan, p["erik"], MemberRole.PROFESSIONAL)
        goal = Goal(
            plan_id=plan.id,
            position=1,
            words_of=WordsOf.CHILD,
            text="Jag vill kunna klä på mig själv.",
        )
        self.s.add(goal)
        self.s.flush()
        self.s.add_all(
            [
                Action(
                    plan_id=plan.id,
                    goal_id=goal.id,
                    title="Träning i vardagen",
                    description="Habiliteringen tränar med Nora och Hodan hemma varannan vecka.",
                    child_description="Sofia kommer och tränar med dig varannan vecka.",
                    family_part="Hodan och Nora övar lite varje morgon.",
                    responsible_agency_id=A["hab"].id,
                    contact_person_id=p["sofia"].id,
                    status=ActionStatus.STARTED,
                    planned_start=t - timedelta(days=20),
                ),
                Action(
                    plan_id=plan.id,
                    goal_id=goal.id,
                    title="Bildschema i skolan",
                    description="Skolan gör ett schema med bilder så att Nora vet vad som händer.",
                    child_description="Du får ett schema med bilder i skolan.",
                    responsible_agency_id=A["school"].id,
                    contact_person_id=p["erik"].id,
                    status=ActionStatus.PLANNED,
                    planned_start=t + timedelta(days=14),
                ),
            ]
        )
        for key in ("hab", "school"):
            self.consent(plan, key, [p["hodan"]], p["sofia"])
        meeting = Meeting(
            plan_id=plan.id,
            kind=MeetingKind.SIP,
            status=MeetingStatus.PLANNED,
            starts_at=_at(t + timedelta(days=20), 10),
            ends_at=_at(t + timedelta(days=20), 11),
            place="Habiliteringen, Allégatan 5, Borås.",
            child_participation=ChildParticipation.REPRESENTED_BY,
            child_represented_by="Hodan",
        )
        self.s.add(meeting)
        self.s.flush()
        self.s.add_all(
            [
                MeetingAttendee(
                    meeting_id=meeting.id,
                    person_id=p["sofia"].id,
                    role="Samordnare",
                    can_decide=True,
                ),
                MeetingAttendee(
                    meeting_id=meeting.id,
                    person_id=p["erik"].id,
                    role="Specialpedagog",
                    can_decide=True,
                ),
                MeetingAttendee(
                    meeting_id=meeting.id, person_id=p["hodan"].id, role="Vårdnadshavare"
                ),
            ]
        )


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


def seed_demo(session: Session, today: date, invitation_days: int) -> list[DemoInvite]:
    """Create the demo (once) and issue a fresh invitation for every demo person."""
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
    session.commit()
    return invites
