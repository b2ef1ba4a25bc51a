"""Eligibility screening for district-funded (APBD/CSR) BPJS Ketenagakerjaan cover, from rules kept as data.

One rule file per district in content/eligibility/<code>.toml, plus `fallback.toml` for every other region.
Each criterion has a status:
- ``required``: a published rule; a clear miss gives *not eligible*, an unknown answer *needs verification*;
- ``checked``: the district is known to check it but the details are not published; a miss or an unknown
  answer gives *needs verification* (never a refusal);
- ``unknown``: no source found; not evaluated, listed as "the district verifies".
The outcome is never a promise: the district decides. No personal data here (age and income as ranges).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.clock import Clock
from bot.domain.content import CONTENT_DIR, ContentError, load_toml
from bot.domain.contributions import DiscountExclusion, Quote, load_table, quote
from bot.domain.i18n import N_, Translator
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupation as find_occupation
from bot.domain.regions import HOME_PROVINCE, Region, kabupaten_in_province, kecamatan_of, region, short_name
from storage.eligibility import EligibilityRepository

RULES_DIR = CONTENT_DIR / "eligibility"
FALLBACK_FILE = "fallback.toml"

Outcome = Literal["likely", "needs_verification", "not_eligible"]
OUTCOMES: tuple[Outcome, ...] = ("likely", "needs_verification", "not_eligible")
Status = Literal["required", "checked", "unknown"]
Answer = Literal["yes", "no", "unknown"]
CRITERIA = ("domicile", "age", "occupation", "income", "welfare_list", "active_participant")

OUTCOME_LABELS: dict[str, str] = {
    "likely": N_("Likely eligible"),
    "needs_verification": N_("Needs checking by your desa"),
    "not_eligible": N_("Not eligible yet"),
}
OUTCOME_ICONS = {"likely": "✅", "needs_verification": "🔎", "not_eligible": "⛔️"}

CRITERION_LABELS: dict[str, str] = {
    "domicile": N_("where you live (KTP address)"),
    "age": N_("age"),
    "occupation": N_("type of work"),
    "income": N_("income"),
    "welfare_list": N_("welfare list (DTKS/DTSEN)"),
    "active_participant": N_("existing BPJS membership"),
}

PAYER_LABELS: dict[str, str] = {
    "APBD": N_("the district budget (APBD)"),
    "CSR": N_("company CSR funds"),
    "DANA_DESA": N_("village funds (dana desa)"),
}

PROPOSER_LABELS: dict[str, str] = {
    "desa": N_("your desa/kelurahan proposes the names"),
    "rt_desa": N_("your RT and desa propose the names with a letter (surat keterangan)"),
    "kelurahan": N_("your kelurahan proposes the names"),
    "unknown": N_("ask your desa/kelurahan how names are proposed"),
}

# Reason codes → plain-language msgids (placeholders filled by `explain`).
REASON_TEXTS: dict[str, str] = {
    "no_district_rule": N_("I don't know a district programme for {region} yet."),
    "domicile_ok": N_("You live in {region}, where the district pays for workers like you."),
    "domicile_nik_other": N_("Your NIK is from another district. {region} usually covers its own residents."),
    "age_ok": N_("Your age is within {min}–{max} years."),
    "age_outside": N_("Your age is outside the {min}–{max} years that {region} covers."),
    "age_boundary": N_("{region} covers ages {min}–{max}; your exact age will be checked."),
    "age_not_given": N_("{region} covers ages {min}–{max}; tell your desa your age."),
    "occupation_ok": N_("Your work ({occupation}) is on {region}'s list."),
    "occupation_not_listed": N_("Your work ({occupation}) is not on {region}'s published list; the desa can say "
                                "whether it counts."),
    "income_ok": N_("Your income is within {region}'s limit."),
    "income_above": N_("{region} covers workers with income below the city minimum wage; yours will be checked."),
    "income_not_given": N_("{region} checks income; the desa will ask you."),
    "welfare_ok": N_("You are on the welfare list that {region} uses."),
    "welfare_missing": N_("{region} uses the welfare list (DTKS). Ask your desa whether you are on it."),
    "already_member": N_("You are already a BPJS Ketenagakerjaan member: check your status in the JMO app."),
    "member_unsure": N_("Not sure if you are a member? The JMO app or Contact Center 175 can tell you."),
}

INCOME_RANGES: dict[str, tuple[int, int | None]] = {
    # id → (lowest, highest) monthly income in rupiah; None = no upper bound
    "lt1": (0, 999_999),
    "1to2": (1_000_000, 1_999_999),
    "2to3": (2_000_000, 2_999_999),
    "3to5": (3_000_000, 4_999_999),
    "gt5": (5_000_000, None),
}

AGE_BANDS: dict[str, tuple[int, int]] = {
    "lt18": (0, 17),
    "18to29": (18, 29),
    "30to45": (30, 45),
    "46to55": (46, 55),
    "56to65": (56, 65),
    "gt65": (66, 120),
}

_SEVERITY = {"ok": 0, "unsure": 1, "fail": 2}


class Criteria(BaseModel):
    model_config = ConfigDict(extra="forbid")
    domicile: Status = "unknown"
    age: Status = "unknown"
    occupation: Status = "unknown"
    income: Status = "unknown"
    welfare_list: Status = "unknown"
    active_participant: Status = "unknown"
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    occupations: list[str] = []
    income_max: int | None = Field(default=None, gt=0)

    @field_validator("occupations")
    @classmethod
    def _known_occupations(cls, value: list[str]) -> list[str]:
        unknown = [o for o in value if o not in OCCUPATION_LABELS]
        if unknown:
            raise ValueError(f"unknown occupation ids {unknown}; see content/occupations.toml")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Criteria:
        if self.age != "unknown" and (self.age_min is None or self.age_max is None or self.age_min > self.age_max):
            raise ValueError("age is known: give age_min <= age_max")
        if self.occupation != "unknown" and not self.occupations:
            raise ValueError("occupation is known: list the occupations")
        if self.income != "unknown" and self.income_max is None:
            raise ValueError("income is known: give income_max")
        return self


class Rule(BaseModel):
    """One district's programme (or the fallback, region = "*")."""

    model_config = ConfigDict(extra="forbid")
    region: str = Field(pattern=r"^(\*|\d{2}\.\d{2})$")
    name: str
    payers: list[Literal["APBD", "CSR", "DANA_DESA"]] = []
    programmes: list[Literal["JKK", "JKM", "JHT"]]
    proposed_by: Literal["desa", "rt_desa", "kelurahan", "unknown"] = "unknown"
    legal_basis: list[str] = []
    sources: list[str] = []
    notes: str = ""
    checked_on: dt.date
    criteria: Criteria = Criteria()

    @property
    def is_fallback(self) -> bool:
        return self.region == "*"

    @property
    def unknown_criteria(self) -> list[str]:
        return [c for c in CRITERIA if getattr(self.criteria, c) == "unknown"]

    @property
    def known_criteria(self) -> list[str]:
        """The criteria a source says the district checks ("required" or "checked"): the only ones the bot may
        name as checked; the unknown ones are "to be verified"."""
        return [c for c in CRITERIA if getattr(self.criteria, c) != "unknown"]

    @model_validator(mode="after")
    def _sourced(self) -> Rule:
        if not self.is_fallback and not (self.legal_basis or self.sources):
            raise ValueError(f"{self.region}: a district rule needs a legal basis or a source")
        return self


@dataclass(frozen=True)
class Answers:
    """What the worker told us; ranges only (no exact age or income, no NIK)."""

    kabupaten_code: str
    kecamatan_code: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    occupation: str | None = None
    income: str | None = None  # an INCOME_RANGES id, None = prefer not to say
    member: Answer = "unknown"
    welfare_list: Answer = "unknown"
    nik_kabupaten: str | None = None  # from the first digits of a NIK, when the worker gave one


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    rule: Rule
    region_name: str
    reasons: tuple[Reason, ...]
    to_verify: tuple[str, ...]  # criteria the district verifies (unknown to us or not answered)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


class RuleBook:
    def __init__(self, rules: dict[str, Rule], fallback: Rule) -> None:
        self.rules = rules
        self.fallback = fallback

    def rule_for(self, kabupaten_code: str) -> Rule:
        return self.rules.get(kabupaten_code, self.fallback)


def _load_rule(path: Path) -> Rule:
    try:
        return Rule.model_validate(load_toml(path))
    except ValidationError as exc:
        raise ContentError(f"{path}: {exc}") from None


@lru_cache(maxsize=4)
def load_rules(directory: Path = RULES_DIR) -> RuleBook:
    rules: dict[str, Rule] = {}
    fallback: Rule | None = None
    for path in sorted(directory.glob("*.toml")):
        rule = _load_rule(path)
        if rule.is_fallback:
            if path.name != FALLBACK_FILE:
                raise ContentError(f"{path}: region '*' belongs in {FALLBACK_FILE}")
            fallback = rule
            continue
        if path.stem != rule.region.replace(".", ""):
            raise ContentError(f"{path}: file name must be the region code without dots ({rule.region})")
        if region(rule.region) is None:
            raise ContentError(f"{path}: {rule.region} is not a Kemendagri kabupaten/kota code")
        rules[rule.region] = rule
    if fallback is None:
        raise ContentError(f"{directory}: {FALLBACK_FILE} (region = \"*\") is missing")
    return RuleBook(rules, fallback)


def region_display_name(code: str) -> str:
    found = region(code)
    return short_name(found) if found is not None else code


def _check_range(low: int | None, high: int | None, rule_min: int, rule_max: int | None) -> str | None:
    """ok / fail / unsure for a range of values against [rule_min, rule_max]; None when not given."""
    if low is None:
        return None
    upper_ok = rule_max is None or (high is not None and high <= rule_max)
    if low >= rule_min and upper_ok:
        return "ok"
    if (high is not None and high < rule_min) or (rule_max is not None and low > rule_max):
        return "fail"
    return "unsure"


_OUTCOME_OF: dict[str, Outcome] = {"ok": "likely", "unsure": "needs_verification", "fail": "not_eligible"}


class _Verdict:
    """The reasons found so far under one rule, and the worst level among them (ok < unsure < fail)."""

    def __init__(self, rule: Rule, region_name: str) -> None:
        self.criteria = rule.criteria
        self.region_name = region_name
        self.reasons: list[Reason] = []
        self.verify: list[str] = list(rule.unknown_criteria)
        self.worst = "ok"

    def mark(self, level: str, code: str, **params: str | int) -> None:
        self.reasons.append(Reason(code, {"region": self.region_name, **params}))
        if _SEVERITY[level] > _SEVERITY[self.worst]:
            self.worst = level

    def mark_criterion(self, status: Status, level: str, code: str, **params: str | int) -> None:
        # Only a published ("required") criterion can refuse; a "checked" one only asks for verification.
        self.mark("unsure" if level == "fail" and status != "required" else level, code, **params)


def _check_domicile(v: _Verdict, answers: Answers) -> None:
    if v.criteria.domicile == "unknown":
        return
    if answers.nik_kabupaten is not None and answers.nik_kabupaten != answers.kabupaten_code:
        v.mark("unsure", "domicile_nik_other")
    else:
        v.mark("ok", "domicile_ok")


def _check_age(v: _Verdict, answers: Answers) -> None:
    c = v.criteria
    if c.age == "unknown":
        return
    assert c.age_min is not None and c.age_max is not None
    given = answers.age_min is not None and answers.age_max is not None
    level = _check_range(answers.age_min, answers.age_max, c.age_min, c.age_max) if given else None
    bounds = {"min": c.age_min, "max": c.age_max}
    if level is None:
        v.mark("unsure", "age_not_given", **bounds)
        v.verify.append("age")
    else:
        code = {"ok": "age_ok", "fail": "age_outside", "unsure": "age_boundary"}[level]
        v.mark_criterion(c.age, level, code, **bounds)


def _check_occupation(v: _Verdict, answers: Answers) -> None:
    c = v.criteria
    if c.occupation == "unknown" or answers.occupation is None:
        return
    label = OCCUPATION_LABELS.get(answers.occupation, answers.occupation)
    if answers.occupation in c.occupations:
        v.mark("ok", "occupation_ok", occupation=label)
    else:
        v.mark_criterion(c.occupation, "fail", "occupation_not_listed", occupation=label)


def _check_income(v: _Verdict, answers: Answers) -> None:
    c = v.criteria
    if c.income == "unknown":
        return
    assert c.income_max is not None
    bounds_income = INCOME_RANGES.get(answers.income or "")
    low, high = bounds_income if bounds_income else (None, None)
    level = _check_range(low, high, 0, c.income_max)
    if level is None:
        v.mark("unsure", "income_not_given")
        v.verify.append("income")
    elif level == "ok":
        v.mark("ok", "income_ok")
    else:
        v.mark_criterion(c.income, level, "income_above")


def _check_welfare(v: _Verdict, answers: Answers) -> None:
    if v.criteria.welfare_list == "unknown":
        return
    if answers.welfare_list == "yes":
        v.mark("ok", "welfare_ok")
    else:
        v.mark_criterion(v.criteria.welfare_list, "fail" if answers.welfare_list == "no" else "unsure",
                         "welfare_missing")


def evaluate(answers: Answers, rules: RuleBook | None = None) -> Result:
    """The outcome and its reasons for these answers under the district's rule."""
    book = rules or load_rules()
    rule = book.rule_for(answers.kabupaten_code)
    name = region_display_name(answers.kabupaten_code)
    v = _Verdict(rule, name)
    if rule.is_fallback:
        v.mark("unsure", "no_district_rule")
    else:
        for check in (_check_domicile, _check_age, _check_occupation, _check_income, _check_welfare):
            check(v, answers)
    if answers.member == "yes":
        v.reasons.append(Reason("already_member", {"region": name}))
    elif answers.member == "unknown":
        v.reasons.append(Reason("member_unsure", {"region": name}))
    ordered_verify = tuple(dict.fromkeys(c for c in CRITERIA if c in v.verify))
    return Result(_OUTCOME_OF[v.worst], rule, name, tuple(v.reasons), ordered_verify)


def age_range_from_text(text: str, today: dt.date) -> tuple[int, int] | None:
    """A typed age ("35") or birth year ("1990") → (lowest, highest) possible age; None when not plausible."""
    digits = text.strip()
    if not digits.isdecimal() or len(digits) > 4:  # not isdigit(): "²" is a digit int() refuses
        return None
    value = int(digits)
    if len(digits) == 4:
        if not 1900 <= value <= today.year:
            return None
        return max(0, today.year - value - 1), today.year - value
    if 10 <= value <= 110:
        return value, value
    return None


def bpu_alternative(occupation_id: str | None, income: str | None, today: dt.date) -> Quote:
    """What self-registration as BPU (JKK + JKM) costs per month today, at the declared income's bracket."""
    found = find_occupation(occupation_id) if occupation_id else None
    low = INCOME_RANGES[income][0] if income in INCOME_RANGES else 0
    return quote(low, found.sector if found else "other", today)


def budget_exclusion(rule: Rule) -> DiscountExclusion | None:
    """The discount exclusion that holds for the people a district covers: a Pemda paying from the APBD pays
    the full fee and the worker pays nothing (PP 50/2025 Pasal 3). The fallback names the Pemda as a possible
    payer, so it holds there too; a district paid only by CSR or the village fund has none."""
    table = load_table()
    if rule.is_fallback:
        return table.exclusion()
    return next((e for e in map(table.exclusion_for_funder, rule.payers) if e is not None), None)


# Reasons that decide a "not eligible" outcome: shown first, marked.
BLOCKING_REASONS = frozenset({"age_outside"})


def blocking_count(result: Result) -> int:
    return sum(1 for reason in result.reasons if reason.code in BLOCKING_REASONS)


def explain(result: Result, t: Translator) -> list[str]:
    """The reasons as plain sentences in the user's language, the deciding ones first."""
    lines = []
    ordered = sorted(result.reasons, key=lambda reason: reason.code not in BLOCKING_REASONS)
    for reason in ordered:
        params = dict(reason.params)
        if "occupation" in params:
            params["occupation"] = t.gettext(str(params["occupation"]))
        lines.append(t.gettext(REASON_TEXTS[reason.code]).format(**params))
    return lines


@dataclass(frozen=True)
class Screening:
    """One finished screening: the outcome with its reasons, whether the district's payer pays the full fee,
    and what self-registration as BPU (mandiri) costs today."""

    answers: Answers
    result: Result
    bpu: Quote  # what a self-paying (mandiri) BPU pays, with the discount in force
    paid_for: DiscountExclusion | None = None  # the district pays in full (the worker nothing): who is excluded


class EligibilityService:
    """Cek Kelayakan: the region picker of the home province, typed ages, the outcome under the district's rule,
    and the anonymous record of every screening (kept for statistics; the link to the user goes on erasure)."""

    def __init__(
        self, repository: EligibilityRepository, clock: Clock, tz: ZoneInfo, *, home_province: str = HOME_PROVINCE,
        rules: RuleBook | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.tz = tz
        self.home_province = home_province
        self.rules = rules

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    def kabupaten(self) -> list[Region]:
        """The kabupaten/kota offered as buttons (the home province's; others come from NIK digits)."""
        return kabupaten_in_province(self.home_province)

    def home_kabupaten(self, code: str) -> Region | None:
        """The kabupaten/kota with this code when it is one of `kabupaten()`, else None."""
        found = region(code)
        if found is None or found.level != 2 or found.code[:2] != self.home_province:
            return None
        return found

    @staticmethod
    def kecamatan_in(kabupaten_code: str, code: str) -> bool:
        return code in {r.code for r in kecamatan_of(kabupaten_code)}

    def age_range(self, text: str) -> tuple[int, int] | None:
        """A typed age or birth year as a range of ages today."""
        return age_range_from_text(text, self.today())

    async def screen(self, user_id: int, answers: Answers) -> Screening:
        """Evaluate the answers, record the anonymous outcome, and price the BPU alternative."""
        result = evaluate(answers, self.rules)
        now = self.clock.now()
        await self.repository.record(
            user_id=user_id, kabupaten_code=answers.kabupaten_code, kecamatan_code=answers.kecamatan_code,
            outcome=result.outcome, occupation=answers.occupation, income_range=answers.income, now=now,
        )
        bpu = bpu_alternative(answers.occupation, answers.income, now.astimezone(self.tz).date())
        return Screening(answers, result, bpu, budget_exclusion(result.rule))

    async def erase(self, user_id: int) -> None:
        """/hapusdata: the figures stay, their link to the user goes."""
        await self.repository.forget_user(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        return []  # only ranges (region, outcome, work, income band) are kept; /dataku has not listed them
