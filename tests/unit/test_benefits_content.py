"""Content files for benefits, fees and the FAQ: every file loads, every figure has a source and a valid
period, every FAQ entry exists in every language and renders with today's figures (no missing translation)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import string

import pytest

from bot.domain.benefits import load_benefits
from bot.domain.contributions import load_table
from bot.domain.faq import BUTTON_MAX, AnswerFigures, documents, load_faq, load_slang, render_answer
from bot.domain.i18n import SUPPORTED_LANGUAGES, load_catalogs, translator

DAYS = [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 12, 31),
        dt.date(2027, 1, 1), dt.date(2027, 4, 1)]


@pytest.fixture(autouse=True, scope="module")
def _catalogs() -> None:
    load_catalogs()


def test_benefit_figures_have_sources_and_periods() -> None:
    content = load_benefits()
    assert len(content.figures) >= 30
    for figure in content.figures:
        assert figure.amount > 0 and len(figure.source) >= 5, figure.id
        assert figure.valid_until is None or figure.valid_until >= figure.valid_from, figure.id
        assert figure.holds_on(dt.date(2026, 11, 22)), f"{figure.id} does not hold today"
    # the figures the facts file marks [ok]
    today = dt.date(2026, 11, 22)
    assert content.figure("jkm_total", today).amount == 42_000_000
    parts = ("jkm_lump_sum", "jkm_periodic", "funeral")
    assert sum(content.figure(p, today).amount for p in parts) == 42_000_000
    assert content.figure("scholarship_max", today).amount == 174_000_000


def test_contribution_table_has_sources_and_consistent_periods() -> None:
    table = load_table()
    for rate in table.rates:
        assert len(rate.source) >= 5 and (rate.valid_until is None or rate.valid_until >= rate.valid_from)
    for discount in table.discounts:
        assert discount.valid_until >= discount.valid_from and len(discount.source) >= 5
    for day in DAYS:
        for programme in ("JKK", "JKM", "JHT"):
            assert table.rate(programme, day) is not None
    periods = {d.sectors[0]: (d.valid_from, d.valid_until) for d in table.discounts}
    assert periods == {"transport": (dt.date(2026, 1, 1), dt.date(2027, 3, 31)),
                       "other": (dt.date(2026, 4, 1), dt.date(2026, 12, 31))}


def test_income_ranges_are_ordered_and_contiguous() -> None:
    ranges = load_benefits().income_ranges
    assert ranges[0].low == 0 and ranges[-1].high is None
    for before, after in itertools.pairwise(ranges):
        assert before.high == after.low


def test_faq_has_the_same_entries_in_every_language() -> None:
    files = {language: load_faq(language) for language in SUPPORTED_LANGUAGES}
    ids = {language: [e.id for e in f.entries] for language, f in files.items()}
    assert len(ids["id"]) >= 40
    assert all(v == ids["id"] for v in ids.values()), "entry ids or their order differ between languages"
    keys = {language: list(f.categories) for language, f in files.items()}
    assert all(v == keys["id"] for v in keys.values())
    for language, faq in files.items():
        for entry in faq.entries:
            assert entry.question.strip() and entry.answer.strip() and entry.button.strip(), (language, entry.id)
            assert len(entry.button) <= BUTTON_MAX
            assert entry.category in faq.categories


def test_faq_covers_the_topics_the_issue_asks_for() -> None:
    ids = {e.id for e in load_faq("id").entries}
    required = {"jkk_benefits", "jkm_benefits", "scholarship", "jht_info", "who_pays", "stop_paying", "check_status",
                "claim_how", "pekerja_rentan", "covered_district", "register_how", "protection_start", "kpj_vs_nik",
                "privacy_data"}
    assert required <= ids


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("day", DAYS)
def test_every_answer_renders_with_figures(language: str, day: dt.date) -> None:
    t = translator(language)
    values = AnswerFigures(t, day).names()  # the figures of the content files + what a worker pays today
    for entry in load_faq(language).entries:
        used = {name for _, name, _, _ in string.Formatter().parse(entry.answer) if name}
        assert used <= set(values), f"{language}/{entry.id}: unknown placeholders {used - set(values)}"
        text = render_answer(t, entry.id, day)
        assert "{" not in text and "}" not in text
        assert not re.search(r"\d{2}\.\d{3}\.\d{3}", text) or "Rp" in text


def test_answers_never_send_people_to_mobile_jkn_for_bpjs_ketenagakerjaan() -> None:
    for language in SUPPORTED_LANGUAGES:
        for entry in load_faq(language).entries:
            if "Mobile JKN" in entry.answer:
                assert "Kesehatan" in entry.answer, entry.id


def test_no_figure_is_written_by_hand_in_answers() -> None:
    money = re.compile(r"Rp\s?\d")
    for language in SUPPORTED_LANGUAGES:
        for entry in load_faq(language).entries:
            assert not money.search(entry.answer), f"{language}/{entry.id}: use a {{placeholder}} for money"


def test_slang_table_and_documents_load() -> None:
    slang = load_slang()
    assert slang.words["gmn"] == "bagaimana" and slang.words["brp"] == "berapa"
    assert {"ga", "gak", "nggak", "udah", "jamsostek", "bpjamsostek"} <= set(slang.words)
    assert any(p.pattern == r"\bbpjs\ tk\b" for p, _ in slang.phrases)
    assert len(documents()) > 200
