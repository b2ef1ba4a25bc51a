"""Cek Status Perlindungan: NIK → birth date (typed or picked with buttons) → the answer from the roster."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.i18n import Translator
from bot.domain.privacy import mask_nik
from bot.domain.status_check import StatusResult, checker_for, local_day, nik_problem, parse_birth_date, render_result
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.start import ensure_consent
from handlers.ui import ack, back_to_menu_keyboard, forget_user_message, rows, say

ASK_NIK, ASK_BIRTH = range(2)
END = ConversationHandler.END
FIRST_DECADE = 1940


def _state(context: BotContext) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    return data.setdefault("status", {})


def _home(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("🏠 Main menu"), callback_data="menu:home")


def birth_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("📅 Pick the date"), callback_data="status:dp:start")],
                                 [_home(t)]])


async def start_check(update: Update, context: BotContext) -> int:
    await ack(update)
    if not await ensure_consent(update, context, resume="menu:status"):
        return END
    assert context.profile is not None
    services, t = context.services, context.i18n
    _ = t.gettext
    context.user_data["status"] = {}  # type: ignore[index]
    checker = checker_for(services)
    remaining = await checker.remaining(context.profile.id, services.clock.now())
    if remaining == 0:
        await services.status_checks.record(context.profile.id, "limited", services.clock.now())
        await say(update, context, render_result(StatusResult("limited", ""), t, dt.date.today()),
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
    assert update.message is not None and update.message.text is not None
    t = context.i18n
    _ = t.gettext
    text = update.message.text
    problem = nik_problem(text)
    count = sum(ch.isdigit() for ch in text)
    if problem == "digits" and count == 0:
        await say(update, context, _("Please type only the 16 digits of your NIK (on your KTP)."),
                  back_to_menu_keyboard(t))
        return ASK_NIK
    if problem == "digits":
        message = t.ngettext("A NIK has 16 digits; I counted {n}. Please check your KTP and type it again.",
                             "A NIK has 16 digits; I counted {n}. Please check your KTP and type it again.",
                             count).format(n=count)
        await say(update, context, message, back_to_menu_keyboard(t))
        return ASK_NIK
    if problem == "invalid":
        await say(update, context, _("This number is not a valid NIK. Please check your KTP and type it again."),
                  back_to_menu_keyboard(t))
        return ASK_NIK
    nik = "".join(ch for ch in text if ch.isdigit())
    _state(context).update(nik=nik)
    intro = ""
    if await forget_user_message(update):
        intro = _("NIK {nik} noted; I deleted your message so the NIK does not stay in this chat.").format(
            nik=mask_nik(nik)) + "\n\n"
    await say(update, context,
              intro + _("Thank you. Now your <b>birth date</b>, as on your KTP.\nType it like <b>17-08-1985</b>, "
                        "or pick it with the button."), birth_keyboard(t))
    return ASK_BIRTH


async def got_birth_text(update: Update, context: BotContext) -> int:
    assert update.message is not None and update.message.text is not None
    services, t = context.services, context.i18n
    born = parse_birth_date(update.message.text, local_day(services.clock.now(), services.config.tz))
    if born is None:
        await say(update, context,
                  t.gettext("I could not read that date. Type it as day-month-year, like <b>17-08-1985</b>, "
                            "or pick it with the button."), birth_keyboard(t))
        return ASK_BIRTH
    return await _finish(update, context, born)


def _picker(t: Translator, stage: str, state: dict[str, Any], today: dt.date) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    if stage == "decade":
        decades = range(FIRST_DECADE, today.year - today.year % 10 + 1, 10)
        buttons = [InlineKeyboardButton(f"{d}–{d + 9}", callback_data=f"status:dp:dec:{d}") for d in decades]
        return _("Your year of birth is between…"), InlineKeyboardMarkup([*rows(buttons, 3), [_home(t)]])
    if stage == "year":
        start = int(state["decade"])
        buttons = [InlineKeyboardButton(str(y), callback_data=f"status:dp:year:{y}")
                   for y in range(start, min(start + 10, today.year + 1))]
        back = InlineKeyboardButton(_("⬅️ Back"), callback_data="status:dp:start")
        return _("Year of birth:"), InlineKeyboardMarkup([*rows(buttons, 5), [back, _home(t)]])
    if stage == "month":
        year = int(state["year"])
        buttons = [InlineKeyboardButton(t.date(dt.date(year, m, 1), "MMM"), callback_data=f"status:dp:month:{m}")
                   for m in range(1, 13)]
        back = InlineKeyboardButton(_("⬅️ Back"), callback_data=f"status:dp:dec:{year - year % 10}")
        return _("Month of birth ({year}):").format(year=year), InlineKeyboardMarkup([*rows(buttons, 4),
                                                                                      [back, _home(t)]])
    year, month = int(state["year"]), int(state["month"])
    days = calendar.monthrange(year, month)[1]
    buttons = [InlineKeyboardButton(str(d), callback_data=f"status:dp:day:{d}") for d in range(1, days + 1)]
    back = InlineKeyboardButton(_("⬅️ Back"), callback_data=f"status:dp:year:{year}")
    label = t.date(dt.date(year, month, 1), "MMMM y")
    return _("Day of birth ({month}):").format(month=label), InlineKeyboardMarkup([*rows(buttons, 7),
                                                                                  [back, _home(t)]])


async def picker(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    services, t = context.services, context.i18n
    today = local_day(services.clock.now(), services.config.tz)
    state = _state(context)
    parts = query.data.split(":")  # status:dp:<stage>[:<value>] — validated, never trusted
    stage, value = parts[2], (parts[3] if len(parts) > 3 and parts[3].isdigit() else None)
    show = "decade"
    if stage == "dec" and value and FIRST_DECADE <= int(value) <= today.year:
        state["decade"], show = int(value), "year"
    elif stage == "year" and value and FIRST_DECADE <= int(value) <= today.year:
        state["year"], state["decade"], show = int(value), int(value) - int(value) % 10, "month"
    elif stage == "month" and value and 1 <= int(value) <= 12 and "year" in state:
        state["month"], show = int(value), "day"
    elif stage == "day" and value and "year" in state and "month" in state:
        try:
            born = dt.date(int(state["year"]), int(state["month"]), int(value))
        except ValueError:
            born = None
        if born is not None and born <= today:
            if query.message is not None:
                await query.edit_message_text(t.gettext("Birth date: {date}").format(date=t.date(born)))
            return await _finish(update, context, born)
        show = "day"
    text, markup = _picker(t, show, state, today)
    await query.edit_message_text(text, reply_markup=markup)
    return ASK_BIRTH


def result_keyboard(result: StatusResult, t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    buttons: list[list[InlineKeyboardButton]] = []
    if result.outcome == "protected":
        buttons = [[InlineKeyboardButton(_("🔔 Remind me before it ends"), callback_data="status:remind")],
                   [InlineKeyboardButton(_("💰 Benefits & fees"), callback_data="menu:benefits")]]
    elif result.outcome == "inactive":
        buttons = [[InlineKeyboardButton(_("💰 Benefits & fees"), callback_data="menu:benefits")]]
    elif result.outcome == "not_found":
        buttons = [[InlineKeyboardButton(_("✅ Check eligibility"), callback_data="menu:eligibility"),
                    InlineKeyboardButton(_("📝 Sign up interest"), callback_data="menu:interest")]]
        if result.remaining:
            buttons.append([InlineKeyboardButton(_("🔁 Check again"), callback_data="menu:status")])
    return InlineKeyboardMarkup([*buttons, [_home(t)]])


async def _finish(update: Update, context: BotContext, born: dt.date) -> int:
    assert context.profile is not None
    services, t = context.services, context.i18n
    state = context.user_data.pop("status", {})  # type: ignore[union-attr]
    nik = state.get("nik")
    if not nik:  # state lost (e.g. erased meanwhile): start again
        return await start_check(update, context)
    now = services.clock.now()
    result = await checker_for(services).check(context.profile.id, nik, born, now)
    if result.outcome == "protected" and result.member_id is not None:
        context.user_data["status_last"] = {"member_id": result.member_id}  # type: ignore[index]
    else:
        context.user_data.pop("status_last", None)  # type: ignore[union-attr]
    today = local_day(now, services.config.tz)
    await say(update, context, render_result(result, t, today), result_keyboard(result, t))
    return END


async def my_status_data(user_id: int, t: Translator, services: Any) -> list[str]:
    count = await services.status_checks.count_for_user(user_id)
    if not count:
        return []
    return [t.ngettext("Protection checks: {n} (only the result is kept, never your NIK)",
                       "Protection checks: {n} (only the results are kept, never your NIK)", count).format(n=count)]


def register(application: Application) -> None:
    services = application.services  # type: ignore[attr-defined]

    async def my_data(user_id: int, t: Translator) -> list[str]:
        return await my_status_data(user_id, t, services)

    if services.status_checks.anonymize not in services.erase_hooks:
        services.erase_hooks.append(services.status_checks.anonymize)
        services.my_data_hooks.append(my_data)
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(declare_flow(
        application,
        "status_check",
        entry_points=[CallbackQueryHandler(start_check, pattern=r"^menu:status$"),
                      CommandHandler(["cekstatus", "status"], start_check)],
        steps={
            ASK_NIK: [MessageHandler(text, got_nik)],
            ASK_BIRTH: [MessageHandler(text, got_birth_text), CallbackQueryHandler(picker, pattern=r"^status:dp:")],
        },
    ))
