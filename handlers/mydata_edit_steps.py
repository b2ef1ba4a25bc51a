"""/dataku ✏️, the steps: showing a step, saving a value, and what each step does with a typed answer (Daftar
Minat's validators and messages; the NIK through `Nik.parse`). A typed answer that does not check out gets a kind
message and the step stays."""

from __future__ import annotations

import html
from typing import TypeVar

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler

from bot.domain.interest import NAME_MAX, NOTE_MAX, InvalidDraft, clean_name, clean_note, clean_phone
from bot.domain.nik import NikProblem, nik_message
from bot.domain.privacy import mask_phone
from bot.domain.regions import desa_of
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.flow import ButtonStep, Result, TextStep, leave_flow, on_button
from handlers.flow import on_text as flow_on_text
from handlers.interest_steps import NAME_PROBLEMS, NIK_LENGTH
from handlers.interest_views import region_name
from handlers.mydata_edit_views import EditState, question, saved_text
from handlers.ui import forget_user_message, say

K = TypeVar("K", bound=CallbackData)
KEY = EditState.KEY


async def show(update: Update, context: BotContext, state: EditState, step: str, note: str | None = None) -> str:
    """Ask the question of `step` (the desa picker starts where the state lacks a kabupaten or kecamatan)."""
    if step == "desa" and not state.kec:
        step = "kecamatan"
    if step == "kecamatan" and not state.kab:
        step = "kabupaten"
    state.step = step
    state.save(context)
    text, markup = question(state, context.i18n, context.services.interest.kabupaten())
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, f"{note}\n\n{text}" if note else text, reply_markup=markup)
    return step


async def save(update: Update, context: BotContext, state: EditState, value: str | None) -> Result:
    """Store the new value; the flow ends (a NIK already in another open request of theirs: the step stays)."""
    assert context.profile is not None
    _ = context.i18n.gettext
    try:
        edited = await context.services.interest.edit(context.profile.id, state.request_id, state.field, value)
    except InvalidDraft:
        return await show(update, context, state, state.step, "⚠️ " + _("That does not check out. Please try again."))
    if edited.outcome == "duplicate":
        return await show(update, context, state, state.step, "⚠️ " + _(
            "You already have another open request with this NIK. Please type the NIK of this request."))
    leave_flow(context, KEY)
    if edited.outcome != "saved" or edited.request is None:
        await say(update, context, _("This request is closed already; it cannot be changed any more. See /dataku"))
        return ConversationHandler.END
    text, keyboard = saved_text(context.i18n, edited.request)
    await say(update, context, text, keyboard)
    return ConversationHandler.END


async def _redisplay(update: Update, context: BotContext, state: EditState) -> Result:
    return await show(update, context, state, state.step)


def on(kind: type[K], step: ButtonStep[EditState, K]) -> CallbackQueryHandler[BotContext, Result]:
    return on_button(EditState, kind, step, _redisplay)


def on_text(step: TextStep[EditState]) -> MessageHandler[BotContext, Result]:
    return flow_on_text(EditState, step)


# ----------------------------------------------------------------------------- typed answers

async def name_typed(update: Update, context: BotContext, state: EditState, text: str) -> Result:
    name, problem = clean_name(text)
    if problem or name is None:
        return await show(update, context, state, "name", "⚠️ " + context.i18n.gettext(
            NAME_PROBLEMS[problem or "empty"]).format(max=NAME_MAX))
    return await save(update, context, state, name)


async def nik_typed(update: Update, context: BotContext, state: EditState, text: str) -> Result:
    try:
        nik = context.services.interest.parse_nik(text)
    except NikProblem as problem:
        message = (context.i18n.gettext(NIK_LENGTH).format(digits=problem.digits) if problem.reason == "length"
                   else nik_message(context.i18n, problem))
        return await show(update, context, state, "nik", "⚠️ " + message)
    await forget_user_message(update, context)  # the NIK does not stay in the chat
    return await save(update, context, state, nik.digits)


async def phone_typed(update: Update, context: BotContext, state: EditState, text: str) -> Result:
    phone = clean_phone(text)
    if phone is None:
        return await show(update, context, state, "phone", "⚠️ " + context.i18n.gettext(
            "That is not an Indonesian phone number. Type it like 0812 3456 7890, or tap 📱 Share my number."))
    return await phone_saved(update, context, state, phone)


async def contact_shared(update: Update, context: BotContext) -> Result:
    message = update.effective_message
    assert message is not None and message.contact is not None  # the handler's filter: a contact
    state = EditState.load(context)
    _ = context.i18n.gettext
    if state.step != "phone":
        return await _redisplay(update, context, state)
    user = update.effective_user
    if user is None or message.contact.user_id != user.id:
        return await show(update, context, state, "phone", "⚠️ " + _(
            "That is someone else's contact. Please tap 📱 Share my number to send your own, or type your number."))
    phone = clean_phone(message.contact.phone_number)
    if phone is None:
        return await show(update, context, state, "phone", "⚠️ " + _(
            "I can't use that number. Please type an Indonesian phone number, like 0812 3456 7890."))
    return await phone_saved(update, context, state, phone)


async def phone_saved(update: Update, context: BotContext, state: EditState, phone: str) -> Result:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, context.i18n.gettext("Phone saved: {phone}").format(
        phone=mask_phone(phone)), reply_markup=ReplyKeyboardRemove())
    return await save(update, context, state, phone)


async def note_typed(update: Update, context: BotContext, state: EditState, text: str) -> Result:
    note, too_long = clean_note(text)
    if too_long:
        return await show(update, context, state, "note", "⚠️ " + context.i18n.gettext(
            "That note is too long (at most {max} characters). Please make it shorter.").format(max=NOTE_MAX))
    return await save(update, context, state, note)


async def desa_typed(update: Update, context: BotContext, state: EditState, text: str) -> Result:
    """The desa's name typed at the desa step (as in Daftar Minat)."""
    wanted = " ".join(text.casefold().split())
    found = [r for r in desa_of(state.kec or "") if r.name.casefold() == wanted]
    if not found and wanted:
        found = [r for r in desa_of(state.kec or "") if r.name.casefold().startswith(wanted)]
    if len(found) == 1:
        return await desa_chosen(update, context, state, found[0].code)
    return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
        "I can't find \u201c{text}\u201d in {kecamatan}. Please tap your desa below.").format(
        text=html.escape(text[:40]), kecamatan=html.escape(region_name(state.kec))))


async def tap_please(update: Update, context: BotContext, state: EditState, _text: str) -> Result:
    return await show(update, context, state, state.step, context.i18n.gettext("Please tap one of the buttons 👇"))


async def desa_chosen(update: Update, context: BotContext, state: EditState, code: str) -> Result:
    """A desa tapped or typed: saved, and it is where the worker lives (broadcasts to their area reach them)."""
    assert context.profile is not None
    result = await save(update, context, state, code)
    if result == ConversationHandler.END:
        await context.services.users.set_region(context.profile.id, code, only_if_more_precise=True)
    return result
