"""The contribution calculator: amounts per date and sector (table-driven), everyday income forms, and the
conversation through the real Application and the Bot API double."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.benefits import ParsedIncome, parse_income, read_income, render_bpu_alternative, render_quote
from bot.domain.contributions import Sector, quote
from bot.domain.i18n import load_catalogs, translator
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import onboard

# (day, sector, declared income) -> (JKK, JKM, JHT, JKK + JKM): the PP 50/2025 discount halves JKK + JKM for
# transport workers Jan 2026 – Mar 2027 and for other sectors Apr – Dec 2026; JHT is never discounted.
CASES: list[tuple[dt.date, Sector, int, tuple[int, int, int, int]]] = [
    (dt.date(2025, 12, 31), "transport", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    (dt.date(2025, 12, 31), "other", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    (dt.date(2026, 1, 1), "transport", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2026, 1, 1), "other", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    (dt.date(2026, 3, 31), "other", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    (dt.date(2026, 4, 1), "transport", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2026, 4, 1), "other", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2026, 12, 31), "transport", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2026, 12, 31), "other", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2027, 1, 1), "transport", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2027, 1, 1), "other", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    (dt.date(2027, 3, 31), "transport", 2_000_000, (10_000, 3_400, 40_000, 13_400)),
    (dt.date(2027, 4, 1), "transport", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    (dt.date(2027, 4, 1), "other", 2_000_000, (20_000, 6_800, 40_000, 26_800)),
    # below the lowest declared income counts as Rp1,000,000: Rp16,800 (Rp8,400 discounted), JHT Rp20,000
    (dt.date(2025, 12, 31), "other", 500_000, (10_000, 6_800, 20_000, 16_800)),
    (dt.date(2026, 6, 1), "other", 500_000, (5_000, 3_400, 20_000, 8_400)),
    (dt.date(2026, 6, 1), "transport", 1_000_000, (5_000, 3_400, 20_000, 8_400)),
    (dt.date(2027, 4, 1), "transport", 1_500_000, (15_000, 6_800, 30_000, 21_800)),
    (dt.date(2026, 2, 1), "transport", 1_234_567, (6_173, 3_400, 24_691, 9_573)),
]


@pytest.mark.parametrize(("day", "sector", "income", "expected"), CASES)
def test_quote_by_date_and_sector(day: dt.date, sector: Sector, income: int,
                                  expected: tuple[int, int, int, int]) -> None:
    result = quote(income, sector, day)
    assert (result.jkk, result.jkm, result.jht, result.basic_total) == expected
    assert result.total_with_jht == expected[3] + expected[2]
    assert result.discounted == (expected[1] == 3_400)


INCOMES = [
    ("1,5 juta", 1_500_000), ("1.500.000", 1_500_000), ("2jt", 2_000_000), ("sejuta", 1_000_000),
    ("Rp 2.000.000", 2_000_000), ("rp1.500.000,-", 1_500_000), ("2 juta", 2_000_000), ("1.5jt", 1_500_000),
    ("2,5jt", 2_500_000), ("800rb", 800_000), ("800 ribu", 800_000), ("dua juta", 2_000_000),
    ("sejuta setengah", 1_500_000), ("1jt 500rb", 1_500_000), ("3 jutaan", 3_000_000),
    ("kurang lebih 2 juta", 2_000_000), ("2 jt/bulan", 2_000_000), ("gaji saya 2 juta sebulan", 2_000_000),
    ("2 jeti", 2_000_000), ("sekitar 1.5jt", 1_500_000), ("2", 2_000_000), ("1,5", 1_500_000),
    ("1500000", 1_500_000), ("1,500,000", 1_500_000), ("500k", 500_000), ("  2JT  ", 2_000_000),
]
NOT_INCOMES = ["", "abc", "brp iuran sebulan?", "0", "999", "1 m", "ojek", "-", "2 miliar"]


@pytest.mark.parametrize(("text", "amount"), INCOMES)
def test_everyday_income_forms(text: str, amount: int) -> None:
    parsed = parse_income(text)
    assert parsed is not None and parsed.amount == amount


@pytest.mark.parametrize("text", NOT_INCOMES)
def test_not_an_income(text: str) -> None:
    assert parse_income(text) is None


def test_rendered_quote_and_bpu_alternative() -> None:
    load_catalogs()
    t = translator("id")
    text = render_quote(t, quote(500_000, "transport", dt.date(2026, 11, 22)), 500_000)
    assert "Rp1.000.000" in text and "dihitung Rp1.000.000" in text
    assert "<s>Rp10.000</s> Rp5.000" in text and "Rp8.400 / bulan" in text and "31 Maret 2027" in text
    upcoming = render_quote(t, quote(1_000_000, "other", dt.date(2026, 1, 15)))
    assert "Mulai 1 April 2026 ada diskon 50%" in upcoming and "Rp16.800" in upcoming
    assert render_bpu_alternative(t, "other", dt.date(2027, 1, 1)) == (
        "Anda juga bisa daftar sendiri (BPU, mandiri): JKK + JKM mulai Rp16.800 per bulan (per 1 Januari 2027).")
    discounted = render_bpu_alternative(translator("en"), "transport", dt.date(2027, 1, 1))
    assert "Rp8,400" in discounted and "31 March 2027" in discounted and "normally Rp16,800" in discounted


# ---------------------------------------------------------------- through the bot


async def open_calculator(local_bot: LocalBot, user: TelegramUser) -> None:
    await onboard(local_bot, user)
    await user.press("💰 Manfaat & Iuran")
    await user.expect_reply()
    await user.press("🧮 Hitung iuran")
    prompt = await user.expect_reply()
    assert "Apa pekerjaan Anda" in (prompt.text or "")


async def test_ojek_driver_typing_2jt_today_gets_discounted_amounts(local_bot: LocalBot) -> None:
    user = local_bot.user(310001)
    await open_calculator(local_bot, user)
    await user.press("Ojek / ojol")
    prompt = await user.expect_reply()
    assert "1,5 juta" in (prompt.text or "") and "Di bawah Rp1.000.000" in prompt.buttons[0]
    await user.send("2jt")
    answer = (await user.expect_reply()).text or ""
    assert "22 November 2026" in answer and "transportasi" in answer
    assert "Penghasilan dilaporkan: Rp2.000.000" in answer
    assert "Rp20.000 Rp10.000" in answer and "Rp6.800 Rp3.400" in answer
    assert "Jumlah JKK + JKM: Rp13.400 / bulan" in answer
    assert "+Rp40.000" in answer and "Jumlah dengan JHT: Rp53.400" in answer
    assert "sampai 31 Maret 2027" in answer


async def test_other_sector_after_the_discount_pays_full_price(local_bot: LocalBot) -> None:
    local_bot.clock.set(dt.datetime(2027, 1, 5, 2, 0, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    user = local_bot.user(310002)
    await open_calculator(local_bot, user)
    await user.press("Petani")
    await user.expect_reply()
    await user.press("Rp1.000.000 – Rp2.000.000")
    answer = (await user.expect_reply()).text or ""
    assert "5 Januari 2027" in answer and "Jumlah JKK + JKM: Rp16.800 / bulan" in answer
    assert "Rp6.800 Rp3.400" not in answer and "Jumlah dengan JHT: Rp36.800" in answer


async def test_bad_income_gets_an_example_and_keeps_the_work(local_bot: LocalBot) -> None:
    user = local_bot.user(310003)
    await open_calculator(local_bot, user)
    await user.press("Sopir / kurir")
    await user.expect_reply()
    await user.send("banyak lah pokoknya")
    retry = await user.expect_reply()
    assert "tidak bisa membaca" in (retry.text or "") and "2jt" in (retry.text or "") and retry.buttons
    await user.send("1,5 juta")
    answer = (await user.expect_reply()).text or ""
    assert "transportasi" in answer and "Rp1.500.000" in answer and "Rp10.900" in answer  # 7.500 + 3.400


async def test_half_finished_calculation_survives_restart(local_bot: LocalBot) -> None:
    user = local_bot.user(310004)
    await open_calculator(local_bot, user)
    await user.press("Ojek / ojol")
    await user.expect_reply()
    await local_bot.restart()
    await user.send("sejuta")
    answer = (await user.expect_reply()).text or ""
    assert "transportasi" in answer and "Rp8.400 / bulan" in answer
    assert local_bot.app is not None and "calculator" not in local_bot.app.user_data[310004]


async def test_cancel_leaves_the_calculator(local_bot: LocalBot) -> None:
    user = local_bot.user(310005)
    await open_calculator(local_bot, user)
    await user.press("Nelayan")
    await user.expect_reply()
    await user.send("/batal")
    assert "dihentikan" in ((await user.expect_reply()).text or "")
    await user.send("2jt")  # no longer an answer to the calculator
    assert "Iuran Anda per bulan" not in ((await user.expect_reply()).text or "")


async def test_iuran_command_and_english(local_bot: LocalBot) -> None:
    user = local_bot.user(310006, language_code="en")
    await onboard(local_bot, user, language="English")
    await user.send("/iuran")
    await user.expect_reply()
    await user.press("Small trader / UMKM")
    await user.expect_reply()
    await user.send("1.5 million")
    answer = (await user.expect_reply()).text or ""
    assert "Your monthly contribution" in answer and "Rp1,500,000" in answer and "Rp10,900" in answer


# ---------------------------------------------------------------- issue 13: the job, and incomes refused kindly

READINGS = [
    ("-2000000", "negative"), ("- 2 juta", "negative"), ("minus 2jt", "negative"), ("Rp -2.000.000", "negative"),
    ("0", "zero"), ("Rp 0", "zero"), ("nol", "zero"), ("0 rupiah", "zero"),
    ("250000000", "too_high"), ("250 juta", "too_high"), ("20.000.001", "too_high"), ("2 miliar", "too_high"),
    ("abc", "unreadable"), ("6408015507900002", "unreadable"),
    ("20 juta", 20_000_000), ("2jt", 2_000_000), ("1.500.000,-", 1_500_000),
]


@pytest.mark.parametrize(("text", "expected"), READINGS)
def test_calculator_reading_of_a_typed_income(text: str, expected: int | str) -> None:
    reading = read_income(text)
    if isinstance(expected, int):
        assert isinstance(reading, ParsedIncome) and reading.amount == expected
    else:
        assert reading == expected


@pytest.mark.parametrize(("job", "shown"), [
    ("Petani", "Pekerjaan: Petani"), ("Nelayan", "Pekerjaan: Nelayan"),
    ("Pedagang kecil / UMKM", "Pekerjaan: Pedagang kecil / UMKM"),
    ("Ojek / ojol", "Pekerjaan: Ojek / ojol · sektor transportasi"),
])
async def test_result_names_the_job_picked_not_the_sector(local_bot: LocalBot, job: str, shown: str) -> None:
    user = local_bot.user(310010)
    await open_calculator(local_bot, user)
    await user.press(job)
    await user.expect_reply()
    await user.send("2jt")
    answer = (await user.expect_reply()).text or ""
    assert shown in answer and "pekerjaan lain" not in answer


@pytest.mark.parametrize(("typed", "told"), [
    ("-2000000", "tidak bisa di bawah nol"),
    ("0", "tingkat terendah, Rp1.000.000 sebulan"),
    ("250000000", "lebih dari Rp20.000.000 sebulan"),
])
async def test_negative_zero_and_implausible_incomes_are_refused_kindly(local_bot: LocalBot, typed: str,
                                                                        told: str) -> None:
    user = local_bot.user(310011)
    await open_calculator(local_bot, user)
    await user.press("Petani")
    await user.expect_reply()
    await user.send(typed)
    refusal = await user.expect_reply()
    assert told in (refusal.text or "") and "Iuran Anda per bulan" not in (refusal.text or "")
    assert "Rp2.000.000" not in (refusal.text or "") and refusal.buttons  # the ranges, to pick instead
    await user.send("2jt")  # still in the calculator, the job kept
    answer = (await user.expect_reply()).text or ""
    assert "Pekerjaan: Petani" in answer and "Penghasilan dilaporkan: Rp2.000.000" in answer
