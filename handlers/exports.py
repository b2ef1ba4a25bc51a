"""/unduh: the requests of the official's area as XLSX or CSV (admins: any kabupaten, or everything).
Officials' files carry the NIK column and every export is recorded in the audit log (`ExportService`)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.exports import ALL, ALL_LABEL, ExportDenied, ExportFormat
from handlers import coverage
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import button, rows
from handlers.ui import ack, edit_or_say


@dataclass(frozen=True)
class ExportScope(CallbackData):
    """`ex:s:{scope}`: "all" or a region code; the format comes next."""

    PREFIX = "ex:s"
    scope: str


@dataclass(frozen=True)
class ExportXlsx(CallbackData):
    PREFIX = "ex:x"
    scope: str


@dataclass(frozen=True)
class ExportCsv(CallbackData):
    PREFIX = "ex:c"
    scope: str


@requires("staff")
async def start(update: Update, context: BotContext) -> None:
    if context.args and context.args[0].lower() in ("cakupan", "coverage"):  # /unduh cakupan [code]: handlers/coverage
        await coverage.open_report(update, context, context.args[1] if len(context.args) > 1 else None)
        return
    _ = context.i18n.gettext
    options = context.services.exports.scopes(context.actor)
    if len(options) == 1:
        await _ask_format(update, context, ALL)
        return
    buttons = [button(_("All my areas") if label == ALL_LABEL else label, ExportScope(scope))
               for scope, label in options]
    await edit_or_say(update, context, _("Download which area?"), InlineKeyboardMarkup(rows(buttons)))


async def _ask_format(update: Update, context: BotContext, scope: str) -> None:
    _ = context.i18n.gettext
    keyboard = InlineKeyboardMarkup([[
        button(_("📊 Excel (XLSX)"), ExportXlsx(scope)),
        button(_("📄 CSV"), ExportCsv(scope)),
    ]])
    await edit_or_say(update, context, _("Which file?"), keyboard)


@requires("staff")
async def scope_chosen(update: Update, context: BotContext) -> None:
    await ack(update)
    data = ExportScope.of(update)
    if data is not None and context.services.exports.known_scope(data.scope):
        await _ask_format(update, context, data.scope)


def _chosen(update: Update) -> tuple[str, ExportFormat] | None:
    xlsx = ExportXlsx.of(update)
    if xlsx is not None:
        return xlsx.scope, "xlsx"
    csv = ExportCsv.of(update)
    return (csv.scope, "csv") if csv is not None else None


@requires("staff")
async def send_file(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chosen = _chosen(update)
    assert query is not None and update.effective_chat is not None
    if chosen is None or not context.services.exports.known_scope(chosen[0]):
        await ack(update)
        return
    _ = context.i18n.gettext
    try:
        exported = await context.services.exports.export(context.actor, *chosen)
    except ExportDenied:
        await ack(update, _("This area is not yours."), alert=True)
        return
    await ack(update)
    caption = context.i18n.ngettext("{n} request.", "{n} requests.", exported.rows).format(n=exported.rows)
    if exported.include_nik:
        caption += " " + _("Contains NIK: keep this file safe and delete it when done.")
    await context.bot.send_document(update.effective_chat.id, InputFile(exported.data, filename=exported.file_name),
                                    caption=caption)


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["unduh", "export"], start))
    application.add_handler(CallbackQueryHandler(scope_chosen, pattern=ExportScope.pattern()))
    application.add_handler(CallbackQueryHandler(send_file, pattern=ExportXlsx.pattern()))
    application.add_handler(CallbackQueryHandler(send_file, pattern=ExportCsv.pattern()))
