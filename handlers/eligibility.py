"""Cek Kelayakan: region → age → work → income → BPJS member? → welfare list → outcome with reasons.

Buttons at every step (typing only for NIK digits or an age); "◀️ Back" and /batal everywhere. The answers live
in user_data["eligibility"] (persisted), so a restart resumes the step. Domain logic: bot/eligibility.py.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.eligibility import (
    AGE_BANDS,
    CRITERION_LABELS,
    INCOME_RANGES,
    OUTCOME_ICONS,
    OUTCOME_LABELS,
    PAYER_LABELS,
    PROPOSER_LABELS,
    Answers,
    age_range_from_text,
    blocking_count,
    bpu_alternative,
    evaluate,
    explain,
)
from bot.domain.i18n import N_, Translator
from bot.domain.nik import region_from_digits
from bot.domain.occupations import occupations
from bot.domain.regions import kabupaten_in_province, kecamatan_of, region, short_name
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.ui import ack, say

KEY = "eligibility"
ASKING = "elig_asking"
PER_PAGE = 10

AGE_LABELS = {
    "lt18": N_("Under 18"), "18to29": N_("18–29"), "30to45": N_("30–45"), "46to55": N_("46–55"),
    "56to65": N_("56–65"), "gt65": N_("Over 65"),
}
ANSWER_LABELS = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Don't know")}
NEXT_STEPS = {
    "likely": N_("Next: sign up your interest below. Then {proposer}."),
    "needs_verification": N_("Next: ask your desa/kelurahan office, or sign up your interest below so they can "
                             "check."),
    "not_eligible": N_("You can still be protected: register yourself as BPU (below)."),
    "fallback": N_("Ask your desa/kelurahan whether the Pemda (APBD), a company (CSR) or the village fund pays "
                   "for workers like you."),
}


# ----------------------------------------------------------------------------- shared with handlers/interest.py

FLOW_KEY = "active_flow"


class ActiveFlow(filters.UpdateFilter):
    """Typed text belongs to the flow the user entered last: when two conversations are open (the user left
    one by tapping another feature), only the newest one takes text, the older one lets it pass."""

    def __init__(self, application: Application, flow: str) -> None:
        super().__init__(name=f"ActiveFlow({flow})")
        self.application = application
        self.flow = flow

    def filter(self, update: Update) -> bool:
        user = update.effective_user
        if user is None:
            return False
        data = self.application.user_data.get(user.id) or {}
        return data.get(FLOW_KEY) == self.flow



def paged_buttons(
    items: Sequence[tuple[str, str]], data_prefix: str, page_prefix: str, page: int, per_page: int = PER_PAGE,
) -> list[list[InlineKeyboardButton]]:
    """(data, label) items as 2-per-row buttons, one page at a time, with ◀️ ▶️ to turn pages."""
    pages = max(1, (len(items) + per_page - 1) // per_page)
    page = min(max(page, 0), pages - 1)
    shown = items[page * per_page : (page + 1) * per_page]
    buttons = [InlineKeyboardButton(label, callback_data=f"{data_prefix}:{data}") for data, label in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(f"◀️ {page}/{pages}", callback_data=f"{page_prefix}:{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(f"{page + 2}/{pages} ▶️", callback_data=f"{page_prefix}:{page + 1}"))
    if nav:
        rows.append(nav)
    return rows


def region_items(codes: Sequence[Any]) -> list[tuple[str, str]]:
    return [(r.code, short_name(r)) for r in codes]


def nav_row(t: Translator, back: str | None) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(t.gettext("◀️ Back"), callback_data=back)] if back else []
    return [*row, InlineKeyboardButton(t.gettext("🏠 Main menu"), callback_data="menu:home")]


# ----------------------------------------------------------------------------- steps

def _data(context: BotContext) -> dict[str, Any]:
    data: dict[str, Any] = context.user_data.setdefault(KEY, {})  # type: ignore[union-attr]
    return data


def _render(step: str, data: dict[str, Any], t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    rows: list[list[InlineKeyboardButton]] = []
    if step == "region":
        text = _("<b>Check eligibility</b> (1/6)\nWhere do you live? Tap your kabupaten/kota.\n"
                 "Or type the first 6 digits of your NIK.")
        rows = paged_buttons(region_items(kabupaten_in_province()), "elig:kab", "elig:kabpage", 0, per_page=20)
        rows.append([InlineKeyboardButton(_("🌏 Outside East Kalimantan"), callback_data="elig:kab:other")])
        rows.append(nav_row(t, None))
    elif step == "nik":
        text = _("Type the first 6 digits of your NIK (on your KTP). They show your kecamatan; "
                 "I don't keep the rest.")
        rows = [nav_row(t, "elig:back")]
    elif step == "kecamatan":
        found = region(data["kab"])
        name = short_name(found) if found else data["kab"]
        text = _("Which kecamatan in {region}?").format(region=html.escape(name))
        rows = paged_buttons(region_items(kecamatan_of(data["kab"])), "elig:kec", "elig:kecpage",
                             int(data.get("page", 0)))
        rows.append([InlineKeyboardButton(_("⏭ Not sure, skip"), callback_data="elig:kec:skip")])
        rows.append(nav_row(t, "elig:back"))
    elif step == "age":
        text = _("<b>(2/6)</b> How old are you? Tap a range, or type your age or birth year.")
        buttons = [InlineKeyboardButton(_(label), callback_data=f"elig:age:{band}")
                   for band, label in AGE_LABELS.items()]
        rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        rows.append([InlineKeyboardButton(_("Prefer not to say"), callback_data="elig:age:none")])
        rows.append(nav_row(t, "elig:back"))
    elif step == "occupation":
        text = _("<b>(3/6)</b> What is your main work?")
        buttons = [InlineKeyboardButton(_(o.label_msgid), callback_data=f"elig:occ:{o.id}") for o in occupations()]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append(nav_row(t, "elig:back"))
    elif step == "income":
        text = _("<b>(4/6)</b> About how much do you earn in a month? A range is enough.")
        rows = [[InlineKeyboardButton(income_label(t, key), callback_data=f"elig:inc:{key}")] for key in INCOME_RANGES]
        rows.append([InlineKeyboardButton(_("Prefer not to say"), callback_data="elig:inc:none")])
        rows.append(nav_row(t, "elig:back"))
    elif step == "member":
        text = _("<b>(5/6)</b> Are you already a BPJS Ketenagakerjaan member (you or an employer pays)?")
        rows = [_answer_row(t, "elig:mem"), nav_row(t, "elig:back")]
    else:  # welfare
        text = _("<b>(6/6)</b> Is your family on the welfare list (DTKS/DTSEN)? For example you get PKH or "
                 "BPNT aid.")
        rows = [_answer_row(t, "elig:wel"), nav_row(t, "elig:back")]
    return text, InlineKeyboardMarkup(rows)


def _answer_row(t: Translator, prefix: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t.gettext(label), callback_data=f"{prefix}:{key}")
            for key, label in ANSWER_LABELS.items()]


def income_label(t: Translator, key: str) -> str:
    low, high = INCOME_RANGES[key]
    if low == 0 and high is not None:
        return t.gettext("Under {amount}").format(amount=t.money(high + 1))
    if high is None:
        return t.gettext("{amount} or more").format(amount=t.money(low))
    return t.gettext("{low} – {high}").format(low=t.money(low), high=t.money(high + 1))


async def _show(update: Update, context: BotContext, step: str, note: str | None = None) -> str:
    data = _data(context)
    data["step"] = step
    text, markup = _render(step, data, context.i18n)
    await say(update, context, (note + "\n\n" + text) if note else text, markup)
    return ASKING


def _go(data: dict[str, Any], step: str) -> str:
    data.setdefault("history", []).append(data.get("step", "region"))
    return step


# ----------------------------------------------------------------------------- handlers

async def start(update: Update, context: BotContext) -> str:
    await ack(update)
    context.user_data[KEY] = {"step": "region", "history": []}  # type: ignore[index]
    context.user_data[FLOW_KEY] = KEY  # type: ignore[index]
    return await _show(update, context, "region")


async def on_button(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    data = _data(context)
    step = data.get("step", "region")
    parts = query.data.split(":")
    action, value = parts[1], (parts[2] if len(parts) > 2 else "")
    t = context.i18n
    if action == "back":
        history = data.get("history", [])
        previous = history.pop() if history else "region"
        return await _show(update, context, previous)
    if action == "kab" and step in ("region", "nik"):
        if value == "other":
            return await _show(update, context, _go(data, "nik"))
        found = region(value)
        if found is None or found.level != 2 or found.code[:2] != "64":
            return await _show(update, context, step)
        data.update(kab=found.code, kec=None, nik_kab=None, page=0)
        return await _show(update, context, _go(data, "kecamatan"))
    if action == "kecpage" and step == "kecamatan":
        data["page"] = int(value) if value.isdigit() else 0
        return await _show(update, context, step)
    if action == "kec" and step == "kecamatan":
        if value != "skip":
            if value not in {r.code for r in kecamatan_of(data["kab"])}:
                return await _show(update, context, step, t.gettext("Please pick a kecamatan from the list."))
            data["kec"] = value
            assert context.profile is not None
            await context.services.users.set_region(context.profile.id, value, only_if_more_precise=True)
        return await _show(update, context, _go(data, "age"))
    if action == "age" and step == "age":
        band = AGE_BANDS.get(value)
        data["age"] = list(band) if band else None
        return await _show(update, context, _go(data, "occupation"))
    if action == "occ" and step == "occupation" and value in {o.id for o in occupations()}:
        data["occ"] = value
        return await _show(update, context, _go(data, "income"))
    if action == "inc" and step == "income":
        data["inc"] = value if value in INCOME_RANGES else None
        return await _show(update, context, _go(data, "member"))
    if action == "mem" and step == "member" and value in ANSWER_LABELS:
        data["mem"] = value
        return await _show(update, context, _go(data, "welfare"))
    if action == "wel" and step == "welfare" and value in ANSWER_LABELS:
        data["wel"] = value
        return await _finish(update, context)
    # A stale button from an earlier message: show the current step again.
    return await _show(update, context, step)


async def on_text(update: Update, context: BotContext) -> str:
    assert update.message is not None
    data = _data(context)
    step = data.get("step", "region")
    text = update.message.text or ""
    t = context.i18n
    if step in ("region", "nik"):
        code = region_from_digits(text)
        if code is None:
            return await _show(update, context, step, t.gettext(
                "I can't find a kecamatan for that. Please type exactly the first 6 digits of your NIK "
                "(e.g. 640801), or tap a button."))
        data.update(kab=code[:5], kec=code, nik_kab=code[:5])
        assert context.profile is not None
        await context.services.users.set_region(context.profile.id, code, only_if_more_precise=True)
        found = region(code)
        note = t.gettext("📍 {region}").format(region=html.escape(found.path if found else code))
        return await _show(update, context, _go(data, "age"), note)
    if step == "age":
        age = age_range_from_text(text, context.services.clock.now().astimezone(t.tz).date())
        if age is None:
            return await _show(update, context, step, t.gettext(
                "Please type your age (e.g. 35) or birth year (e.g. 1990), or tap a range."))
        data["age"] = list(age)
        return await _show(update, context, _go(data, "occupation"))
    return await _show(update, context, step, t.gettext("Please tap one of the buttons 👇"))


async def _finish(update: Update, context: BotContext) -> int:
    data = _data(context)
    services, t = context.services, context.i18n
    _ = t.gettext
    age = data.get("age") or [None, None]
    answers = Answers(
        kabupaten_code=data["kab"], kecamatan_code=data.get("kec"), age_min=age[0], age_max=age[1],
        occupation=data.get("occ"), income=data.get("inc"), member=data.get("mem", "unknown"),
        welfare_list=data.get("wel", "unknown"), nik_kabupaten=data.get("nik_kab"),
    )
    result = evaluate(answers)
    now = services.clock.now()
    assert context.profile is not None
    await services.eligibility_results.record(
        user_id=context.profile.id, kabupaten_code=answers.kabupaten_code, kecamatan_code=answers.kecamatan_code,
        outcome=result.outcome, occupation=answers.occupation, income_range=answers.income, now=now,
    )
    rule = result.rule
    region_name = html.escape(result.region_name)
    lines = [f"{OUTCOME_ICONS[result.outcome]} <b>{_(OUTCOME_LABELS[result.outcome])}</b> · {region_name}", ""]
    blocking = blocking_count(result)
    lines += [("⛔ " if i < blocking else "• ") + html.escape(line) for i, line in enumerate(explain(result, t))]
    if not rule.is_fallback:
        if result.to_verify:
            checks = ", ".join(_(CRITERION_LABELS[c]) for c in result.to_verify)
            lines.append(_("🔎 {region} checks: {criteria}.").format(region=region_name, criteria=checks))
        payers = ", ".join(_(PAYER_LABELS[p]) for p in rule.payers)
        lines.append(_("💼 Paid by {payers}: {programmes}. Basis: {basis}.").format(
            payers=payers, programmes=" + ".join(rule.programmes), basis=html.escape("; ".join(rule.legal_basis))))
    lines.append("")
    next_key = "fallback" if rule.is_fallback else result.outcome
    lines.append("➡️ " + _(NEXT_STEPS[next_key]).format(proposer=_(PROPOSER_LABELS[rule.proposed_by])))
    local_today = now.astimezone(t.tz).date()
    bpu = bpu_alternative(answers.occupation, answers.income, local_today)
    lines.append(_("💡 Or register yourself as BPU today: JKK + JKM {amount} a month (declared income {income}), "
                   "in the JMO app or at a BPJS Ketenagakerjaan office.").format(
        amount=t.money(bpu.basic_total), income=t.money(bpu.declared_income)))
    lines.append("<i>" + _("This is not a decision: the district decides who is covered.") + "</i>")
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("📝 Sign up interest"), callback_data="menu:interest")],
        [InlineKeyboardButton(_("🔄 Check again"), callback_data="elig:restart"),
         InlineKeyboardButton(_("🏠 Main menu"), callback_data="menu:home")],
    ])
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    if context.user_data.get(FLOW_KEY) == KEY:  # type: ignore[union-attr]
        context.user_data.pop(FLOW_KEY)  # type: ignore[union-attr]
    await say(update, context, "\n".join(lines), keyboard)
    return ConversationHandler.END


def register(application: Application) -> None:
    application.add_handler(declare_flow(
        application,
        "eligibility",
        entry_points=[
            CallbackQueryHandler(start, pattern=r"^(menu:eligibility|elig:restart)$"),
            CommandHandler(["cekkelayakan", "eligibility"], start),
        ],
        steps={
            ASKING: [
                CallbackQueryHandler(on_button, pattern=r"^elig:"),
                MessageHandler(filters.TEXT & ~filters.COMMAND & ActiveFlow(application, KEY), on_text),
            ],
        },
    ))
