"""Cek Kelayakan: region → age → work → income → BPJS member? → welfare list → outcome with reasons.

Buttons at every step (typing only for NIK digits or an age); "◀️ Back" and /batal everywhere. The answers live
in `EligibilityState` (user_data["eligibility"], persisted), so a restart resumes the step. The rules, the region
picker's province and the anonymous record of the outcome: `EligibilityService` (bot/domain/eligibility.py).
"""

from __future__ import annotations

import html
from typing import TypeVar

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.domain.eligibility import AGE_BANDS
from bot.domain.nik import region_from_digits
from bot.domain.occupations import occupation as find_occupation
from bot.domain.regions import region
from handlers.callbacks import CallbackData, Menu, any_of, one_of
from handlers.context import BotContext
from handlers.eligibility_callbacks import (
    STEP_KINDS,
    EligAge,
    EligBack,
    EligIncome,
    EligKabupaten,
    EligKecamatan,
    EligKecamatanPage,
    EligMember,
    EligOccupation,
    EligOutside,
    EligRestart,
    EligSkipKecamatan,
    EligWelfare,
)
from handlers.eligibility_views import EligibilityState, render_question, render_region, result_keyboard, result_text
from handlers.flow import ButtonStep, Result, TextStep, declare_flow, leave_flow, on_button, on_text
from handlers.ui import ack, say

KEY = EligibilityState.KEY
REGION_STEPS = ("region", "nik", "kecamatan")
K = TypeVar("K", bound=CallbackData)


async def _show(update: Update, context: BotContext, state: EligibilityState, step: str,
                note: str | None = None) -> str:
    state.step = step
    state.save(context)
    t = context.i18n
    if step in REGION_STEPS:
        text, markup = render_region(state, t, context.services.eligibility.kabupaten())
    else:
        text, markup = render_question(step, t)
    await say(update, context, (note + "\n\n" + text) if note else text, markup)
    return step


async def _redisplay(update: Update, context: BotContext, state: EligibilityState) -> Result:
    return await _show(update, context, state, state.step)


def _on(kind: type[K], step: ButtonStep[EligibilityState, K]) -> CallbackQueryHandler[BotContext, Result]:
    """A button of `kind` at this step: `step(update, context, state, data)`."""
    return on_button(EligibilityState, kind, step, _redisplay)


def _on_text(step: TextStep[EligibilityState]) -> MessageHandler[BotContext, Result]:
    return on_text(EligibilityState, step)


# ----------------------------------------------------------------------------- steps

async def start(update: Update, context: BotContext) -> str:
    await ack(update)
    return await _show(update, context, EligibilityState(), "region")


async def kabupaten_chosen(update: Update, context: BotContext, state: EligibilityState, data: EligKabupaten) -> str:
    found = context.services.eligibility.home_kabupaten(data.code)
    if found is None:
        return await _show(update, context, state, state.step)
    state.kab, state.kec, state.nik_kab, state.page = found.code, None, None, 0
    return await _show(update, context, state, state.go("kecamatan"))


async def outside(update: Update, context: BotContext, state: EligibilityState, _data: EligOutside) -> str:
    return await _show(update, context, state, state.go("nik"))


async def nik_digits(update: Update, context: BotContext, state: EligibilityState, text: str) -> str:
    t = context.i18n
    code = region_from_digits(text)
    if code is None:
        return await _show(update, context, state, state.step, t.gettext(
            "I can't find a kecamatan for that. Please type exactly the first 6 digits of your NIK "
            "(e.g. 640801), or tap a button."))
    state.kab, state.kec, state.nik_kab = code[:5], code, code[:5]
    assert context.profile is not None
    await context.services.users.set_region(context.profile.id, code, only_if_more_precise=True)
    found = region(code)
    note = t.gettext("📍 {region}").format(region=html.escape(found.path if found else code))
    return await _show(update, context, state, state.go("age"), note)


async def kecamatan_chosen(update: Update, context: BotContext, state: EligibilityState, data: EligKecamatan) -> str:
    if state.kab is None or not context.services.eligibility.kecamatan_in(state.kab, data.code):
        return await _show(update, context, state, state.step,
                           context.i18n.gettext("Please pick a kecamatan from the list."))
    state.kec = data.code
    assert context.profile is not None
    await context.services.users.set_region(context.profile.id, data.code, only_if_more_precise=True)
    return await _show(update, context, state, state.go("age"))


async def kecamatan_skipped(update: Update, context: BotContext, state: EligibilityState,
                            _data: EligSkipKecamatan) -> str:
    return await _show(update, context, state, state.go("age"))


async def kecamatan_page(update: Update, context: BotContext, state: EligibilityState, data: EligKecamatanPage) -> str:
    state.page = data.page
    return await _show(update, context, state, state.step)


async def age_chosen(update: Update, context: BotContext, state: EligibilityState, data: EligAge) -> str:
    band = AGE_BANDS.get(data.band)
    state.age = list(band) if band else None
    return await _show(update, context, state, state.go("occupation"))


async def age_typed(update: Update, context: BotContext, state: EligibilityState, text: str) -> str:
    age = context.services.eligibility.age_range(text)
    if age is None:
        return await _show(update, context, state, state.step, context.i18n.gettext(
            "Please type your age (e.g. 35) or birth year (e.g. 1990), or tap a range."))
    state.age = list(age)
    return await _show(update, context, state, state.go("occupation"))


async def occupation_chosen(update: Update, context: BotContext, state: EligibilityState,
                            data: EligOccupation) -> str:
    if find_occupation(data.occupation) is None:
        return await _show(update, context, state, state.step)
    state.occ = data.occupation
    return await _show(update, context, state, state.go("income"))


async def income_chosen(update: Update, context: BotContext, state: EligibilityState, data: EligIncome) -> str:
    state.inc = None if data.income == "none" else data.income
    return await _show(update, context, state, state.go("member"))


async def member_answered(update: Update, context: BotContext, state: EligibilityState, data: EligMember) -> str:
    state.mem = data.answer
    return await _show(update, context, state, state.go("welfare"))


async def welfare_answered(update: Update, context: BotContext, state: EligibilityState, data: EligWelfare) -> int:
    """The last answer: screen, record (anonymous), show the outcome and leave the flow."""
    state.wel = data.answer
    assert context.profile is not None
    screening = await context.services.eligibility.screen(context.profile.id, state.answers())
    leave_flow(context, KEY)
    await say(update, context, result_text(screening, context.i18n), result_keyboard(context.i18n))
    return ConversationHandler.END


async def back(update: Update, context: BotContext, state: EligibilityState, _data: EligBack) -> str:
    return await _show(update, context, state, state.back())


async def stale_button(update: Update, context: BotContext) -> str:
    """A button from an earlier message: show the current step again."""
    await ack(update)
    state = EligibilityState.load(context)
    return await _show(update, context, state, state.step)


async def tap_please(update: Update, context: BotContext, state: EligibilityState, _text: str) -> str:
    return await _show(update, context, state, state.step, context.i18n.gettext("Please tap one of the buttons 👇"))


def steps() -> dict[object, list[BaseHandler[Update, BotContext, Result]]]:
    """The step table: which buttons (and typed text) each step takes; anything else is handled by the
    fallbacks (◀️ Back, a stale button, "please tap")."""
    return {
        "region": [_on(EligKabupaten, kabupaten_chosen), _on(EligOutside, outside), _on_text(nik_digits)],
        "nik": [_on(EligKabupaten, kabupaten_chosen), _on(EligOutside, outside), _on_text(nik_digits)],
        "kecamatan": [_on(EligKecamatan, kecamatan_chosen), _on(EligSkipKecamatan, kecamatan_skipped),
                      _on(EligKecamatanPage, kecamatan_page)],
        "age": [_on(EligAge, age_chosen), _on_text(age_typed)],
        "occupation": [_on(EligOccupation, occupation_chosen)],
        "income": [_on(EligIncome, income_chosen)],
        "member": [_on(EligMember, member_answered)],
        "welfare": [_on(EligWelfare, welfare_answered)],
    }


def register(application: Application) -> None:
    application.add_handler(declare_flow(
        application,
        KEY,
        entry_points=[
            CallbackQueryHandler(start, pattern=one_of(Menu("eligibility"), EligRestart())),
            CommandHandler(["cekkelayakan", "eligibility"], start),
        ],
        steps=steps(),
        fallbacks=[_on(EligBack, back), CallbackQueryHandler(stale_button, pattern=any_of(STEP_KINDS)),
                   _on_text(tap_please)],
    ))
