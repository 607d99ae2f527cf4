"""The workspace's forms: one class per form, its fields, validators and labels.

Every message is Swedish source text marked with ``_l`` (made in the reader's
language when shown). Choices that depend on the plan (agencies, people, goals)
are set by the route from what the reader may choose, so a value from another
plan is simply not a valid choice.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import stockholm_today
from ..i18n import family_languages, language_name
from ..labels import (
    ACTION_STATUS,
    ACTION_STATUS_CHANGES,
    CHILD_PARTICIPATION,
    CHILD_TOOK_PART,
    GUARDIAN_KIND,
    MEETING_KIND,
    WORDS_OF,
    choices,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NAME_MAX = 120
TITLE_MAX = 200
TEXT_MAX = 5000

# Control characters other than tab and line breaks have no place in a plan's text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Something that looks like markup: a tag opening or closing.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]")

DATE_MESSAGE = _l("Skriv datumet som år-månad-dag, till exempel 2026-03-01.")
CHOICE_MESSAGE = _l("Välj ett av alternativen i listan.")
RELOAD_MESSAGE = _l(
    "Formuläret saknar uppgifter. Kopiera det du skrev, öppna sidan på nytt och försök igen."
)


def language_choices() -> list[SelectChoice]:
    """Every language a family member may prefer, named in the reader's language."""
    return [SelectChoice(code, LazyString(language_name, code)) for code in family_languages()]


def _language(label: Any) -> SelectField:
    """A preferred language; the route need not set choices (they are the app's)."""
    return SelectField(
        label, choices=language_choices, default="sv", invalid_choice_message=CHOICE_MESSAGE
    )


def options(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; labels stay lazy (the reader's language)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def visible_text(form: FlaskForm, field: Any) -> None:
    """No control characters: they cannot be shown and have no place in a plan."""
    if _CONTROL.search(field.data or ""):
        raise ValidationError(_l("Texten har tecken som inte går att visa. Skriv om texten."))


def plain_text(form: FlaskForm, field: Any) -> None:
    """Text only: no control characters and nothing that looks like HTML markup."""
    visible_text(form, field)
    if _MARKUP.search(field.data or ""):
        raise ValidationError(
            _l("Texten får inte innehålla tecknet < följt av bokstäver. Skriv utan kod.")
        )


def _text(
    label: Any, max_length: int, required: Any = None, markup_as_text: bool = False, **kwargs: Any
) -> Any:
    """A text field; ``required`` is the message when it is left empty. With
    ``markup_as_text`` something that looks like markup is kept as the text it is
    (it is always shown escaped) instead of refused."""
    checks: list[Any] = [
        DataRequired(required) if required else Optional(),
        Length(max=max_length, message=_l("Texten får vara högst %(max)d tecken.", max=max_length)),
        visible_text if markup_as_text else plain_text,
    ]
    field_class = TextAreaField if max_length > TITLE_MAX else StringField
    return field_class(label, validators=checks, filters=[_strip], **kwargs)


def _date(label: Any, required: Any = None, **kwargs: Any) -> DateField:
    first = InputRequired(required) if required else Optional()
    return DateField(label, validators=[first], invalid_value_message=DATE_MESSAGE, **kwargs)


def _id_or_none(value: Any) -> int | None:
    """An id from a form; anything that is no id becomes -1, which no choice has."""
    if value in (None, "", "None"):
        return None
    text = str(value)
    return int(text) if text.isdigit() else -1


def _select(label: Any, required: bool = True, **kwargs: Any) -> SelectField:
    """A choice by id; the route sets the choices. An empty value means none."""
    return SelectField(
        label,
        coerce=_id_or_none,
        validate_choice=True,
        invalid_choice_message=CHOICE_MESSAGE,
        validators=[InputRequired(CHOICE_MESSAGE)] if required else [Optional()],
        **kwargs,
    )


class VersionedForm(FlaskForm):
    """A form about a stored row: carries the version it was read at, so two people
    editing the same thing never overwrite each other without seeing it."""

    version = HiddenField(validators=[InputRequired(RELOAD_MESSAGE)])

    def validate_version(self, field: Any) -> None:
        if not str(field.data).isdigit():
            raise ValidationError(RELOAD_MESSAGE)

    @property
    def read_version(self) -> int:
        return int(self.version.data)


class NewPlanForm(FlaskForm):
    child_name = _text(_l("Barnets namn"), NAME_MAX, required=_l("Fyll i barnets namn."))
    child_birth_date = _date(
        _l("Barnets födelsedatum"), required=_l("Fyll i barnets födelsedatum.")
    )
    child_language = _language(_l("Språk som barnet helst läser"))
    child_protected = BooleanField(_l("Barnet har skyddade personuppgifter"))
    guardian_1_name = _text(
        _l("Den första vårdnadshavarens namn"),
        NAME_MAX,
        required=_l("Fyll i namnet på den första vårdnadshavaren."),
    )
    guardian_1_kind = SelectField(
        _l("Den första vårdnadshavaren är"),
        choices=options(choices(GUARDIAN_KIND)),
        default="parent",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    guardian_1_protected = BooleanField(
        _l("Den första vårdnadshavaren har skyddade personuppgifter")
    )
    guardian_1_language = _language(_l("Språk som den första vårdnadshavaren helst läser"))
    guardian_2_name = _text(_l("Den andra vårdnadshavarens namn (om det finns)"), NAME_MAX)
    guardian_2_kind = SelectField(
        _l("Den andra vårdnadshavaren är"),
        choices=options(choices(GUARDIAN_KIND)),
        default="parent",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    guardian_2_protected = BooleanField(
        _l("Den andra vårdnadshavaren har skyddade personuppgifter")
    )
    guardian_2_language = _language(_l("Språk som den andra vårdnadshavaren helst läser"))
    responsible_agency_id = _select(_l("Verksamhet med huvudansvar (region eller kommun)"))

    def validate_child_birth_date(self, field: Any) -> None:
        today = stockholm_today()
        if field.data and field.data > today:
            raise ValidationError(_l("Födelsedatumet kan inte vara i framtiden."))
        born = field.data
        if (
            born
            and today.year - born.year - ((today.month, today.day) < (born.month, born.day)) >= 18
        ):
            raise ValidationError(_l("En SIP i Min SIP gäller barn under 18 år."))


class MemberForm(FlaskForm):
    """Someone joins the plan: a guardian or relative by name, or a professional
    from the agencies' directory (membership only, never an invitation)."""

    kind = RadioField(
        _l("Vem vill du lägga till?"),
        choices=options(
            [
                ("guardian", _l("En vårdnadshavare")),
                ("relative", _l("En anhörig")),
                ("professional", _l("Personal från en verksamhet")),
                ("translator", _l("En översättare (bara planens översättningar)")),
            ]
        ),
        validators=[InputRequired(CHOICE_MESSAGE)],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    name = _text(_l("Namn (vårdnadshavare eller anhörig)"), NAME_MAX)
    guardian_kind = SelectField(
        _l("Vårdnadshavaren är"),
        choices=options(choices(GUARDIAN_KIND)),
        default="parent",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    protected = BooleanField(_l("Vårdnadshavaren eller den anhöriga har skyddade personuppgifter"))
    professional_id = _select(_l("Personal från verksamheternas register"), required=False)

    def validate(self, extra_validators: Any = None) -> bool:
        """What is needed depends on who joins (an empty optional field skips its
        own checks, so these are made here)."""
        valid = super().validate(extra_validators)
        if self.kind.data in ("guardian", "relative") and not self.name.data:
            self.name.errors = [*self.name.errors, _l("Fyll i namnet.")]
            valid = False
        if self.kind.data in ("professional", "translator") and not self.professional_id.data:
            self.professional_id.errors = [
                *self.professional_id.errors,
                _l("Välj vem i personalen som ska vara med."),
            ]
            valid = False
        return valid


class EditMemberForm(FlaskForm):
    """A family member's details as the family told them: the name, for a guardian
    what kind of guardian (which decides custody, so consent), protected identity."""

    name = _text(_l("Namn"), NAME_MAX, required=_l("Fyll i namnet."))
    guardian_kind = SelectField(
        _l("Vårdnadshavaren är"),
        choices=options(choices(GUARDIAN_KIND)),
        default="parent",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    protected = BooleanField(_l("Har skyddade personuppgifter"))
    language = _language(_l("Språk som personen helst läser"))


class DetailsForm(VersionedForm):
    background = _text(_l("Bakgrund, med enkla ord"), TEXT_MAX)
    meeting_question = _text(_l("Frågan till mötet: vad ska mötet svara på?"), 2000)
    follow_up_date = _date(_l("Datum för uppföljning"))
    responsible_agency_id = _select(_l("Verksamhet med huvudansvar (region eller kommun)"))
    no_other_actions = BooleanField(
        _l("Inga andra insatser: ingen utanför regionen och kommunen ger hjälp just nu")
    )

    def validate_follow_up_date(self, field: Any) -> None:
        if field.data and field.data < stockholm_today():
            raise ValidationError(_l("Uppföljningen kan inte vara före i dag."))


class GoalForm(VersionedForm):
    text = _text(_l("Målet"), 2000, required=_l("Skriv målet."))
    words_of = SelectField(
        _l("Vems ord är det?"),
        choices=options(choices(WORDS_OF)),
        default="child",
        invalid_choice_message=CHOICE_MESSAGE,
    )


class ActionForm(VersionedForm):
    title = _text(_l("Vad hjälpen heter"), TITLE_MAX, required=_l("Fyll i vad hjälpen heter."))
    description = _text(_l("Vad händer, för vuxna"), TEXT_MAX)
    child_description = _text(_l("Text till barnet"), TEXT_MAX)
    family_part = _text(_l("Det här gör familjen själv"), TEXT_MAX)
    goal_id = _select(_l("Varför: målet som hjälpen är till för"), required=False)
    responsible_agency_id = _select(_l("Ansvarig verksamhet"))
    contact_person_id = _select(_l("Kontaktperson"), required=False)
    planned_start = _date(_l("Startdatum"))
    planned_end = _date(_l("Slutdatum"))

    def validate_planned_end(self, field: Any) -> None:
        start = self.planned_start.data
        if field.data and isinstance(start, date) and field.data < start:
            raise ValidationError(_l("Slutdatumet kan inte vara före startdatumet."))


class StatusForm(VersionedForm):
    status = SelectField(
        _l("Ny status"),
        choices=options(choices(ACTION_STATUS, ACTION_STATUS_CHANGES)),
        invalid_choice_message=CHOICE_MESSAGE,
    )
    on = _date(_l("Datum"), required=_l("Fyll i datumet."))

    def validate_on(self, field: Any) -> None:
        if field.data and field.data > stockholm_today():
            raise ValidationError(_l("Datumet kan inte vara i framtiden."))


class HarmFlagForm(FlaskForm):
    reason = _text(
        _l("Skäl (bara teamet ser det)"), 2000, required=_l("Skriv skälet till att dölja.")
    )


class RecordConsentForm(FlaskForm):
    """A consent the family gave on paper or orally, recorded afterwards."""

    agency_id = _select(_l("Samtycke till verksamheten"))
    person_id = _select(_l("Vem gav samtycket?"))
    method = RadioField(
        _l("Hur gavs samtycket?"),
        choices=options([("written", _l("Skriftligt, på papper")), ("oral", _l("Muntligt"))]),
        validators=[InputRequired(CHOICE_MESSAGE)],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    given_on = _date(_l("Datum då samtycket gavs"), required=_l("Fyll i datumet."))
    valid_to = _date(_l("Samtycket gäller till och med"), required=_l("Fyll i slutdatumet."))

    def validate_given_on(self, field: Any) -> None:
        if field.data and field.data > stockholm_today():
            raise ValidationError(_l("Datumet kan inte vara i framtiden."))

    def validate_valid_to(self, field: Any) -> None:
        if field.data and field.data < stockholm_today():
            raise ValidationError(_l("Slutdatumet kan inte vara före i dag."))
        given = self.given_on.data
        if field.data and isinstance(given, date) and field.data < given:
            raise ValidationError(_l("Slutdatumet kan inte vara före datumet då samtycket gavs."))


class ConsentExceptionForm(FlaskForm):
    """An exception that stands in for one party's consent (decision 10)."""

    agency_id = _select(_l("Verksamheten som får tillgång"))
    person_id = _select(_l("Undantaget gäller samtycket från"))
    legal_ref = _text(
        _l("Lagrum"), 200, required=_l("Skriv lagrummet, till exempel OSL 12 kap. 3 §.")
    )
    reason = _text(
        _l("Skäl (bara teamet ser det)"), 2000, required=_l("Skriv skälet till undantaget.")
    )
    decided_by = _text(_l("Vem beslutade?"), 200, required=_l("Skriv vem som beslutade."))
    valid_to = _date(_l("Undantaget gäller till och med"), required=_l("Fyll i slutdatumet."))

    def validate_valid_to(self, field: Any) -> None:
        if field.data and field.data < stockholm_today():
            raise ValidationError(_l("Slutdatumet kan inte vara före i dag."))


CONSENT_METHOD = [("written", _l("Skriftligt, på papper")), ("oral", _l("Muntligt"))]


class ChildSayForm(FlaskForm):
    """The child's own consent (from the consent age) or assent (from the assent
    age), given outside the app and recorded by the coordinator (rule 3)."""

    agency_id = _select(_l("Verksamheten det gäller"))
    say = RadioField(
        _l("Vad sa barnet?"),
        choices=options(
            [
                ("consent", _l("Barnet samtycker själv (från 15 år, eller bedömt moget)")),
                ("assent", _l("Barnet går med på det (12–14 år)")),
                ("dissent", _l("Barnet går inte med på det (12–14 år)")),
            ]
        ),
        validators=[InputRequired(CHOICE_MESSAGE)],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    method = RadioField(
        _l("Hur sa barnet det?"),
        choices=options(CONSENT_METHOD),
        validators=[InputRequired(CHOICE_MESSAGE)],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    given_on = _date(_l("Datum"), required=_l("Fyll i datumet."))
    valid_to = _date(_l("Samtycket gäller till och med (bara för samtycke)"))

    def validate_given_on(self, field: Any) -> None:
        if field.data and field.data > stockholm_today():
            raise ValidationError(_l("Datumet kan inte vara i framtiden."))

    def validate_valid_to(self, field: Any) -> None:
        if self.say.data == "consent" and not field.data:
            raise ValidationError(_l("Fyll i till och med när samtycket gäller."))
        if field.data and field.data < stockholm_today():
            raise ValidationError(_l("Slutdatumet kan inte vara före i dag."))


class Fb613aForm(FlaskForm):
    """Socialnämndens beslut (FB 6 kap. 13 a §) that care may start without one
    guardian's consent: it stands in for that guardian's consent until it ends."""

    agency_id = _select(_l("Verksamheten som får ge vården"))
    person_id = _select(_l("Vårdnadshavaren vars samtycke beslutet ersätter"))
    decided_by = _text(
        _l("Vem beslutade?"), 200, required=_l("Skriv vem som beslutade."), default="Socialnämnden"
    )
    decided_on = _date(_l("Datum för beslutet"), required=_l("Fyll i datumet för beslutet."))
    valid_to = _date(_l("Beslutet gäller till och med"), required=_l("Fyll i slutdatumet."))
    reason = _text(
        _l("Skäl (bara teamet ser det)"), 2000, required=_l("Skriv skälet till beslutet.")
    )

    def validate_decided_on(self, field: Any) -> None:
        if field.data and field.data > stockholm_today():
            raise ValidationError(_l("Datumet kan inte vara i framtiden."))

    def validate_valid_to(self, field: Any) -> None:
        if field.data and field.data < stockholm_today():
            raise ValidationError(_l("Slutdatumet kan inte vara före i dag."))


class MaturityForm(FlaskForm):
    """A professional's judgement of the child's maturity (rule 3): only with a
    written reason, which is audited (the act, never the text)."""

    agency_id = _select(_l("Verksamheten det gäller"))
    judgement = RadioField(
        _l("Bedömning"),
        choices=options(
            [
                ("judged_mature", _l("Barnet är moget nog att själv samtycka")),
                ("consent_waived", _l("Barnets eget samtycke behövs inte")),
            ]
        ),
        validators=[InputRequired(CHOICE_MESSAGE)],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    reason = _text(
        _l("Skäl (bara teamet ser det)"), 2000, required=_l("Skriv skälet till bedömningen.")
    )
    decided_by = _text(_l("Vem bedömde?"), 200, required=_l("Skriv vem som bedömde."))
    valid_to = _date(_l("Bedömningen gäller till och med"), required=_l("Fyll i slutdatumet."))

    def validate_valid_to(self, field: Any) -> None:
        if field.data and field.data < stockholm_today():
            raise ValidationError(_l("Slutdatumet kan inte vara före i dag."))


class EmptyForm(FlaskForm):
    """A button only (publish, clear a flag): the CSRF token is the whole form."""


DATETIME_MESSAGE = _l("Skriv dag och tid, till exempel 2026-03-01 14:00.")
DURATIONS = [
    ("30", _l("30 minuter")),
    ("60", _l("1 timme")),
    ("90", _l("1,5 timme")),
    ("120", _l("2 timmar")),
]


class MeetingForm(FlaskForm):
    """Schedule or move a meeting; the family's calendar follows (SEQUENCE grows)."""

    kind = SelectField(
        _l("Slags möte"),
        choices=options(choices(MEETING_KIND)),
        default="sip",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    starts_at = DateTimeLocalField(
        _l("Mötet börjar"),
        validators=[InputRequired(_l("Fyll i när mötet börjar."))],
        invalid_value_message=DATETIME_MESSAGE,
        tz=STOCKHOLM,
    )
    minutes = SelectField(
        _l("Hur länge"),
        choices=options(DURATIONS),
        default="60",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    place = _text(_l("Plats"), 200)
    video_url = _text(_l("Länk till videomöte (om mötet är på video)"), 300)

    def validate_starts_at(self, field: Any) -> None:
        if field.data and field.data < datetime.now(STOCKHOLM):
            raise ValidationError(_l("Mötet kan inte börja innan nu."))

    def validate_video_url(self, field: Any) -> None:
        if field.data and not field.data.startswith("https://"):
            raise ValidationError(_l("Länken ska börja med https://"))


class AgendaItemForm(FlaskForm):
    """A point the team puts on a meeting's agenda."""

    text = _text(_l("Ny punkt på dagordningen"), 500, required=_l("Skriv punkten."))


class AttendanceForm(FlaskForm):
    """Who from the team comes and how the child takes part; the route adds one
    group of fields per team member (attend_<id>, role_<id>, decide_<id>)."""

    child_participation = SelectField(
        _l("Så är barnet med"),
        choices=options([("", _l("Inte bestämt än")), *choices(CHILD_PARTICIPATION)]),
        default="",
        invalid_choice_message=CHOICE_MESSAGE,
    )
    child_represented_by = _text(_l("Vem talar för barnet? (om någon annan gör det)"), NAME_MAX)

    def validate(self, extra_validators: Any = None) -> bool:
        """Who speaks for the child is needed only when someone else does (an empty
        optional field skips its own checks, so this is made here)."""
        valid = super().validate(extra_validators)
        field = self.child_represented_by
        if self.child_participation.data == "represented_by" and not field.data:
            field.errors = [*field.errors, _l("Skriv vem som talar för barnet.")]
            valid = False
        return valid


# --- after the meeting ---------------------------------------------------------------------


class MultiCheckboxField(SelectMultipleField):
    """Several yes/no choices in one group: one checkbox per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OutcomeForm(FlaskForm):
    """What came of a meeting: who took part, how the child took part, a summary
    and how the child's views were taken into account. The route sets the
    attendees as choices; an attendee left unticked did not take part."""

    version = HiddenField(validators=[InputRequired(RELOAD_MESSAGE)])
    took_part = MultiCheckboxField(
        _l("De här var med på mötet"),
        coerce=_id_or_none,
        validate_choice=True,
        invalid_choice_message=CHOICE_MESSAGE,
        validators=[Optional()],
    )
    child_participation = RadioField(
        _l("Hur var barnet med?"),
        choices=options(choices(CHILD_TOOK_PART)),
        validators=[InputRequired(_l("Välj hur barnet var med på mötet."))],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    child_represented_by = _text(_l("Vem talade för barnet?"), NAME_MAX)
    summary = _text(
        _l("Det här hände på mötet, med enkla ord"),
        TEXT_MAX,
        required=_l("Skriv kort vad som hände på mötet."),
    )
    child_views_used = _text(
        _l("Så togs barnets tankar och önskemål till vara"),
        TEXT_MAX,
        required=_l("Skriv hur barnets tankar och önskemål togs till vara."),
    )
    child_views_used_child = _text(_l("Samma sak till barnet, med barnets ord"), TEXT_MAX)

    def validate_version(self, field: Any) -> None:
        if not str(field.data).isdigit():
            raise ValidationError(RELOAD_MESSAGE)

    def validate(self, extra_validators: Any = None) -> bool:
        """Who spoke for the child is needed when someone did (an empty optional
        field skips its own checks, so this is made here)."""
        valid = super().validate(extra_validators)
        field = self.child_represented_by
        if self.child_participation.data == "represented_by" and not field.data:
            field.errors = [*field.errors, _l("Skriv vem som talade för barnet.")]
            valid = False
        return valid

    @property
    def read_version(self) -> int:
        return int(self.version.data)


CHILD_TEXT_MESSAGE = _l(
    "Skriv beslutet till barnet. Barnet ser den texten i stället för texten till vuxna."
)


class DecisionForm(VersionedForm):
    """Who does what by when, decided at the meeting, with a text for the child."""

    what = _text(_l("Vad ska göras, för vuxna"), 2000, required=_l("Skriv vad som ska göras."))
    child_what = _text(_l("Text till barnet"), 2000)
    agency_id = _select(_l("Ansvarig verksamhet"), required=False)
    person_id = _select(_l("Ansvarig person"), required=False)
    by_date = _date(_l("Klart senast"))

    def __init__(self, *args: Any, meeting_day: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting_day = meeting_day
        self.child_text_needed = False
        self.agency_needed = False

    def validate_by_date(self, field: Any) -> None:
        if field.data and self.meeting_day and field.data < self.meeting_day:
            raise ValidationError(_l("Datumet kan inte vara före mötet."))

    def validate(self, extra_validators: Any = None) -> bool:
        """A professional decides for their own agency only, so must name it, and a
        child who is asked (from 6) gets a text of their own (an empty optional
        field skips its own checks, so these are made here)."""
        valid = super().validate(extra_validators)
        if self.agency_needed and self.agency_id.data is None:
            self.agency_id.errors = [*self.agency_id.errors, _l("Välj ansvarig verksamhet.")]
            valid = False
        if self.child_text_needed and not self.child_what.data:
            self.child_what.errors = [*self.child_what.errors, CHILD_TEXT_MESSAGE]
            valid = False
        return valid


def attendance_form(team_ids: list[int], **kwargs: Any) -> AttendanceForm:
    """An AttendanceForm with a group of fields for each of these team members."""

    class ForThisMeeting(AttendanceForm):
        pass

    for person_id in team_ids:
        setattr(ForThisMeeting, f"attend_{person_id}", BooleanField(_l("Kommer till mötet")))
        setattr(ForThisMeeting, f"role_{person_id}", _text(_l("Roll på mötet"), NAME_MAX))
        setattr(
            ForThisMeeting,
            f"decide_{person_id}",
            BooleanField(_l("Kan fatta beslut för sin verksamhet")),
        )
    return ForThisMeeting(**kwargs)


class RemoveDecisionForm(VersionedForm):
    """A button and the version the decision was read at."""
