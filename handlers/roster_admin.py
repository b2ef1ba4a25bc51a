"""Roster import in chat: an admin sends a .csv/.xlsx file → the bot checks it (progress in one edited
message) → rejected with a report file, or the admin picks how to import it (buttons) → counts.

The work runs as a background task so the bot keeps answering others during a long file.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain.i18n import Translator
from bot.domain.regions import region, short_name
from bot.domain.roster import MODES, ImportResult, Mode, RosterImporter, error_lines, error_report_csv
from handlers.context import BotContext
from handlers.ui import ack, back_to_menu_keyboard, say

log = logging.getLogger(__name__)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
PROGRESS_EVERY_SECONDS = 1.5
SHOWN_ERRORS = 10


def _regions_label(codes: list[str]) -> str:
    names = []
    for code in codes:
        found = region(code)
        names.append(short_name(found) if found else code)
    return ", ".join(names) or "-"


def summary_text(result: ImportResult, t: Translator) -> str:
    _ = t.gettext
    if result.status == "rejected":
        lines = [t.ngettext("❌ <b>{file}</b>: {n} problem found. Nothing was imported.",
                            "❌ <b>{file}</b>: {n} problems found. Nothing was imported.",
                            result.error_count).format(file=result.file_name, n=t.number(result.error_count)),
                 ""]
        lines += ["• " + line for line in error_lines(result.errors[:SHOWN_ERRORS], t)]
        if result.error_count > SHOWN_ERRORS:
            lines.append(_("The full list is in the attached report."))
        lines += ["", _("Fix the file and send it again.")]
        return "\n".join(lines)
    if result.status == "validated":
        return "\n".join([
            _("✅ <b>{file}</b>: all {rows} rows are valid.").format(file=result.file_name,
                                                                     rows=t.number(result.rows)),
            _("Region: {region}").format(region=_regions_label(result.regions)),
            "",
            _("<b>Add and update</b> keeps everyone already listed. <b>Replace</b> makes this file the whole "
              "list of its region: people not in it are ended today."),
        ])
    return "\n".join([
        _("✅ <b>{file}</b> imported.").format(file=result.file_name),
        _("Rows: {rows} — new: {inserted}, updated: {updated}, ended: {ended}").format(
            rows=t.number(result.rows), inserted=t.number(result.inserted), updated=t.number(result.updated),
            ended=t.number(result.ended)),
        _("Region: {region}").format(region=_regions_label(result.regions)),
    ])


def mode_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("➕ Add and update"), callback_data="roster:go:upsert")],
        [InlineKeyboardButton(_("🔁 Replace the region's list"), callback_data="roster:go:replace")],
        [InlineKeyboardButton(_("✖️ Cancel"), callback_data="roster:cancel")],
    ])


async def _run(context: BotContext, chat_id: int, message_id: int, user_id: int, file_id: str, file_name: str,
               mode: Mode, dry_run: bool, t: Translator) -> None:
    services = context.services
    _ = t.gettext
    last_edit = time.monotonic()

    async def edit(text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)

    async def progress(phase: str, done: int, total: int | None) -> None:
        nonlocal last_edit
        if time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS or (total is not None and done >= total):
            return
        last_edit = time.monotonic()
        label = _("⏳ Checking {file}…") if phase == "validate" else _("⏳ Importing {file}…")
        count = t.number(done) if not total else f"{t.number(done)} / {t.number(total)}"
        await edit(label.format(file=file_name) + "\n" + _("{count} rows").format(count=count))

    with tempfile.TemporaryDirectory(prefix="roster-") as folder:
        path = Path(folder) / ("upload" + Path(file_name).suffix.lower())
        telegram_file = await context.bot.get_file(file_id)
        await telegram_file.download_to_drive(path)
        now = services.clock.now()
        result = await RosterImporter(services.roster, services.vault).run(
            path, file_name=file_name, mode=mode, dry_run=dry_run, imported_by=f"telegram:{user_id}",
            admin_id=user_id, now=now, today=now.astimezone(services.config.tz).date(), progress=progress)
    if result.status == "validated":
        await edit(summary_text(result, t), mode_keyboard(t))
        return
    await edit(summary_text(result, t), back_to_menu_keyboard(t))
    if result.status == "rejected":
        report = error_report_csv(result.errors, t, extra=result.error_count - len(result.errors))
        stem = Path(file_name).stem
        await context.bot.send_document(chat_id, InputFile(report, filename=f"{stem}-errors.csv"),
                                        caption=_("Problems in {file}").format(file=file_name))


async def on_document(update: Update, context: BotContext) -> None:
    message = update.message
    assert message is not None and message.document is not None and context.profile is not None
    t = context.i18n
    _ = t.gettext
    if not context.actor.is_admin:
        await say(update, context, _("I can only read roster files sent by the district team. 🙏"),
                  back_to_menu_keyboard(t))
        return
    document = message.document
    file_name = document.file_name or "roster"
    if document.file_size and document.file_size > MAX_DOWNLOAD_BYTES:
        await say(update, context, _("This file is larger than 20 MB. Please import it on the server with "
                                     "<code>jagakerja roster import</code>."))
        return
    context.user_data["roster_pending"] = {"file_id": document.file_id, "file_name": file_name}  # type: ignore[index]
    progress_message = await say(update, context, _("⏳ Checking {file}…").format(file=file_name))
    context.application.create_task(
        _run(context, progress_message.chat_id, progress_message.message_id, context.profile.id, document.file_id,
             file_name, "upsert", True, t),
        update=update, name="roster-validate")


async def on_mode(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and context.profile is not None
    await ack(update)
    t = context.i18n
    _ = t.gettext
    if not context.actor.is_admin:
        return
    pending = context.user_data.pop("roster_pending", None)  # type: ignore[union-attr]
    message = query.message
    if message is None:
        return
    if query.data == "roster:cancel" or not pending:
        await query.edit_message_text(_("Okay, nothing was imported."), reply_markup=back_to_menu_keyboard(t))
        return
    mode = query.data.rsplit(":", 1)[1]
    if mode not in MODES:
        return
    await query.edit_message_text(_("⏳ Importing {file}…").format(file=pending["file_name"]))
    context.application.create_task(
        _run(context, message.chat.id, message.message_id, context.profile.id, pending["file_id"],
             pending["file_name"], mode, False, t),
        update=update, name="roster-import")


def register(application: Application) -> None:
    roster_files = filters.Document.FileExtension("csv") | filters.Document.FileExtension("xlsx")
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & roster_files, on_document))
    application.add_handler(CallbackQueryHandler(on_mode, pattern=r"^roster:(go:\w+|cancel)$"))

