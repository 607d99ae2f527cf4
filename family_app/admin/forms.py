"""The agency admin's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..workspace.forms import CHOICE_MESSAGE, NAME_MAX, _strip, _text, options

REASON_MAX = 500


class NewStaffForm(FlaskForm):
    """A professional added to the admin's own agency (decision 5): only the agency's
    admin adds and invites its staff, never a coordinator."""

    display_name = _text(_l("Namn"), NAME_MAX, required=_l("Skriv medarbetarens namn."))
    title = _text(_l("Titel (till exempel kurator)"), NAME_MAX)
    phone = StringField(
        _l("Telefon i arbetet (frivilligt)"),
        validators=[
            Optional(),
            Length(max=40, message=_l("Texten får vara högst %(max)d tecken.", max=40)),
            Regexp(r"^[0-9 +()\-]*$", message=_l("Skriv bara siffror, mellanslag, +, ( ) och -.")),
        ],
        filters=[_strip],
    )
    is_admin = BooleanField(_l("Administratör för verksamheten (får lägga till och bjuda in)"))


class ReinviteReasonForm(FlaskForm):
    """Why an account that already has passkeys is invited again (the admin page
    lists every such reason)."""

    reason = _text(
        _l("Varför behövs en ny inbjudan?"),
        REASON_MAX,
        required=_l("Skriv varför en ny inbjudan behövs (högst 500 tecken)."),
    )


API_TOKEN_DAYS = (30, 90, 365)


class NewApiTokenForm(FlaskForm):
    """An API token for the agency's own system (issue 15): what it is for, and how
    long it works; the admin can revoke it any time before."""

    name = _text(
        _l("Vilket system ska använda nyckeln?"),
        80,
        required=_l("Skriv vilket system nyckeln är till (högst 80 tecken)."),
    )
    days = RadioField(
        _l("Hur länge ska nyckeln fungera?"),
        choices=options([(30, _l("30 dagar")), (90, _l("90 dagar")), (365, _l("Ett år"))]),
        coerce=int,
        default=90,
        validators=[InputRequired(CHOICE_MESSAGE)],
        invalid_choice_message=CHOICE_MESSAGE,
    )
