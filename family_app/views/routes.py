"""My thoughts before the meeting (child and guardians), the team's preparation
page, and "what happened with my wishes"."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..access import PlanAccess, Policy, current_access, guard
from ..audit import record_read
from ..extensions import db, limiter
from ..models import Meeting, utcnow
from ..plans.routes import is_htmx
from . import services
from .prompts import BY_KEY, MOODS, PICTURES, PROMPT_KEYS, PROMPTS, TAKE_PART

bp = Blueprint("views", __name__)


def _writer():
    """The signed-in child or guardian writing views for this meeting (the guard
    WRITE_OWN_VIEWS has decided that)."""
    return current_access(), g.meeting


def _error_text(code: str) -> str:
    return {
        "too_long": _("Det blev för mycket text. Korta den lite."),
        "audience": _("Välj vem som får läsa."),
        "reason": _("Skriv varför det inte blir nu. Den som skrev ska få veta varför."),
        "later_date": _("Skriv när ni tar upp det igen."),
        "outcome": _("Välj ett av svaren."),
        "closed": _("Mötet har redan börjat, så det går inte att ändra längre."),
        "represented_by": _("Skriv ett kortare namn, högst 120 tecken."),
        "not_started": _(
            "Svaren kan publiceras först när mötet har börjat. Det du har sparat finns kvar."
        ),
    }.get(code, _("Det gick inte att spara. Försök igen."))


def _form_values(prompt_key: str) -> dict:
    return {
        "text": request.form.get("text", ""),
        "audience": request.form.get("audience", BY_KEY[prompt_key].default_audience),
        "picks": [p for p in request.form.getlist("picks") if p in PICTURES or p in TAKE_PART],
        "mood": request.form.get("mood") if request.form.get("mood") in MOODS else None,
    }


def _save(access, meeting, prompt_key: str, values: dict) -> None:
    if not services.editable(meeting):
        raise services.ViewError("closed")
    services.save_answer(
        db.session,
        meeting,
        access.person,
        prompt_key,
        values["text"],
        values["audience"],
        values["picks"],
        for_child=access.is_child,
    )
    if "mood" in request.form:
        services.save_mood(db.session, meeting, access.person, values["mood"])


def _stash_signed_out(meeting_id: int, prompt_key: str) -> tuple[str, bool]:
    """The session ran out while someone typed: keep the text aside for that same
    person. Answers the same whether or not the meeting exists."""
    target = url_for("views.step", meeting_id=meeting_id, prompt_key=prompt_key)
    person_id = session.get("expired_user")
    meeting = db.session.get(Meeting, meeting_id)
    if person_id is None or meeting is None or prompt_key not in BY_KEY:
        return target, False
    values = _form_values(prompt_key)
    try:
        key = services.stash_pending(
            db.session, person_id, meeting, prompt_key, values["text"], values["audience"]
        )
    except services.ViewError:
        db.session.rollback()
        return target, False
    db.session.commit()
    session["pending_draft"] = key
    return target, True


def _apply_pending(access, meeting) -> bool:
    key = session.pop("pending_draft", None)
    if not key:
        return False
    pending = services.take_pending(db.session, key, access.person)
    if pending is None or pending.meeting_id != meeting.id or not services.editable(meeting):
        db.session.commit()
        return False
    audience = pending.audience
    if audience not in {"everyone", "coordinator"} and not access.is_child:
        audience = BY_KEY[pending.prompt].default_audience
    try:
        services.save_answer(
            db.session,
            meeting,
            access.person,
            pending.prompt,
            pending.text,
            audience,
            for_child=access.is_child,
        )
    except services.ViewError:
        db.session.rollback()
        return False
    db.session.commit()
    return True


@bp.app_template_global("views_due")
def views_due_for(access: PlanAccess) -> services.ViewsDue | None:
    """For the home page's card and the menu: the next meeting this reader is asked
    to write views for, and how many questions are left. Worked out once per request
    and plan, so the card and the menu on the same page cost one look-up."""
    cache: dict[int, services.ViewsDue | None] = g.setdefault("views_due", {})
    if access.plan.id not in cache:
        cache[access.plan.id] = services.views_due(db.session, access)
    return cache[access.plan.id]


@bp.get("/meetings/<int:meeting_id>/my-views")
@guard(Policy.WRITE_OWN_VIEWS)
def overview(meeting_id: int):
    access, meeting = _writer()
    record_read(db.session, access.person, access.plan, "statement", meeting.id)
    statement = services.own_statement(db.session, meeting, access.person)
    answers = {
        a.prompt: a for a in (statement.answers if statement else []) if services.is_answered(a)
    }
    return render_template(
        "views/overview.html",
        access=access,
        meeting=meeting,
        statement=statement,
        answers=answers,
        prompts=PROMPTS,
        editable=services.editable(meeting),
    )


def _render_step(
    access,
    meeting,
    prompt_key: str,
    values: dict | None = None,
    error: str | None = None,
    status: int = 200,
):
    statement = services.own_statement(db.session, meeting, access.person)
    answer = (
        next((a for a in statement.answers if a.prompt == prompt_key), None) if statement else None
    )
    prompt = BY_KEY[prompt_key]
    if values is None:
        values = {
            "text": answer.text if answer else "",
            "audience": answer.audience if answer else prompt.default_audience,
            "picks": [p for p in (answer.picks.split(",") if answer and answer.picks else [])],
            "mood": statement.mood if statement else None,
        }
    index = PROMPT_KEYS.index(prompt_key)
    return render_template(
        "views/step.html",
        access=access,
        meeting=meeting,
        prompt=prompt,
        values=values,
        error=error,
        index=index,
        total=len(PROMPTS),
        previous=PROMPT_KEYS[index - 1] if index else None,
        next_key=PROMPT_KEYS[index + 1] if index + 1 < len(PROMPTS) else None,
        editable=services.editable(meeting),
        moods=MOODS,
        pictures=PICTURES,
        take_part=TAKE_PART,
        statement=statement,
    ), status


@bp.get("/meetings/<int:meeting_id>/my-views/<prompt_key>")
@guard(Policy.WRITE_OWN_VIEWS)
def step(meeting_id: int, prompt_key: str):
    access, meeting = _writer()
    if prompt_key not in BY_KEY:
        abort(404)
    if _apply_pending(access, meeting):
        flash(_("Det du skrev innan du blev utloggad är sparat."), "success")
    record_read(db.session, access.person, access.plan, "statement", meeting.id)
    return _render_step(access, meeting, prompt_key)


def _save_posted(prompt_key: str) -> tuple:
    """Save the posted answer of the signed-in writer: (access, meeting, values, error)."""
    access, meeting = _writer()
    if prompt_key not in BY_KEY:
        abort(404)
    values = _form_values(prompt_key)
    try:
        _save(access, meeting, prompt_key, values)
    except services.ViewError as error:
        db.session.rollback()
        return access, meeting, values, _error_text(str(error))
    db.session.commit()
    return access, meeting, values, None


@bp.post("/meetings/<int:meeting_id>/my-views/<prompt_key>")
@guard(Policy.SAVE_OWN_VIEWS)
@limiter.limit("60 per minute")
def save_step(meeting_id: int, prompt_key: str):
    """Save one answer, then go on (or back). Errors re-render with the text kept."""
    if g.plan_access is None:
        target, kept = _stash_signed_out(meeting_id, prompt_key)
        if kept:
            flash(
                _("Du blev utloggad, men det du skrev är sparat. Logga in igen så fortsätter du."),
                "info",
            )
        return redirect(url_for("auth.sign_in_page", next=target), 302)
    access, meeting, values, error = _save_posted(prompt_key)
    if error:
        return _render_step(access, meeting, prompt_key, values, error, 400)
    index = PROMPT_KEYS.index(prompt_key)
    if request.form.get("go") == "back" and index:
        target = url_for("views.step", meeting_id=meeting_id, prompt_key=PROMPT_KEYS[index - 1])
    elif index + 1 < len(PROMPT_KEYS) and request.form.get("go") != "overview":
        target = url_for("views.step", meeting_id=meeting_id, prompt_key=PROMPT_KEYS[index + 1])
    else:
        target = url_for("views.overview", meeting_id=meeting_id)
    return redirect(target, 303)


@bp.post("/meetings/<int:meeting_id>/my-views/<prompt_key>/autosave")
@guard(Policy.SAVE_OWN_VIEWS)
@limiter.limit("120 per minute")
def autosave(meeting_id: int, prompt_key: str):
    """htmx, while typing: save quietly and answer with the "saved" line."""
    if g.plan_access is None:
        target, kept = _stash_signed_out(meeting_id, prompt_key)
        state = "signed_out" if kept else "signed_out_unsaved"
        return render_template("views/_save_status.html", state=state, next_url=target), 401
    _access, _meeting, _values, error = _save_posted(prompt_key)
    if error:
        return render_template("views/_save_status.html", state="error", message=error), 422
    return render_template("views/_save_status.html", state="saved", at=utcnow())


@bp.post("/meetings/<int:meeting_id>/my-views/send")
@guard(Policy.WRITE_OWN_VIEWS)
def send(meeting_id: int):
    access, meeting = _writer()
    if not services.editable(meeting):
        flash(_error_text("closed"), "warning")
        return redirect(url_for("views.overview", meeting_id=meeting_id), 303)
    services.send(db.session, meeting, access)
    db.session.commit()
    if access.is_child:
        flash(
            _("Tack! Nu är det skickat. De du valde kan läsa det. Du kan ändra fram till mötet."),
            "success",
        )
    else:
        flash(_("Tack! Dina tankar är skickade. Du kan ändra dem fram till mötet."), "success")
    return redirect(url_for("views.overview", meeting_id=meeting_id), 303)


@bp.get("/meetings/<int:meeting_id>/wishes")
@guard(Policy.WRITE_OWN_VIEWS)
def wishes(meeting_id: int):
    """What happened with my wishes: each wish with the team's answer."""
    access, meeting = _writer()
    statement = services.own_statement(db.session, meeting, access.person)
    record_read(db.session, access.person, access.plan, "wishes", meeting.id)
    return render_template(
        "views/wishes.html",
        access=access,
        meeting=meeting,
        statement=statement,
        prompts=BY_KEY,
        published=access.sees_wish_answers(meeting, access.person.id),
        take_part=TAKE_PART,
        pictures=PICTURES,
    )


# --- the team ----------------------------------------------------------------------------


def _team():
    """The team member this request's guard let in, and the meeting."""
    return current_access(), g.meeting


def _render_prepare(status: int = 200, errors: dict | None = None, typed: dict | None = None):
    """The views as this team member may read them; every rendering is a read."""
    access, meeting = _team()
    shown = services.visible_statements(db.session, meeting, access)
    record_read(db.session, access.person, access.plan, "statements", meeting.id)
    template = "views/_prepare_list.html" if is_htmx() else "views/prepare.html"
    return render_template(
        template,
        access=access,
        meeting=meeting,
        shown=shown,
        prompts=BY_KEY,
        moods=MOODS,
        pictures=PICTURES,
        take_part=TAKE_PART,
        errors=errors or {},
        typed=typed or {},
        on_agenda={i.answer_id for i in meeting.agenda_items if i.answer_id},
    ), status


@bp.get("/meetings/<int:meeting_id>/prepare")
@guard(Policy.PREPARE_MEETING)
def prepare(meeting_id: int):
    return _render_prepare()


@bp.post("/meetings/<int:meeting_id>/answers/<int:answer_id>/response")
@guard(Policy.ANSWER_WISHES)
def respond(meeting_id: int, answer_id: int):
    access, answer = current_access(), g.answer
    outcome = request.form.get("outcome", "")
    reason = request.form.get("reason", "")
    raw_date = request.form.get("later_date", "").strip()
    later = None
    try:
        later = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        later = None
    try:
        services.respond(db.session, access, answer, outcome, reason, later)
    except services.ViewError as error:
        db.session.rollback()
        typed = {answer.id: {"outcome": outcome, "reason": reason, "later_date": raw_date}}
        return _render_prepare(400, {answer.id: _error_text(str(error))}, typed)
    db.session.commit()
    if is_htmx():
        return _render_prepare()
    flash(_("Svaret är sparat. Den som skrev ser det när du publicerar svaren."), "success")
    return redirect(url_for("views.prepare", meeting_id=meeting_id) + f"#answer-{answer.id}", 303)


@bp.post("/meetings/<int:meeting_id>/answers/<int:answer_id>/agenda")
@guard(Policy.ADD_TO_AGENDA)
def add_to_agenda(meeting_id: int, answer_id: int):
    """Put a topic from a view on the agenda. The item refers to the answer, so
    the writer's audience, now and after any change, decides who reads it."""
    access, meeting, answer = current_access(), g.meeting, g.answer
    services.add_answer_to_agenda(db.session, access, meeting, answer)
    db.session.commit()
    flash(_("Punkten står nu på dagordningen."), "success")
    return redirect(url_for("views.prepare", meeting_id=meeting_id) + f"#answer-{answer.id}", 303)


@bp.post("/meetings/<int:meeting_id>/feedback")
@guard(Policy.ANSWER_WISHES)
def publish(meeting_id: int):
    """Record how the child took part and publish the answers to the wishes."""
    access, meeting = _team()
    participation = request.form.get("participation") or None
    typed = {
        "participation": participation,
        "represented_by": request.form.get("represented_by", ""),
    }
    if not access.may_publish_feedback(meeting):
        # What the team answers is decided at the meeting: never published before it.
        return _render_prepare(409, {"participation": _error_text("not_started")}, typed)
    if participation is not None and participation not in TAKE_PART:
        return _render_prepare(400, {"participation": _error_text("outcome")}, typed)
    try:
        services.publish_feedback(
            db.session, meeting, access, participation, request.form.get("represented_by", "")
        )
    except services.ViewError as error:
        db.session.rollback()
        return _render_prepare(400, {"participation": _error_text(str(error))}, typed)
    db.session.commit()
    flash(_("Svaren är publicerade. De som skrev har fått ett meddelande."), "success")
    return redirect(url_for("views.prepare", meeting_id=meeting_id), 303)
