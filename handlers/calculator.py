"""The contribution calculator: work (→ sector) → monthly income typed or picked → JKK, JKM, JHT for today.

A persistent conversation: a restart in the middle keeps the chosen work. The income is not stored: it is
used for the one answer and dropped.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.benefits import load_benefits, parse_income, range_declared_income, range_label, render_quote
from bot.domain.contributions import Sector, quote
from bot.domain.i18n import Translator
from bot.domain.occupations import occupation, occupations
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.ui import ack, rows, say

SECTOR, INCOME = range(2)
KEY = "calculator"  # user_data[KEY] = {"occupation": id, "sector": "transport" | "other"}


def occupation_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t.gettext(o.label_msgid), callback_data=f"calc:occ:{o.id}") for o in occupations()]
    return InlineKeyboardMarkup(rows(buttons))


def income_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [[InlineKeyboardButton(range_label(t, r), callback_data=f"calc:range:{i}")]
               for i, r in enumerate(load_benefits().income_ranges)]
    return InlineKeyboardMarkup(buttons)


def result_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("🔁 Calculate again"), callback_data="calc:start"),
         InlineKeyboardButton(_("💰 Benefits & fees"), callback_data="benefits:menu")],
        [InlineKeyboardButton(_("🏠 Main menu"), callback_data="menu:home")],
    ])


def income_prompt(t: Translator) -> str:
    return t.gettext("How much do you earn in a month? Type it, e.g. <b>1,5 juta</b>, <b>2jt</b> or "
                     "<b>1.500.000</b>, or pick a range:")


async def start(update: Update, context: BotContext) -> int:
    await ack(update)
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    t = context.i18n
    text = t.gettext("🧮 <b>Fee calculator</b>\nWhat work do you do? (Ojek, couriers and drivers have their own "
                     "discount period.)")
    await say(update, context, text, occupation_keyboard(t))
    return SECTOR


async def occupation_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    chosen = occupation(query.data.removeprefix("calc:occ:"))
    if chosen is None:
        await query.answer(context.i18n.gettext("This button has expired."))
        return SECTOR
    await ack(update)
    context.user_data[KEY] = {"occupation": chosen.id, "sector": chosen.sector}  # type: ignore[index]
    t = context.i18n
    if query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)
    await say(update, context, t.gettext("Work: {work}").format(work=t.gettext(chosen.label_msgid)) + "\n\n"
              + income_prompt(t), income_keyboard(t))
    return INCOME


async def income_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    t = context.i18n
    parsed = parse_income(message.text or "")
    if parsed is None:
        text = t.gettext("Sorry, I could not read that as an amount. 🙏 Type the monthly income like "
                         "<b>1,5 juta</b>, <b>2jt</b> or <b>1.500.000</b>, or pick a range:")
        await say(update, context, text, income_keyboard(t))
        return INCOME
    return await _answer(update, context, parsed.amount, typed=True)


async def range_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    ranges = load_benefits().income_ranges
    index = int(query.data.removeprefix("calc:range:"))
    if not 0 <= index < len(ranges):
        await query.answer(context.i18n.gettext("This button has expired."))
        return INCOME
    await ack(update)
    if query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)
    today = context.services.clock.now().astimezone(context.i18n.tz).date()
    return await _answer(update, context, range_declared_income(ranges[index], today), typed=False)


async def _answer(update: Update, context: BotContext, income: int, typed: bool) -> int:
    t = context.i18n
    state = context.user_data.pop(KEY, None) or {}  # type: ignore[union-attr]
    sector: Sector = "transport" if state.get("sector") == "transport" else "other"
    today = context.services.clock.now().astimezone(t.tz).date()
    result = quote(income, sector, today)
    await say(update, context, render_quote(t, result, income if typed else None), result_keyboard(t))
    return ConversationHandler.END


def register(application: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(declare_flow(
        application,
        "calculator",
        entry_points=[CallbackQueryHandler(start, pattern=r"^calc:start$"), CommandHandler("iuran", start)],
        steps={
            # free text here is not expected: it goes on to the FAQ (handlers/faq.py)
            SECTOR: [CallbackQueryHandler(occupation_chosen, pattern=r"^calc:occ:[a-z_]+$")],
            INCOME: [CallbackQueryHandler(range_chosen, pattern=r"^calc:range:\d+$"),
                     MessageHandler(text, income_typed)],
        },
    ))
