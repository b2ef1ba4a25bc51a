"""/bantuan: what the bot does, the commands the user may use (from the lists of handlers/commands_menu.py, the
same as Telegram's command menu: officials and admins also see theirs), and the official channels."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.callbacks import Menu, one_of
from handlers.commands_menu import ADMIN_COMMANDS, STAFF_COMMANDS, WORKER_COMMANDS, command_lines
from handlers.context import BotContext
from handlers.ui import ack, back_to_menu_keyboard, say


def help_text(context: BotContext) -> str:
    t, actor = context.i18n, context.actor
    _ = t.gettext
    lines = [
        _("<b>Help</b>"),
        _("I help workers without a fixed employer (farmers, fishers, ojek drivers, traders…) "
          "with BPJS Ketenagakerjaan protection."),
        "",
        _("<b>Commands</b>"),
        *command_lines(t, WORKER_COMMANDS),
    ]
    if actor.is_staff:
        lines += ["", _("<b>For officials</b>"), *command_lines(t, STAFF_COMMANDS)]
    if actor.is_admin:
        lines += ["", _("<b>For admins</b>"), *command_lines(t, ADMIN_COMMANDS)]
    lines += ["", _("Official channels: the JMO app, call centre 175, or a BPJS Ketenagakerjaan branch office.")]
    return "\n".join(lines)


async def show_help(update: Update, context: BotContext) -> None:
    await ack(update)
    await say(update, context, help_text(context), back_to_menu_keyboard(context.i18n))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["bantuan", "help"], show_help))
    application.add_handler(CallbackQueryHandler(show_help, pattern=one_of(Menu("help"))))
