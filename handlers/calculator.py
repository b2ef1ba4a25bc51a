"""The contribution calculator: work (→ sector) → monthly income typed or picked → JKK, JKM, JHT for today.

A persistent conversation: a restart in the middle keeps the chosen work. The income is not stored: it is
used for the one answer and dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.benefits import (
    PLAUSIBLE_MONTHLY_INCOME,
    IncomeRefusal,
    load_benefits,
    range_declared_income,
    range_label,
    read_income,
    render_quote,
)
from bot.domain.contributions import Sector, quote
from bot.domain.i18n import Translator
from bot.domain.occupations import occupation, occupations
from handlers.callbacks import BenefitsMenu, CalculatorStart, CallbackData, one_of
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.flow_state import FlowState
from handlers.keyboards import button, main_menu_button
from handlers.ui import ack, rows, say, set_buttons

SECTOR, INCOME = range(2)


@dataclass(frozen=True)
class CalcOccupation(CallbackData):
    """`calc:occ:<occupation id>`: the work chosen (its sector decides the discount period)."""

    PREFIX = "calc:occ"
    occupation: str


@dataclass(frozen=True)
class CalcRange(CallbackData):
    """`calc:range:<index>`: an income range of content/benefits.toml instead of a typed amount."""

    PREFIX = "calc:range"
    index: int


@dataclass
class CalculatorState(FlowState):
    KEY: ClassVar[str] = "calculator"
    occupation: str = ""
    sector: str = "other"  # "transport" | "other"
    income: int = 0  # named in a typed fee question (handlers/free_text_calc.py): answered once the work is picked


def occupation_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows([button(t.gettext(o.label_msgid), CalcOccupation(o.id)) for o in occupations()]))


def income_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(range_label(t, r), CalcRange(i))]
                                 for i, r in enumerate(load_benefits().income_ranges)])


def result_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("🔁 Calculate again"), CalculatorStart()), button(_("💰 Benefits & fees"), BenefitsMenu())],
        [main_menu_button(t)],
    ])


def _today(context: BotContext) -> dt.date:
    return context.services.clock.now().astimezone(context.i18n.tz).date()


def income_prompt(t: Translator) -> str:
    return t.gettext("How much do you earn in a month? Type it, e.g. <b>1,5 juta</b>, <b>2jt</b> or "
                     "<b>1.500.000</b>, or pick a range:")


async def start(update: Update, context: BotContext) -> int:
    await ack(update)
    CalculatorState.clear(context)
    t = context.i18n
    text = t.gettext("🧮 <b>Fee calculator</b>\nWhat work do you do? (Ojek, couriers and drivers have their own "
                     "discount period.)")
    await say(update, context, text, occupation_keyboard(t))
    return SECTOR


async def occupation_chosen(update: Update, context: BotContext) -> int:
    query, pressed = update.callback_query, CalcOccupation.of(update)
    assert query is not None and pressed is not None
    chosen = occupation(pressed.occupation)
    if chosen is None:
        await ack(update, context.i18n.gettext("This button has expired."))
        return SECTOR
    await ack(update)
    pending = CalculatorState.load(context).income
    CalculatorState(occupation=chosen.id, sector=chosen.sector).save(context)
    t = context.i18n
    await set_buttons(update, context)
    if pending:
        return await _answer(update, context, pending, typed=True)
    await say(update, context, t.gettext("Work: {work}").format(work=t.gettext(chosen.label_msgid)) + "\n\n"
              + income_prompt(t), income_keyboard(t))
    return INCOME


async def income_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    t = context.i18n
    parsed = read_income(message.text or "")
    if isinstance(parsed, str):
        await say(update, context, refusal_text(t, parsed, _today(context)), income_keyboard(t))
        return INCOME
    return await _answer(update, context, parsed.amount, typed=True)


def refusal_text(t: Translator, refusal: IncomeRefusal, today: dt.date) -> str:
    """Why a typed income is not used, kindly, with what to type instead (the ranges follow as buttons)."""
    _ = t.gettext
    if refusal == "negative":
        return _("An income cannot be below zero. 🙂 Type what you earn in a usual month, e.g. <b>2jt</b>, "
                 "or pick a range:")
    if refusal == "zero":
        return _("No income this month? The fee is counted from the lowest level, {amount} a month, even when "
                 "you earn less. Type what you earn in a usual month, or pick a range:").format(
            amount=t.money(quote(0, "other", today).declared_income))
    if refusal == "too_high":
        return _("That is more than {ceiling} a month. This calculator is for workers whose income only covers "
                 "daily needs (pekerja rentan), so it stops at {ceiling}. Please check the amount (a month, not a "
                 "year?); for a higher income ask BPJS Ketenagakerjaan (call 175). Or pick a range:").format(
            ceiling=t.money(PLAUSIBLE_MONTHLY_INCOME))
    return _("Sorry, I could not read that as an amount. 🙏 Type the monthly income like "
             "<b>1,5 juta</b>, <b>2jt</b> or <b>1.500.000</b>, or pick a range:")


async def range_chosen(update: Update, context: BotContext) -> int:
    query, pressed = update.callback_query, CalcRange.of(update)
    assert query is not None and pressed is not None
    ranges = load_benefits().income_ranges
    index = pressed.index
    if not 0 <= index < len(ranges):
        await ack(update, context.i18n.gettext("This button has expired."))
        return INCOME
    await ack(update)
    await set_buttons(update, context)
    return await _answer(update, context, range_declared_income(ranges[index], _today(context)), typed=False)


async def _answer(update: Update, context: BotContext, income: int, typed: bool) -> int:
    t = context.i18n
    state = CalculatorState.load(context)
    CalculatorState.clear(context)
    sector: Sector = "transport" if state.sector == "transport" else "other"
    result = quote(income, sector, _today(context))
    chosen = occupation(state.occupation)
    work = t.gettext(chosen.label_msgid) if chosen is not None else None
    await say(update, context, render_quote(t, result, income if typed else None, work), result_keyboard(t))
    return ConversationHandler.END


def register(application: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(declare_flow(
        application,
        "calculator",
        entry_points=[CallbackQueryHandler(start, pattern=one_of(CalculatorStart())), CommandHandler("iuran", start)],
        steps={
            # free text here is not expected: it goes on to the FAQ (handlers/faq.py)
            SECTOR: [CallbackQueryHandler(occupation_chosen, pattern=CalcOccupation.pattern())],
            INCOME: [CallbackQueryHandler(range_chosen, pattern=CalcRange.pattern()),
                     MessageHandler(text, income_typed)],
        },
    ))
