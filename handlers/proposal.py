"""/usulan (and "📤 Desa proposal" on /tindaklanjut): the desa's proposal list (XLSX) and the surat keterangan
(PDF) for the requests marked 📤 Proposed. Officials: the desa of their area; admins: any desa with proposals.
The service checks the area on every press (`ProposalService`); every download is audited."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.markup import escape
from bot.domain.proposal import ProposalDenied, ProposalFile, place_of
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.followup_callbacks import ShowQueue
from handlers.guards import requires
from handlers.keyboards import back_button, button, rows
from handlers.ui import ack, edit_or_say, tell


@dataclass(frozen=True)
class ProposalStart(CallbackData):
    """`us:l`: the desa with proposed requests."""

    PREFIX = "us:l"


@dataclass(frozen=True)
class ProposalDesa(CallbackData):
    """`us:d:{desa}`: one desa's proposal: how many, and the two files."""

    PREFIX = "us:d"
    desa: str


@dataclass(frozen=True)
class ProposalXlsx(CallbackData):
    PREFIX = "us:x"
    desa: str


@dataclass(frozen=True)
class ProposalPdf(CallbackData):
    PREFIX = "us:p"
    desa: str


async def _denied(update: Update, context: BotContext) -> None:
    await tell(update, context, context.i18n.gettext("This desa is not in your area."))


@requires("staff")
async def start(update: Update, context: BotContext) -> None:
    await ack(update)
    _ = context.i18n.gettext
    found = await context.services.proposals.desa_list(context.actor)
    if len(found) == 1:
        await _show_desa(update, context, found[0].code, found[0].proposed)
        return
    back = InlineKeyboardMarkup([[back_button(context.i18n, ShowQueue("open", 0))]])
    if not found:
        await edit_or_say(update, context, _(
            "No request is marked 📤 Proposed yet. In /tindaklanjut, open a request and press \"📤 Proposed\", "
            "or press \"☑️ Select several\" to mark many at once."), back)
        return
    buttons = [button(f"{d.name} ({d.proposed})", ProposalDesa(d.code)) for d in found]
    keyboard = [*rows(buttons), [back_button(context.i18n, ShowQueue("open", 0))]]
    await edit_or_say(update, context, _("📤 <b>Desa proposal</b>: which desa?"), InlineKeyboardMarkup(keyboard))


async def _show_desa(update: Update, context: BotContext, desa: str, count: int) -> None:
    _ = context.i18n.gettext
    text = "\n".join([
        context.i18n.ngettext("📤 <b>Proposal of {desa}</b>: {n} person marked proposed.",
                              "📤 <b>Proposal of {desa}</b>: {n} people marked proposed.", count).format(
            desa=escape(place_of(desa).desa), n=count),
        _("The list (XLSX) has the columns the district asks for; the letter (PDF) is for the kepala desa to "
          "sign."),
    ])
    keyboard = InlineKeyboardMarkup([
        [button(_("📊 List (XLSX)"), ProposalXlsx(desa)), button(_("📄 Letter (PDF)"), ProposalPdf(desa))],
        [back_button(context.i18n, ShowQueue("proposed", 0))],  # the requests on the list
    ])
    await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def desa_chosen(update: Update, context: BotContext) -> None:
    data = ProposalDesa.of(update)
    found = await context.services.proposals.desa_list(context.actor)
    count = next((d.proposed for d in found if data is not None and d.code == data.desa), None)
    if data is None or count is None:
        await _denied(update, context)
        return
    await ack(update)
    await _show_desa(update, context, data.desa, count)


async def _send(update: Update, context: BotContext, made: ProposalFile, caption: str) -> None:
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, InputFile(made.data, filename=made.file_name),
                                    caption=caption)


@requires("staff")
async def send_list(update: Update, context: BotContext) -> None:
    data = ProposalXlsx.of(update)
    _ = context.i18n.gettext
    try:
        made = await context.services.proposals.spreadsheet(context.actor, data.desa if data else "")
    except ProposalDenied:
        await _denied(update, context)
        return
    await ack(update)
    caption = context.i18n.ngettext("{n} person proposed.", "{n} people proposed.", made.rows).format(n=made.rows)
    if made.full_nik:
        caption += " " + _("Contains NIK: keep this file safe and delete it when done.")
    await _send(update, context, made, caption)


@requires("staff")
async def send_letter(update: Update, context: BotContext) -> None:
    data = ProposalPdf.of(update)
    try:
        made = await context.services.proposals.letter(context.actor, data.desa if data else "")
    except ProposalDenied:
        await _denied(update, context)
        return
    await ack(update)
    caption = context.i18n.gettext("Print it, let the kepala desa fill in the number, name and NIP, sign and "
                                   "stamp it, and send it with the list.")
    await _send(update, context, made, caption)


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["usulan", "proposal"], start))
    application.add_handler(CallbackQueryHandler(start, pattern=ProposalStart.pattern()))
    application.add_handler(CallbackQueryHandler(desa_chosen, pattern=ProposalDesa.pattern()))
    application.add_handler(CallbackQueryHandler(send_list, pattern=ProposalXlsx.pattern()))
    application.add_handler(CallbackQueryHandler(send_letter, pattern=ProposalPdf.pattern()))
