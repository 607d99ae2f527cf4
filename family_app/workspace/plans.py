"""The team's workspace: my plans, a new plan, writing it, publishing, harm flags.

Routes are thin: the guard decides (access.py), the form checks the input, a
service writes, and the route commits once and answers 303; bad input answers
400 with the form and everything typed, a conflicting edit 409 with both texts.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from ..access import (
    Policy,
    action_agency_ids,
    current_access,
    family_members,
    guard,
    harm_hidden_agency_ids,
    may_join_as_translator,
    translation_plans,
)
from ..audit import record_read, record_reads
from ..auth.session import current_person
from ..consent import services as consent_services
from ..extensions import db
from ..hygiene import validates_own_text
from ..i18n import isolate
from ..models import Action, Goal, MemberRole, Person
from ..plans.services import plan_meetings
from . import services
from .forms import (
    ActionForm,
    DetailsForm,
    EditMemberForm,
    EmptyForm,
    GoalForm,
    HarmFlagForm,
    MemberForm,
    NewPlanForm,
    StatusForm,
    options,
)
from .my_plans import my_plans as gather_my_plans
from .routes import bp

NONE_CHOICE = ("", _l("Ingen vald"))


def _form_page(form: Any, title: Any, submit: Any, status: int = 200, **context: Any):
    return render_template(
        "workspace/form.html", form=form, title=title, submit=submit, **context
    ), status


def _commit_or_conflict() -> bool:
    """Commit; False when another save won the race (the version moved on)."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def _conflict_page(
    form: Any,
    title: Any,
    current: Any,
    fields: tuple[str, ...],
    version_attr: str = "version",
    **context: Any,
):
    """Both texts on one page: what is saved now, and what this person typed (kept in
    the form, now carrying the current version so a second save is a conscious one)."""
    db.session.refresh(current)
    form.version.data = str(getattr(current, version_attr))
    saved = [(getattr(form, name).label.text, getattr(current, name) or "") for name in fields]
    return render_template(
        "workspace/conflict.html",
        form=form,
        title=title,
        saved=saved,
        submit=_l("Spara min text"),
        **context,
    ), 409


# --- my plans ---------------------------------------------------------------------------


@bp.get("/")
@validates_own_text
@guard(Policy.MY_PLANS)
def my_plans():
    person = current_person()
    rows = gather_my_plans(db.session, person)
    # A translator's plans: only their translation view (issue 12).
    to_translate = translation_plans(db.session, person)
    # The list names children and what is late in their plans: a read (rule 9).
    plans = [r.access.plan for r in rows] + [a.plan for a in to_translate]
    record_reads(db.session, person, plans, "my_plans")
    db.session.commit()
    return render_template("workspace/my_plans.html", rows=rows, to_translate=to_translate)


# --- a new plan -------------------------------------------------------------------------


@bp.route("/plans/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.CREATE_PLAN)
def new_plan():
    form = NewPlanForm()
    agencies = services.overall_responsibility_agencies(db.session)
    form.responsible_agency_id.choices = options([NONE_CHOICE, *[(a.id, a.name) for a in agencies]])
    title = _l("Ny plan för ett barn")
    if not form.is_submitted():
        return _form_page(form, title, _l("Skapa utkast"))
    if not form.validate():
        return _form_page(form, title, _l("Skapa utkast"), 400)
    guardians = [
        services.NewGuardian(
            form.guardian_1_name.data,
            form.guardian_1_kind.data,
            form.guardian_1_protected.data,
            form.guardian_1_language.data,
        )
    ]
    if form.guardian_2_name.data:
        guardians.append(
            services.NewGuardian(
                form.guardian_2_name.data,
                form.guardian_2_kind.data,
                form.guardian_2_protected.data,
                form.guardian_2_language.data,
            )
        )
    plan = services.create_plan(
        db.session,
        current_person(),
        services.NewChild(
            form.child_name.data,
            form.child_birth_date.data,
            form.child_language.data,
            form.child_protected.data,
        ),
        guardians,
        next(a for a in agencies if a.id == form.responsible_agency_id.data),
    )
    db.session.commit()
    flash(_("Planen är sparad som utkast. Familjen ser den inte förrän du publicerar."), "success")
    return redirect(url_for("workspace.plan", plan_id=plan.id), 303)


# --- the plan in the workspace ----------------------------------------------------------


@bp.get("/plans/<int:plan_id>")
@validates_own_text
@guard(Policy.WORK_ON_PLAN)
def plan(plan_id: int):
    access = current_access()
    record_read(db.session, access.person, access.plan, "workspace_plan", plan_id)
    return render_template(
        "workspace/plan.html",
        access=access,
        plan=access.plan,
        problems=services.publish_problems(access.plan, access.today),
        family=[person for person, _role in family_members(access.plan)],
        others=services.others_actions(access.plan),
        meetings=plan_meetings(db.session, [plan_id]),
        exceptions=(
            consent_services.exceptions_in_force(db.session, access)
            if access.may_record_consent
            else []
        ),
    )


DETAILS_TEXTS = ("background", "meeting_question")
DETAILS_HINTS = {
    "meeting_question": _l(
        "Familjen ser frågan överst i planen. Skriv den som en fråga, med enkla ord."
    ),
    "no_other_actions": _l(
        "Kryssa i när ingen annan, till exempel Försäkringskassan eller en fristående skola, "
        "ger hjälp. Familjen ser då ”Inga andra insatser”."
    ),
}


@bp.route("/plans/<int:plan_id>/details", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.EDIT_PLAN)
def edit_details(plan_id: int):
    access = current_access()
    plan_ = access.plan
    form = DetailsForm(obj=plan_)
    agencies = services.overall_responsibility_agencies(db.session)
    form.responsible_agency_id.choices = options([NONE_CHOICE, *[(a.id, a.name) for a in agencies]])
    title = _l("Bakgrund, uppföljning och huvudansvar")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not form.is_submitted():
        record_read(db.session, access.person, plan_, "plan", plan_id)
        return _form_page(form, title, _l("Spara"), back=back, hints=DETAILS_HINTS)
    others = services.others_actions(plan_)
    valid = form.validate()
    if form.no_other_actions.data and others:
        # "None" cannot stand next to an action by someone else: one of them is wrong.
        form.no_other_actions.errors = [
            *form.no_other_actions.errors,
            _l(
                "Planen har redan insatser från andra: %(titles)s. Ta bort krysset "
                "eller ändra insatserna.",
                titles=", ".join(isolate(a.title) for a in others),
            ),
        ]
        valid = False
    if not valid:
        return _form_page(form, title, _l("Spara"), 400, back=back, hints=DETAILS_HINTS)
    try:
        services.update_details(
            db.session,
            access,
            form.read_version,
            form.background.data or "",
            form.follow_up_date.data,
            next(a for a in agencies if a.id == form.responsible_agency_id.data),
            meeting_question=form.meeting_question.data or "",
            no_other_actions=form.no_other_actions.data,
        )
    except services.EditConflict:
        db.session.rollback()
        return _conflict_page(form, title, plan_, DETAILS_TEXTS, back=back)
    if not _commit_or_conflict():
        return _conflict_page(form, title, plan_, DETAILS_TEXTS, back=back)
    flash(_("Ändringen är sparad."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/members/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.EDIT_PLAN)
def add_member(plan_id: int):
    access = current_access()
    form = MemberForm()
    staff = services.directory_professionals(db.session, access.plan)
    form.professional_id.choices = options(
        [NONE_CHOICE, *[(p.id, f"{p.display_name}, {p.agency.name}") for p in staff]]
    )
    title = _l("Lägg till en person i planen")
    back = url_for("workspace.plan", plan_id=plan_id)
    hints = {
        "professional_id": _l(
            "Personalen får ingen inbjudan av dig. Deras verksamhet bjuder in dem."
        )
    }
    if not form.is_submitted():
        return _form_page(form, title, _l("Lägg till"), back=back, hints=hints)
    if not form.validate():
        return _form_page(form, title, _l("Lägg till"), 400, back=back, hints=hints)
    professional: Person | None = next(
        (p for p in staff if p.id == form.professional_id.data), None
    )
    if form.kind.data == "translator" and not may_join_as_translator(professional):
        # Only whom their agency's admin marked as translator (issue 12).
        form.professional_id.errors = [
            _l("Den personen är inte översättare. Verksamhetens administratör bestämmer det.")
        ]
        return _form_page(form, title, _l("Lägg till"), 400, back=back, hints=hints)
    services.add_member(
        db.session,
        access,
        form.kind.data,
        name=form.name.data or "",
        guardian_kind=form.guardian_kind.data,
        professional=professional,
        protected=form.protected.data and form.kind.data in ("guardian", "relative"),
    )
    db.session.commit()
    flash(_("Personen är med i planen."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/members/<int:member_id>", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.EDIT_MEMBER)
def edit_member(plan_id: int, member_id: int):
    """Put right a guardian's or relative's name, kind of guardian and protected
    identity. PlanMember and Person carry no version column: a plain edit."""
    access = current_access()
    member = g.member
    person = member.person
    # Filled from the row only when the form is opened: a sent form is taken as sent
    # (an emptied name is refused, never silently put back).
    stored = {
        "name": person.display_name,
        "guardian_kind": member.guardian_kind or "parent",
        "protected": person.protected_identity,
        "language": person.preferred_language,
    }
    form = EditMemberForm(data=None if request.method == "POST" else stored)
    if member.role != MemberRole.GUARDIAN:
        del form.guardian_kind
    title = _l("Ändra uppgifterna om %(name)s", name=isolate(person.display_name))
    back = url_for("workspace.plan", plan_id=plan_id)
    hints = {
        "guardian_kind": _l(
            "Den som har vårdnad ger samtycke. Ändras det, kan samtycket behöva ges på nytt."
        )
    }
    if not form.is_submitted():
        return _form_page(form, title, _l("Spara"), back=back, hints=hints)
    if not form.validate():
        return _form_page(form, title, _l("Spara"), 400, back=back, hints=hints)
    services.edit_member(
        db.session,
        access,
        member,
        form.name.data,
        form.guardian_kind.data if "guardian_kind" in form else "",
        form.protected.data,
        form.language.data,
    )
    db.session.commit()
    flash(_("Uppgifterna är sparade."), "success")
    return redirect(back, 303)


# --- translations ---------------------------------------------------------------------------


# --- goals ------------------------------------------------------------------------------


def _goal_page(goal: Goal | None):
    access = current_access()
    form = GoalForm(obj=goal, data=None if goal else {"version": "0"})
    title = _l("Ändra målet") if goal else _l("Nytt mål")
    back = url_for("workspace.plan", plan_id=access.plan.id)
    if not form.is_submitted():
        if goal is not None:
            record_read(db.session, access.person, access.plan, "goal", goal.id)
        return _form_page(form, title, _l("Spara målet"), back=back)
    if not form.validate():
        return _form_page(form, title, _l("Spara målet"), 400, back=back)
    try:
        services.save_goal(
            db.session, access, goal, form.read_version, form.text.data, form.words_of.data
        )
    except services.EditConflict:
        db.session.rollback()
        return _conflict_page(form, title, goal, ("text",), back=back)
    if not _commit_or_conflict():
        return _conflict_page(form, title, goal, ("text",), back=back)
    flash(_("Målet är sparat."), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/goals/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.EDIT_PLAN)
def new_goal(plan_id: int):
    return _goal_page(None)


@bp.route("/plans/<int:plan_id>/goals/<int:goal_id>", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.EDIT_PLAN)
def edit_goal(plan_id: int, goal_id: int):
    return _goal_page(g.goal)


# --- actions ----------------------------------------------------------------------------

ACTION_TEXTS = ("title", "description", "child_description", "family_part")
ACTION_HINTS = {
    "child_description": _l(
        "Barnet ser den här texten i stället för texten till vuxna. Skriv korta meningar "
        "till barnet: vad händer, var och med vem."
    ),
    "planned_end": _l("Lämna tomt om hjälpen inte har något slut bestämt."),
}


def _action_form(action: Action | None) -> ActionForm:
    access = current_access()
    plan_ = access.plan
    form = ActionForm(obj=action, data=None if action else {"version": "0"})
    agencies = services.all_agencies(db.session)
    allowed = set(action_agency_ids(access, agencies))
    form.responsible_agency_id.choices = options(
        [NONE_CHOICE, *[(a.id, a.name) for a in agencies if a.id in allowed]]
    )
    form.contact_person_id.choices = options(
        [NONE_CHOICE, *[(p.id, p.display_name) for p in services.team_people(plan_)]]
    )
    form.goal_id.choices = options([NONE_CHOICE, *[(x.id, x.text[:80]) for x in plan_.goals]])
    return form


def _status_form(action: Action) -> StatusForm:
    return StatusForm(prefix="status", obj=None, data={"version": str(action.version)})


def _action_values(form: ActionForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in services.ACTION_FIELDS}
    for name in ACTION_TEXTS:
        values[name] = values[name] or ""
    return values


def _action_page(action: Action | None):
    access = current_access()
    form = _action_form(action)
    title = _l("Ändra insatsen") if action else _l("Ny insats")
    back = url_for("workspace.plan", plan_id=access.plan.id)
    context: dict[str, Any] = {"back": back, "hints": ACTION_HINTS}
    if action is not None:
        context.update(status_form=_status_form(action), action=action, access=access)
    if not form.is_submitted():
        if action is not None:
            record_read(db.session, access.person, access.plan, "action", action.id)
        return _form_page(form, title, _l("Spara insatsen"), **context)
    if not form.validate():
        return _form_page(form, title, _l("Spara insatsen"), 400, **context)
    try:
        saved = services.save_action(
            db.session, access, action, form.read_version, _action_values(form)
        )
    except services.EditConflict:
        db.session.rollback()
        return _conflict_page(form, title, action, ACTION_TEXTS, **context)
    if not _commit_or_conflict():
        return _conflict_page(form, title, action, ACTION_TEXTS, **context)
    flash(_("Insatsen ”%(title)s” är sparad.", title=isolate(saved.title)), "success")
    return redirect(back, 303)


@bp.route("/plans/<int:plan_id>/actions/new", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.ADD_ACTION)
def new_action(plan_id: int):
    return _action_page(None)


@bp.route("/plans/<int:plan_id>/actions/<int:action_id>", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.EDIT_ACTION)
def edit_action(plan_id: int, action_id: int):
    return _action_page(g.action)


@bp.post("/plans/<int:plan_id>/actions/<int:action_id>/status")
@validates_own_text
@guard(Policy.EDIT_ACTION)
def action_status(plan_id: int, action_id: int):
    access = current_access()
    action = g.action
    status_form = StatusForm(prefix="status")
    back = url_for("workspace.plan", plan_id=plan_id)
    if not status_form.validate():
        return _form_page(
            _action_form(action),
            _l("Ändra insatsen"),
            _l("Spara insatsen"),
            400,
            back=back,
            hints=ACTION_HINTS,
            status_form=status_form,
            action=action,
            access=access,
        )
    try:
        services.change_status(
            db.session,
            access,
            action,
            status_form.read_version,
            status_form.status.data,
            status_form.on.data,
        )
        committed = _commit_or_conflict()
    except services.EditConflict:
        db.session.rollback()
        committed = False
    if not committed:
        flash(_("Någon annan ändrade insatsen samtidigt. Titta på den igen och försök på nytt."))
        return redirect(url_for("workspace.edit_action", plan_id=plan_id, action_id=action_id), 303)
    flash(_("Insatsen har fått ny status."), "success")
    return redirect(back, 303)


# --- publishing -------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/publish", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.PUBLISH_PLAN)
def publish(plan_id: int):
    access = current_access()
    form = EmptyForm()
    problems = services.publish_problems(access.plan, access.today)
    if not form.is_submitted():
        record_read(db.session, access.person, access.plan, "plan", plan_id)
        return render_template(
            "workspace/publish.html", access=access, form=form, problems=problems
        )
    if not form.validate() or problems:
        return render_template(
            "workspace/publish.html", access=access, form=form, problems=problems, tried=True
        ), 400
    was_draft = access.plan.published_at is None
    services.publish(db.session, access)
    db.session.commit()
    if was_draft:
        flash(
            _(
                "Planen är publicerad och familjen har fått ett meddelande. Din verksamhet "
                "läser planen igen när familjen har gett sitt samtycke."
            ),
            "success",
        )
    else:
        flash(_("Planen är publicerad. Familjen ser ändringarna."), "success")
    return redirect(url_for("workspace.my_plans"), 303)


# --- the harm flag (OSL 12:3) -------------------------------------------------------------


def _harm_flag_page():
    access = current_access()
    part = g.part
    form = HarmFlagForm()
    back = url_for("workspace.plan", plan_id=access.plan.id)
    title = _l("Dölj för vårdnadshavare (OSL 12 kap. 3 §)")
    if isinstance(part, Goal):
        clear_url = url_for(
            "workspace.clear_goal_harm_flag", plan_id=access.plan.id, goal_id=part.id
        )
    else:
        clear_url = url_for(
            "workspace.clear_action_harm_flag", plan_id=access.plan.id, action_id=part.id
        )
    context = {"back": back, "clear_form": EmptyForm(), "part": part, "clear_url": clear_url}
    if not form.is_submitted():
        return _form_page(form, title, _l("Dölj för vårdnadshavare"), **context)
    if not form.validate():
        return _form_page(form, title, _l("Dölj för vårdnadshavare"), 400, **context)
    services.set_harm_flag(db.session, access, part, form.reason.data)
    db.session.commit()
    flash(
        _("Delen är dold för vårdnadshavare och anhöriga tills någon i teamet tar bort det."),
        "success",
    )
    agency_id = getattr(part, "responsible_agency_id", None)
    if agency_id is not None and agency_id in harm_hidden_agency_ids(access.plan):
        flash(
            _(
                "Nu är hela verksamhetens del dold för vårdnadshavarna. Verksamheten kan "
                "läsa planen bara med ett registrerat undantag för varje vårdnadshavare."
            ),
            "info",
        )
    return redirect(back, 303)


def _clear_harm_flag():
    access = current_access()
    if not EmptyForm().validate():  # pragma: no cover - the CSRF check answers first
        return redirect(url_for("workspace.plan", plan_id=access.plan.id), 303)
    if services.clear_harm_flag(db.session, access, g.part):
        db.session.commit()
        flash(_("Delen visas för vårdnadshavare igen."), "success")
    return redirect(url_for("workspace.plan", plan_id=access.plan.id), 303)


@bp.route("/plans/<int:plan_id>/goals/<int:goal_id>/harm-flag", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.SET_HARM_FLAG)
def goal_harm_flag(plan_id: int, goal_id: int):
    return _harm_flag_page()


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/harm-flag/clear")
@validates_own_text
@guard(Policy.SET_HARM_FLAG)
def clear_goal_harm_flag(plan_id: int, goal_id: int):
    return _clear_harm_flag()


@bp.route("/plans/<int:plan_id>/actions/<int:action_id>/harm-flag", methods=["GET", "POST"])
@validates_own_text
@guard(Policy.SET_HARM_FLAG)
def action_harm_flag(plan_id: int, action_id: int):
    return _harm_flag_page()


@bp.post("/plans/<int:plan_id>/actions/<int:action_id>/harm-flag/clear")
@validates_own_text
@guard(Policy.SET_HARM_FLAG)
def clear_action_harm_flag(plan_id: int, action_id: int):
    return _clear_harm_flag()
