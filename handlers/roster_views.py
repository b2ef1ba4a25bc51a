"""Roster import in chat, what the admin sees: the check's summary with the preview (new / updated / ended per
kecamatan), the second confirmation of a large replace, the result with its undo button, and the undo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from telegram import InlineKeyboardMarkup

from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.regions import region, short_name
from bot.domain.roster import ImportResult, Mode, Preview, error_lines, preview_lines, preview_total
from handlers.callbacks import CallbackData
from handlers.flow_state import FlowState
from handlers.keyboards import button, main_menu_button

SHOWN_ERRORS = 10
SHOWN_AREAS = 12  # kecamatan lines in a preview; the others are counted


@dataclass(frozen=True)
class ImportMode(CallbackData):
    """After a valid check: import the file as `roster:go:upsert` or `roster:go:replace`."""

    PREFIX = "roster:go"
    mode: Mode


@dataclass(frozen=True)
class ConfirmReplace(CallbackData):
    """The second confirmation of a replace that ends more than 10% of its region."""

    PREFIX = "roster:sure"


@dataclass(frozen=True)
class CancelImport(CallbackData):
    PREFIX = "roster:cancel"


@dataclass(frozen=True)
class UndoImport(CallbackData):
    """On an import's result: ask to undo it (`rundo:ask:<import id>`)."""

    PREFIX = "rundo:ask"
    import_id: int


@dataclass(frozen=True)
class UndoConfirm(CallbackData):
    PREFIX = "rundo:yes"
    import_id: int


@dataclass(frozen=True)
class UndoKeep(CallbackData):
    PREFIX = "rundo:no"
    import_id: int


@dataclass
class RosterPending(FlowState):
    """The checked files waiting for the admin's choice of mode (survives a restart), by the id of the message
    that shows each one: a button acts on the file of its own message only, and only once. The file's rows wait
    staged in the database (`RosterService.check`); the choice imports them without reading the file again."""

    KEY: ClassVar[str] = "roster_pending"
    MAX: ClassVar[int] = 5  # files kept waiting; the oldest is cancelled (its buttons then say so)
    files: dict[str, list[str]] = field(default_factory=dict)  # message id → [import id, file name]

    def add(self, message_id: int, import_id: int, file_name: str) -> list[int]:
        """Returns the imports forgotten to make room (to be cancelled)."""
        self.files[str(message_id)] = [str(import_id), file_name]
        forgotten = []
        while len(self.files) > self.MAX:
            entry = self.files.pop(next(iter(self.files)))
            if entry and entry[0].isdigit():
                forgotten.append(int(entry[0]))
        return forgotten

    def peek(self, message_id: int) -> tuple[int, str] | None:
        entry = self.files.get(str(message_id))
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(v, str) and v for v in entry) \
                and entry[0].isdigit():
            return int(entry[0]), entry[1]
        return None

    def take(self, message_id: int) -> tuple[int, str] | None:
        found = self.peek(message_id)
        self.files.pop(str(message_id), None)
        return found


def regions_label(codes: list[str]) -> str:
    names = []
    for code in codes:
        found = region(code)
        names.append(short_name(found) if found else code)
    return escape(", ".join(names) or "-")


def _areas(preview: Preview, t: Translator, replace: bool) -> list[str]:
    return ["• " + escape(line) for line in preview_lines(preview, t, replace, SHOWN_AREAS)]


def _rejected_text(result: ImportResult, t: Translator) -> str:
    _ = t.gettext
    lines = [t.ngettext("❌ <b>{file}</b>: {n} problem found. Nothing was imported.",
                        "❌ <b>{file}</b>: {n} problems found. Nothing was imported.",
                        result.error_count).format(file=escape(result.file_name), n=t.number(result.error_count)), ""]
    lines += ["• " + escape(line) for line in error_lines(result.errors[:SHOWN_ERRORS], t)]
    if result.error_count > SHOWN_ERRORS:
        lines.append(_("The full list is in the attached report."))
    lines += ["", _("Fix the file and send it again.")]
    return "\n".join(lines)


def _ready_text(result: ImportResult, t: Translator) -> str:
    _ = t.gettext
    lines = [_("✅ <b>{file}</b>: all {rows} rows are valid.").format(file=escape(result.file_name),
                                                                     rows=t.number(result.rows)),
             _("Region: {region}").format(region=regions_label(result.regions))]
    preview = result.preview
    if preview is not None:
        lines += ["", _("➕ <b>Add and update</b>: {counts}").format(counts=preview_total(preview, t, False)),
                  _("🔁 <b>Replace</b>: {counts}").format(counts=escape(preview_total(preview, t, True))),
                  _("Per kecamatan, if replaced:"), *_areas(preview, t, True)]
    lines += ["", _("<b>Add and update</b> keeps everyone already listed. <b>Replace</b> makes this file the whole "
                    "list of its region: people not in it are ended today.")]
    return "\n".join(lines)


def summary_text(result: ImportResult, t: Translator) -> str:
    _ = t.gettext
    if result.status == "rejected":
        return _rejected_text(result, t)
    if result.status == "ready":
        return _ready_text(result, t)
    if result.status == "gone":
        return _("This file was cancelled or has waited too long (24 hours). Send it again to import it.")
    return "\n".join([
        _("✅ <b>{file}</b> imported.").format(file=escape(result.file_name)),
        _("Rows: {rows} — new: {inserted}, updated: {updated}, ended: {ended}").format(
            rows=t.number(result.rows), inserted=t.number(result.inserted), updated=t.number(result.updated),
            ended=t.number(result.ended)),
        _("Region: {region}").format(region=regions_label(result.regions)),
        _("Import {batch}: you can undo it within 30 days.").format(batch=result.import_id),
    ])


def confirm_text(preview: Preview, regions: list[str], t: Translator) -> str:
    _ = t.gettext
    return "\n".join([
        _("⚠️ <b>Replace</b> would end <b>{ended}</b> of the {current} people listed now in {region} "
          "({percent}).").format(ended=t.number(preview.ended), current=t.number(preview.current),
                                 region=regions_label(regions),
                                 percent=t.percent(preview.ended / preview.current if preview.current else 0.0)),
        _("From today they are no longer counted as protected, unless a later file lists them again."),
        "", *_areas(preview, t, True), "",
        _("Are you sure? (You can undo the import within 30 days.)"),
    ])


def mode_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("➕ Add and update"), ImportMode("upsert"))],
        [button(_("🔁 Replace the region's list"), ImportMode("replace"))],
        [button(_("✖️ Cancel"), CancelImport())],
    ])


def confirm_keyboard(preview: Preview, t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("⚠️ Yes, replace and end {n}").format(n=t.number(preview.ended)), ConfirmReplace())],
        [button(_("➕ Add and update instead"), ImportMode("upsert"))],
        [button(_("✖️ Cancel"), CancelImport())],
    ])


def done_keyboard(t: Translator, import_id: int | None) -> InlineKeyboardMarkup:
    rows = [[button(t.gettext("↩️ Undo this import"), UndoImport(import_id))]] if import_id is not None else []
    return InlineKeyboardMarkup([*rows, [main_menu_button(t)]])
