"""The questions before a meeting, in child words and adult words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..models import Audience


@dataclass(frozen=True)
class Prompt:
    key: str
    child: LazyString  # asked of the child
    adult: LazyString  # asked of a guardian
    hint: LazyString | None = None
    kind: str = "text"  # text | take_part
    default_audience: str = Audience.EVERYONE
    is_wish: bool = False  # the team answers it after the meeting
    pictures: bool = False  # may be answered by choosing pictures


PROMPTS: list[Prompt] = [
    Prompt(
        "going_well",
        _l("Vad går bra just nu?"),
        _l("Vad går bra just nu?"),
        _l("Det kan vara något litet."),
        pictures=True,
    ),
    Prompt(
        "hard",
        _l("Vad är svårt?"),
        _l("Vad är svårt för barnet eller familjen just nu?"),
        pictures=True,
    ),
    Prompt(
        "want_help",
        _l("Vad vill du ha hjälp med?"),
        _l("Vad vill ni ha hjälp med?"),
        is_wish=True,
        pictures=True,
    ),
    Prompt(
        "adults_know",
        _l("Vad vill du att de vuxna ska veta?"),
        _l("Vad vill du att teamet ska veta inför mötet?"),
    ),
    Prompt(
        "not_talk",
        _l("Finns det något du inte vill prata om på mötet?"),
        _l("Finns det något som inte ska tas upp när barnet är med?"),
        _l("Bara din samordnare ser det här, om du inte väljer något annat."),
        default_audience=Audience.COORDINATOR,
        is_wish=True,
    ),
    Prompt(
        "who_attend",
        _l("Vem vill du ska vara med på mötet?"),
        _l("Vem vill ni ska vara med på mötet?"),
        is_wish=True,
    ),
    Prompt(
        "take_part",
        _l("Hur vill du vara med på mötet?"),
        _l("Hur vill barnet vara med på mötet, tror du?"),
        kind="take_part",
        is_wish=True,
    ),
]
PROMPT_KEYS = [p.key for p in PROMPTS]
BY_KEY = {p.key: p for p in PROMPTS}

MOODS = {
    "happy": _l("Glad"),
    "okay": _l("Helt okej"),
    "sad": _l("Ledsen"),
    "worried": _l("Orolig"),
    "angry": _l("Arg"),
}

PICTURES = {
    "school": _l("Skolan"),
    "home": _l("Hemma"),
    "friends": _l("Kompisar"),
    "sleep": _l("Sömnen"),
    "feelings": _l("Känslor"),
    "free_time": _l("Fritiden"),
}

TAKE_PART = {
    "present": _l("Jag vill vara med hela tiden"),
    "part": _l("Jag vill vara med en del av tiden"),
    "phone": _l("Jag vill vara med på telefon eller video"),
    "represented_by": _l("Jag vill att någon annan pratar för mig"),
}

MAX_TEXT = 20_000
