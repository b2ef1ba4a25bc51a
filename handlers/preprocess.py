"""Group -1: before any handler, load or create the user and pick their language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.context import BotContext
from bot.i18n import resolve_language
from handlers.conversation import leave_flows_for_menu


async def load_user(update: object, context: BotContext) -> None:
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    services = context.services
    profile = await services.users.touch(user.id, user.language_code, services.clock.now())
    context.profile = profile
    language = resolve_language(profile.language, user.language_code, services.settings.DEFAULT_LANGUAGE)
    context.i18n = services.translator(language)
    leave_flows_for_menu(update, context)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, load_user), group=-1)
