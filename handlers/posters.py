"""/poster: a printable QR poster (PNG and PDF) for a desa in the official's area (admins: any desa)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import posters
from bot.domain.regions import HOME_PROVINCE, children, region, short_name
from bot.domain.roles import Actor
from handlers.context import BotContext
from handlers.officials import arg, require_staff
from handlers.ui import ack, edit_or_say, rows


def _may_browse(who: Actor, code: str) -> bool:
    """An admin anywhere; an official inside their areas or on the way down to them."""
    return who.is_admin or who.can_access(code) or any(area.startswith(code + ".") for area in who.areas)


async def start(update: Update, context: BotContext) -> None:
    who = await require_staff(update, context)
    if who is None:
        return
    _ = context.i18n.gettext
    if who.is_admin:
        await _browse(update, context, who, HOME_PROVINCE)
        return
    desa = [code for code in who.areas if (r := region(code)) is not None and r.level == 4]
    if len(who.areas) == 1 and desa:
        await _send_poster(update, context, who, desa[0])
        return
    buttons = []
    for code in who.areas:
        r = region(code)
        if r is not None:
            kind = "d" if r.level == 4 else "g"
            buttons.append(InlineKeyboardButton(r.name, callback_data=f"pst:{kind}:{code}"))
    await edit_or_say(update, context, _("Poster for which desa?"), InlineKeyboardMarkup(rows(buttons)))


async def _browse(update: Update, context: BotContext, who: Actor, code: str) -> None:
    _ = context.i18n.gettext
    found = region(code)
    if found is None or found.level >= 4 or not _may_browse(who, code):
        return
    buttons = []
    for child in children(code):
        if not _may_browse(who, child.code):
            continue
        kind = "d" if child.level == 4 else "g"
        buttons.append(InlineKeyboardButton(short_name(child), callback_data=f"pst:{kind}:{child.code}"))
    text = _("Poster for which desa? {area}").format(area=html.escape(found.name))
    await edit_or_say(update, context, text, InlineKeyboardMarkup(rows(buttons, 2 if found.level < 3 else 3)))


async def browse(update: Update, context: BotContext) -> None:
    who = await require_staff(update, context)
    if who is None:
        return
    await ack(update)
    await _browse(update, context, who, arg(update.callback_query.data if update.callback_query else None, 2))


async def make(update: Update, context: BotContext) -> None:
    who = await require_staff(update, context)
    if who is None:
        return
    query = update.callback_query
    assert query is not None
    code = arg(query.data, 2)
    if not who.can_access(code):
        await query.answer(context.i18n.gettext("This area is not yours."), show_alert=True)
        return
    await ack(update)
    await _send_poster(update, context, who, code)


def poster_text(context: BotContext, desa_code: str, link: str) -> posters.PosterText:
    t = context.services.translator("id")  # the noticeboard is read in Indonesian
    _ = t.gettext
    desa = region(desa_code)
    assert desa is not None and desa.kecamatan_code is not None
    kecamatan = region(desa.kecamatan_code)
    kabupaten = region(desa.kabupaten_code)
    area = ", ".join(r.name for r in (kecamatan, kabupaten) if r is not None)
    return posters.PosterText(
        title=_("BPJS Ketenagakerjaan sign-up"),
        place=desa.name,
        area=area,
        line1=_("Working on your own? Scan this code with your phone."),
        line2=_("Check if you qualify and sign up with the help of the desa officials."),
        footer=link,
    )


async def _send_poster(update: Update, context: BotContext, who: Actor, desa_code: str) -> None:
    found = region(desa_code)
    if found is None or found.level != 4 or not who.can_access(desa_code):
        return
    _ = context.i18n.gettext
    link = posters.desa_link(context.bot.username, desa_code)
    poster = posters.render(link, poster_text(context, desa_code, link))
    chat = update.effective_chat
    assert chat is not None
    base = "poster-" + desa_code.replace(".", "")
    await context.bot.send_document(chat.id, InputFile(poster.png, filename=base + ".png"),
                                    caption=_("🖨 Poster for {desa} (A4). Scanning the code opens the bot with "
                                              "this desa chosen.").format(desa=html.escape(found.name)))
    await context.bot.send_document(chat.id, InputFile(poster.pdf, filename=base + ".pdf"))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("poster", start))
    application.add_handler(CallbackQueryHandler(browse, pattern=r"^pst:g:[\d.]+$"))
    application.add_handler(CallbackQueryHandler(make, pattern=r"^pst:d:[\d.]+$"))
