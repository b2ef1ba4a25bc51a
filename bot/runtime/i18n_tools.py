"""Catalog maintenance: extract msgids from the code, update the catalogs, check completeness."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.domain.content import PROJECT_ROOT
from bot.domain.i18n import DOMAIN, LOCALES_DIR, SUPPORTED_LANGUAGES, catalog_path

KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
SOURCE_DIRS = ("bot", "handlers", "storage")
SOURCE_LANGUAGE = "en"
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")


def extract_template(root: Path = PROJECT_ROOT) -> Catalog:
    template = Catalog(project="jagakerja", domain=DOMAIN, fuzzy=False)
    for folder in SOURCE_DIRS:
        method_map = [("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            root / folder, method_map=method_map, keywords=KEYWORDS, comment_tags=("Translators:",),
        ):
            template.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments,
                         context=context)
    return template


def update_catalogs(locales_dir: Path = LOCALES_DIR) -> None:
    template = extract_template()
    locales_dir.mkdir(parents=True, exist_ok=True)
    with (locales_dir / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, omit_header=False, sort_output=False, width=100)
    for language in SUPPORTED_LANGUAGES:
        path = catalog_path(language, locales_dir)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language == SOURCE_LANGUAGE:  # msgids are English: the English catalog mirrors them
            for message in catalog:
                if not message.id:
                    continue
                if isinstance(message.id, str):
                    if not message.string:
                        message.string = message.id
                elif not any(message.string or ()):  # a plural: (singular, plural) ↔ its forms, all empty
                    message.string = tuple(message.id[:2])
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_catalogs(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Every problem found: msgids missing from a catalog, untranslated or fuzzy entries,
    placeholders that differ between msgid and msgstr."""
    problems: list[str] = []
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extract_template() if m.id}
    for language in SUPPORTED_LANGUAGES:
        path = catalog_path(language, locales_dir)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        for missing in sorted(template_ids - present):
            problems.append(f"{language}: not in the catalog (run `jagakerja i18n update`): {missing!r}")
        for message in catalog:
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strs = [message.string] if isinstance(message.string, str) else list(message.string or [])
            if message.fuzzy:
                problems.append(f"{language}: fuzzy: {ids[0]!r}")
            if not all(strs):
                problems.append(f"{language}: untranslated: {ids[0]!r}")
                continue
            expected = set().union(*(_placeholders(i) for i in ids))
            for translated in strs:
                if _placeholders(translated) != expected:
                    problems.append(f"{language}: placeholders differ in {ids[0]!r}: {translated!r}")
    return problems


def fill_translations(language: str, translations: dict[str, str], locales_dir: Path = LOCALES_DIR) -> int:
    """Set msgstr for the given msgids (a helper for translators and scripts); returns how many were set."""
    path = catalog_path(language, locales_dir)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    count = 0
    for message in catalog:
        if isinstance(message.id, str) and message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
            count += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, ignore_obsolete=True)
    return count
