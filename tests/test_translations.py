"""Simplified Chinese is the default and complete: every message translated, and compiled."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()] + [e.msgid for e in catalogue.fuzzy_entries()]
    assert missing == []
    assert len(catalogue) > 100


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(LOCALE / "django.po")).translated_entries()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if e.msgid}
    assert compiled == source


def test_default_language_is_simplified_chinese(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
