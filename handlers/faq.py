"""Tanya Jawab (menu:faq): topics as buttons, and any free text nobody else expects answered from the FAQ.

When the matcher is not sure, the reply says so and offers the three closest topics plus "ask an official"
(the question is stored, encrypted, for officials to read). It never turns a weak match into an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.faq import offers_calculator
from bot.domain.i18n import Translator
from handlers.callbacks import AskOfficial, CalculatorStart, CallbackData, Menu, one_of
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.keyboards import back_to_menu_keyboard, button, main_menu_button
from handlers.start import ensure_consent
from handlers.ui import ack, say, show_main_menu

MAX_QUESTION = 1000


@dataclass(frozen=True)
class FaqTopic(CallbackData):
    """`faq:cat:<category>`: the entries of one topic."""

    PREFIX = "faq:cat"
    category: str


@dataclass(frozen=True)
class FaqShow(CallbackData):
    """`faq:show:<entry id>`: one answer."""

    PREFIX = "faq:show"
    entry_id: str


@dataclass
class PendingQuestion(FlowState):
    """The last free-text question and the entries offered for it, kept for "Ask an official"."""

    KEY: ClassVar[str] = "faq_question"
    text: str = ""
    suggested: list[str] = field(default_factory=list)


def ask_official_button(t: Translator) -> InlineKeyboardButton:
    return button(t.gettext("🙋 Ask an official"), AskOfficial())


def calculator_button(t: Translator) -> InlineKeyboardButton:
    return button(t.gettext("🧮 Fee calculator"), CalculatorStart())


def categories_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    t = context.i18n
    topics = context.services.faq.topics(t.language)
    buttons = [button(label, FaqTopic(key)) for key, label in topics.items()]
    return InlineKeyboardMarkup([*[[b] for b in buttons], [main_menu_button(t)]])


def answer_keyboard(t: Translator, with_ask: bool, entry_id: str = "") -> InlineKeyboardMarkup:
    other = button(t.gettext("❓ Other questions"), Menu("faq"))
    first = [other, ask_official_button(t)] if with_ask else [other]
    keyboard = [first, [main_menu_button(t)]]
    if offers_calculator(entry_id):
        keyboard.insert(0, [calculator_button(t)])
    return InlineKeyboardMarkup(keyboard)


async def show_topics(update: Update, context: BotContext) -> None:
    await ack(update)
    t = context.i18n
    text = t.gettext("❓ <b>Questions</b>\nWrite your question in your own words, for example "
                     "<i>brp iuran sebulan?</i> or <i>kalo meninggal dpt brp?</i>\nOr pick a topic:")
    await say(update, context, text, categories_keyboard(context))


async def expired(update: Update, context: BotContext) -> None:
    await ack(update, context.i18n.gettext("This button has expired."))
    await show_topics(update, context)


async def show_category(update: Update, context: BotContext) -> None:
    topic = FaqTopic.of(update)
    assert topic is not None
    t, faq = context.i18n, context.services.faq
    entries = faq.in_topic(t.language, topic.category)
    if not entries:
        await expired(update, context)
        return
    await ack(update)
    buttons = [[button(e.button, FaqShow(e.id))] for e in entries]
    back = button(t.gettext("⬅️ Topics"), Menu("faq"))
    title = "<b>" + faq.topics(t.language)[topic.category] + "</b>"
    await say(update, context, title, InlineKeyboardMarkup([*buttons, [back, main_menu_button(t)]]))


async def show_entry(update: Update, context: BotContext) -> None:
    shown = FaqShow.of(update)
    assert shown is not None
    t, faq = context.i18n, context.services.faq
    if faq.entry(t.language, shown.entry_id) is None:
        await expired(update, context)
        return
    await ack(update)
    keyboard = answer_keyboard(t, with_ask=PendingQuestion.stored(context), entry_id=shown.entry_id)
    await say(update, context, faq.answer(t, shown.entry_id), keyboard)


async def answer_text(update: Update, context: BotContext) -> None:
    """A free-text question (handlers/free_text.py routes here what is no NIK, number or intent): answer it from
    the FAQ, or say we are not sure."""
    message = update.effective_message
    assert message is not None and message.text is not None
    t, faq = context.i18n, context.services.faq
    _ = t.gettext
    question = message.text.strip()[:MAX_QUESTION]
    reply = faq.reply_to(question)
    if reply.kind == "income":
        PendingQuestion.clear(context)
        text = _("Is that your monthly income? The fee calculator works out your contribution for it.")
        await say(update, context, text, InlineKeyboardMarkup([[calculator_button(t)], [main_menu_button(t)]]))
        return
    if reply.kind == "not_understood":
        PendingQuestion.clear(context)
        await show_main_menu(update, context, _("Sorry, I didn't understand that. 🙏"))
        return
    PendingQuestion(question, list(reply.suggested)).save(context)
    if reply.kind == "answer":
        text = faq.answer(t, reply.entry_id) + "\n\n" + _("<i>Not what you asked? Tap “Ask an official”.</i>")
        await say(update, context, text, answer_keyboard(t, with_ask=True, entry_id=reply.entry_id))
        return
    buttons = [[button(entry.button, FaqShow(entry.id))]
               for entry in (faq.entry(t.language, i) for i in reply.suggested) if entry is not None]
    text = _("I'm not sure I understood. 🤔 Is it one of these? If not, an official can answer you.")
    await say(update, context, text,
              InlineKeyboardMarkup([*buttons, [ask_official_button(t)], [main_menu_button(t)]]))


async def ask_official(update: Update, context: BotContext) -> None:
    await ack(update)
    t = context.i18n
    _ = t.gettext
    pending = PendingQuestion.load(context)
    if not pending.text:
        await say(update, context, _("Write your question first, then tap “Ask an official”."),
                  back_to_menu_keyboard(t))
        return
    if not await ensure_consent(update, context, resume=AskOfficial()):
        return
    assert context.profile is not None
    await context.services.questions.ask(context.profile.id, t.language, pending.text, pending.suggested)
    PendingQuestion.clear(context)
    await show_main_menu(update, context, _(
        "✅ Your question was passed on to the officials. They will read it and answer; this can take a few "
        "days. For urgent matters call 175."))


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(show_topics, pattern=one_of(Menu("faq"))))
    application.add_handler(CallbackQueryHandler(show_category, pattern=FaqTopic.pattern()))
    application.add_handler(CallbackQueryHandler(show_entry, pattern=FaqShow.pattern()))
    application.add_handler(CallbackQueryHandler(ask_official, pattern=AskOfficial.pattern()))
