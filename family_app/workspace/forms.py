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
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..access import stockholm_today
from ..labels import (
    ACTION_STATUS,
    ACTION_STATUS_CHANGES,
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

CHILD_LANGUAGE = {
    "sv": _l("Svenska"),
    "en": _l("Engelska"),
    "ar": _l("Arabiska"),
    "fa": _l("Persiska/dari"),
    "so": _l("Somaliska"),
    "ti": _l("Tigrinska"),
    "uk": _l("Ukrainska"),
    "pl": _l("Polska"),
    "fi": _l("Finska"),
}


def options(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; labels stay lazy (the reader's language)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def plain_text(form: FlaskForm, field: Any) -> None:
    """Text only: no control characters and nothing that looks like HTML markup."""
    value = field.data or ""
    if _CONTROL.search(value):
        raise ValidationError(_l("Texten har tecken som inte går att visa. Skriv om texten."))
    if _MARKUP.search(value):
        raise ValidationError(
            _l("Texten får inte innehålla tecknet < följt av bokstäver. Skriv utan kod.")
        )


def _text(label: Any, max_length: int, required: Any = None, **kwargs: Any) -> Any:
    """A text field; ``required`` is the message when it is left empty."""
    checks: list[Any] = [
        DataRequired(required) if required else Optional(),
        Length(max=max_length, message=_l("Texten får vara högst %(max)d tecken.", max=max_length)),
        plain_text,
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
    child_language = SelectField(
        _l("Språk som barnet helst läser"),
        choices=options(choices(CHILD_LANGUAGE)),
        default="sv",
        invalid_choice_message=CHOICE_MESSAGE,
    )
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
    guardian_2_name = _text(_l("Den andra vårdnadshavarens namn (om det finns)"), NAME_MAX)
    guardian_2_kind = SelectField(
        _l("Den andra vårdnadshavaren är"),
        choices=options(choices(GUARDIAN_KIND)),
        default="parent",
        invalid_choice_message=CHOICE_MESSAGE,
    )
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
    professional_id = _select(_l("Personal från verksamheternas register"), required=False)

    def validate(self, extra_validators: Any = None) -> bool:
        """What is needed depends on who joins (an empty optional field skips its
        own checks, so these are made here)."""
        valid = super().validate(extra_validators)
        if self.kind.data in ("guardian", "relative") and not self.name.data:
            self.name.errors = [*self.name.errors, _l("Fyll i namnet.")]
            valid = False
        if self.kind.data == "professional" and not self.professional_id.data:
            self.professional_id.errors = [
                *self.professional_id.errors,
                _l("Välj vem i personalen som ska vara med."),
            ]
            valid = False
        return valid


class DetailsForm(VersionedForm):
    background = _text(_l("Bakgrund, med enkla ord"), TEXT_MAX)
    follow_up_date = _date(_l("Datum för uppföljning"))
    responsible_agency_id = _select(_l("Verksamhet med huvudansvar (region eller kommun)"))

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
