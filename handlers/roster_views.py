"""Roster import in chat, what the admin sees: the check's summary, the result, the choice of mode."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.regions import region, short_name
from bot.domain.roster import ImportResult, Mode, error_lines
from handlers.callbacks import CallbackData
from handlers.keyboards import button

SHOWN_ERRORS = 10


@dataclass(frozen=True)
class ImportMode(CallbackData):
    """After a valid check: import the file as `roster:go:upsert` or `roster:go:replace`."""

    PREFIX = "roster:go"
    mode: Mode


@dataclass(frozen=True)
class CancelImport(CallbackData):
    PREFIX = "roster:cancel"


def _regions_label(codes: list[str]) -> str:
    names = []
    for code in codes:
        found = region(code)
        names.append(short_name(found) if found else code)
    return escape(", ".join(names) or "-")


def summary_text(result: ImportResult, t: Translator) -> str:
    _ = t.gettext
    if result.status == "rejected":
        lines = [t.ngettext("❌ <b>{file}</b>: {n} problem found. Nothing was imported.",
                            "❌ <b>{file}</b>: {n} problems found. Nothing was imported.",
                            result.error_count).format(file=escape(result.file_name), n=t.number(result.error_count)),
                 ""]
        lines += ["• " + escape(line) for line in error_lines(result.errors[:SHOWN_ERRORS], t)]
        if result.error_count > SHOWN_ERRORS:
            lines.append(_("The full list is in the attached report."))
        lines += ["", _("Fix the file and send it again.")]
        return "\n".join(lines)
    if result.status == "validated":
        return "\n".join([
            _("✅ <b>{file}</b>: all {rows} rows are valid.").format(file=escape(result.file_name),
                                                                     rows=t.number(result.rows)),
            _("Region: {region}").format(region=_regions_label(result.regions)),
            "",
            _("<b>Add and update</b> keeps everyone already listed. <b>Replace</b> makes this file the whole "
              "list of its region: people not in it are ended today."),
        ])
    return "\n".join([
        _("✅ <b>{file}</b> imported.").format(file=escape(result.file_name)),
        _("Rows: {rows} — new: {inserted}, updated: {updated}, ended: {ended}").format(
            rows=t.number(result.rows), inserted=t.number(result.inserted), updated=t.number(result.updated),
            ended=t.number(result.ended)),
        _("Region: {region}").format(region=_regions_label(result.regions)),
    ])


def mode_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("➕ Add and update"), ImportMode("upsert"))],
        [button(_("🔁 Replace the region's list"), ImportMode("replace"))],
        [button(_("✖️ Cancel"), CancelImport())],
    ])
