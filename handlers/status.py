"""Cek Status Perlindungan: NIK → birth date (typed or picked with buttons) → the answer from the roster.

The rules (quota, lookup, what is recorded) are `StatusService` (bot/domain/status_check.py); the NIK is parsed
once here, where the text arrives (`Nik.parse`), and its problems worded by `nik_message`."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.i18n import Translator
from bot.domain.nik import Nik, NikProblem, nik_message
from bot.domain.status_check import StatusResult, parse_birth_date, render_result
from handlers.callbacks import Menu, one_of
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.keyboards import back_to_menu_keyboard, button, main_menu_button
from handlers.reminders import RemindMe
from handlers.start import ensure_consent
from handlers.status_picker import birth_keyboard, is_pick, on_pick
from handlers.status_state import LastProtected, StatusState
from handlers.ui import ack, forget_user_message, say, typed

ASK_NIK, ASK_BIRTH = range(2)
END = ConversationHandler.END


async def start_check(update: Update, context: BotContext) -> int:
    await ack(update)
    if not await ensure_consent(update, context, resume=Menu("status")):
        return END
    assert context.profile is not None
    service, t = context.services.status_checks, context.i18n
    _ = t.gettext
    StatusState().save(context)
    remaining = await service.begin(context.profile.id)
    if remaining == 0:
        await say(update, context, render_result(StatusResult("limited", ""), t, service.today()),
                  back_to_menu_keyboard(t))
        return END
    text = "\n".join([
        _("🛡 <b>Check protection</b>"),
        "",
        _("Type your <b>NIK</b>: the 16 digits on your KTP."),
        t.ngettext("(You can check {n} more time today.)", "(You can check {n} more times today.)",
                   remaining).format(n=remaining),
    ])
    await say(update, context, text, back_to_menu_keyboard(t))
    return ASK_NIK


async def got_nik(update: Update, context: BotContext) -> int:
    t = context.i18n
    _ = t.gettext
    try:
        nik = Nik.parse(typed(update), context.services.status_checks.today())
    except NikProblem as problem:
        await say(update, context, nik_message(t, problem), back_to_menu_keyboard(t))
        return ASK_NIK
    state = StatusState.load(context)
    state.nik = nik.digits
    state.save(context)
    intro = ""
    if await forget_user_message(update):
        intro = _("NIK {nik} noted; I deleted your message so the NIK does not stay in this chat.").format(
            nik=nik.masked) + "\n\n"
    await say(update, context,
              intro + _("Thank you. Now your <b>birth date</b>, as on your KTP.\nType it like <b>17-08-1985</b>, "
                        "or pick it with the button."), birth_keyboard(t))
    return ASK_BIRTH


async def got_birth_text(update: Update, context: BotContext) -> int:
    t = context.i18n
    born = parse_birth_date(typed(update), context.services.status_checks.today())
    if born is None:
        await say(update, context,
                  t.gettext("I could not read that date. Type it as day-month-year, like <b>17-08-1985</b>, "
                            "or pick it with the button."), birth_keyboard(t))
        return ASK_BIRTH
    return await _finish(update, context, born)


async def picked(update: Update, context: BotContext) -> int:
    await ack(update)
    born = await on_pick(update, context, context.services.status_checks.today())
    return ASK_BIRTH if born is None else await _finish(update, context, born)


def result_keyboard(result: StatusResult, t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    buttons: list[list[InlineKeyboardButton]] = []
    if result.outcome == "protected":
        buttons = [[button(_("🔔 Remind me before it ends"), RemindMe())],
                   [button(_("💰 Benefits & fees"), Menu("benefits"))]]
    elif result.outcome == "inactive":
        buttons = [[button(_("💰 Benefits & fees"), Menu("benefits"))]]
    elif result.outcome == "not_found":
        buttons = [[button(_("✅ Check eligibility"), Menu("eligibility")),
                    button(_("📝 Sign up interest"), Menu("interest"))]]
        if result.remaining:
            buttons.append([button(_("🔁 Check again"), Menu("status"))])
    return InlineKeyboardMarkup([*buttons, [main_menu_button(t)]])


async def _finish(update: Update, context: BotContext, born: dt.date) -> int:
    assert context.profile is not None
    service, t = context.services.status_checks, context.i18n
    state = StatusState.load(context)
    StatusState.clear(context)
    try:
        nik = Nik.parse(state.nik, service.today())
    except NikProblem:  # state lost (e.g. erased meanwhile): start again
        return await start_check(update, context)
    result = await service.check(context.profile.id, nik, born)
    if result.outcome == "protected" and result.member_id is not None:
        LastProtected(member_id=result.member_id).save(context)
    else:
        LastProtected.clear(context)
    await say(update, context, render_result(result, t, service.today()), result_keyboard(result, t))
    return END


def register(application: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(declare_flow(
        application,
        "status_check",
        entry_points=[CallbackQueryHandler(start_check, pattern=one_of(Menu("status"))),
                      CommandHandler(["cekstatus", "status"], start_check)],
        steps={
            ASK_NIK: [MessageHandler(text, got_nik)],
            ASK_BIRTH: [MessageHandler(text, got_birth_text), CallbackQueryHandler(picked, pattern=is_pick)],
        },
    ))
