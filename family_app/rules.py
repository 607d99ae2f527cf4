"""The domain rules of DESIGN.md section 4, as pure functions.

Nothing here touches the database or Flask, so the rules can be tested on their
own (and with hypothesis) and every caller applies the very same statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class AgeRules:
    """Child's say (rule 3) and guardian access (rule 6) by age; per deployment."""

    asked_from: int = 6
    assent_from: int = 12
    consent_from: int = 15
    guardian_full_proxy_under: int = 13
    # From this birthday the young person alone decides and guardians lose access
    # (DESIGN 11, decision 3).
    adult_from: int = 18

    @classmethod
    def from_config(cls, config: dict) -> AgeRules:
        return cls(
            asked_from=config["CHILD_ASKED_FROM_AGE"],
            assent_from=config["CHILD_ASSENT_FROM_AGE"],
            consent_from=config["CHILD_CONSENT_FROM_AGE"],
            guardian_full_proxy_under=config["GUARDIAN_FULL_PROXY_UNDER_AGE"],
            adult_from=config.get("ADULT_FROM_AGE", 18),
        )


class ChildSay(StrEnum):
    NONE = "none"  # too young to be asked
    ASKED = "asked"  # the child's view is asked for and shown
    ASSENT = "assent"  # the child's assent is recorded
    CONSENT = "consent"  # the child's own consent is required


def child_say(age: int | None, rules: AgeRules) -> ChildSay:
    if age is None:
        return ChildSay.ASKED
    if age >= rules.consent_from:
        return ChildSay.CONSENT
    if age >= rules.assent_from:
        return ChildSay.ASSENT
    if age >= rules.asked_from:
        return ChildSay.ASKED
    return ChildSay.NONE


def is_adult(age: int | None, rules: AgeRules) -> bool:
    """From the adult age guardians have no say and no access: an unknown birth
    date is never taken for adulthood (the guardians' access would end unseen)."""
    return age is not None and age >= rules.adult_from


def child_chooses_what_guardians_see(age: int | None, rules: AgeRules) -> bool:
    """Under the proxy age guardians see everything not harm-flagged (1177 practice)."""
    return age is not None and age >= rules.guardian_full_proxy_under


@dataclass(frozen=True)
class PartyState:
    """One party's stand on one consent, as stored."""

    person_id: int
    given_at: datetime | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    revoked_at: datetime | None = None
    exception: bool = False

    def in_force(self, now: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        if self.given_at is None and not self.exception:
            return False
        if self.valid_from is not None and now < self.valid_from:
            return False
        return not (self.valid_to is not None and now >= self.valid_to)


@dataclass(frozen=True)
class ConsentState:
    effective: bool
    missing: tuple[int, ...]  # required person ids whose consent is not in force


def effective_consent(
    custodial_guardian_ids: Iterable[int],
    child_id: int,
    child_age: int | None,
    parties: Iterable[PartyState],
    now: datetime,
    rules: AgeRules,
    child_consent_waived: bool = False,
    child_judged_mature: bool = False,
) -> ConsentState:
    """Rule 2: every guardian with custody, plus the child from the consent age,
    must have consent in force right now. Expired counts as revoked. From the
    adult age the young person's own consent alone counts (decision 3).

    ``child_consent_waived`` is a professional's audited maturity decision that
    the child's consent is not required; ``child_judged_mature`` one that a child
    under the consent age consents themself. Neither applies to an adult.
    """
    by_person = {p.person_id: p for p in parties}
    if is_adult(child_age, rules):
        in_force = child_id in by_person and by_person[child_id].in_force(now)
        return ConsentState(in_force, () if in_force else (child_id,))
    required = list(dict.fromkeys(custodial_guardian_ids))
    if not required:
        # No guardian with custody is recorded: the plan is incomplete, and an
        # incomplete plan never opens to an agency (not even on the child's own yes).
        return ConsentState(False, ())
    child_consents = child_say(child_age, rules) is ChildSay.CONSENT or child_judged_mature
    if child_consents and not child_consent_waived:
        required.append(child_id)
    missing = tuple(
        pid for pid in required if pid not in by_person or not by_person[pid].in_force(now)
    )
    return ConsentState(not missing, missing)


def is_late(status: str, planned_start: date | None, today: date) -> bool:
    return status == "planned" and planned_start is not None and planned_start < today


def lix(text: str) -> float:
    """Läsbarhetsindex: words/sentences + 100 * long words/words."""
    import re

    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return 0.0
    sentences = max(1, len(re.findall(r"[.!?:]+(?:\s|$)", text)))
    long_words = sum(1 for w in words if len(w) > 6)
    return len(words) / sentences + 100 * long_words / len(words)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the last day of a shorter month)."""
    import calendar

    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
