"""Undo a roster import in chat: "↩️ Undo this import" on an import's result → what the undo would do and a
confirmation → the undo runs as a background task (chunk by chunk, like an import) → what it restored. Refused,
in an alert, when a later import changed the same people (naming it), beyond 30 days, or while another import
runs. The undo itself is `RosterService.undo` (the same as `jagakerja roster undo`)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.roster import UndoCheck, undo_problem
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import button
from handlers.roster_views import UndoConfirm, UndoImport, UndoKeep, done_keyboard
from handlers.ui import ack, back_to_menu_keyboard, edit_or_say, pressed_message


def _counts(check: UndoCheck, t: Translator) -> str:
    record = check.record
    assert record is not None
    return t.gettext("{inserted} added people are removed, {updated} updated people get their previous data back, "
                     "{ended} ended people are listed again.").format(
        inserted=t.number(record.inserted), updated=t.number(record.updated), ended=t.number(record.ended))


@requires("admin")
async def on_undo(update: Update, context: BotContext) -> None:
    choice = UndoImport.of(update)
    t = context.i18n
    if choice is None:
        await ack(update)
        return
    check = await context.services.roster.undo_check(choice.import_id)
    if check.problem is not None or check.record is None:
        await ack(update, undo_problem(check, t, choice.import_id), alert=True)
        return
    await ack(update)
    record = check.record
    text = "\n".join([
        t.gettext("↩️ Undo import {batch} (<b>{file}</b>)?").format(batch=record.id, file=escape(record.file_name)),
        _counts(check, t),
        t.gettext("Every row gets back exactly what it was before this import."),
    ])
    keyboard = InlineKeyboardMarkup([
        [button(t.gettext("↩️ Yes, undo the import"), UndoConfirm(record.id))],
        [button(t.gettext("✖️ No, keep it"), UndoKeep(record.id))],
    ])
    await edit_or_say(update, context, text, keyboard)


@requires("admin")
async def on_keep(update: Update, context: BotContext) -> None:
    choice = UndoKeep.of(update)
    t = context.i18n
    await ack(update)
    if choice is not None:
        await edit_or_say(update, context, t.gettext("Okay, import {batch} stays.").format(batch=choice.import_id),
                          done_keyboard(t, choice.import_id))


async def _undo(context: BotContext, chat_id: int, message_id: int, import_id: int, user_id: int,
                t: Translator) -> None:
    check = await context.services.roster.undo(import_id, by=f"telegram:{user_id}", actor_id=user_id)
    if check.problem is not None or check.record is None:
        text = undo_problem(check, t, import_id)
    else:
        text = "\n".join([t.gettext("↩️ Import {batch} (<b>{file}</b>) was undone.").format(
            batch=import_id, file=escape(check.record.file_name)), _counts(check, t)])
    await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                        reply_markup=back_to_menu_keyboard(t))


@requires("admin")
async def on_confirm(update: Update, context: BotContext) -> None:
    choice = UndoConfirm.of(update)
    message = pressed_message(update)
    t = context.i18n
    if choice is None or message is None:
        await ack(update)
        return
    check = await context.services.roster.undo_check(choice.import_id)
    if check.problem is not None:  # a second tap, or something changed since the question
        await ack(update, undo_problem(check, t, choice.import_id), alert=True)
        return
    await ack(update)
    await edit_or_say(update, context, t.gettext("⏳ Undoing import {batch}…").format(batch=choice.import_id), None)
    context.application.create_task(
        _undo(context, message.chat.id, message.message_id, choice.import_id, context.actor.user_id, t),
        update=update, name="roster-undo")


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(on_undo, pattern=UndoImport.pattern()))
    application.add_handler(CallbackQueryHandler(on_keep, pattern=UndoKeep.pattern()))
    application.add_handler(CallbackQueryHandler(on_confirm, pattern=UndoConfirm.pattern()))
