"""Words we use: plain explanations, linked from where each word appears.

Every term has an explanation for adults and, where a child's page can show
the word, one written to the child ("du", short sentences, DESIGN.md sections
6 and 9). The glossary page shows the child's list to a child and the adults'
list to everyone else; ``tests/functional/test_child_words.py`` finds every
term a child's page uses and fails when the child's list does not explain it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flask import g, url_for
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup


@dataclass(frozen=True)
class Term:
    key: str  # the anchor: /glossary#<key>
    word: LazyString
    meaning: LazyString
    # The same word explained to a child; None: not a word a child's page uses.
    child: LazyString | None = None


TERMS = [
    Term(
        "sip",
        _l("SIP"),
        _l(
            "SIP betyder samordnad individuell plan. Det är en plan som flera verksamheter "
            "gör tillsammans med barnet och familjen. Planen visar vem som gör vad."
        ),
        _l(
            "SIP är din plan. Det betyder samordnad individuell plan. Alla som hjälper dig "
            "gör den ihop med dig och din familj. Där står vem som gör vad."
        ),
    ),
    Term(
        "bup",
        _l("BUP"),
        _l(
            "BUP betyder barn- och ungdomspsykiatri. BUP hjälper barn och unga som mår psykiskt dåligt."
        ),
        _l(
            "BUP är ett ställe för barn och unga som mår dåligt. Där kan du prata med "
            "någon som vet mycket om hur man tänker och känner."
        ),
    ),
    Term(
        "socialtjansten",
        _l("Socialtjänsten"),
        _l(
            "Socialtjänsten finns i kommunen. Den ger stöd till barn och familjer, till exempel samtal "
            "och hjälp hemma."
        ),
        _l(
            "Socialtjänsten finns i din kommun. De hjälper barn och familjer. Till exempel "
            "med samtal eller med stöd hemma."
        ),
    ),
    Term(
        "elevhalsan",
        _l("Elevhälsan"),
        _l(
            "Elevhälsan finns i skolan. Där arbetar skolsköterska, kurator, psykolog och specialpedagog."
        ),
        _l(
            "Elevhälsan är de vuxna i skolan som hjälper dig att må bra. Där finns "
            "skolsköterska, kurator, psykolog och specialpedagog."
        ),
    ),
    Term(
        "vardcentral",
        _l("Vårdcentral"),
        _l(
            "Vårdcentralen tar hand om vanlig hälsa och sjukdom, till exempel sömn och ont i magen."
        ),
        _l(
            "På vårdcentralen får du hjälp när du är sjuk eller har ont. Du kan också få hjälp "
            "om du sover dåligt."
        ),
    ),
    Term(
        "habilitering",
        _l("Habilitering"),
        _l("Habiliteringen hjälper barn med en funktionsnedsättning att klara vardagen."),
        _l(
            "Habiliteringen hjälper barn vars kropp eller hjärna fungerar på ett annat sätt. "
            "De hjälper dig att klara det du vill göra varje dag."
        ),
    ),
    Term(
        "samordnare",
        _l("Samordnare"),
        _l(
            "Samordnaren håller ihop planen. Hen kallar till möten och är er kontakt för allt i planen."
        ),
        _l(
            "Samordnaren ser till att alla gör det de har lovat. Du kan fråga hen om allt i din plan."
        ),
    ),
    Term(
        "samtycke",
        _l("Samtycke"),
        _l(
            "Samtycke betyder att ni säger ja till att verksamheterna får prata med varandra om barnet. "
            "Ni kan ändra er när ni vill."
        ),
        _l(
            "Samtycke betyder att man säger ja. De som hjälper dig får bara prata med varandra "
            "om din familj säger ja. Du får också säga vad du tycker."
        ),
    ),
    Term(
        "insats",
        _l("Insats"),
        _l(
            "En insats är hjälp som barnet eller familjen får. Till exempel samtal, stöd i skolan "
            "eller träning."
        ),
        _l(
            "En insats är hjälp som du eller din familj får. Till exempel samtal eller stöd i skolan."
        ),
    ),
    Term(
        "vardnadshavare",
        _l("Vårdnadshavare"),
        _l(
            "Vårdnadshavare är den vuxna som har ansvar för barnet enligt lagen. Oftast en förälder."
        ),
        _l(
            "Din vårdnadshavare är en vuxen som har ansvar för dig. Oftast är det mamma eller pappa."
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
        _l("HVB är ett hem där barn och unga kan bo en tid och få stöd."),
    ),
    Term(
        "sis",
        _l("SiS"),
        _l(
            "SiS betyder Statens institutionsstyrelse. SiS har särskilda ungdomshem för unga som "
            "behöver mycket stöd."
        ),
        _l("SiS har hem för unga som behöver mycket stöd. Där bor de en tid."),
    ),
    Term(
        "lss",
        _l("LSS"),
        _l(
            "LSS är en lag om stöd till personer med vissa funktionsnedsättningar. "
            "Till exempel korttidsboende eller en kontaktperson."
        ),
        _l(
            "LSS är en lag. Den ger stöd till den som har en funktionsnedsättning. "
            "Till exempel en kontaktperson att göra saker med."
        ),
    ),
    Term(
        "kbt",
        _l("KBT"),
        _l(
            "KBT betyder kognitiv beteendeterapi. Det är samtal där man övar på nya sätt att "
            "tänka och göra, till exempel mot oro."
        ),
        _l(
            "KBT är ett sätt att prata om det som är svårt. Du och den du träffar hittar nya sätt "
            "att tänka och göra. Det hjälper ofta mot oro."
        ),
    ),
    Term(
        "adhd",
        _l("ADHD"),
        _l(
            "ADHD är en diagnos. Den som har ADHD kan ha svårt med koncentration, att vänta "
            "eller att sitta still. Det finns stöd och behandling som hjälper."
        ),
        _l(
            "ADHD är ett namn på att hjärnan fungerar på ett visst sätt. Det kan vara svårt att "
            "sitta still, vänta eller hålla kvar tankarna. Många har ADHD. Det finns hjälp."
        ),
    ),
    Term(
        "utredning",
        _l("Utredning"),
        _l(
            "En utredning tar reda på hur barnet har det och vad barnet behöver. Den görs med "
            "samtal, tester och frågor till familjen och skolan."
        ),
        _l(
            "En utredning är när någon tar reda på mer. Du träffar en person några gånger. Ni "
            "pratar och gör uppgifter. Sedan vet de vuxna bättre hur de kan hjälpa dig."
        ),
    ),
    Term(
        "kurator",
        _l("Kurator"),
        _l(
            "En kurator ger stöd genom samtal, till exempel i skolan eller på BUP. Kuratorn kan "
            "också hjälpa familjen att hitta annan hjälp."
        ),
        _l(
            "En kurator är en vuxen som du kan prata med. Om hur du mår, om kompisar eller om "
            "det som händer hemma."
        ),
    ),
    Term(
        "skolskoterska",
        _l("Skolsköterska"),
        _l("Skolsköterskan arbetar med elevernas hälsa i skolan."),
        _l("Skolsköterskan finns i skolan. Hen hjälper dig om du är sjuk, har ont eller är trött."),
    ),
    Term(
        "psykolog",
        _l("Psykolog"),
        _l(
            "En psykolog kan mycket om hur människor tänker, känner och gör. Psykologen kan "
            "göra utredningar och ge behandling med samtal."
        ),
        _l(
            "En psykolog vet mycket om hur man tänker och känner. Hen pratar med dig om det som är svårt."
        ),
    ),
    Term(
        "specialpedagog",
        _l("Specialpedagog"),
        _l(
            "En specialpedagog är en lärare som hjälper skolan att anpassa undervisningen efter "
            "elevens behov."
        ),
        _l(
            "En specialpedagog är en lärare som hjälper dig att lära dig på ett sätt som passar dig."
        ),
    ),
    Term(
        "socialsekreterare",
        _l("Socialsekreterare"),
        _l(
            "En socialsekreterare arbetar på socialtjänsten. Hen utreder vad barn och familjer "
            "behöver och ger stöd."
        ),
        _l("En socialsekreterare jobbar på socialtjänsten. Hen hjälper barn och familjer."),
    ),
    Term(
        "tolk",
        _l("Tolk"),
        _l(
            "En tolk översätter allt som sägs på mötet. Tolken har tystnadsplikt. Samordnaren "
            "bokar tolken, och det kostar inget för familjen."
        ),
        _l("En tolk säger allt på mötet på ett annat språk. Då kan alla förstå varandra."),
    ),
    Term(
        "god-man",
        _l("God man"),
        _l(
            "En god man utses för ett barn som kom till Sverige utan sina föräldrar. Den gode "
            "mannen företräder barnet i stället för vårdnadshavarna."
        ),
        _l("En god man är en vuxen som hjälper dig när dina föräldrar inte är här."),
    ),
    Term(
        "inloggningsnyckel",
        _l("Inloggningsnyckel"),
        _l(
            "En inloggningsnyckel (på engelska passkey) är ett sätt att logga in utan lösenord. "
            "Nyckeln finns i din telefon eller dator. Du låser upp den med skärmlåset, till "
            "exempel fingeravtryck, ansikte eller kod."
        ),
        _l(
            "Med en inloggningsnyckel loggar du in utan lösenord. Du låser upp telefonen som "
            "vanligt, med fingret, ansiktet eller koden. Nyckeln finns bara i din telefon."
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


# The child's glossary: the words a child's page can show, explained to the child.
CHILD_TERMS = [Term(t.key, t.word, t.child) for t in TERMS if t.child is not None]


def terms_for(child: bool) -> list[Term]:
    """The glossary a reader gets: the child's own words for a child."""
    return CHILD_TERMS if child else TERMS


def term(key: str, child: bool = False) -> Term | None:
    """One term by its key, explained for a child or for an adult."""
    return next((t for t in terms_for(child) if t.key == key), None)


def _term_pattern() -> re.Pattern[str]:
    """One pattern for every term: abbreviations exactly (KBT, SiS), words with
    any ending and either first letter ("utredningen", "Kuratorn"). The words are
    in the reader's language; the pattern is compiled once per set of words, and
    the words are translated once per request and language (a page links terms a
    dozen times; translating 26 words each time was a fifth of the plan page)."""
    locale = str(get_locale() or "")
    cached = g.get("_glossary_pattern")
    if cached is None or cached[0] != locale:
        cached = (locale, _compiled(tuple((t.key, str(t.word)) for t in TERMS)))
        g._glossary_pattern = cached
    return cached[1]


@functools.lru_cache(maxsize=64)
def _compiled(words: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """Keyed by the words themselves, so a language (or a catalogue change) can
    never get another language's pattern; a page links terms a dozen times."""
    parts = []
    for key, word in words:
        if any(c.isupper() for c in word[1:]):
            parts.append(rf"(?P<{_group(key)}>\b{re.escape(word)}\b)")
        else:
            head, rest = word[0], re.escape(word[1:])
            parts.append(rf"(?P<{_group(key)}>\b[{head.upper()}{head.lower()}]{rest}\w*)")
    return re.compile("|".join(parts))


def _group(key: str) -> str:
    return "t_" + key.replace("-", "_")


def link_terms(text: str) -> Markup:
    """Plan text (written by the team) with each glossary word linked the first
    time it appears, so a reader can look up "KBT" or "utredning" where they meet
    it (DESIGN.md section 9). The text is escaped; only the links are markup.
    The pattern is the reader's language's, compiled once per process."""
    pattern = _term_pattern()
    link = Markup('<a class="term" href="{}#{}">{}</a>')
    seen: set[str] = set()
    out = Markup("")
    last = 0
    for match in pattern.finditer(text):
        key = next(k for k, v in match.groupdict().items() if v is not None)
        if key in seen:
            continue
        seen.add(key)
        anchor = key[2:].replace("_", "-")
        # Adding a str to Markup escapes it; format escapes its arguments.
        out += text[last : match.start()]
        out += link.format(url_for("main.glossary"), anchor, match.group(0))
        last = match.end()
    return out + text[last:]
