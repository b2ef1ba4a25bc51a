"""Assisted registration, the steps: showing a step, and what each step does with a typed answer or a button.
Every value is checked like Daftar Minat (the same cleaners and the same NIK rules); the typed NIK is deleted."""

from __future__ import annotations

import html
from typing import TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from bot.domain.consent import clean_form_number
from bot.domain.intents import contains_nik
from bot.domain.interest import NAME_MAX, InterestRequestView, clean_name, clean_phone
from bot.domain.nik import NikProblem, nik_message
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.regions import region
from handlers.assisted_views import AssistedState, AstArea, AstOccupation, AstPage, AstTop, picker, place, question
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.flow import ButtonStep, Result, TextStep, on_button
from handlers.flow import on_text as flow_on_text
from handlers.interest_steps import NAME_PROBLEMS
from handlers.ui import forget_user_message, say

K = TypeVar("K", bound=CallbackData)


async def show(update: Update, context: BotContext, state: AssistedState, step: str, note: str | None = None) -> str:
    """Ask the question of `step` (the desa picker shows the official's areas, or the desa of one of them)."""
    state.step = step
    if step == "desa":
        interest, actor = context.services.interest, context.actor
        top = interest.assisted_areas(actor)
        if not state.area and len(top) == 1 and top[0].level < 4:
            state.area = top[0].code  # one kecamatan or kabupaten: start inside it
        inner = interest.assisted_children(actor, state.area) if state.area else None
        if inner is None:
            state.area = ""
        text, markup = picker(context.i18n, state, inner if inner is not None else top,
                              other=inner is not None and len(top) > 1)
    else:
        text, markup = question(context.i18n, state)
    state.save(context)
    await say(update, context, (note + "\n\n" + text) if note else text, markup)
    return step


async def advance(update: Update, context: BotContext, state: AssistedState, note: str | None = None) -> str:
    state.page = 0
    return await show(update, context, state, state.next_step(), note)


async def _redisplay(update: Update, context: BotContext, state: AssistedState) -> Result:
    return await show(update, context, state, state.step or "desa")


def on(kind: type[K], step: ButtonStep[AssistedState, K]) -> CallbackQueryHandler[BotContext, Result]:
    return on_button(AssistedState, kind, step, _redisplay)


def on_text(step: TextStep[AssistedState]) -> MessageHandler[BotContext, Result]:
    return flow_on_text(AssistedState, step)


# ----------------------------------------------------------------------------- the desa picker

async def area_chosen(update: Update, context: BotContext, state: AssistedState, data: AstArea) -> str:
    interest, actor = context.services.interest, context.actor
    found = region(data.code)
    if found is not None and found.level == 4:
        if not interest.may_register_in(actor, found.code):
            return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
                "You can register workers of your own area only."))
        state.desa_code = found.code
        return await advance(update, context, state)
    if interest.assisted_children(actor, data.code) is None:
        return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
            "You can register workers of your own area only."))
    state.area, state.page = data.code, 0
    return await show(update, context, state, "desa")


async def top_level(update: Update, context: BotContext, state: AssistedState, _data: AstTop) -> str:
    state.area, state.page = "", 0
    return await show(update, context, state, "desa")


async def turn_page(update: Update, context: BotContext, state: AssistedState, data: AstPage) -> str:
    state.page = data.page
    return await show(update, context, state, "desa")


async def desa_typed(update: Update, context: BotContext, state: AssistedState, text: str) -> str:
    inner = context.services.interest.assisted_children(context.actor, state.area) if state.area else None
    wanted = " ".join(text.casefold().split())
    desa = [r for r in inner or [] if r.level == 4]
    matches = [r for r in desa if r.name.casefold() == wanted] or \
        [r for r in desa if wanted and r.name.casefold().startswith(wanted)]
    if len(matches) == 1:
        state.desa_code = matches[0].code
        return await advance(update, context, state)
    return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
        "I can't find \u201c{text}\u201d here. Please tap the desa below.").format(text=html.escape(text[:40])))


# ----------------------------------------------------------------------------- typed answers

async def name_typed(update: Update, context: BotContext, state: AssistedState, text: str) -> str:
    _ = context.i18n.gettext
    if contains_nik(text):  # a NIK at the name step: not left in the chat
        await forget_user_message(update, context)
        return await show(update, context, state, "name", "🔒 " + _("That looked like a NIK: I deleted it. "
                                                                  "I ask for the NIK in its own step."))
    name, problem = clean_name(text)
    if problem:
        return await show(update, context, state, "name", "⚠️ " + _(NAME_PROBLEMS[problem]).format(max=NAME_MAX))
    state.name = name
    return await advance(update, context, state)


async def nik_typed(update: Update, context: BotContext, state: AssistedState, text: str) -> str:
    _ = context.i18n.gettext
    interest = context.services.interest
    deleted = await forget_user_message(update, context)
    try:
        nik = interest.parse_nik(text)
    except NikProblem as problem:
        return await show(update, context, state, "nik", "⚠️ " + nik_message(context.i18n, problem))
    exists, mine = await interest.open_duplicate(context.actor, nik.digits)
    if exists:
        return await show(update, context, state, "nik", "⚠️ " + duplicate_text(context, mine))
    state.nik = nik.digits
    saved = _("NIK saved: {nik}").format(nik=nik.masked)
    if deleted:
        saved += "\n" + _("(I deleted your message so the NIK does not stay in this chat.)")
    return await advance(update, context, state, saved)


def duplicate_text(context: BotContext, mine: InterestRequestView | None) -> str:
    """An open request with this NIK exists: named when it is in the official's area (else not revealed)."""
    _ = context.i18n.gettext
    if mine is not None:
        return _("This NIK already has an open request: {ref} ({desa}). Open it in /tindaklanjut instead of "
                 "registering the worker again.").format(ref=html.escape(mine.ref),
                                                          desa=html.escape(place(mine.desa_code)))
    return _("This NIK already has an open request in another area. Please ask the district admin; "
             "the worker is not registered twice.")


async def phone_typed(update: Update, context: BotContext, state: AssistedState, text: str) -> str:
    phone = clean_phone(text)
    if phone is None:
        return await show(update, context, state, "phone", "⚠️ " + context.i18n.gettext(
            "That is not an Indonesian phone number. Type it like 0812 3456 7890."))
    state.phone = phone
    return await advance(update, context, state)


async def occupation_chosen(update: Update, context: BotContext, state: AssistedState, data: AstOccupation) -> str:
    if data.occupation not in OCCUPATION_LABELS:
        return await show(update, context, state, state.step or "occupation")
    state.occupation = data.occupation
    return await advance(update, context, state)


async def form_typed(update: Update, context: BotContext, state: AssistedState, text: str) -> str:
    form = clean_form_number(text)
    if form is None:
        return await show(update, context, state, "form", "⚠️ " + context.i18n.gettext(
            "Please type the form's number as written on it (digits, letters, / or -), e.g. 12 or 045/BD/2026."))
    state.form = form
    return await advance(update, context, state)


async def tap_please(update: Update, context: BotContext, state: AssistedState, _text: str) -> str:
    return await show(update, context, state, state.step or "desa",
                      context.i18n.gettext("Please tap one of the buttons 👇"))
