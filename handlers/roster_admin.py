"""Roster import in chat: an admin sends a .csv/.xlsx file → the bot checks it (progress in one edited
message) → rejected with a report file, or the admin picks how to import it (buttons) → counts.

The work runs as a background task so the bot keeps answering others during a long file. The import itself is
`RosterService` (the same as `jagakerja roster import`). The admin's file name and anything read from the file
are escaped before they enter a message (`bot.domain.markup.escape`).
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.roster import Mode, Progress
from handlers import roster_undo
from handlers.context import BotContext
from handlers.guards import requires
from handlers.roster_views import (
    CancelImport,
    ConfirmReplace,
    ImportMode,
    RosterPending,
    confirm_keyboard,
    confirm_text,
    done_keyboard,
    mode_keyboard,
    summary_text,
)
from handlers.ui import ack, back_to_menu_keyboard, edit_or_say, pressed_message, say, show_main_menu

log = logging.getLogger(__name__)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
PROGRESS_EVERY_SECONDS = 1.5
TIDY_EVERY = 24 * 3600  # seconds between two tidy-ups (expired checks, history beyond 30 days)


@dataclass(frozen=True)
class Upload:
    """A file being checked or imported, and the message that shows how it goes."""

    chat_id: int
    message_id: int
    user_id: int
    file_id: str
    file_name: str
    import_id: int | None = None


def _progress(context: BotContext, upload: Upload, t: Translator) -> Progress:
    """Edits the progress message with the rows done, at most every PROGRESS_EVERY_SECONDS."""
    _ = t.gettext
    last_edit = time.monotonic()

    async def progress(phase: str, done: int, total: int | None) -> None:
        nonlocal last_edit
        if time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS or (total is not None and done >= total):
            return
        last_edit = time.monotonic()
        label = {"validate": _("⏳ Checking {file}…"), "undo": _("⏳ Undoing {file}…")}.get(
            phase, _("⏳ Importing {file}…"))
        count = t.number(done) if not total else f"{t.number(done)} / {t.number(total)}"
        await _edit(context, upload, label.format(file=escape(upload.file_name)) + "\n"
                    + _("{count} rows").format(count=count))

    return progress


async def _edit(context: BotContext, upload: Upload, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await context.bot.edit_message_text(text, chat_id=upload.chat_id, message_id=upload.message_id,
                                        reply_markup=markup)


async def _check(context: BotContext, upload: Upload, t: Translator) -> None:
    """Read, validate and stage the file; show the preview and the choice of mode (or the problems)."""
    roster = context.services.roster
    with tempfile.TemporaryDirectory(prefix="roster-") as folder:
        path = Path(folder) / ("upload" + Path(upload.file_name).suffix.lower())
        telegram_file = await context.bot.get_file(upload.file_id)
        await telegram_file.download_to_drive(path)
        result = await roster.check(path, file_name=upload.file_name, imported_by=f"telegram:{upload.user_id}",
                                    admin_id=upload.user_id, progress=_progress(context, upload, t),
                                    import_id=upload.import_id)
    if result.status == "ready":
        await _edit(context, upload, summary_text(result, t), mode_keyboard(t))
        return
    await _edit(context, upload, summary_text(result, t), back_to_menu_keyboard(t))
    report = context.services.roster.error_report(result, t)
    stem = Path(upload.file_name).stem
    await context.bot.send_document(upload.chat_id, InputFile(report, filename=f"{stem}-errors.csv"),
                                    caption=t.gettext("Problems in {file}").format(file=escape(upload.file_name)))


async def _apply(context: BotContext, upload: Upload, import_id: int, mode: Mode, t: Translator) -> None:
    result = await context.services.roster.apply(import_id, mode, actor_id=upload.user_id,
                                                 progress=_progress(context, upload, t))
    keyboard = done_keyboard(t, result.import_id) if result.status == "imported" else back_to_menu_keyboard(t)
    await _edit(context, upload, summary_text(result, t), keyboard)


async def on_document(update: Update, context: BotContext) -> None:
    message = update.message
    assert message is not None and message.document is not None
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
    shown = await say(update, context, _("⏳ Checking {file}…").format(file=escape(file_name)))
    roster = context.services.roster
    import_id = await roster.begin(file_name=file_name, imported_by=f"telegram:{context.actor.user_id}",
                                   admin_id=context.actor.user_id)
    pending = RosterPending.load(context)  # saved with this update: a restart before the choice keeps it
    forgotten = pending.add(shown.message_id, import_id, file_name)
    pending.save(context)
    for old in forgotten:
        await roster.cancel(old)
    upload = Upload(shown.chat_id, shown.message_id, context.actor.user_id, document.file_id, file_name, import_id)
    context.application.create_task(_check(context, upload, t), update=update, name="roster-check")


async def on_other_document(update: Update, context: BotContext) -> None:
    """A file that is not .csv/.xlsx: an admin is told how to save the roster; anyone else that files are not
    read here."""
    t = context.i18n
    _ = t.gettext
    if not context.actor.is_admin:
        await show_main_menu(update, context, _("Sorry, I can't read files here. Please use the buttons. 🙏"))
        return
    await say(update, context, _("I can import rosters as .csv or .xlsx only. In Excel: “Save As” → “CSV UTF-8 "
                                 "(Comma delimited)” or “Excel Workbook (.xlsx)”, then send that file."),
              back_to_menu_keyboard(t))


def _pending(update: Update, context: BotContext, take: bool) -> tuple[int, str] | None:
    """The file shown on the pressed message; `take` forgets it (a button imports once)."""
    message = pressed_message(update)
    if message is None:
        return None
    pending = RosterPending.load(context)
    found = pending.take(message.message_id) if take else pending.peek(message.message_id)
    if take:
        pending.save(context)
    return found


async def _gone(update: Update, context: BotContext) -> None:
    await ack(update, context.i18n.gettext("This file is already being imported, or was cancelled. Send it again "
                                           "to import it."), alert=True)


@requires("admin")
async def on_mode(update: Update, context: BotContext) -> None:
    """➕ imports at once; 🔁 first looks again at what it would end: more than 10% of the region asks twice."""
    choice = ImportMode.of(update)
    mode: Mode = choice.mode if choice is not None else "replace"  # ConfirmReplace: replace, confirmed
    waiting = _pending(update, context, take=False)
    t = context.i18n
    if waiting is None or (choice is None and ConfirmReplace.of(update) is None):
        await _gone(update, context)  # a second tap, or a file already cancelled
        return
    if choice is not None and mode == "replace":
        preview = await context.services.roster.preview(waiting[0])
        if preview is not None and preview.needs_confirmation:
            await ack(update)
            regions = await context.services.roster.regions_of(waiting[0])
            await edit_or_say(update, context, confirm_text(preview, regions, t), confirm_keyboard(preview, t))
            return
    message = pressed_message(update)
    if _pending(update, context, take=True) is None or message is None:
        await _gone(update, context)
        return
    await ack(update)
    import_id, file_name = waiting
    await edit_or_say(update, context, t.gettext("⏳ Importing {file}…").format(file=escape(file_name)), None)
    upload = Upload(message.chat.id, message.message_id, context.actor.user_id, "", file_name)
    context.application.create_task(_apply(context, upload, import_id, mode, t), update=update,
                                    name="roster-import")


@requires("admin")
async def on_cancel(update: Update, context: BotContext) -> None:
    t = context.i18n
    taken = _pending(update, context, take=True)
    if taken is None:
        await _gone(update, context)
        return
    await ack(update)
    await context.services.roster.cancel(taken[0])
    await edit_or_say(update, context, t.gettext("Okay, nothing was imported."), back_to_menu_keyboard(t))


async def resume_imports(context: BotContext) -> None:
    """At start: finish a roster import (or undo) that a stop interrupted after it was committed, tidy up."""
    await context.services.roster.resume()


async def tidy_imports(context: BotContext) -> None:
    """Daily: checked files left waiting expire, staged leftovers and history beyond 30 days are deleted."""
    await context.services.roster.tidy()


def register(application: Application) -> None:
    roster_files = filters.Document.FileExtension("csv") | filters.Document.FileExtension("xlsx")
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & roster_files, on_document))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL & ~roster_files,
                                           on_other_document))
    application.add_handler(CallbackQueryHandler(on_mode, pattern=ImportMode.pattern()))
    application.add_handler(CallbackQueryHandler(on_mode, pattern=ConfirmReplace.pattern()))
    application.add_handler(CallbackQueryHandler(on_cancel, pattern=CancelImport.pattern()))
    roster_undo.register(application)
    if application.job_queue is not None:
        application.job_queue.run_once(resume_imports, when=0, name="roster-resume")
        application.job_queue.run_repeating(tidy_imports, interval=TIDY_EVERY, first=TIDY_EVERY, name="roster-tidy")
