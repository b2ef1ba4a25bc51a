"""/audit (admins): the audit log in readable words, newest first, a page at a time; buttons filter by kind
(requests, data access, roster, broadcasts, officials, questions) and by person (`/audit 123456789`, or pick one of
the people who acted last); 📄 gives the whole log as a CSV file."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.audit import KINDS, AuditPage, KindId, kind_label
from bot.domain.i18n import Translator
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import back_button, button, rows
from handlers.ui import ack, edit_or_say, say

MESSAGE_MAX = 3900


@dataclass(frozen=True)
class AuditFile(CallbackData):
    """📄 Whole log as a file (`aud:file`)."""

    PREFIX = "aud:file"


@dataclass(frozen=True)
class AuditView(CallbackData):
    """A page of one kind, by one person (0: anyone): `aud:v:roster:0:2`."""

    PREFIX = "aud:v"
    kind: KindId
    actor: int
    page: int


@dataclass(frozen=True)
class AuditWho(CallbackData):
    """👤 Pick a person (among those who acted last) for this kind: `aud:who:all`."""

    PREFIX = "aud:who"
    kind: KindId


def chunks(lines: list[str], limit: int = MESSAGE_MAX) -> list[str]:
    """Lines joined into messages of at most `limit` characters."""
    joined: list[str] = []
    for line in lines:
        if joined and len(joined[-1]) + len(line) + 1 <= limit:
            joined[-1] += "\n" + line
        else:
            joined.append(line)
    return joined


def person_arg(args: list[str] | None) -> int | None:
    """`/audit 123456789` or `/audit @123456789`: the person's Telegram id (None: no or another argument)."""
    text = (args or [""])[0].lstrip("@")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


def page_text(t: Translator, found: AuditPage) -> str:
    _ = t.gettext
    title = _("<b>Audit log</b> · {kind}").format(kind=kind_label(t, found.kind))
    if found.actor_id is not None:
        title += " · " + _("person {id}").format(id=found.actor_id)
    head = [title, _("Page {page}/{pages}, newest first (times in {tz}):").format(
        page=found.page + 1, pages=found.pages, tz=t.tz_label)]
    lines = found.lines or [_("Nothing here.")]
    return chunks([*head, *lines])[0]  # a page fits one message; a line too long to fit is left out


def page_keyboard(t: Translator, found: AuditPage) -> InlineKeyboardMarkup:
    _ = t.gettext
    actor = found.actor_id or 0
    kinds = [button(("• " if kind == found.kind else "") + kind_label(t, kind), AuditView(kind, actor, 0))
             for kind in KINDS]
    keyboard = rows(kinds, 3)
    nav: list[InlineKeyboardButton] = []
    if found.page > 0:
        nav.append(button(f"◀️ {found.page}/{found.pages}", AuditView(found.kind, actor, found.page - 1)))
    if found.page < found.pages - 1:
        nav.append(button(f"{found.page + 2}/{found.pages} ▶️", AuditView(found.kind, actor, found.page + 1)))
    if nav:
        keyboard.append(nav)
    who = (button(_("👥 Everyone"), AuditView(found.kind, 0, 0)) if found.actor_id is not None
           else button(_("👤 One person"), AuditWho(found.kind)))
    keyboard.append([who, button(_("📄 Whole log as a file"), AuditFile())])
    return InlineKeyboardMarkup(keyboard)


async def _render(update: Update, context: BotContext, kind: KindId, actor: int | None, page: int) -> None:
    t = context.i18n
    found = await context.services.audit.page(t, kind, actor, page)
    await edit_or_say(update, context, page_text(t, found), page_keyboard(t, found))


@requires("admin")
async def show(update: Update, context: BotContext) -> None:
    """/audit, or /audit <telegram id> for one person's actions."""
    if context.args and person_arg(context.args) is None:
        await say(update, context, context.i18n.gettext(
            "Write /audit alone, or followed by a person's Telegram id (for example /audit 123456789)."))
        return
    await _render(update, context, "all", person_arg(context.args), 0)


@requires("admin")
async def view(update: Update, context: BotContext) -> None:
    await ack(update)
    data = AuditView.of(update)
    if data is not None:
        await _render(update, context, data.kind, data.actor or None, data.page)


@requires("admin")
async def pick_person(update: Update, context: BotContext) -> None:
    await ack(update)
    data = AuditWho.of(update)
    if data is None:
        return
    _ = context.i18n.gettext
    people = await context.services.audit.actors()
    keyboard = [*rows([button(f"👤 {person}", AuditView(data.kind, person, 0)) for person in people], 3),
                [back_button(context.i18n, AuditView(data.kind, 0, 0))]]
    text = _("Whose actions? The people who acted last (Telegram ids), or write /audit followed by an id.") \
        if people else _("The audit log is empty.")
    await edit_or_say(update, context, text, InlineKeyboardMarkup(keyboard))


@requires("admin")
async def as_file(update: Update, context: BotContext) -> None:
    await ack(update)
    name, data = await context.services.audit.export(context.i18n)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=name))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show))
    application.add_handler(CallbackQueryHandler(as_file, pattern=AuditFile.pattern()))
    application.add_handler(CallbackQueryHandler(view, pattern=AuditView.pattern()))
    application.add_handler(CallbackQueryHandler(pick_person, pattern=AuditWho.pattern()))
