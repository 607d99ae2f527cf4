"""Words we use: plain explanations, linked from where each word appears."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Term:
    key: str  # the anchor: /glossary#<key>
    word: LazyString
    meaning: LazyString


TERMS = [
    Term(
        "sip",
        _l("SIP"),
        _l(
            "SIP betyder samordnad individuell plan. Det är en plan som flera verksamheter "
            "gör tillsammans med barnet och familjen. Planen visar vem som gör vad."
        ),
    ),
    Term(
        "bup",
        _l("BUP"),
        _l(
            "BUP betyder barn- och ungdomspsykiatri. BUP hjälper barn och unga som mår psykiskt dåligt."
        ),
    ),
    Term(
        "socialtjansten",
        _l("Socialtjänsten"),
        _l(
            "Socialtjänsten finns i kommunen. Den ger stöd till barn och familjer, till exempel samtal "
            "och hjälp hemma."
        ),
    ),
    Term(
        "elevhalsan",
        _l("Elevhälsan"),
        _l(
            "Elevhälsan finns i skolan. Där arbetar skolsköterska, kurator, psykolog och specialpedagog."
        ),
    ),
    Term(
        "vardcentral",
        _l("Vårdcentral"),
        _l(
            "Vårdcentralen tar hand om vanlig hälsa och sjukdom, till exempel sömn och ont i magen."
        ),
    ),
    Term(
        "habilitering",
        _l("Habilitering"),
        _l("Habiliteringen hjälper barn med en funktionsnedsättning att klara vardagen."),
    ),
    Term(
        "samordnare",
        _l("Samordnare"),
        _l(
            "Samordnaren håller ihop planen. Hen kallar till möten och är er kontakt för allt i planen."
        ),
    ),
    Term(
        "samtycke",
        _l("Samtycke"),
        _l(
            "Samtycke betyder att ni säger ja till att verksamheterna får prata med varandra om barnet. "
            "Ni kan ändra er när ni vill."
        ),
    ),
    Term(
        "insats",
        _l("Insats"),
        _l(
            "En insats är hjälp som barnet eller familjen får. Till exempel samtal, stöd i skolan "
            "eller träning."
        ),
    ),
    Term(
        "vardnadshavare",
        _l("Vårdnadshavare"),
        _l(
            "Vårdnadshavare är den vuxna som har ansvar för barnet enligt lagen. Oftast en förälder."
        ),
    ),
    Term(
        "huvudansvar",
        _l("Huvudansvar"),
        _l(
            "Den verksamhet som har huvudansvar ser till att planen blir av och följs upp. "
            "Det är alltid regionen eller kommunen."
        ),
    ),
    Term(
        "hvb",
        _l("HVB"),
        _l("HVB betyder hem för vård eller boende. Där kan barn och unga bo en tid och få stöd."),
    ),
    Term(
        "sis",
        _l("SiS"),
        _l(
            "SiS betyder Statens institutionsstyrelse. SiS har särskilda ungdomshem för unga som "
            "behöver mycket stöd."
        ),
    ),
    Term(
        "lss",
        _l("LSS"),
        _l(
            "LSS är en lag om stöd till personer med vissa funktionsnedsättningar. "
            "Till exempel korttidsboende eller en kontaktperson."
        ),
    ),
]

# The glossary entry that explains each kind of agency.
AGENCY_KIND_TERM = {
    "bup": "bup",
    "social_services": "socialtjansten",
    "school_health": "elevhalsan",
    "primary_care": "vardcentral",
    "habilitation": "habilitering",
    "sis": "sis",
    "hvb": "hvb",
}


def term(key: str) -> Term | None:
    return next((t for t in TERMS if t.key == key), None)
