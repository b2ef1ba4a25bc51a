"""/poster: a printable QR poster (PNG and PDF) for a desa in the official's area (admins: any desa).
Which desa an actor may choose is the poster service's rule; this module only shows and sends."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.regions import Region, short_name
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import button
from handlers.ui import ack, edit_or_say, rows


@dataclass(frozen=True)
class PosterBrowse(CallbackData):
    """Go down to the regions under a kabupaten / kecamatan (`pst:g:64.08`)."""

    PREFIX = "pst:g"
    code: str


@dataclass(frozen=True)
class PosterMake(CallbackData):
    """The poster of a desa (`pst:d:64.08.01.2001`)."""

    PREFIX = "pst:d"
    code: str


def choice(r: Region) -> CallbackData:
    """A desa makes its poster; a larger area opens the regions under it."""
    return PosterMake(r.code) if r.level == 4 else PosterBrowse(r.code)


@requires("staff")
async def start(update: Update, context: BotContext) -> None:
    _ = context.i18n.gettext
    offer = context.services.posters.start(context.actor)
    if offer.browse is not None:
        await _browse(update, context, offer.browse)
    elif offer.desa is not None:
        await _send_poster(update, context, offer.desa)
    else:
        buttons = [button(r.name, choice(r)) for r in offer.areas]
        await edit_or_say(update, context, _("Poster for which desa?"), InlineKeyboardMarkup(rows(buttons)))


async def _browse(update: Update, context: BotContext, code: str) -> None:
    _ = context.i18n.gettext
    found = context.services.posters.browse(context.actor, code)
    if found is None:
        return
    area, under = found
    buttons = [button(short_name(r), choice(r)) for r in under]
    text = _("Poster for which desa? {area}").format(area=html.escape(area.name))
    await edit_or_say(update, context, text, InlineKeyboardMarkup(rows(buttons, 2 if area.level < 3 else 3)))


@requires("staff")
async def browse(update: Update, context: BotContext) -> None:
    data = PosterBrowse.of(update)
    await ack(update)
    if data is not None:
        await _browse(update, context, data.code)


@requires("staff")
async def make(update: Update, context: BotContext) -> None:
    query, data = update.callback_query, PosterMake.of(update)
    assert query is not None and data is not None
    if not context.services.posters.may_make(context.actor, data.code):
        await ack(update, context.i18n.gettext("This area is not yours."), alert=True)
        return
    await ack(update)
    await _send_poster(update, context, data.code)


async def _send_poster(update: Update, context: BotContext, desa_code: str) -> None:
    made = context.services.posters.make(context.actor, desa_code, context.bot.username)
    if made is None:
        return
    _ = context.i18n.gettext
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(chat.id, InputFile(made.poster.png, filename=made.file_base + ".png"),
                                    caption=_("🖨 Poster for {desa} (A4). Scanning the code opens the bot with "
                                              "this desa chosen.").format(desa=html.escape(made.desa.name)))
    await context.bot.send_document(chat.id, InputFile(made.poster.pdf, filename=made.file_base + ".pdf"))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("poster", start))
    application.add_handler(CallbackQueryHandler(browse, pattern=PosterBrowse.pattern()))
    application.add_handler(CallbackQueryHandler(make, pattern=PosterMake.pattern()))
