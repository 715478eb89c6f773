"""Every interface string of the extension is translated into Spanish and English,
and the shipped .mo files are compiled from the current .po files."""
from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "ckanext" / "anticorruption" / "i18n"
DOMAIN = "ckanext-anticorruption"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "extract", "-F", "babel.cfg", "-k", "_",
         "-k", "ungettext:1,2", "-o", str(pot), "ckanext"],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_string_in_the_code_is_translated(source_messages: set, lang: str) -> None:
    with open(I18N / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    translated = {m.id for m in catalog if m.id and m.string and all(m.string) and not m.fuzzy}

    assert source_messages - translated == set()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    with open(I18N / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    compiled = gettext.translation(DOMAIN, localedir=I18N, languages=[lang])

    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 1) == message.string[0]
            assert compiled.ngettext(*message.id, 2) == message.string[1]
        else:
            assert compiled.gettext(message.id) == message.string, message.id


def test_the_template_reads_as_ckan_reads_it(source_messages: set) -> None:
    """``ckan run`` reads the .pot with polib for its JavaScript translations: a syntax error there
    stops the portal from starting, and a msgid missing there is missing for translators."""
    import polib

    template = polib.pofile(str(I18N / f"{DOMAIN}.pot"))

    found = {(entry.msgid, entry.msgid_plural) if entry.msgid_plural else entry.msgid for entry in template}
    assert source_messages - found == set()
