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
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.roster import Mode, Progress
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.guards import requires
from handlers.roster_views import CancelImport, ImportMode, mode_keyboard, summary_text
from handlers.ui import ack, back_to_menu_keyboard, edit_or_say, pressed_message, say, show_main_menu

log = logging.getLogger(__name__)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
PROGRESS_EVERY_SECONDS = 1.5


@dataclass
class RosterPending(FlowState):
    """The checked files waiting for the admin's choice of mode (survives a restart), by the id of the message
    that shows each one: a button acts on the file of its own message only, and only once."""

    KEY: ClassVar[str] = "roster_pending"
    MAX: ClassVar[int] = 5  # files kept waiting; the oldest is forgotten (its buttons then say so)
    files: dict[str, list[str]] = field(default_factory=dict)  # message id → [file id, file name]

    def add(self, message_id: int, file_id: str, file_name: str) -> None:
        self.files[str(message_id)] = [file_id, file_name]
        while len(self.files) > self.MAX:
            del self.files[next(iter(self.files))]

    def take(self, message_id: int) -> tuple[str, str] | None:
        entry = self.files.pop(str(message_id), None)
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(v, str) and v for v in entry):
            return entry[0], entry[1]
        return None


@dataclass(frozen=True)
class Upload:
    """A file being checked or imported, and the message that shows how it goes."""

    chat_id: int
    message_id: int
    user_id: int
    file_id: str
    file_name: str


def _progress(context: BotContext, upload: Upload, t: Translator) -> Progress:
    """Edits the progress message with the rows done, at most every PROGRESS_EVERY_SECONDS."""
    _ = t.gettext
    last_edit = time.monotonic()

    async def progress(phase: str, done: int, total: int | None) -> None:
        nonlocal last_edit
        if time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS or (total is not None and done >= total):
            return
        last_edit = time.monotonic()
        label = _("⏳ Checking {file}…") if phase == "validate" else _("⏳ Importing {file}…")
        count = t.number(done) if not total else f"{t.number(done)} / {t.number(total)}"
        await _edit(context, upload, label.format(file=escape(upload.file_name)) + "\n"
                    + _("{count} rows").format(count=count))

    return progress


async def _edit(context: BotContext, upload: Upload, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await context.bot.edit_message_text(text, chat_id=upload.chat_id, message_id=upload.message_id,
                                        reply_markup=markup)


async def _run(context: BotContext, upload: Upload, mode: Mode, dry_run: bool, t: Translator) -> None:
    with tempfile.TemporaryDirectory(prefix="roster-") as folder:
        path = Path(folder) / ("upload" + Path(upload.file_name).suffix.lower())
        telegram_file = await context.bot.get_file(upload.file_id)
        await telegram_file.download_to_drive(path)
        result = await context.services.roster.import_file(
            path, file_name=upload.file_name, mode=mode, dry_run=dry_run, imported_by=f"telegram:{upload.user_id}",
            admin_id=upload.user_id, progress=_progress(context, upload, t))
    if result.status == "validated":
        await _edit(context, upload, summary_text(result, t), mode_keyboard(t))
        return
    await _edit(context, upload, summary_text(result, t), back_to_menu_keyboard(t))
    if result.status == "rejected":
        report = context.services.roster.error_report(result, t)
        stem = Path(upload.file_name).stem
        await context.bot.send_document(upload.chat_id, InputFile(report, filename=f"{stem}-errors.csv"),
                                        caption=t.gettext("Problems in {file}").format(file=escape(upload.file_name)))


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
    pending = RosterPending.load(context)
    pending.add(shown.message_id, document.file_id, file_name)
    pending.save(context)
    upload = Upload(shown.chat_id, shown.message_id, context.actor.user_id, document.file_id, file_name)
    context.application.create_task(_run(context, upload, "upsert", True, t), update=update,
                                     name="roster-validate")


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


def _take_pending(update: Update, context: BotContext) -> tuple[str, str] | None:
    """The file shown on the pressed message, forgotten as it is taken (a button works once)."""
    message = pressed_message(update)
    if message is None:
        return None
    pending = RosterPending.load(context)
    taken = pending.take(message.message_id)
    pending.save(context)
    return taken


@requires("admin")
async def on_mode(update: Update, context: BotContext) -> None:
    choice = ImportMode.of(update)
    message = pressed_message(update)
    pending = _take_pending(update, context)
    t = context.i18n
    if choice is None or message is None or pending is None:  # a second tap, or a file already cancelled
        await ack(update, t.gettext("This file is already being imported, or was cancelled. Send it again to "
                                    "import it."), alert=True)
        return
    await ack(update)
    file_id, file_name = pending
    await edit_or_say(update, context, t.gettext("⏳ Importing {file}…").format(file=escape(file_name)), None)
    upload = Upload(message.chat.id, message.message_id, context.actor.user_id, file_id, file_name)
    context.application.create_task(_run(context, upload, choice.mode, False, t), update=update,
                                    name="roster-import")


@requires("admin")
async def on_cancel(update: Update, context: BotContext) -> None:
    t = context.i18n
    if _take_pending(update, context) is None:
        await ack(update, t.gettext("This file is already being imported, or was cancelled. Send it again to "
                                    "import it."), alert=True)
        return
    await ack(update)
    await edit_or_say(update, context, t.gettext("Okay, nothing was imported."), back_to_menu_keyboard(t))


async def resume_imports(context: BotContext) -> None:
    """At start: finish a roster import that a stop interrupted after it was committed, tidy up the others."""
    await context.services.roster.resume()


def register(application: Application) -> None:
    roster_files = filters.Document.FileExtension("csv") | filters.Document.FileExtension("xlsx")
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & roster_files, on_document))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL & ~roster_files,
                                           on_other_document))
    application.add_handler(CallbackQueryHandler(on_mode, pattern=ImportMode.pattern()))
    application.add_handler(CallbackQueryHandler(on_cancel, pattern=CancelImport.pattern()))
    if application.job_queue is not None:
        application.job_queue.run_once(resume_imports, when=0, name="roster-resume")
