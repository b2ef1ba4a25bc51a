"""Answers carry today's facts (issue 11): no amount is written by hand in an answer template, and the amounts
shown are the ones of the content files for the day (and the worker's sector when known)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.domain.clock import FixedClock
from bot.domain.faq import FaqService, load_faq, render_answer
from bot.domain.i18n import SUPPORTED_LANGUAGES, load_catalogs, translator

# An amount written by hand: rupiah, thousands/millions in words, percentages, a number with thousands separators.
AMOUNT = re.compile(
    r"(?i)rp\s*\.?\s*\d"
    r"|\d+(?:[.,]\d+)?\s*(?:ribu|rb|juta|jt|jeti|miliar|thousand|million|billion)\b"
    r"|\d+(?:[.,]\d+)?\s*(?:%|persen|percent)"
    r"|\b\d{1,3}(?:[.,]\d{3})+\b")
QUOTED_INPUT = re.compile(r'"[^"\n]{1,20}"')  # examples of what to type (e.g. "1,5 juta"), not amounts


@pytest.fixture(autouse=True, scope="module")
def _catalogs() -> None:
    load_catalogs()


def hand_written_amounts(text: str) -> list[str]:
    return [m.group(0) for m in AMOUNT.finditer(QUOTED_INPUT.sub("", text))]


def test_the_scan_finds_amounts_written_by_hand() -> None:
    for text in ("iuran mulai Rp16.800", "Rp 8.400", "bayar 16 ribu", "diskon 50%", "JKK 1 persen", "1,5 juta",
                 "16.800 per bulan", "a 50 percent discount", "Rp.10.000"):
        assert hand_written_amounts(text), text
    for text in ("PP 50/2025", "telepon 175", "Inpres 2/2021", "{fee_today}", 'tulis "1,5 juta"', "2 × 24 jam"):
        assert not hand_written_amounts(text), text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_answer_template_has_a_hand_written_amount(language: str) -> None:
    found = {}
    for entry in load_faq(language).entries:
        for field in (entry.answer, entry.button, entry.question):
            if hand_written_amounts(field):
                found[entry.id] = hand_written_amounts(field)
    assert not found, f"{language}: use a {{placeholder}} from the content files: {found}"


def test_register_answer_says_todays_fee_not_the_undiscounted_one() -> None:
    """The issue: "Cara daftar" said "iuran mulai Rp16.800" while today's amount was Rp8.400."""
    text = render_answer(translator("id"), "register_how", dt.date(2026, 11, 30))
    assert "mulai Rp8.400" in text and "16.800" not in text
    after_discount = render_answer(translator("id"), "register_how", dt.date(2027, 6, 1))
    assert "mulai Rp16.800" in after_discount


@pytest.mark.parametrize("entry_id", ["fee_amount", "register_how", "bpu_meaning", "jht_info"])
def test_equal_amounts_are_said_once_and_the_sector_decides_when_known(entry_id: str) -> None:
    t = translator("id")
    both_discounted = render_answer(t, entry_id, dt.date(2026, 11, 30))
    assert "lainnya" not in both_discounted and "pekerjaan lain" not in both_discounted
    only_transport = dt.date(2026, 2, 1)  # PP 50/2025: transport from January 2026, other work from April 2026
    text = render_answer(t, entry_id, only_transport)
    assert "ojek/kurir/sopir Rp8.400" in text or "Rp28.400" in text
    assert "Rp8.400" not in render_answer(t, entry_id, only_transport, "other").split("Tarif penuh")[0]


def test_service_answers_with_the_sector() -> None:
    service = FaqService(FixedClock(dt.datetime(2026, 2, 1, 2, 0, tzinfo=dt.UTC)))
    t = translator("en")
    assert "Rp8,400" in service.answer(t, "fee_amount", "transport").split("Full rate")[0]
    assert "Rp16,800" in service.answer(t, "fee_amount", "other").split("Full rate")[0]
    assert "ojek/courier/driver Rp8,400, other work Rp16,800" in service.answer(t, "fee_amount")
