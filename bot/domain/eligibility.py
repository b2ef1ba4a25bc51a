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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.content import CONTENT_DIR, ContentError, load_toml
from bot.domain.contributions import Quote, quote
from bot.domain.i18n import N_, Translator
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupation as find_occupation
from bot.domain.regions import region, short_name

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


def evaluate(answers: Answers, rules: RuleBook | None = None) -> Result:
    """The outcome and its reasons for these answers under the district's rule."""
    book = rules or load_rules()
    rule = book.rule_for(answers.kabupaten_code)
    name = region_display_name(answers.kabupaten_code)
    c = rule.criteria
    reasons: list[Reason] = []
    verify: list[str] = list(rule.unknown_criteria)
    worst = "ok"

    def mark(level: str, code: str, **params: str | int) -> None:
        nonlocal worst
        reasons.append(Reason(code, {"region": name, **params}))
        if _SEVERITY[level] > _SEVERITY[worst]:
            worst = level

    def soften(status: Status, level: str) -> str:
        # Only a published ("required") criterion can refuse; a "checked" one only asks for verification.
        return "unsure" if level == "fail" and status != "required" else level

    if rule.is_fallback:
        mark("unsure", "no_district_rule")
    else:
        if c.domicile != "unknown":
            if answers.nik_kabupaten is not None and answers.nik_kabupaten != answers.kabupaten_code:
                mark("unsure", "domicile_nik_other")
            else:
                mark("ok", "domicile_ok")
        if c.age != "unknown":
            assert c.age_min is not None and c.age_max is not None
            given = answers.age_min is not None and answers.age_max is not None
            level = _check_range(answers.age_min, answers.age_max, c.age_min, c.age_max) if given else None
            bounds = {"min": c.age_min, "max": c.age_max}
            if level is None:
                mark("unsure", "age_not_given", **bounds)
                verify.append("age")
            else:
                code = {"ok": "age_ok", "fail": "age_outside", "unsure": "age_boundary"}[level]
                mark(soften(c.age, level), code, **bounds)
        if c.occupation != "unknown" and answers.occupation is not None:
            label = OCCUPATION_LABELS.get(answers.occupation, answers.occupation)
            if answers.occupation in c.occupations:
                mark("ok", "occupation_ok", occupation=label)
            else:
                mark(soften(c.occupation, "fail"), "occupation_not_listed", occupation=label)
        if c.income != "unknown":
            assert c.income_max is not None
            bounds_income = INCOME_RANGES.get(answers.income or "")
            low, high = bounds_income if bounds_income else (None, None)
            level = _check_range(low, high, 0, c.income_max)
            if level is None:
                mark("unsure", "income_not_given")
                verify.append("income")
            elif level == "ok":
                mark("ok", "income_ok")
            else:
                mark(soften(c.income, level), "income_above")
        if c.welfare_list != "unknown":
            if answers.welfare_list == "yes":
                mark("ok", "welfare_ok")
            else:
                fail = "fail" if answers.welfare_list == "no" else "unsure"
                mark(soften(c.welfare_list, fail), "welfare_missing")
    if answers.member == "yes":
        reasons.append(Reason("already_member", {"region": name}))
    elif answers.member == "unknown":
        reasons.append(Reason("member_unsure", {"region": name}))
    outcome: Outcome = {"ok": "likely", "unsure": "needs_verification", "fail": "not_eligible"}[worst]  # type: ignore[assignment]
    ordered_verify = tuple(dict.fromkeys(c_ for c_ in CRITERIA if c_ in verify))
    return Result(outcome, rule, name, tuple(reasons), ordered_verify)


def age_range_from_text(text: str, today: dt.date) -> tuple[int, int] | None:
    """A typed age ("35") or birth year ("1990") → (lowest, highest) possible age; None when not plausible."""
    digits = text.strip()
    if not digits.isdigit() or len(digits) > 4:
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
