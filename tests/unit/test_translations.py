"""Every visible string is translatable, and every catalogue is complete and compiles."""

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from family_app.cli import POT, extract_messages
from family_app.config import LANGUAGES, PROJECT_ROOT

CATALOGUES = [code for code in LANGUAGES if code != "sv"]


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.id) if isinstance(m.id, str) else "\x00".join(m.id) for m in catalog if m.id}


def test_catalogue_template_is_up_to_date(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract_messages(fresh)
    missing = _ids(fresh) - _ids(POT)
    gone = _ids(POT) - _ids(fresh)
    assert not missing, f"run 'family-app translations update': new strings {sorted(missing)[:5]}"
    assert not gone, f"run 'family-app translations update': removed strings {sorted(gone)[:5]}"


@pytest.mark.parametrize("code", CATALOGUES)
def test_catalogue_is_complete_and_compiles(code, tmp_path):
    po = PROJECT_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    assert _ids(po) == _ids(POT), f"{code}: catalogue out of step with messages.pot"
    untranslated = [m.id for m in catalog if m.id and not m.string]
    incomplete = [
        m.id for m in catalog if m.id and isinstance(m.string, tuple) and not all(m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{code}: untranslated {untranslated[:5]}"
    assert not incomplete, f"{code}: plural forms missing {incomplete[:5]}"
    assert not fuzzy, f"{code}: fuzzy {fuzzy[:5]}"
    errors = [(m.id, err) for m, err in [(m, list(m.check(catalog))) for m in catalog] if err]
    assert not errors, f"{code}: {errors[:3]}"
    with (tmp_path / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    assert (tmp_path / "messages.mo").stat().st_size > 0


PLACEHOLDER = __import__("re").compile(r"%\([a-z_]+\)[sd]|%[sd]")


@pytest.mark.parametrize("code", CATALOGUES)
def test_every_translation_keeps_the_source_placeholders(code):
    """A translation that drops or invents a placeholder breaks the page (or shows a
    raw %(name)s): every form carries exactly the source's placeholders; the one
    form for exactly one thing may leave the number out."""
    po = PROJECT_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        want = set(PLACEHOLDER.findall(source))
        for form in forms:
            got = set(PLACEHOLDER.findall(form))
            if got != want and not (isinstance(message.id, tuple) and got == want - {"%(num)d"}):
                wrong.append((source[:50], sorted(got)))
    assert not wrong, f"{code}: {wrong[:5]}"
