"""The one birth-date parser (bot/domain/dates.py): the forms people type, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.dates import parse_birth_date

TODAY = dt.date(2026, 11, 22)
BORN = dt.date(1985, 5, 15)


@pytest.mark.parametrize("text", [
    # the forms of issue 13 (only 15/5/1985 was read before)
    "15 mei 1985", "15.05.85", "15051985", "15-5-85", "15/5/1985", "15 Mei 85",
    # more of the same
    "15-05-1985", "15/05/1985", "15 5 1985", "15.5.1985", "15-mei-1985", "15 MEI 1985", "15mei1985",
    "  15   mei   1985 ", "15 Mei, 1985", "150585", "1985-05-15", "1985/5/15",
    # English month names (English mode), both orders
    "15 May 1985", "15 may 85", "May 15, 1985", "may 15 1985",
])
def test_forms_of_15_may_1985(text: str) -> None:
    assert parse_birth_date(text, TODAY) == BORN


@pytest.mark.parametrize(("text", "born"), [
    ("17 agustus 1985", dt.date(1985, 8, 17)),
    ("17 Agu 85", dt.date(1985, 8, 17)),
    ("17 agt 1985", dt.date(1985, 8, 17)),
    ("17 August 1985", dt.date(1985, 8, 17)),
    ("17 Aug 1985", dt.date(1985, 8, 17)),
    ("1 januari 1990", dt.date(1990, 1, 1)),
    ("3 Pebruari 1979", dt.date(1979, 2, 3)),
    ("3 Feb 1979", dt.date(1979, 2, 3)),
    ("9 Maret 2001", dt.date(2001, 3, 9)),
    ("9 Mrt 2001", dt.date(2001, 3, 9)),
    ("30 juni 1970", dt.date(1970, 6, 30)),
    ("4 juli 1966", dt.date(1966, 7, 4)),
    ("12 Okt 1988", dt.date(1988, 10, 12)),
    ("12 October 1988", dt.date(1988, 10, 12)),
    ("11 nopember 1955", dt.date(1955, 11, 11)),
    ("25 Des 1999", dt.date(1999, 12, 25)),
    ("25 Dec 1999", dt.date(1999, 12, 25)),
    ("29 Feb 2000", dt.date(2000, 2, 29)),
    ("1 9 1939", dt.date(1939, 9, 1)),
])
def test_month_names_and_numbers(text: str, born: dt.date) -> None:
    assert parse_birth_date(text, TODAY) == born


@pytest.mark.parametrize(("text", "born"), [
    ("1-1-05", dt.date(2005, 1, 1)),  # 21 years old: 2005, not 1905 (121)
    ("1-1-10", dt.date(2010, 1, 1)),  # 16
    ("22-11-11", dt.date(2011, 11, 22)),  # 15 today
    ("1-1-30", dt.date(1930, 1, 1)),  # 96: 1930, not 2030 (future)
    ("23-11-26", dt.date(1926, 11, 23)),  # 99 (100 tomorrow)
    ("22-11-26", dt.date(1926, 11, 22)),  # 100 today
    ("1-1-85", dt.date(1985, 1, 1)),
])
def test_two_digit_year_makes_the_person_15_to_100(text: str, born: dt.date) -> None:
    assert parse_birth_date(text, TODAY) == born


@pytest.mark.parametrize("text", [
    "", "halo", "Siti Aminah", "1985", "5678", "12345", "15 05", "15 mei", "31-02-1985", "29 Feb 2001",
    "15 13 1985", "0-5-1985", "15 bulan 1985", "15 mai 1985",
    "1-1-15",  # 11 (2015) or 111 (1915): neither is 15–100
    "23-11-11",  # 14 until tomorrow
    "15 5 2030", "1-1-1899", "6408045708850003", "15/5/1985/2", "15 mei 1985 " + "x" * 40,
])
def test_not_a_birth_date(text: str) -> None:
    assert parse_birth_date(text, TODAY) is None


def test_today_is_a_birth_date_with_a_four_digit_year() -> None:
    assert parse_birth_date("22-11-2026", TODAY) == TODAY
