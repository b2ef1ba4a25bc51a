"""/unduh: the requests of the official's area as XLSX or CSV (admins: any kabupaten, or everything).
Officials' files carry the NIK column and every export is recorded in the audit log."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import exports
from bot.domain.officials import area_names
from bot.domain.regions import HOME_PROVINCE, children, region, short_name
from bot.domain.roles import Actor
from handlers.context import BotContext
from handlers.officials import arg, require_staff
from handlers.ui import ack, edit_or_say, rows


def scopes(who: Actor) -> list[tuple[str, str]]:
    """(scope id, label) the actor may export: "all" (their whole area) and each area / kabupaten."""
    if who.is_admin:
        return [("all", "*"), *((r.code, short_name(r)) for r in children(HOME_PROVINCE))]
    if len(who.areas) == 1:
        return [("all", area_names(who.areas)[0])]
    return [("all", "*"), *zip(who.areas, area_names(who.areas), strict=True)]


async def start(update: Update, context: BotContext) -> None:
    who = await require_staff(update, context)
    if who is None:
        return
    _ = context.i18n.gettext
    options = scopes(who)
    if len(options) == 1:
        await _ask_format(update, context, "all")
        return
    buttons = [InlineKeyboardButton(_("All my areas") if label == "*" else label, callback_data=f"ex:s:{scope}")
               for scope, label in options]
    await edit_or_say(update, context, _("Download which area?"), InlineKeyboardMarkup(rows(buttons)))


async def _ask_format(update: Update, context: BotContext, scope: str) -> None:
    _ = context.i18n.gettext
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("📊 Excel (XLSX)"), callback_data=f"ex:x:{scope}"),
        InlineKeyboardButton(_("📄 CSV"), callback_data=f"ex:c:{scope}"),
    ]])
    await edit_or_say(update, context, _("Which file?"), keyboard)


async def scope_chosen(update: Update, context: BotContext) -> None:
    if await require_staff(update, context) is None:
        return
    await ack(update)
    await _ask_format(update, context, arg(update.callback_query.data if update.callback_query else None, 2))


async def send_file(update: Update, context: BotContext) -> None:
    who = await require_staff(update, context)
    if who is None:
        return
    query = update.callback_query
    assert query is not None
    services = context.services
    _ = context.i18n.gettext
    scope = arg(query.data, 2)
    area_codes = None if scope == "all" else [scope]
    if area_codes is not None and region(scope) is None:
        await ack(update)
        return
    try:
        found = await exports.rows_for(services, who, area_codes)
    except PermissionError:
        await query.answer(_("This area is not yours."), show_alert=True)
        return
    await ack(update)
    now = services.clock.now()
    t_id = services.translator("id")  # the district office works in Indonesian
    include_nik = not who.is_admin
    label = "semua" if area_codes is None and who.is_admin else \
        "-".join(area_names(area_codes or list(who.areas)))
    kind = "xlsx" if arg(query.data, 1) == "x" else "csv"
    if kind == "xlsx":
        data = exports.to_xlsx(found, t_id, now.astimezone(t_id.tz).date(), include_nik, title="Daftar Minat")
    else:
        data = exports.to_csv(found, t_id, now.astimezone(t_id.tz).date(), include_nik)
    await services.audit.record(
        actor_id=who.user_id, action="export", now=now, area_code=scope if scope != "all" else None,
        detail=f"{kind} rows={len(found)}" + (" nik" if include_nik else ""))
    caption = context.i18n.ngettext("{n} request.", "{n} requests.", len(found)).format(n=len(found))
    if include_nik:
        caption += " " + _("Contains NIK: keep this file safe and delete it when done.")
    name = exports.file_name(label, now, t_id, kind)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=name), caption=caption)


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["unduh", "export"], start))
    application.add_handler(CallbackQueryHandler(scope_chosen, pattern=r"^ex:s:(all|[\d.]+)$"))
    application.add_handler(CallbackQueryHandler(send_file, pattern=r"^ex:[xc]:(all|[\d.]+)$"))
