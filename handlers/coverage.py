"""/cakupan (also `/unduh cakupan`): coverage per kabupaten, kecamatan and desa with the monthly trend as an XLSX,
and a one-page PDF report for the Bupati. Officials get their own area (or a part of it: `/cakupan 64.08.01`);
admins choose (a button per kabupaten/kota, or a code). /target: admins set a region's target or estimate
(`/target 64.08 160000 sumber: …`), audited and effective at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.coverage import Target, TargetProblem, TargetRejected, parse_target, region_name, share_text
from bot.domain.coverage_report import KIND_LABELS, area_title, build_files
from bot.domain.i18n import N_, Translator
from bot.domain.markup import escape
from bot.domain.regions import HOME_PROVINCE, children, short_name
from bot.domain.statistics import StatisticsRefused
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import button, rows
from handlers.statistics import REFUSALS
from handlers.ui import ack, edit_or_say, say

ALL = "all"


@dataclass(frozen=True)
class CoverageScope(CallbackData):
    """`cov:s:{scope}`: a region code, or "all" (admins)."""

    PREFIX = "cov:s"
    scope: str


@requires("staff")
async def cakupan(update: Update, context: BotContext) -> None:
    await open_report(update, context, context.args[0] if context.args else None)


async def open_report(update: Update, context: BotContext, asked: str | None) -> None:
    """Officials: their area at once; admins: pick an area unless they named one (also `/unduh cakupan [code]`;
    the caller checked the role)."""
    if asked is None and context.actor.is_admin:
        _ = context.i18n.gettext
        options = [button(_("All areas"), CoverageScope(ALL)), button(region_name(HOME_PROVINCE),
                                                                      CoverageScope(HOME_PROVINCE))]
        options += [button(short_name(r), CoverageScope(r.code)) for r in children(HOME_PROVINCE)]
        await say(update, context, _("Coverage report for which area?"), InlineKeyboardMarkup(rows(options, 2)))
        return
    await send_reports(update, context, asked)


@requires("staff")
async def scope_chosen(update: Update, context: BotContext) -> None:
    await ack(update)
    data = CoverageScope.of(update)
    if data is not None:
        await send_reports(update, context, None if data.scope == ALL else data.scope)


async def send_reports(update: Update, context: BotContext, asked: str | None) -> None:
    """The XLSX and the PDF of the area (the service checks that the actor may see it)."""
    t, chat = context.i18n, update.effective_chat
    assert chat is not None
    try:
        report = await context.services.coverage.report_for(context.actor, asked)
    except StatisticsRefused as refused:
        await edit_or_say(update, context, t.gettext(REFUSALS[refused.reason]), None)
        return
    files = await asyncio.to_thread(build_files, t, report)
    await context.services.coverage.record_download(context.actor, report.scope)
    share = share_text(t, report.area.share) if report.area.share is not None else t.gettext("no target")
    caption = t.gettext("Coverage {area}: {active} active members ({share}), {date}.").format(
        area=area_title(t, report), active=t.number(report.area.active), share=share, date=t.date(report.day))
    for name, data in files:
        await context.bot.send_document(chat.id, InputFile(data, filename=name), caption=caption)


TARGET_PROBLEMS: dict[TargetProblem, str] = {
    "usage": N_("Write it like this: /target 64.08 160000 sumber: Pemkab Kutai Timur, Nov 2025\n"
                "An estimate of pekerja rentan: /target 64.08.01 5000 estimasi sumber: …\n"
                "Back to the file's figure: /target 64.08 hapus"),
    "unknown_region": N_("I don't know that region code. Try e.g. /target 64.08 160000 sumber: …"),
    "bad_number": N_("The target must be a whole number above 0, e.g. 160000."),
    "no_source": N_("Please add where the figure comes from: … sumber: Pemkab Kutai Timur, Nov 2025"),
    "long_source": N_("The source is too long: at most 300 characters."),
}


def target_line(t: Translator, target: Target) -> str:
    origin = t.gettext("set in chat") if target.set_by is not None else t.gettext("content file")
    return t.gettext("{name}: {figure} {kind} — {source} ({date}, {origin})").format(
        name=escape(region_name(target.region)), figure=t.number(target.value),
        kind=t.gettext(KIND_LABELS[target.kind]), source=escape(target.source), date=t.date(target.valid_from),
        origin=origin)


@requires("admin")
async def target(update: Update, context: BotContext) -> None:
    t = context.i18n
    text = " ".join(context.args or [])
    coverage = context.services.coverage
    if not text:
        current = await coverage.targets()
        lines = [t.gettext("🎯 <b>Coverage targets</b>")]
        lines += [target_line(t, item) for item in current.values()] or [t.gettext("No target set yet.")]
        usage = TARGET_PROBLEMS["usage"]
        await say(update, context, "\n".join([*lines, "", t.gettext(usage)]))
        return
    try:
        command = parse_target(text)
        change = await coverage.set_target(context.actor, command)
    except TargetRejected as rejected:
        await say(update, context, t.gettext(TARGET_PROBLEMS[rejected.reason]))
        return
    except StatisticsRefused:
        return
    name = escape(region_name(change.region))
    before = target_line(t, change.before) if change.before else t.gettext("none")
    now = target_line(t, change.after) if change.after else t.gettext("{name}: no target").format(name=name)
    await say(update, context, t.gettext("✅ Target saved. Now: {now}\nBefore: {before}").format(
        now=now, before=before))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["cakupan", "coverage"], cakupan))
    application.add_handler(CallbackQueryHandler(scope_chosen, pattern=CoverageScope.pattern()))
    application.add_handler(CommandHandler("target", target))
