"""/bantuan: what the bot does, the commands, and the official channels."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.callbacks import Menu, one_of
from handlers.context import BotContext
from handlers.ui import ack, back_to_menu_keyboard, say


def help_text(context: BotContext) -> str:
    _ = context.i18n.gettext
    return "\n".join([
        _("<b>Help</b>"),
        _("I help workers without a fixed employer (farmers, fishers, ojek drivers, traders…) "
          "with BPJS Ketenagakerjaan protection."),
        "",
        _("/start – main menu"),
        _("/bahasa – change language"),
        _("/batal – stop what you are doing"),
        _("/dataku – see what I store about you"),
        _("/hapusdata – erase your data"),
        "",
        _("Official channels: the JMO app, call centre 175, or a BPJS Ketenagakerjaan branch office."),
    ])


async def show_help(update: Update, context: BotContext) -> None:
    await ack(update)
    await say(update, context, help_text(context), back_to_menu_keyboard(context.i18n))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["bantuan", "help"], show_help))
    application.add_handler(CallbackQueryHandler(show_help, pattern=one_of(Menu("help"))))
