"""Cek Status Perlindungan: NIK → a second factor (the name as on the KTP, or the last 4 digits of the KPJ) → the
answer from the roster.

The rules (quota, per-NIK lock, lookup, what is recorded) are `StatusService` (bot/domain/status_check.py); the
NIK is parsed once here, where the text arrives (`Nik.parse`), and its problems worded by `nik_message`. A birth
date typed as the second factor is explained (it is inside the NIK) without a check: nothing is looked up."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.i18n import Translator
from bot.domain.nik import Nik, NikProblem, nik_message
from bot.domain.status_check import Answer, StatusResult, read_answer, render_result
from handlers.callbacks import Menu, one_of
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.keyboards import back_to_menu_keyboard, button, main_menu_button
from handlers.reminders import RemindMe
from handlers.start import ensure_consent
from handlers.status_state import LastProtected, StatusState
from handlers.ui import ack, forget_user_message, say, typed

ASK_NIK, ASK_ANSWER = range(2)
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
    if await forget_user_message(update, context):
        intro = _("NIK {nik} noted; I deleted your message so the NIK does not stay in this chat.").format(
            nik=nik.masked) + "\n\n"
    await say(update, context, intro + _(
        "Thank you. Now, to show it is you, type your <b>name as on your KTP</b> (the full name, or just your "
        "first name), or the <b>last 4 digits of your KPJ</b> (your BPJS Ketenagakerjaan card number)."),
        back_to_menu_keyboard(t))
    return ASK_ANSWER


async def got_answer(update: Update, context: BotContext) -> int:
    t = context.i18n
    _ = t.gettext
    answer = read_answer(typed(update), context.services.status_checks.today())
    if answer.kind == "date":
        await say(update, context, _(
            "Your birth date is already part of your NIK, so it cannot show that it is you. Please type your "
            "<b>name as on your KTP</b>, or the <b>last 4 digits of your KPJ</b>."), back_to_menu_keyboard(t))
        return ASK_ANSWER
    if answer.kind == "unclear":
        if sum(ch.isdigit() for ch in typed(update)) >= 10:
            await forget_user_message(update, context)  # a NIK typed again does not stay in the chat
        await say(update, context, _(
            "Please type your <b>name as on your KTP</b> (letters only), or just the <b>last 4 digits of your "
            "KPJ</b>."), back_to_menu_keyboard(t))
        return ASK_ANSWER
    state = StatusState.load(context)
    if answer.kind == "common" and not state.asked_full_name:
        state.asked_full_name = True
        state.save(context)
        await say(update, context, _(
            "Many names begin like that. Please type your <b>full name</b> as on your KTP."),
            back_to_menu_keyboard(t))
        return ASK_ANSWER
    return await _finish(update, context, answer)


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


async def _finish(update: Update, context: BotContext, answer: Answer) -> int:
    assert context.profile is not None
    service, t = context.services.status_checks, context.i18n
    state = StatusState.load(context)
    StatusState.clear(context)
    try:
        nik = Nik.parse(state.nik, service.today())
    except NikProblem:  # state lost (e.g. erased meanwhile): start again
        return await start_check(update, context)
    result = await service.check(context.profile.id, nik, answer)
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
            ASK_ANSWER: [MessageHandler(text, got_answer)],
        },
    ))
