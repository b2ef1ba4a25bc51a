"""Group -1: before any handler, load or create the user, pick their language and resolve the actor."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.domain.i18n import resolve_language
from handlers.context import BotContext
from handlers.flow import leave_flows_for_menu


async def load_user(update: object, context: BotContext) -> None:
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    services = context.services
    arrival = await services.users.arrive(user.id, user.language_code)
    context.profile, context.actor = arrival.profile, arrival.actor
    language = resolve_language(arrival.profile.language, user.language_code, services.config.default_language)
    context.i18n = services.translator(language)
    leave_flows_for_menu(update, context)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, load_user), group=-1)
