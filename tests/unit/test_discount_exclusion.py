"""PP 50/2025 Pasal 3: the 50% discount is for self-paying (mandiri) BPU; members whose JKK + JKM are paid through
the APBD or APBN are excluded (they pay nothing, the budget pays the full fee). The exclusion is data in
content/contributions.toml; these tests check it loads and is validated, and that every place built on it says so:
the calculator, the FAQ, the eligibility outcome and the status result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.domain.benefits import fees_by_work, render_quote
from bot.domain.content import ContentError
from bot.domain.contributions import load_table, quote
from bot.domain.eligibility import Rule, budget_exclusion, load_rules
from bot.domain.faq import render_answer
from bot.domain.i18n import SUPPORTED_LANGUAGES, load_catalogs, translator
from bot.domain.roster import SUMBER_DANA
from bot.domain.status_check import StatusResult, render_result

TODAY = dt.date(2026, 11, 22)
DAYS = [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 4, 1), TODAY, dt.date(2027, 1, 1),
        dt.date(2027, 4, 1)]


@pytest.fixture(autouse=True, scope="module")
def _catalogs() -> None:
    load_catalogs()


# ---------------------------------------------------------------- the content


def test_contributions_carry_the_exclusion_with_its_source_and_date() -> None:
    table = load_table()
    [exclusion] = table.discount_exclusions
    assert exclusion.discount == "PP 50/2025" and exclusion.article == "Pasal 3"
    assert exclusion.basis == "PP 50/2025 Pasal 3"
    assert exclusion.promulgated == dt.date(2025, 12, 22)
    assert exclusion.budgets == ["APBD", "APBN"]
    assert set(exclusion.funders) == {"APBD", "APBD_PROVINSI", "APBN"}
    assert set(exclusion.funders) <= set(SUMBER_DANA)  # the roster's own funder codes
    assert "Pasal 3" in exclusion.source and "APBN or APBD" in exclusion.source
    assert all(d.name == exclusion.discount for d in table.discounts)
    assert all("self-paying (mandiri)" in d.source for d in table.discounts)
    for code in ("APBD", "APBD_PROVINSI", "APBN", " apbd "):
        assert table.exclusion_for_funder(code) is exclusion, code
    for code in ("CSR", "DANA_DESA", "MANDIRI", "BAZNAS", "LAINNYA"):
        assert table.exclusion_for_funder(code) is None, code


def test_jkk_brackets_cite_pp_49_2023_as_the_latest_amendment() -> None:
    jkk = load_table().rate("JKK", TODAY)
    assert jkk.basis is not None
    assert (jkk.basis.regulation, jkk.basis.part, jkk.basis.last_amended_by) == (
        "PP 44/2015", "Lampiran II", "PP 49/2023")
    assert "PP 49/2023" in jkk.source and "Lampiran II" in jkk.source


RATES = """
[[rates]]
programme = "JKK"
kind = "percent_of_income"
value = 1.0
minimum_income = 1_000_000
valid_from = 2021-04-01
source = "test source"

[[discounts]]
name = "PP 50/2025"
percent = 50
programmes = ["JKK", "JKM"]
sectors = ["other"]
valid_from = 2026-04-01
valid_until = 2026-12-31
source = "test source"
"""


@pytest.mark.parametrize(("exclusion", "problem"), [
    ('discount = "PP 99/2030"\nbudgets = ["APBD"]\nfunders = ["APBD"]', "no discount named"),
    ('discount = "PP 50/2025"\nbudgets = ["DANA_DESA"]\nfunders = ["APBD"]', "budgets"),
    ('discount = "PP 50/2025"\nbudgets = ["APBD"]\nfunders = ["apbd kab"]', "funders"),
    ('discount = "PP 50/2025"\nbudgets = []\nfunders = ["APBD"]', "budgets"),
    ('discount = "PP 50/2025"\nbudgets = ["APBD"]\nfunders = ["APBD"]\npromulgated = 2027-01-01', "promulgated after"),
])
def test_a_broken_exclusion_is_refused_with_the_file_named(tmp_path: Path, exclusion: str, problem: str) -> None:
    if "promulgated" not in exclusion:
        exclusion += "\npromulgated = 2025-12-22"
    path = tmp_path / "contributions.toml"
    path.write_text(RATES + f'\n[[discount_exclusions]]\n{exclusion}\narticle = "Pasal 3"\nsource = "test source"\n',
                    encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_table(path)
    assert str(path) in str(raised.value) and problem in str(raised.value)


# ---------------------------------------------------------------- the calculator


def test_calculator_answer_is_for_self_paying_workers_and_says_who_pays_nothing() -> None:
    t = translator("id")
    text = render_quote(t, quote(1_000_000, "other", TODAY))
    assert "Untuk pekerja yang bayar sendiri (BPU mandiri)." in text
    assert "Diskon hanya untuk yang bayar sendiri (mandiri)." in text
    assert "🏛 Iuran dibayar Pemda (APBD) atau pemerintah pusat (APBN)?\nAnda tidak bayar apa pun." in text
    assert "Iuran dibayar penuh untuk Anda, tanpa diskon (PP 50/2025 Pasal 3)." in text
    assert "Dasar JKK: Lampiran II PP 44/2015, terakhir diubah dengan PP 49/2023." in text
    later = render_quote(t, quote(1_000_000, "other", dt.date(2027, 6, 1)))  # no discount in force or coming
    assert "Untuk pekerja yang bayar sendiri" in later and "Anda tidak bayar apa pun" in later
    assert "tanpa diskon" not in later and "Diskon hanya" not in later
    english = render_quote(translator("en"), quote(1_000_000, "transport", TODAY))
    assert "For workers who pay it themselves (BPU mandiri)." in english
    assert "the Pemda (APBD) or the central government (APBN)?\nThen you pay nothing yourself." in english
    assert "Lampiran II of PP 44/2015, last amended by PP 49/2023" in english


# ---------------------------------------------------------------- the FAQ


@pytest.mark.parametrize("day", DAYS)
def test_discount_answer_names_the_exclusion_every_day(day: dt.date) -> None:
    text = render_answer(translator("id"), "fee_discount", day)
    assert "yang bayar sendiri (mandiri)" in text
    assert "<b>Tidak berlaku</b> untuk peserta yang iuran JKK + JKM-nya dibayar APBD atau APBN" in text
    assert "(PP 50/2025 Pasal 3)" in text
    assert "Pemda membayar iuran penuh, bukan Rp8.400" in text
    english = render_answer(translator("en"), "fee_discount", day)
    assert "paid through the APBD or APBN (PP 50/2025 Pasal 3)" in english and "full fee" in english


def test_fee_answers_never_suggest_the_pemda_pays_the_discounted_rate() -> None:
    t = translator("id")
    who_pays = render_answer(t, "who_pays", TODAY)
    assert "Pemda membayar iuran penuh, tanpa diskon" in who_pays and "(PP 50/2025 Pasal 3)" in who_pays
    fee = render_answer(t, "fee_amount", TODAY)
    assert "Iuran dibayar Pemda (APBD) atau pemerintah pusat (APBN)? Anda tidak bayar apa pun." in fee
    free = render_answer(t, "free_for_me", TODAY)
    assert "Diskon PP 50/2025 hanya untuk yang bayar sendiri." in free
    for language in SUPPORTED_LANGUAGES:
        for day in DAYS:
            for entry in ("fee_discount", "who_pays", "free_for_me", "fee_amount", "fee_how_to_pay"):
                text = render_answer(translator(language), entry, day).lower()
                assert "pemda pays rp" not in text and "pemda membayar rp" not in text, (language, entry)
                assert "pemda bayar setengah" not in text and "district pays half" not in text, (language, entry)


def test_one_amount_when_every_kind_of_work_pays_the_same() -> None:
    t = translator("id")
    assert fees_by_work(t, TODAY) == "Rp8.400 untuk semua pekerjaan"
    assert fees_by_work(t, dt.date(2027, 2, 1)) == "ojek/kurir/sopir Rp8.400, pekerjaan lain Rp16.800"
    free = render_answer(t, "free_for_me", TODAY)
    assert "Hari ini (22 November 2026): Rp8.400 untuk semua pekerjaan." in free
    assert "lainnya Rp8.400" not in free and "ojek/kurir Rp8.400" not in free
    assert fees_by_work(translator("en"), dt.date(2027, 6, 1)) == "Rp16,800 for any work"


def test_jkk_basis_placeholder_in_the_declared_income_answer() -> None:
    text = render_answer(translator("id"), "fee_declared_income", TODAY)
    assert "Dasar JKK: Lampiran II PP 44/2015, terakhir diubah dengan PP 49/2023." in text


# ---------------------------------------------------------------- the eligibility outcome


def test_districts_paying_from_the_apbd_pay_the_full_fee() -> None:
    book = load_rules()
    for code in ("64.02", "64.08", "64.09", "64.74"):
        exclusion = budget_exclusion(book.rule_for(code))
        assert exclusion is not None and exclusion.basis == "PP 50/2025 Pasal 3", code
    assert budget_exclusion(book.rule_for("64.72")) is not None  # the fallback names the Pemda as a payer
    csr_only = Rule(region="64.01", name="CSR only", payers=["CSR", "DANA_DESA"], programmes=["JKK", "JKM"],
                    sources=["test"], checked_on=TODAY)
    assert budget_exclusion(csr_only) is None


# ---------------------------------------------------------------- the status result


def protected(funder: str) -> StatusResult:
    return StatusResult("protected", "6408********0003", member_id=1, program="JKK+JKM", sumber_dana=funder,
                        mulai=dt.date(2026, 1, 1), berakhir=dt.date(2026, 12, 31))


@pytest.mark.parametrize("funder", ["APBD", "APBD_PROVINSI", "APBN"])
def test_a_member_paid_through_the_apbd_or_apbn_is_told_they_pay_nothing(funder: str) -> None:
    text = render_result(protected(funder), translator("id"), TODAY)
    assert "💚 <b>Anda tidak bayar apa pun</b> untuk perlindungan ini: iurannya dibayar penuh." in text
    english = render_result(protected(funder), translator("en"), TODAY)
    assert "You pay nothing" in english


@pytest.mark.parametrize("funder", ["CSR", "DANA_DESA", "MANDIRI", "LAINNYA"])
def test_other_funders_get_no_such_line(funder: str) -> None:
    assert "tidak bayar apa pun" not in render_result(protected(funder), translator("id"), TODAY)
