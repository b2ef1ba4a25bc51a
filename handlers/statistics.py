"""/statistik: numbers as text plus three PNG charts. Admins see everything (or `/statistik 64.08.01`);
officials see their own area only (checked on the server)."""

from __future__ import annotations

import asyncio
import datetime as dt

from babel.dates import format_timedelta
from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler

from bot.domain import charts
from bot.domain.i18n import N_, Translator
from bot.domain.regions import region, short_name
from bot.domain.statistics import Refusal, Statistics, StatisticsRefused
from bot.domain.status_check import NIK_FAILURES_PER_DAY
from handlers.context import BotContext
from handlers.ui import say

STATUS_LABELS = {"protected": N_("protected"), "inactive": N_("inactive"), "not_found": N_("not found"),
                 "limited": N_("limit reached")}
ELIGIBILITY_LABELS = {"likely": N_("likely"), "needs_verification": N_("to be verified"),
                      "not_eligible": N_("not eligible")}
REQUEST_LABELS = {"new": N_("new"), "contacted": N_("contacted"), "registered": N_("registered"),
                  "not_eligible": N_("not eligible"), "unreachable": N_("unreachable")}
FUNNEL_LABELS = {"received": N_("Received"), "followed_up": N_("Followed up"), "registered": N_("Registered")}
MAX_AREA_LINES = 10


def _breakdown(t: Translator, counts: dict[str, int], labels: dict[str, str]) -> str:
    parts = [f"{t.gettext(labels.get(key, key))} {t.number(n)}" for key, n in counts.items() if n]
    return " · ".join(parts)


def _area_name(code: str) -> str:
    found = region(code)
    return short_name(found) if found else code


def statistics_text(t: Translator, s: Statistics) -> str:
    _ = t.gettext
    where = _area_name(s.scope) if s.scope else _("all areas")
    lines = [_("📊 <b>Statistics: {where}</b>").format(where=where),
             _("Workers who used the bot: {n} (active in the last 30 days: {active})").format(
                 n=t.number(s.users), active=t.number(s.users_active_30d))]
    checks = sum(s.status_outcomes.values())
    line = _("Status checks: {n}").format(n=t.number(checks))
    if checks:
        line += " — " + _breakdown(t, s.status_outcomes, STATUS_LABELS)
    lines.append(line)
    if s.locked_niks is not None:
        lines.append(_("  • NIKs locked for today after {limit} checks that found nothing: {n}").format(
            limit=NIK_FAILURES_PER_DAY, n=t.number(s.locked_niks)))
    screened = sum(s.eligibility_outcomes.values())
    line = _("Eligibility checks: {n}").format(n=t.number(screened))
    if screened:
        line += " — " + _breakdown(t, s.eligibility_outcomes, ELIGIBILITY_LABELS)
    lines.append(line)
    line = _("Interest requests: {n}").format(n=t.number(s.requests_total))
    if s.requests_total:
        line += " — " + _breakdown(t, s.requests_per_status(), REQUEST_LABELS)
    lines.append(line)
    areas = sorted(s.requests_by_area.items(), key=lambda item: -sum(item[1].values()))
    for code, by_status in areas[:MAX_AREA_LINES]:
        lines.append(f"  • {_area_name(code)}: {t.number(sum(by_status.values()))} "
                     f"({_breakdown(t, by_status, REQUEST_LABELS)})")
    if s.median_follow_up_hours is not None:
        span = format_timedelta(dt.timedelta(hours=s.median_follow_up_hours), threshold=1.5, locale=t.babel_locale)
        lines.append(_("Median time to first follow-up: {time} (half of the requests followed up were faster)")
                     .format(time=span))
    else:
        lines.append(_("Median time to first follow-up: no follow-up yet"))
    lines.append(_("On the roster: {n} people").format(n=t.number(s.roster)))
    for item in s.coverage:
        lines.append(_("Coverage {name}: {roster} of {target} ({percent})").format(
            name=item.name, roster=t.number(item.roster), target=t.number(item.target),
            percent=t.percent(item.share)))
    return "\n".join(lines)


def render_charts(t: Translator, s: Statistics) -> list[tuple[str, bytes]]:
    """(caption, PNG) for: requests per area by status, the request funnel, the weekly trend."""
    _ = t.gettext
    areas = sorted(s.requests_by_area.items(), key=lambda item: -sum(item[1].values()))[:12]
    names = [_area_name(code) for code, _unused in areas]
    series = {t.gettext(label): [by.get(status, 0) for _code, by in areas] for status, label in REQUEST_LABELS.items()}
    per_area = _("Interest requests per desa") if s.scope and len(s.scope.split(".")) >= 3 else \
        _("Interest requests per kecamatan")
    bars = charts.stacked_bars(per_area, names, series, _("No requests yet"))
    funnel = charts.funnel(_("From request to registration"),
                           [(t.gettext(FUNNEL_LABELS[key]), s.funnel[key]) for key in FUNNEL_LABELS])
    weeks = [t.date(week, "d MMM") for week in s.weeks]
    trend = charts.weekly_trend(_("Per week"), weeks, {_("Interest requests"): s.weekly_requests,
                                                       _("Status checks"): s.weekly_checks})
    return [(per_area, bars), (_("From request to registration"), funnel), (_("Per week"), trend)]


REFUSALS: dict[Refusal, str] = {
    "not_staff": N_("Sorry, this is for admins and officials only."),
    "unknown_region": N_("I don't know that region code. Try e.g. /statistik 64.08.01"),
    "outside_area": N_("You can only see statistics for your own area."),
}


async def statistik(update: Update, context: BotContext) -> None:
    """The scope rule (admins: everything; officials: their own area; others: refused) is the service's."""
    try:
        result = await context.services.statistics.for_actor(context.actor, context.args[0] if context.args else None)
    except StatisticsRefused as refused:
        await say(update, context, context.i18n.gettext(REFUSALS[refused.reason]))
        return
    await say(update, context, statistics_text(context.i18n, result))
    chat = update.effective_chat
    assert chat is not None
    for caption, png in await asyncio.to_thread(render_charts, context.i18n, result):
        await context.bot.send_photo(chat.id, InputFile(png, filename="statistik.png"), caption=caption)


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["statistik", "statistics"], statistik))
