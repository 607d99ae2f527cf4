"""The rules of DESIGN.md section 4 that need no database."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given as for_all
from hypothesis import strategies as st

from family_app.rules import (
    AgeRules,
    ChildSay,
    PartyState,
    child_chooses_what_guardians_see,
    child_say,
    effective_consent,
    is_adult,
    is_late,
    lix,
)

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
RULES = AgeRules()


def given(pid: int, **kw) -> PartyState:
    base = dict(given_at=NOW - timedelta(days=1), valid_to=NOW + timedelta(days=300))
    base.update(kw)
    return PartyState(person_id=pid, **base)


def test_planned_action_whose_start_has_passed_is_late():
    assert is_late("planned", date(2026, 11, 1), date(2026, 11, 30))


def test_started_action_is_never_late_and_future_start_is_not_late():
    assert not is_late("started", date(2026, 11, 1), date(2026, 11, 30))
    assert not is_late("planned", date(2026, 11, 30), date(2026, 11, 30))
    assert not is_late("planned", None, date(2026, 11, 30))


def test_childs_say_grows_with_age_at_the_configured_thresholds():
    assert child_say(5, RULES) is ChildSay.NONE
    assert child_say(6, RULES) is ChildSay.ASKED
    assert child_say(12, RULES) is ChildSay.ASSENT
    assert child_say(14, RULES) is ChildSay.ASSENT
    assert child_say(15, RULES) is ChildSay.CONSENT
    assert child_say(15, AgeRules(consent_from=16)) is ChildSay.ASSENT


def test_guardians_see_everything_under_thirteen_then_child_chooses():
    assert not child_chooses_what_guardians_see(12, RULES)
    assert child_chooses_what_guardians_see(13, RULES)


def test_consent_needs_every_guardian_with_custody():
    state = effective_consent([1, 2], 9, 10, [given(1)], NOW, RULES)
    assert not state.effective
    assert state.missing == (2,)
    assert effective_consent([1, 2], 9, 10, [given(1), given(2)], NOW, RULES).effective


def test_expired_consent_counts_as_revoked():
    expired = given(1, valid_to=NOW)
    assert not effective_consent([1], 9, 10, [expired], NOW, RULES).effective


def test_revoked_consent_is_not_effective_and_future_revocation_is():
    assert not effective_consent([1], 9, 10, [given(1, revoked_at=NOW)], NOW, RULES).effective
    later = given(1, revoked_at=NOW + timedelta(hours=1))
    assert effective_consent([1], 9, 10, [later], NOW, RULES).effective


def test_child_of_fifteen_must_consent_too_unless_a_professional_waived_it():
    assert not effective_consent([1], 9, 15, [given(1)], NOW, RULES).effective
    assert effective_consent([1], 9, 15, [given(1), given(9)], NOW, RULES).effective
    assert effective_consent(
        [1], 9, 15, [given(1)], NOW, RULES, child_consent_waived=True
    ).effective


def test_recorded_exception_stands_in_for_a_guardian():
    exception = PartyState(person_id=2, exception=True)
    assert effective_consent([1, 2], 9, 10, [given(1), exception], NOW, RULES).effective


def test_nobody_to_consent_means_no_consent():
    assert not effective_consent([], 9, 10, [], NOW, RULES).effective


def test_lix_of_short_child_sentences_is_low_and_long_words_raise_it():
    easy = "Du träffar Maja varje tisdag. Ni pratar om det som är svårt."
    hard = "Verksamhetsövergripande samordningsinsatser genomförs kontinuerligt."
    assert lix(easy) < 30
    assert lix(hard) > 60


# --- the 18th birthday (decision 3) and maturity overrides (rule 3) ---------------------


def test_from_eighteen_the_young_persons_own_consent_alone_counts():
    state = effective_consent([1, 2], 9, 18, [given(9)], NOW, RULES)
    assert state.effective and state.missing == ()


def test_from_eighteen_the_guardians_consent_no_longer_counts():
    state = effective_consent([1, 2], 9, 18, [given(1), given(2)], NOW, RULES)
    assert not state.effective and state.missing == (9,)


def test_the_day_before_eighteen_the_guardians_are_still_required():
    state = effective_consent([1, 2], 9, 17, [given(9)], NOW, RULES)
    assert not state.effective and state.missing == (1, 2)


def test_an_adult_needs_no_guardian_with_custody_recorded():
    assert effective_consent([], 9, 18, [given(9)], NOW, RULES).effective


def test_a_maturity_waiver_does_not_apply_to_an_adult():
    state = effective_consent([1], 9, 19, [given(1)], NOW, RULES, child_consent_waived=True)
    assert not state.effective and state.missing == (9,)


def test_a_child_judged_mature_consents_themself_below_the_consent_age():
    parties = [given(1), given(2)]
    state = effective_consent([1, 2], 9, 13, parties, NOW, RULES, child_judged_mature=True)
    assert not state.effective and state.missing == (9,)
    state = effective_consent(
        [1, 2], 9, 13, [*parties, given(9)], NOW, RULES, child_judged_mature=True
    )
    assert state.effective


def test_the_adult_age_is_configurable():
    rules = AgeRules(adult_from=20)
    assert not is_adult(19, rules) and is_adult(20, rules)
    assert not effective_consent([1], 9, 19, [given(9)], NOW, rules).effective
    assert (
        AgeRules.from_config(
            {
                "CHILD_ASKED_FROM_AGE": 6,
                "CHILD_ASSENT_FROM_AGE": 12,
                "CHILD_CONSENT_FROM_AGE": 15,
                "GUARDIAN_FULL_PROXY_UNDER_AGE": 13,
                "ADULT_FROM_AGE": 20,
            }
        )
        == rules
    )


def test_an_unknown_birth_date_is_never_adulthood():
    assert not is_adult(None, RULES)


@for_all(st.integers(min_value=0, max_value=120))
def test_adulthood_is_exactly_from_the_adult_age(age):
    assert is_adult(age, RULES) == (age >= 18)
