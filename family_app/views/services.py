"""The child's and guardians' views before a meeting, and the team's answers.

Rule 5 lives in PlanAccess.sees_answer; everything here that lists answers for a
reader goes through it. Drafts are never shown to anyone but their writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g, has_request_context, request
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..access import PlanAccess, views_open
from ..audit import AuditAction, record
from ..models import (
    AgendaItem,
    Audience,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    PendingDraft,
    Person,
    Statement,
    StatementAnswer,
    StatementStatus,
    WishOutcome,
    WishResponse,
    utcnow,
)
from ..notifications import notify
from ..queries import insert_once
from ..tokens import hash_token, new_token
from .prompts import BY_KEY, MAX_TEXT

PENDING_HOURS = 24


def editable(meeting: Meeting, now: datetime | None = None) -> bool:
    """Views can be written and changed until the meeting starts (rule 8)."""
    return views_open(meeting, now)


# What counts as blank in an answer. SQL's ltrim and Python's strip() differ on
# exotic whitespace, so both sides use these characters and always agree.
BLANK = " \t\r\n"


def is_answered(answer: StatementAnswer | None) -> bool:
    """An answer with words or chosen pictures in it; the overview and the count of
    questions left use this one definition."""
    return answer is not None and (bool(answer.text.strip(BLANK)) or bool(answer.picks))


@dataclass(frozen=True)
class ViewsDue:
    """The next meeting a person is asked to write their views for, and how far
    they have come: what the home page and the menu show."""

    meeting: Meeting
    left: int  # questions without an answer in the person's own statement
    started: bool  # the person has a statement (draft or sent)
    sent_at: datetime | None  # when it was sent; None while it is a draft


def views_due(session: Session, access: PlanAccess, now: datetime | None = None) -> ViewsDue | None:
    """The child's main task, counted without a query per meeting or per answer:
    the next meeting this reader is asked to write views for (access decides), and
    how many questions are still without an answer in their own statement.

    Two or three statements whatever the plan holds: the planned meetings ahead
    (with their attendees, which rule 6 needs) and the reader's own answers, whose
    text never leaves the database (only whether it is blank)."""
    if not access.may_write_views:
        return None
    now = now or utcnow()
    loaded = None
    if has_request_context() and request.method == "GET":
        loaded = g.get("plan_meetings", {}).get(access.plan.id)
    if loaded is not None:
        # The page loaded every meeting of the plan with its attendees already.
        meetings = sorted(
            (m for m in loaded if m.status == MeetingStatus.PLANNED and m.starts_at > now),
            key=lambda m: (m.starts_at, m.id),
        )
    else:
        meetings = (
            session.scalars(
                select(Meeting)
                .where(
                    Meeting.plan_id == access.plan.id,
                    Meeting.status == MeetingStatus.PLANNED,
                    Meeting.starts_at > now,
                )
                .order_by(Meeting.starts_at, Meeting.id)
                .options(joinedload(Meeting.attendees).joinedload(MeetingAttendee.person))
            )
            .unique()
            .all()
        )
    meeting = next((m for m in meetings if access.is_asked_for_views(m, now)), None)
    if meeting is None:
        return None
    has_words = func.length(func.ltrim(StatementAnswer.text, BLANK)) > 0
    rows = session.execute(
        select(
            Statement.status,
            Statement.submitted_at,
            StatementAnswer.prompt,
            or_(has_words, StatementAnswer.picks != ""),
        )
        .select_from(Statement)
        .outerjoin(StatementAnswer, StatementAnswer.statement_id == Statement.id)
        .where(Statement.meeting_id == meeting.id, Statement.author_id == access.person.id)
    ).all()
    answered = {prompt for _s, _at, prompt, filled in rows if prompt in BY_KEY and filled}
    sent_at = next((at for status, at, _p, _f in rows if status == StatementStatus.SUBMITTED), None)
    return ViewsDue(meeting, len(BY_KEY) - len(answered), bool(rows), sent_at)


def own_statement(session: Session, meeting: Meeting, author: Person) -> Statement | None:
    # The answers and the team's responses joined in: one statement.
    return (
        session.scalars(
            select(Statement)
            .where(Statement.meeting_id == meeting.id, Statement.author_id == author.id)
            .options(joinedload(Statement.answers).joinedload(StatementAnswer.response))
        )
        .unique()
        .first()
    )


def _statement(session: Session, meeting: Meeting, author: Person) -> Statement:
    statement = own_statement(session, meeting, author)
    if statement is None:
        now = utcnow()
        insert_once(
            session,
            Statement,
            meeting_id=meeting.id,
            author_id=author.id,
            status=StatementStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        statement = own_statement(session, meeting, author)
    assert statement is not None
    return statement


class ViewError(ValueError):
    """Input that cannot be saved; the message is shown next to the field."""


def clean_audience(audience: str, for_child: bool) -> str:
    allowed = {Audience.EVERYONE, Audience.COORDINATOR} | (
        {Audience.NOT_GUARDIANS} if for_child else set()
    )
    if audience not in allowed:
        raise ViewError("audience")
    return audience


def save_answer(
    session: Session,
    meeting: Meeting,
    author: Person,
    prompt_key: str,
    text: str,
    audience: str,
    picks: list[str] | None = None,
    for_child: bool = True,
) -> StatementAnswer:
    """Create or update one answer of the author's statement (draft or sent)."""
    if prompt_key not in BY_KEY:
        raise ViewError("prompt")
    if len(text) > MAX_TEXT:
        raise ViewError("too_long")
    audience = clean_audience(audience, for_child)
    statement = _statement(session, meeting, author)
    answer = next((a for a in statement.answers if a.prompt == prompt_key), None)
    if answer is None:
        insert_once(
            session,
            StatementAnswer,
            statement_id=statement.id,
            prompt=prompt_key,
            text="",
            audience=audience,
            picks="",
            updated_at=utcnow(),
        )
        answer = session.scalar(
            select(StatementAnswer).where(
                StatementAnswer.statement_id == statement.id, StatementAnswer.prompt == prompt_key
            )
        )
    assert answer is not None
    narrowed = AUDIENCE_WIDTH[audience] < AUDIENCE_WIDTH.get(answer.audience, 0)
    answer.text = text
    answer.audience = audience
    answer.picks = ",".join(picks or [])[:200]
    answer.updated_at = utcnow()
    statement.updated_at = utcnow()
    _audit_write(session, author, meeting, "statement_answer", answer.id)
    if narrowed and statement.status == StatementStatus.SUBMITTED:
        _tell_coordinator_agenda_narrowed(session, meeting, answer)
    session.flush()
    return answer


# How many readers each audience reaches, to tell a narrowing from a widening.
AUDIENCE_WIDTH = {Audience.EVERYONE: 3, Audience.NOT_GUARDIANS: 2, Audience.COORDINATOR: 1}


def _tell_coordinator_agenda_narrowed(
    session: Session, meeting: Meeting, answer: StatementAnswer
) -> None:
    """An agenda item read through this answer now reaches fewer people; the
    coordinator, who leads the meeting, is told (without the text)."""
    on_agenda = session.scalar(
        select(AgendaItem.id).where(AgendaItem.answer_id == answer.id).limit(1)
    )
    if on_agenda is not None and meeting.plan.coordinator is not None:
        notify(
            session,
            [meeting.plan.coordinator],
            meeting.plan,
            "agenda_narrowed",
            "meeting",
            meeting.id,
        )


def add_answer_to_agenda(
    session: Session, access: PlanAccess, meeting: Meeting, answer: StatementAnswer
) -> bool:
    """Refer to the answer from the agenda (once). Nothing of its text is copied."""
    if any(i.answer_id == answer.id for i in meeting.agenda_items):
        return False
    position = max((i.position for i in meeting.agenda_items), default=0) + 1
    session.add(
        AgendaItem(
            meeting_id=meeting.id,
            position=position,
            text="",
            answer_id=answer.id,
            source="child" if answer.statement.author_id == access.plan.child_id else "guardian",
        )
    )
    record(
        session,
        AuditAction.WRITE,
        access.person,
        access.plan,
        "agenda_item",
        meeting.id,
        detail="from_view",
    )
    session.flush()
    return True


def _audit_write(
    session: Session, author: Person, meeting: Meeting, object_type: str, object_id: int
) -> None:
    """Rule 9, without one event per keystroke: autosave writes the same answer
    every few seconds, so one event per answer per ten minutes is recorded."""
    from ..models import AuditEvent

    recent = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == author.id,
            AuditEvent.action == AuditAction.WRITE,
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == object_id,
            AuditEvent.at > utcnow() - timedelta(minutes=10),
        )
        .limit(1)
    )
    if recent is None:
        record(session, AuditAction.WRITE, author, meeting.plan, object_type, object_id)


def save_mood(session: Session, meeting: Meeting, author: Person, mood: str | None) -> None:
    statement = _statement(session, meeting, author)
    statement.mood = mood
    statement.updated_at = utcnow()
    session.flush()


def send(session: Session, meeting: Meeting, access: PlanAccess) -> Statement:
    """Send the views to the team; the first sending time is kept."""
    statement = _statement(session, meeting, access.person)
    if statement.status != StatementStatus.SUBMITTED:
        statement.status = StatementStatus.SUBMITTED
        statement.submitted_at = utcnow()
        team = [access.plan.coordinator] if access.plan.coordinator else []
        notify(session, team, access.plan, "views_submitted", "meeting", meeting.id)
    record(
        session,
        AuditAction.WRITE,
        access.person,
        access.plan,
        "statement",
        statement.id,
        detail="sent",
    )
    session.flush()
    return statement


@dataclass
class ShownStatement:
    statement: Statement
    author_role: str  # child | guardian
    answers: list[StatementAnswer]


def visible_statements(
    session: Session, meeting: Meeting, access: PlanAccess
) -> list[ShownStatement]:
    """Sent views as this reader may see them, each answer in full; the reader's
    own statement is included even as a draft."""
    statements = (
        session.scalars(
            select(Statement)
            .where(Statement.meeting_id == meeting.id)
            .order_by(Statement.id)
            .options(
                joinedload(Statement.author),
                joinedload(Statement.answers).joinedload(StatementAnswer.response),
            )
        )
        .unique()
        .all()
    )
    shown = []
    for statement in statements:
        own = statement.author_id == access.person.id
        if statement.status != StatementStatus.SUBMITTED and not own:
            continue
        answers = [
            a
            for a in statement.answers
            if (a.text.strip() or a.picks) and access.sees_answer(statement.author_id, a.audience)
        ]
        # Outside the team, a card with nothing visible would itself say that
        # something was written for others: show it only with something in it.
        if not answers and not own and not (statement.mood and access.sees_mood(statement)):
            continue
        role = "child" if statement.author_id == access.plan.child_id else "guardian"
        shown.append(ShownStatement(statement, role, answers))
    return shown


def respond(
    session: Session,
    access: PlanAccess,
    answer: StatementAnswer,
    outcome: str,
    reason: str,
    later_date: date | None,
) -> WishResponse:
    """The coordinator's answer to one wish."""
    if outcome not in set(WishOutcome):
        raise ViewError("outcome")
    if outcome == WishOutcome.NOT_NOW and not reason.strip():
        raise ViewError("reason")
    if outcome == WishOutcome.LATER and later_date is None:
        raise ViewError("later_date")
    if len(reason) > MAX_TEXT:
        raise ViewError("too_long")
    response = answer.response
    if response is None:
        response = WishResponse(
            answer_id=answer.id, responded_by_id=access.person.id, outcome=outcome
        )
        session.add(response)
    response.outcome = outcome
    response.reason = reason.strip()
    response.later_date = later_date if outcome == WishOutcome.LATER else None
    response.responded_by_id = access.person.id
    response.responded_at = utcnow()
    record(session, AuditAction.WRITE, access.person, access.plan, "wish_response", answer.id)
    session.flush()
    return response


def publish_feedback(
    session: Session,
    meeting: Meeting,
    access: PlanAccess,
    participation: str | None,
    represented_by: str,
) -> None:
    """Publish the answers: the writers of wishes are told that answers are there."""
    if not access.may_publish_feedback(meeting):
        raise ViewError("not_started")
    if len(represented_by) > 120:
        raise ViewError("represented_by")
    meeting.child_participation = participation or meeting.child_participation
    meeting.child_represented_by = represented_by.strip() or None
    first_time = meeting.feedback_published_at is None
    meeting.feedback_published_at = utcnow()
    if first_time:
        authors = session.scalars(
            select(Person)
            .join(Statement, Statement.author_id == Person.id)
            .where(
                Statement.meeting_id == meeting.id, Statement.status == StatementStatus.SUBMITTED
            )
        ).all()
        notify(session, authors, access.plan, "wish_answered", "meeting", meeting.id)
    record(
        session,
        AuditAction.WRITE,
        access.person,
        access.plan,
        "meeting",
        meeting.id,
        detail="feedback_published",
    )
    session.flush()


# --- text that arrived after the session ended -------------------------------------------


def _purge_pending(session: Session) -> None:
    session.execute(
        delete(PendingDraft).where(
            PendingDraft.created_at < utcnow() - timedelta(hours=PENDING_HOURS)
        )
    )


def stash_pending(
    session: Session, person_id: int, meeting: Meeting, prompt_key: str, text: str, audience: str
) -> str:
    """Keep text that came in after ``person_id``'s session ran out; returns the
    cookie key (once). It can only ever land in that person's own draft."""
    if prompt_key not in BY_KEY or len(text) > MAX_TEXT:
        raise ViewError("too_long")
    audience = clean_audience(audience, for_child=True)
    _purge_pending(session)
    key = new_token()
    session.add(
        PendingDraft(
            key_hash=hash_token(key),
            person_id=person_id,
            meeting_id=meeting.id,
            prompt=prompt_key,
            text=text,
            audience=audience,
        )
    )
    session.flush()
    return key


def take_pending(session: Session, key: str, person: Person) -> PendingDraft | None:
    """This person's pending text behind a cookie key, removed as it is taken."""
    _purge_pending(session)
    pending = session.scalar(
        select(PendingDraft).where(
            PendingDraft.key_hash == hash_token(key), PendingDraft.person_id == person.id
        )
    )
    if pending is not None:
        session.delete(pending)
        session.flush()
    return pending
