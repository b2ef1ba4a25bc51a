"""Cek Kelayakan: what the flow remembers (`EligibilityState`), the question of each step and the result text."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.benefits import pays_nothing_line
from bot.domain.eligibility import (
    CRITERION_LABELS,
    INCOME_RANGES,
    OUTCOME_ICONS,
    OUTCOME_LABELS,
    PAYER_LABELS,
    PROPOSER_LABELS,
    Answer,
    Answers,
    Screening,
    blocking_count,
    explain,
)
from bot.domain.i18n import N_, Translator
from bot.domain.occupations import occupations
from bot.domain.regions import Region, kecamatan_of, region, short_name
from handlers.callbacks import CallbackData, Menu
from handlers.eligibility_callbacks import (
    INCOME_IDS,
    AgeBand,
    EligAge,
    EligBack,
    EligIncome,
    EligKabupaten,
    EligKabupatenPage,
    EligKecamatan,
    EligKecamatanPage,
    EligMember,
    EligOccupation,
    EligOutside,
    EligRestart,
    EligSkipKecamatan,
    EligWelfare,
)
from handlers.flow_state import FlowState
from handlers.keyboards import button, main_menu_button, nav_row, paged, rows

AGE_LABELS: dict[AgeBand, str] = {
    "lt18": N_("Under 18"), "18to29": N_("18–29"), "30to45": N_("30–45"), "46to55": N_("46–55"),
    "56to65": N_("56–65"), "gt65": N_("Over 65"),
}
ANSWER_LABELS: dict[Answer, str] = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Don't know")}
NEXT_STEPS = {
    "likely": N_("Next: sign up your interest below. Then {proposer}."),
    "needs_verification": N_("Next: ask your desa/kelurahan office, or sign up your interest below so they can "
                             "check."),
    "not_eligible": N_("You can still be protected by registering yourself as BPU mandiri:"),
    "member": N_("You are already a member: keep it active (check your payments in the JMO app or call 175)."),
    "fallback": N_("Ask your desa/kelurahan whether the Pemda (APBD), a company (CSR) or the village fund pays "
                   "for workers like you."),
}
PER_PAGE = 10


@dataclass
class EligibilityState(FlowState):
    """The answers so far (ranges only: no NIK, no exact age or income) and the steps taken (for ◀️ Back)."""

    KEY: ClassVar[str] = "eligibility"
    step: str = "region"
    history: list[str] = field(default_factory=list)
    kab: str | None = None
    kec: str | None = None
    nik_kab: str | None = None  # the kabupaten of the NIK digits, when the region came from them
    page: int = 0
    age: list[int] | None = None  # [lowest, highest]
    occ: str | None = None
    inc: str | None = None
    mem: Answer = "unknown"
    wel: Answer = "unknown"

    def go(self, step: str) -> str:
        """Move on to `step`, remembering the current one for ◀️ Back."""
        self.history.append(self.step)
        return step

    def back(self) -> str:
        return self.history.pop() if self.history else "region"

    def answers(self) -> Answers:
        assert self.kab is not None
        low, high = self.age if self.age else (None, None)
        return Answers(kabupaten_code=self.kab, kecamatan_code=self.kec, age_min=low, age_max=high,
                       occupation=self.occ, income=self.inc, member=self.mem, welfare_list=self.wel,
                       nik_kabupaten=self.nik_kab)


def _region_buttons(regions: Sequence[Region], kind: type[EligKabupaten | EligKecamatan]) -> list[InlineKeyboardButton]:
    return [button(short_name(r), kind(r.code)) for r in regions]


def _answer_row(t: Translator, kind: type[EligMember | EligWelfare]) -> list[InlineKeyboardButton]:
    return [button(t.gettext(label), kind(key)) for key, label in ANSWER_LABELS.items()]


def income_label(t: Translator, key: str) -> str:
    low, high = INCOME_RANGES[key]
    if low == 0 and high is not None:
        return t.gettext("Under {amount}").format(amount=t.money(high + 1))
    if high is None:
        return t.gettext("{amount} or more").format(amount=t.money(low))
    return t.gettext("{low} – {high}").format(low=t.money(low), high=t.money(high + 1))


def render_region(
    state: EligibilityState, t: Translator, kabupaten: Sequence[Region],
) -> tuple[str, InlineKeyboardMarkup]:
    """Steps 1/6: the kabupaten/kota buttons, the NIK digits, the kecamatan."""
    _ = t.gettext
    back: CallbackData = EligBack()
    if state.step == "region":
        text = _("<b>Check eligibility</b> (1/6)\nWhere do you live? Tap your kabupaten/kota.\n"
                 "Or type the first 6 digits of your NIK.")
        keyboard = paged(_region_buttons(kabupaten, EligKabupaten), 0, EligKabupatenPage, per_page=20)
        keyboard.append([button(_("🌏 Outside East Kalimantan"), EligOutside())])
        keyboard.append(nav_row(t))
    elif state.step == "nik":
        text = _("Type the first 6 digits of your NIK (on your KTP). They show your kecamatan; "
                 "I don't keep the rest.")
        keyboard = [nav_row(t, back)]
    else:  # kecamatan
        assert state.kab is not None
        found = region(state.kab)
        text = _("Which kecamatan in {region}?").format(region=html.escape(short_name(found) if found else state.kab))
        keyboard = paged(_region_buttons(kecamatan_of(state.kab), EligKecamatan), state.page, EligKecamatanPage,
                         per_page=PER_PAGE)
        keyboard.append([button(_("⏭ Not sure, skip"), EligSkipKecamatan())])
        keyboard.append(nav_row(t, back))
    return text, InlineKeyboardMarkup(keyboard)


def render_question(step: str, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Steps 2/6 to 6/6: age, work, income, membership, welfare list."""
    _ = t.gettext
    if step == "age":
        text = _("<b>(2/6)</b> How old are you? Tap a range, or type your age or birth year.")
        keyboard = rows([button(_(label), EligAge(band)) for band, label in AGE_LABELS.items()], per_row=3)
        keyboard.append([button(_("Prefer not to say"), EligAge("none"))])
    elif step == "occupation":
        text = _("<b>(3/6)</b> What is your main work?")
        keyboard = rows([button(_(o.label_msgid), EligOccupation(o.id)) for o in occupations()])
    elif step == "income":
        text = _("<b>(4/6)</b> About how much do you earn in a month? A range is enough.")
        keyboard = [[button(income_label(t, key), EligIncome(key))] for key in INCOME_IDS]
        keyboard.append([button(_("Prefer not to say"), EligIncome("none"))])
    elif step == "member":
        text = _("<b>(5/6)</b> Are you already a BPJS Ketenagakerjaan member (you or an employer pays)?")
        keyboard = [_answer_row(t, EligMember)]
    else:  # welfare
        text = _("<b>(6/6)</b> Is your family on the welfare list (DTKS/DTSEN)? For example you get PKH or "
                 "BPNT aid.")
        keyboard = [_answer_row(t, EligWelfare)]
    keyboard.append(nav_row(t, EligBack()))
    return text, InlineKeyboardMarkup(keyboard)


def result_text(screening: Screening, t: Translator) -> str:
    """The outcome, its reasons (the deciding ones first and marked), who pays, the next step, the BPU price."""
    _ = t.gettext
    result, rule = screening.result, screening.result.rule
    region_name = html.escape(result.region_name)
    lines = [f"{OUTCOME_ICONS[result.outcome]} <b>{_(OUTCOME_LABELS[result.outcome])}</b> · {region_name}", ""]
    blocking = blocking_count(result)
    lines += [("⛔ " if i < blocking else "• ") + html.escape(line) for i, line in enumerate(explain(result, t))]
    if not rule.is_fallback:
        if rule.known_criteria:  # only what a source says is checked; the rest "will be verified"
            checks = ", ".join(_(CRITERION_LABELS[c]) for c in rule.known_criteria)
            lines.append(_("🔎 {region} checks: {criteria}.").format(region=region_name, criteria=checks))
        if rule.unknown_criteria:
            unknown = ", ".join(_(CRITERION_LABELS[c]) for c in rule.unknown_criteria)
            lines.append(_("❔ {region}'s rules on {criteria} are not known to me: they will be verified.").format(
                region=region_name, criteria=unknown))
        payers = ", ".join(_(PAYER_LABELS[p]) for p in rule.payers)
        lines.append(_("💼 Paid by {payers}: {programmes}. Basis: {basis}.").format(
            payers=payers, programmes=" + ".join(rule.programmes), basis=html.escape("; ".join(rule.legal_basis))))
    if screening.paid_for is not None:
        lines.append(pays_nothing_line(t, screening.paid_for, screening.bpu.discount))
    lines.append("")
    member = screening.answers.member == "yes"
    next_key: str = "fallback" if rule.is_fallback else result.outcome
    if member and next_key == "not_eligible":
        next_key = "member"
    lines.append("➡️ " + _(NEXT_STEPS[next_key]).format(proposer=_(PROPOSER_LABELS[rule.proposed_by])))
    if not member:  # a member is not told to register again
        lines.append(bpu_line(screening, t, price_only=next_key == "not_eligible"))
    lines.append("<i>" + _("This is not a decision: the district decides who is covered.") + "</i>")
    return "\n".join(lines)


def bpu_line(screening: Screening, t: Translator, price_only: bool = False) -> str:
    """What registering and paying oneself (BPU mandiri) costs today: the discounted price is for them only.
    `price_only` when the line before already says to register oneself (said once, not twice)."""
    bpu = screening.bpu
    amount, income = t.money(bpu.basic_total), t.money(bpu.declared_income)
    if price_only and bpu.discount is not None:
        return t.gettext("💡 JKK + JKM {amount} a month today, with the {name} discount for self-paying workers "
                         "(declared income {income}). In the JMO app or at a BPJS Ketenagakerjaan office.").format(
            amount=amount, name=bpu.discount.name, income=income)
    if price_only:
        return t.gettext("💡 JKK + JKM {amount} a month today (declared income {income}). In the JMO app or at a "
                         "BPJS Ketenagakerjaan office.").format(amount=amount, income=income)
    if bpu.discount is not None:
        return t.gettext("💡 Or register as BPU mandiri and pay yourself: JKK + JKM {amount} a month today, with "
                         "the {name} discount for self-paying workers (declared income {income}). In the JMO app "
                         "or at a BPJS Ketenagakerjaan office.").format(
            amount=amount, name=bpu.discount.name, income=income)
    return t.gettext("💡 Or register as BPU mandiri and pay yourself: JKK + JKM {amount} a month today (declared "
                     "income {income}). In the JMO app or at a BPJS Ketenagakerjaan office.").format(
        amount=amount, income=income)


def result_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("📝 Sign up interest"), Menu("interest"))],
        [button(_("🔄 Check again"), EligRestart()), main_menu_button(t)],
    ])
