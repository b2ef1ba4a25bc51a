"""Manfaat & Iuran (menu:benefits): short pages on JKK, JKM, scholarships, JHT, who pays, stopping payments,
checking status officially and claiming; each with today's figures from the content files."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.benefits import load_benefits
from bot.domain.faq import load_faq, render_answer
from bot.domain.i18n import Translator
from handlers.context import BotContext
from handlers.ui import ack, rows, say

PAGE_PREFIX = "benefits:page:"


def calculator_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("🧮 Fee calculator"), callback_data="calc:start")


def home_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("🏠 Main menu"), callback_data="menu:home")


def benefits_keyboard(t: Translator) -> InlineKeyboardMarkup:
    faq = load_faq(t.language)
    pages = []
    for page in load_benefits().pages:
        entry = faq.get(page.faq)
        if entry is not None:
            pages.append(InlineKeyboardButton(entry.button, callback_data=PAGE_PREFIX + page.faq))
    return InlineKeyboardMarkup([*rows(pages), [calculator_button(t)], [home_button(t)]])


def page_keyboard(t: Translator) -> InlineKeyboardMarkup:
    back = InlineKeyboardButton(t.gettext("⬅️ Benefits & fees"), callback_data="benefits:menu")
    return InlineKeyboardMarkup([[back, calculator_button(t)], [home_button(t)]])


async def show_benefits(update: Update, context: BotContext) -> None:
    await ack(update)
    t = context.i18n
    text = t.gettext("<b>Benefits & fees</b>\nWhat protects you, what it costs, and what to do. Pick a topic:")
    await say(update, context, text, benefits_keyboard(t))


async def show_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    page_id = query.data.removeprefix(PAGE_PREFIX)
    if page_id not in {page.faq for page in load_benefits().pages}:
        await query.answer(context.i18n.gettext("This button has expired."))
        await show_benefits(update, context)
        return
    await ack(update)
    t = context.i18n
    today = context.services.clock.now().astimezone(t.tz).date()
    await say(update, context, render_answer(t, page_id, today), page_keyboard(t))


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(show_benefits, pattern=r"^(menu:benefits|benefits:menu)$"))
    application.add_handler(CallbackQueryHandler(show_page, pattern=r"^benefits:page:[a-z0-9_]+$"))
