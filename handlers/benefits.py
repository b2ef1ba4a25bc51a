"""Manfaat & Iuran (menu:benefits): short pages on JKK, JKM, scholarships, JHT, who pays, stopping payments,
checking status officially and claiming; each with today's figures from the content files."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.i18n import Translator
from handlers.callbacks import BenefitsMenu, CallbackData, Menu, one_of
from handlers.context import BotContext
from handlers.faq import calculator_button
from handlers.keyboards import button, main_menu_button
from handlers.ui import ack, rows, say


@dataclass(frozen=True)
class BenefitsPage(CallbackData):
    """`benefits:page:<faq entry id>`: one page of Manfaat & Iuran."""

    PREFIX = "benefits:page"
    page: str


def benefits_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    t = context.i18n
    pages = [button(entry.button, BenefitsPage(entry.id)) for entry in context.services.faq.benefit_pages(t.language)]
    return InlineKeyboardMarkup([*rows(pages), [calculator_button(t)], [main_menu_button(t)]])


def page_keyboard(t: Translator) -> InlineKeyboardMarkup:
    back = button(t.gettext("⬅️ Benefits & fees"), BenefitsMenu())
    return InlineKeyboardMarkup([[back, calculator_button(t)], [main_menu_button(t)]])


async def show_benefits(update: Update, context: BotContext) -> None:
    await ack(update)
    t = context.i18n
    text = t.gettext("<b>Benefits & fees</b>\nWhat protects you, what it costs, and what to do. Pick a topic:")
    await say(update, context, text, benefits_keyboard(context))


async def show_page(update: Update, context: BotContext) -> None:
    shown = BenefitsPage.of(update)
    assert shown is not None
    faq = context.services.faq
    if not faq.is_benefit_page(shown.page):
        await ack(update, context.i18n.gettext("This button has expired."))
        await show_benefits(update, context)
        return
    await ack(update)
    t = context.i18n
    await say(update, context, faq.answer(t, shown.page), page_keyboard(t))


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(show_benefits, pattern=one_of(Menu("benefits"), BenefitsMenu())))
    application.add_handler(CallbackQueryHandler(show_page, pattern=BenefitsPage.pattern()))
