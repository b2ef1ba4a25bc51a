"""Eligibility rules per district, table-driven (OpenFisca-style: inputs → expected outcome and reasons)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bot.domain.content import ContentError
from bot.domain.eligibility import (
    AGE_BANDS,
    RULES_DIR,
    Answers,
    age_range_from_text,
    bpu_alternative,
    evaluate,
    explain,
    load_rules,
)
from bot.domain.i18n import load_catalogs, translator

ADULT = AGE_BANDS["30to45"]

# name, answers, expected outcome, expected reason codes (in order), criteria the district verifies
CASES: list[tuple[str, dict[str, Any], str, list[str], list[str]]] = [
    # Kutai Timur (64.08): occupation list; age, income, DTKS unknown
    ("kutim ojek", {"kabupaten_code": "64.08", "occupation": "ojek", "member": "no"},
     "likely", ["domicile_ok", "occupation_ok"], ["age", "income", "welfare_list", "active_participant"]),
    ("kutim religious figure, unsure member", {"kabupaten_code": "64.08", "occupation": "religious"},
     "likely", ["domicile_ok", "occupation_ok", "member_unsure"],
     ["age", "income", "welfare_list", "active_participant"]),
    ("kutim other work", {"kabupaten_code": "64.08", "occupation": "other", "member": "no"},
     "needs_verification", ["domicile_ok", "occupation_not_listed"],
     ["age", "income", "welfare_list", "active_participant"]),
    ("kutim courier is not on the list", {"kabupaten_code": "64.08", "occupation": "driver_courier", "member": "no"},
     "needs_verification", ["domicile_ok", "occupation_not_listed"],
     ["age", "income", "welfare_list", "active_participant"]),
    ("kutim NIK from Samarinda", {"kabupaten_code": "64.08", "occupation": "farmer", "member": "no",
                                  "nik_kabupaten": "64.72"},
     "needs_verification", ["domicile_nik_other", "occupation_ok"],
     ["age", "income", "welfare_list", "active_participant"]),
    ("kutim over 65 is not refused (no age rule)", {"kabupaten_code": "64.08", "occupation": "fisher",
                                                    "age": AGE_BANDS["gt65"], "member": "no"},
     "likely", ["domicile_ok", "occupation_ok"], ["age", "income", "welfare_list", "active_participant"]),
    ("kutim already a member", {"kabupaten_code": "64.08", "occupation": "trader", "member": "yes"},
     "likely", ["domicile_ok", "occupation_ok", "already_member"],
     ["age", "income", "welfare_list", "active_participant"]),
    # Kutai Kartanegara (64.02): DTKS checked
    ("kukar farmer on DTKS", {"kabupaten_code": "64.02", "occupation": "farmer", "welfare_list": "yes",
                              "member": "no"},
     "likely", ["domicile_ok", "occupation_ok", "welfare_ok"], ["age", "income", "active_participant"]),
    ("kukar farmer not on DTKS", {"kabupaten_code": "64.02", "occupation": "farmer", "welfare_list": "no",
                                  "member": "no"},
     "needs_verification", ["domicile_ok", "occupation_ok", "welfare_missing"],
     ["age", "income", "active_participant"]),
    ("kukar livestock keeper, DTKS unknown", {"kabupaten_code": "64.02", "occupation": "livestock",
                                              "member": "no"},
     "needs_verification", ["domicile_ok", "occupation_ok", "welfare_missing"],
     ["age", "income", "active_participant"]),
    ("kukar village staff on DTKS", {"kabupaten_code": "64.02", "kecamatan_code": "64.02.01",
                                     "occupation": "village_staff", "welfare_list": "yes", "member": "no"},
     "likely", ["domicile_ok", "occupation_ok", "welfare_ok"], ["age", "income", "active_participant"]),
    # Penajam Paser Utara (64.09): age 18–65 required
    ("ppu fisher aged 30–45", {"kabupaten_code": "64.09", "occupation": "fisher", "age": ADULT, "member": "no"},
     "likely", ["domicile_ok", "age_ok", "occupation_ok"], ["income", "welfare_list", "active_participant"]),
    ("ppu over 65", {"kabupaten_code": "64.09", "occupation": "fisher", "age": AGE_BANDS["gt65"], "member": "no"},
     "not_eligible", ["domicile_ok", "age_outside", "occupation_ok"],
     ["income", "welfare_list", "active_participant"]),
    ("ppu under 18", {"kabupaten_code": "64.09", "occupation": "ojek", "age": AGE_BANDS["lt18"], "member": "no"},
     "not_eligible", ["domicile_ok", "age_outside", "occupation_ok"],
     ["income", "welfare_list", "active_participant"]),
    ("ppu exactly 65", {"kabupaten_code": "64.09", "occupation": "farmer", "age": (65, 65), "member": "no"},
     "likely", ["domicile_ok", "age_ok", "occupation_ok"], ["income", "welfare_list", "active_participant"]),
    ("ppu birth year straddles 65", {"kabupaten_code": "64.09", "occupation": "farmer", "age": (65, 66),
                                     "member": "no"},
     "needs_verification", ["domicile_ok", "age_boundary", "occupation_ok"],
     ["income", "welfare_list", "active_participant"]),
    ("ppu age not given", {"kabupaten_code": "64.09", "occupation": "farmer", "member": "no"},
     "needs_verification", ["domicile_ok", "age_not_given", "occupation_ok"],
     ["age", "income", "welfare_list", "active_participant"]),
    ("ppu construction worker", {"kabupaten_code": "64.09", "occupation": "construction", "age": ADULT,
                                 "member": "no"},
     "needs_verification", ["domicile_ok", "age_ok", "occupation_not_listed"],
     ["income", "welfare_list", "active_participant"]),
    # Bontang (64.74): income below the city minimum wage (checked, never a refusal)
    ("bontang low income", {"kabupaten_code": "64.74", "occupation": "other", "income": "lt1", "member": "no"},
     "likely", ["domicile_ok", "income_ok"], ["age", "occupation", "welfare_list", "active_participant"]),
    ("bontang income above the cited limit", {"kabupaten_code": "64.74", "occupation": "trader", "income": "3to5",
                                              "member": "no"},
     "needs_verification", ["domicile_ok", "income_above"],
     ["age", "occupation", "welfare_list", "active_participant"]),
    ("bontang income not given", {"kabupaten_code": "64.74", "occupation": "ojek", "member": "no"},
     "needs_verification", ["domicile_ok", "income_not_given"],
     ["age", "occupation", "income", "welfare_list", "active_participant"]),
    # Fallback: every other region
    ("samarinda (no rule file)", {"kabupaten_code": "64.72", "occupation": "ojek", "age": ADULT, "income": "lt1",
                                  "welfare_list": "yes", "member": "no"},
     "needs_verification", ["no_district_rule"], ["domicile", "age", "occupation", "income", "welfare_list",
                                                  "active_participant"]),
    ("bandung (outside the province)", {"kabupaten_code": "32.04", "occupation": "farmer"},
     "needs_verification", ["no_district_rule", "member_unsure"],
     ["domicile", "age", "occupation", "income", "welfare_list", "active_participant"]),
]


@pytest.mark.parametrize(("name", "given", "outcome", "reasons", "verify"), CASES, ids=[c[0] for c in CASES])
def test_rule_cases(name: str, given: dict[str, Any], outcome: str, reasons: list[str], verify: list[str]) -> None:
    given = dict(given)
    age = given.pop("age", (None, None))
    answers = Answers(age_min=age[0], age_max=age[1], **given)
    result = evaluate(answers)
    assert (result.outcome, result.codes, list(result.to_verify)) == (outcome, reasons, verify)


def test_every_district_has_a_rule_with_its_basis() -> None:
    book = load_rules()
    assert sorted(book.rules) == ["64.02", "64.08", "64.09", "64.74"]
    for rule in book.rules.values():
        assert rule.programmes == ["JKK", "JKM"] and rule.payers == ["APBD"]
        assert rule.legal_basis and rule.sources
    assert book.fallback.is_fallback and book.fallback.unknown_criteria == [
        "domicile", "age", "occupation", "income", "welfare_list", "active_participant"]


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


FALLBACK = 'region = "*"\nname = "x"\nprogrammes = ["JKK"]\nchecked_on = 2026-01-01\n'


def test_required_criterion_refuses_checked_one_only_asks(tmp_path: Path) -> None:
    _write(tmp_path, "fallback.toml", FALLBACK)
    _write(tmp_path, "6472.toml", 'region = "64.72"\nname = "S"\nprogrammes = ["JKK", "JKM"]\n'
           'legal_basis = ["Perwali"]\nchecked_on = 2026-01-01\n[criteria]\nincome = "required"\n'
           'income_max = 2000000\nwelfare_list = "required"\n')
    book = load_rules(tmp_path)
    rich = evaluate(Answers("64.72", income="gt5", welfare_list="yes", member="no"), book)
    assert (rich.outcome, rich.codes) == ("not_eligible", ["income_above", "welfare_ok"])
    unlisted = evaluate(Answers("64.72", income="1to2", welfare_list="no", member="no"), book)
    assert (unlisted.outcome, unlisted.codes) == ("not_eligible", ["income_ok", "welfare_missing"])
    unsure = evaluate(Answers("64.72", income="1to2", welfare_list="unknown", member="no"), book)
    assert unsure.outcome == "needs_verification"


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("6408.toml", 'region = "64.08"\nname = "K"\nprogrammes = ["JKK"]\nchecked_on = 2026-01-01\n', "legal basis"),
    ("6499.toml", 'region = "64.99"\nname = "K"\nprogrammes = ["JKK"]\nlegal_basis = ["x"]\n'
                  'checked_on = 2026-01-01\n', "not a Kemendagri"),
    ("6409.toml", 'region = "64.08"\nname = "K"\nprogrammes = ["JKK"]\nlegal_basis = ["x"]\n'
                  'checked_on = 2026-01-01\n', "file name"),
    ("6408.toml", 'region = "64.08"\nname = "K"\nprogrammes = ["JKK"]\nlegal_basis = ["x"]\n'
                  'checked_on = 2026-01-01\n[criteria]\nage = "required"\n', "age_min"),
    ("6408.toml", 'region = "64.08"\nname = "K"\nprogrammes = ["JKK"]\nlegal_basis = ["x"]\n'
                  'checked_on = 2026-01-01\n[criteria]\noccupation = "checked"\noccupations = ["pilot"]\n', "pilot"),
])
def test_invalid_rule_files_are_refused_with_the_reason(tmp_path: Path, name: str, text: str, problem: str) -> None:
    _write(tmp_path, "fallback.toml", FALLBACK)
    _write(tmp_path, name, text)
    with pytest.raises(ContentError, match=problem):
        load_rules(tmp_path)


def test_missing_fallback_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="fallback"):
        load_rules(tmp_path)


def test_rules_dir_has_only_valid_files() -> None:
    assert {p.name for p in RULES_DIR.glob("*.toml")} == {"6402.toml", "6408.toml", "6409.toml", "6474.toml",
                                                         "fallback.toml"}


@pytest.mark.parametrize(("text", "expected"), [
    ("35", (35, 35)), ("1990", (35, 36)), (" 2008 ", (17, 18)), ("9", None), ("abc", None), ("2030", None),
    ("1850", None), ("35 tahun", None), ("", None),
])
def test_age_from_text(text: str, expected: tuple[int, int] | None) -> None:
    assert age_range_from_text(text, dt.date(2026, 11, 22)) == expected


def test_bpu_alternative_uses_sector_discount_and_income_bracket() -> None:
    day = dt.date(2026, 11, 22)
    assert bpu_alternative("ojek", "lt1", day).basic_total == 8_400  # PP 50/2025 transport discount
    assert bpu_alternative("farmer", None, day).basic_total == 8_400  # other sectors Apr–Dec 2026
    assert bpu_alternative("farmer", None, dt.date(2027, 1, 5)).basic_total == 16_800
    assert bpu_alternative("trader", "2to3", dt.date(2027, 6, 1)).basic_total == 20_000 + 6_800


def test_reasons_read_as_plain_sentences() -> None:
    load_catalogs()
    result = evaluate(Answers("64.09", occupation="fisher", age_min=66, age_max=120, member="no"))
    lines = explain(result, translator("en"))
    assert lines == ["Your age is outside the 18–65 years that Penajam Paser Utara covers.",  # deciding reason first
                     "You live in Penajam Paser Utara, where the district pays for workers like you.",
                     "Your work (Fisher) is on Penajam Paser Utara's list."]
