from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.domain.i18n import load_catalogs, resolve_language, translator
from bot.runtime.i18n_tools import check_catalogs


def test_catalogs_are_complete_and_consistent() -> None:
    """Fails on msgids missing from a catalog, untranslated or fuzzy entries, mismatched placeholders."""
    problems = check_catalogs()
    assert problems == [], "\n".join(problems)


def test_catalogs_compile() -> None:
    load_catalogs()
    assert translator("id").gettext("Choose your language:").startswith("Pilih bahasa")
    assert translator("en").gettext("Choose your language:") == "Choose your language:"


def test_language_resolution_order() -> None:
    assert resolve_language("en", "id", "id") == "en"  # stored choice wins
    assert resolve_language(None, "en-GB", "id") == "en"  # then Telegram's language_code
    assert resolve_language(None, "fr", "id") == "id"  # then DEFAULT_LANGUAGE
    assert resolve_language(None, None, "en") == "en"


def test_babel_formatting_per_locale() -> None:
    idn, eng = translator("id"), translator("en")
    assert idn.money(16800) == "Rp16.800"
    assert eng.money(16800) == "Rp16,800"
    assert idn.number(1234567) == "1.234.567"
    assert idn.date(dt.date(2026, 11, 22)) == "22 November 2026"
    assert idn.date(dt.date(2026, 8, 17)) == "17 Agustus 2026"
    moment = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
    assert idn.datetime(moment) == "22 November 2026 08.00 WITA"  # times in WITA (UTC+8)


def test_update_fills_the_english_catalog_plurals_too(tmp_path: Path) -> None:
    """`jagakerja i18n update` mirrors every English msgid, plural forms included (they used to stay empty)."""
    from babel.messages.pofile import read_po

    from bot.runtime.i18n_tools import catalog_path, update_catalogs

    update_catalogs(tmp_path)
    with catalog_path("en", tmp_path).open("rb") as handle:
        catalog = read_po(handle, locale="en")
    plurals = [m for m in catalog if m.id and not isinstance(m.id, str)]
    assert plurals and all(tuple(m.string) == tuple(m.id) for m in plurals)
