"""Daftar Minat, the steps: showing a step, and what each step does with a typed answer or a button.

Every step handler gets the loaded `InterestState` and returns the next step (the conversation's state)."""

from __future__ import annotations

import html
from typing import TypeVar

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler

from bot.domain.i18n import N_
from bot.domain.intents import contains_nik
from bot.domain.interest import NAME_MAX, NOTE_MAX, clean_name, clean_note, clean_phone
from bot.domain.nik import NikProblem, nik_message
from bot.domain.privacy import mask_phone
from bot.domain.regions import desa_of, kecamatan_of
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.flow import ButtonStep, Result, TextStep, leave_flow, on_button
from handlers.flow import on_text as flow_on_text
from handlers.interest_callbacks import (
    IntDesa,
    IntKabupaten,
    IntKecamatan,
    IntOtherKabupaten,
    IntOtherKecamatan,
)
from handlers.interest_views import InterestState, protected_view, region_name, render, render_picker
from handlers.ui import forget_user_message

K = TypeVar("K", bound=CallbackData)
PICKER_STEPS = ("kabupaten", "kecamatan", "desa")
# The NIK messages are the shared set (bot/domain/nik.py:nik_message) but for the length, where this flow has
# always said "you typed {digits}" (its tests pin that wording; the status check's pin "I counted {n}").
NIK_LENGTH = N_("A NIK has 16 digits; you typed {digits}. Please check your KTP and type it again.")
NAME_PROBLEMS = {
    "empty": N_("Please type your full name as on your KTP."),
    "too_long": N_("That is too long for a name (at most {max} letters). Please type just your full name."),
    "characters": N_("A name can have only letters, spaces and . ' - (no numbers or emoji). Please type it again."),
    "too_short": N_("Please type your full name as on your KTP."),
}


async def show(update: Update, context: BotContext, state: InterestState, step: str, note: str | None = None) -> str:
    """Ask the question of `step` (the desa picker starts where the state lacks a kabupaten or kecamatan)."""
    if step == "desa" and not state.kec:
        step = "kecamatan"
    if step == "kecamatan" and not state.kab:
        step = "kabupaten"
    state.step = step
    state.save(context)
    if step in PICKER_STEPS:
        text, markup = render_picker(state, context.i18n, context.services.interest.kabupaten())
    else:
        text, markup = render(state, context.i18n)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, (note + "\n\n" + text) if note else text, reply_markup=markup)
    return step


async def advance(update: Update, context: BotContext, state: InterestState, note: str | None = None) -> str:
    state.page = 0
    return await show(update, context, state, state.next_step(), note)


async def _redisplay(update: Update, context: BotContext, state: InterestState) -> Result:
    return await show(update, context, state, state.current)


def on(kind: type[K], step: ButtonStep[InterestState, K]) -> CallbackQueryHandler[BotContext, Result]:
    """A button of `kind` at this step: `step(update, context, state, data)`."""
    return on_button(InterestState, kind, step, _redisplay)


def on_text(step: TextStep[InterestState]) -> MessageHandler[BotContext, Result]:
    return flow_on_text(InterestState, step)


# ----------------------------------------------------------------------------- typed answers

async def name_typed(update: Update, context: BotContext, state: InterestState, text: str) -> str:
    if contains_nik(text):  # a NIK typed at the name step: not left in the chat, the name asked again
        _ = context.i18n.gettext
        note = (_("🔒 I deleted your message: it looked like a NIK. I ask for the NIK in its own step.")
                if await forget_user_message(update, context) else
                _("🔒 That looks like a NIK: please delete your message. I ask for the NIK in its own step."))
        return await show(update, context, state, "name", note)
    name, problem = clean_name(text)
    if problem:
        return await show(update, context, state, "name",
                          "⚠️ " + context.i18n.gettext(NAME_PROBLEMS[problem]).format(max=NAME_MAX))
    state.name = name
    return await advance(update, context, state)


async def nik_typed(update: Update, context: BotContext, state: InterestState, text: str) -> Result:
    _ = context.i18n.gettext
    interest = context.services.interest
    try:
        nik = interest.parse_nik(text)
    except NikProblem as problem:
        message = (_(NIK_LENGTH).format(digits=problem.digits) if problem.reason == "length"
                   else nik_message(context.i18n, problem))
        return await show(update, context, state, "nik", "⚠️ " + message)
    if state.name and await interest.roster_standing(nik.digits, state.name) == "covered":  # the roster first
        return await already_protected(update, context, typed_nik=True)
    state.nik = nik.digits
    if not state.kab and interest.home_kabupaten(nik.kabupaten_code) is not None:
        state.kab = nik.kabupaten_code  # start the desa picker in the NIK's kabupaten
    saved = _("NIK saved: {nik}").format(nik=nik.masked)
    if await forget_user_message(update, context):
        saved += "\n" + _("(I deleted your message so the NIK does not stay in this chat.)")
    return await advance(update, context, state, saved)


async def already_protected(update: Update, context: BotContext, typed_nik: bool) -> int:
    """The roster covers this NIK: no request; the flow ends (its draft dropped), the NIK message deleted."""
    leave_flow(context, InterestState.KEY)
    if typed_nik:
        await forget_user_message(update, context)
    text, markup = protected_view(context.i18n)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)
    return ConversationHandler.END


async def phone_typed(update: Update, context: BotContext, state: InterestState, text: str) -> str:
    phone = clean_phone(text)
    if phone is None:
        return await show(update, context, state, "phone", "⚠️ " + context.i18n.gettext(
            "That is not an Indonesian phone number. Type it like 0812 3456 7890, or tap 📱 Share my number."))
    return await phone_saved(update, context, state, phone)


async def contact_shared(update: Update, context: BotContext) -> str:
    message = update.effective_message
    assert message is not None and message.contact is not None  # the step's filter: a contact
    state = InterestState.load(context)
    _ = context.i18n.gettext
    if state.step != "phone":
        return await show(update, context, state, state.current)
    user = update.effective_user
    if user is None or message.contact.user_id != user.id:
        return await show(update, context, state, "phone", "⚠️ " + _(
            "That is someone else's contact. Please tap 📱 Share my number to send your own, or type your number."))
    phone = clean_phone(message.contact.phone_number)
    if phone is None:
        return await show(update, context, state, "phone", "⚠️ " + _(
            "I can't use that number. Please type an Indonesian phone number, like 0812 3456 7890."))
    return await phone_saved(update, context, state, phone)


async def phone_saved(update: Update, context: BotContext, state: InterestState, phone: str) -> str:
    state.phone = phone
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, context.i18n.gettext("Phone saved: {phone}").format(
        phone=mask_phone(phone)), reply_markup=ReplyKeyboardRemove())
    return await advance(update, context, state)


async def desa_typed(update: Update, context: BotContext, state: InterestState, text: str) -> str:
    if not state.kec:
        return await tap_please(update, context, state, text)
    wanted = " ".join(text.casefold().split())
    matches = [r for r in desa_of(state.kec) if r.name.casefold() == wanted]
    if not matches and wanted:
        matches = [r for r in desa_of(state.kec) if r.name.casefold().startswith(wanted)]
    if len(matches) == 1:
        return await desa_chosen(update, context, state, matches[0].code)
    return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
        "I can't find \u201c{text}\u201d in {kecamatan}. Please tap your desa below.").format(
        text=html.escape(text[:40]), kecamatan=html.escape(region_name(state.kec))))


async def note_typed(update: Update, context: BotContext, state: InterestState, text: str) -> str:
    note, too_long = clean_note(text)
    if too_long:
        return await show(update, context, state, "note", "⚠️ " + context.i18n.gettext(
            "That note is too long (at most {max} characters). Please make it shorter.").format(max=NOTE_MAX))
    state.note, state.note_asked = note, True
    return await advance(update, context, state)


async def tap_please(update: Update, context: BotContext, state: InterestState, _text: str) -> str:
    return await show(update, context, state, state.current, context.i18n.gettext("Please tap one of the buttons 👇"))


# ----------------------------------------------------------------------------- the desa picker's buttons

async def kabupaten_chosen(update: Update, context: BotContext, state: InterestState, data: IntKabupaten) -> str:
    found = context.services.interest.home_kabupaten(data.code)
    if found is None:
        return await show(update, context, state, "kabupaten")
    state.kab, state.kec, state.page = found.code, None, 0
    return await show(update, context, state, "kecamatan")


async def other_kabupaten(update: Update, context: BotContext, state: InterestState, _data: IntOtherKabupaten) -> str:
    state.kab = state.kec = None
    return await show(update, context, state, "kabupaten")


async def kecamatan_chosen(update: Update, context: BotContext, state: InterestState, data: IntKecamatan) -> str:
    if data.code not in {r.code for r in kecamatan_of(state.kab or "")}:
        return await show(update, context, state, "kecamatan",
                          "⚠️ " + context.i18n.gettext("Please pick a kecamatan from the list."))
    state.kec, state.page = data.code, 0
    return await show(update, context, state, "desa")


async def other_kecamatan(update: Update, context: BotContext, state: InterestState, _data: IntOtherKecamatan) -> str:
    state.kec, state.page = None, 0
    return await show(update, context, state, "kecamatan")


async def desa_button(update: Update, context: BotContext, state: InterestState, data: IntDesa) -> str:
    if data.code not in {r.code for r in desa_of(state.kec or "")}:
        return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
            "That desa is not in the list for {kecamatan}. Please tap one below.").format(
            kecamatan=html.escape(region_name(state.kec))))
    return await desa_chosen(update, context, state, data.code)


async def desa_chosen(update: Update, context: BotContext, state: InterestState, code: str) -> str:
    state.desa_code = code
    assert context.profile is not None
    await context.services.users.set_region(context.profile.id, code, only_if_more_precise=True)
    return await advance(update, context, state)
