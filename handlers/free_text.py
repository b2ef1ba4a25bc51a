"""Free text that no conversation took (registered just before the core fallback), in this order:

1. a NIK (16 digits) typed outside a NIK step is deleted from the chat (best effort), and the worker is told why
   and offered 🛡 Cek Status / 📝 Daftar Minat, where the NIK is asked for and protected;
2. a number or a date on its own ("30", "317101", "16/05/1985") gets "what do you mean?" with the menu; only a
   plausible monthly income written as money ("2jt", "1.500.000") is offered the fee calculator;
3. a request for one of the bot's features opens it (bot/domain/intents.py): status check, eligibility, Daftar
   Minat, the fee calculator with the work and income named, language, help; hello / thanks / "I don't know"
   get a short reply with the menu;
4. anything else is a question for the FAQ (handlers/faq.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, ConversationHandler, MessageHandler, filters

from bot.domain.intents import Detected, contains_nik, detect, loose_number
from handlers import bantuan, eligibility, interest, status
from handlers.callbacks import Menu
from handlers.context import BotContext
from handlers.faq import PendingQuestion, answer_text, calculator_button
from handlers.flow import ACTIVE_FLOW_KEY
from handlers.free_text_calc import open_calculator
from handlers.keyboards import button, main_menu_button
from handlers.start import choose_language_command
from handlers.ui import forget_user_message, say, show_main_menu, typed

Entry = Callable[[Update, BotContext], Coroutine[Any, Any, object]]


async def open_flow(update: Update, context: BotContext, name: str, entry: Entry) -> None:
    """Start the flow `name` from a typed message, as if its entry point had been pressed: `entry` runs and the
    step it returns becomes the flow's state for this chat (stored like any step), and the flow becomes the
    user's active one. The typed text itself is no entry point of the flow, so it is handed to the flow here."""
    application = context.application
    flow = next((handler for group in application.handlers.values() for handler in group
                 if isinstance(handler, ConversationHandler) and handler.name == name), None)
    chat, user = update.effective_chat, update.effective_user
    if flow is None or chat is None or user is None:
        raise LookupError(f"no flow {name!r} for this update")
    if context.user_data is not None:
        context.user_data[ACTIVE_FLOW_KEY] = name
    runner: MessageHandler[Any, Any] = MessageHandler(filters.ALL, entry)
    await flow.handle_update(update, application, (None, (chat.id, user.id), runner, True), context)


async def nik_removed(update: Update, context: BotContext) -> None:
    t = context.i18n
    _ = t.gettext
    if await forget_user_message(update, context):
        text = _("🔒 I deleted your message: it looked like a NIK. Keep your NIK out of chats; I ask for it only "
                 "in the steps that need it, and keep it safe there.")
    else:
        text = _("🔒 Your message looks like a NIK. Please delete it (press and hold it → Delete): keep your NIK "
                 "out of chats. I ask for it only in the steps that need it.")
    text += "\n\n" + _("Did you want to check your protection or sign up?")
    keyboard = InlineKeyboardMarkup([
        [button(_("🛡 Check protection"), Menu("status")), button(_("📝 Sign up interest"), Menu("interest"))],
        [main_menu_button(t)],
    ])
    await say(update, context, text, keyboard)


async def loose_number_reply(update: Update, context: BotContext, kind: str) -> None:
    t = context.i18n
    _ = t.gettext
    if kind == "income":
        text = _("Is that your monthly income? The fee calculator works out your contribution for it.")
        await say(update, context, text, InlineKeyboardMarkup([[calculator_button(t)], [main_menu_button(t)]]))
        return
    await show_main_menu(update, context, _("What do you mean? 🤔 Write it in words, or tap a button below."))


async def open_intent(update: Update, context: BotContext, detected: Detected) -> None:
    _ = context.i18n.gettext
    PendingQuestion.clear(context)
    intent = detected.intent
    if intent == "status":
        await open_flow(update, context, "status_check", status.start_check)
    elif intent == "eligibility":
        await open_flow(update, context, eligibility.KEY, eligibility.start)
    elif intent == "interest":
        await open_flow(update, context, interest.KEY, interest.start)
    elif intent == "calculator":
        async def calculator_entry(update: Update, context: BotContext) -> int:
            return await open_calculator(update, context, detected.occupation, detected.income)

        await open_flow(update, context, "calculator", calculator_entry)
    elif intent == "language":
        await choose_language_command(update, context)
    elif intent == "help" and typed(update).strip().lower() in ("menu", "menu utama", "main menu"):
        await show_main_menu(update, context)
    elif intent == "help":
        await bantuan.show_help(update, context)
    elif intent == "greeting":
        await show_main_menu(update, context, _("Hello! 👋 I'm JagaKerja: I help informal workers with BPJS "
                                                "Ketenagakerjaan protection."))
    elif intent == "thanks":
        await show_main_menu(update, context, _("You're welcome! 🙏 Anything else I can help with?"))
    else:  # "dont_know"
        await show_main_menu(update, context, _("No problem. 🙂 Tap a button below, or write your question in "
                                                "your own words."))


async def route_text(update: Update, context: BotContext) -> None:
    """Any text no conversation expects (see the module docstring for the order)."""
    text = typed(update).strip()
    if contains_nik(text):
        PendingQuestion.clear(context)  # never keep a NIK as a question for the officials
        await nik_removed(update, context)
        return
    loose = loose_number(text)
    if loose is not None:
        PendingQuestion.clear(context)
        await loose_number_reply(update, context, loose[0])
        return
    detected = detect(text)
    if detected is not None:
        await open_intent(update, context, detected)
        return
    await answer_text(update, context)


def register(application: Application) -> None:
    """Registered just before the core fallback: text that no conversation or feature took."""
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, route_text))
