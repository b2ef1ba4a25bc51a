"""/statistik: numbers as text (coverage per area against its target included) plus five PNG charts. Admins see
everything (or `/statistik 64.08.01`); officials see their own area only (checked on the server)."""

from __future__ import annotations

import asyncio
import datetime as dt

from babel.dates import format_timedelta
from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler

from bot.domain import charts
from bot.domain.coverage import AreaCoverage, CoverageReport, region_name, share_text
from bot.domain.coverage_report import KIND_LABELS, bars_title, coverage_chart, trend_chart
from bot.domain.i18n import N_, Translator
from bot.domain.markup import escape
from bot.domain.regions import region, short_name
from bot.domain.statistics import Refusal, Statistics, StatisticsRefused
from bot.domain.status_check import NIK_FAILURES_PER_DAY
from handlers.context import BotContext
from handlers.ui import say

STATUS_LABELS = {"protected": N_("protected"), "inactive": N_("inactive"), "not_found": N_("not found"),
                 "limited": N_("limit reached")}
ELIGIBILITY_LABELS = {"likely": N_("likely"), "needs_verification": N_("to be verified"),
                      "not_eligible": N_("not eligible")}
REQUEST_LABELS = {"new": N_("new"), "contacted": N_("contacted"), "proposed": N_("proposed"),
                  "registered": N_("registered"), "not_eligible": N_("not eligible"),
                  "unreachable": N_("unreachable"), "withdrawn": N_("withdrawn")}
FUNNEL_LABELS = {"received": N_("Received"), "followed_up": N_("Followed up"), "registered": N_("Registered")}
MAX_AREA_LINES = 10
MAX_COVERAGE_LINES = 20  # Kutai Timur has 18 kecamatan


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
    if s.coverage is not None:
        lines += coverage_lines(t, s.coverage)
    return "\n".join(lines)


def _coverage_line(t: Translator, area: AreaCoverage, bullet: str = "") -> str:
    _ = t.gettext
    if area.target is not None and area.share is not None:
        return bullet + _("{name}: {active} of {kind} {target} ({share})").format(
            name=escape(area.name), active=t.number(area.active), kind=t.gettext(KIND_LABELS[area.target.kind]),
            target=t.number(area.target.value), share=share_text(t, area.share))
    if area.part is not None:
        return bullet + _("{name}: {active} ({share} of the members above, no target)").format(
            name=escape(area.name), active=t.number(area.active), share=share_text(t, area.part))
    return bullet + _("{name}: {active} (no target)").format(name=escape(area.name), active=t.number(area.active))


def coverage_lines(t: Translator, report: CoverageReport) -> list[str]:
    """Active members per area against its target (share of the area above when it has none), and sources."""
    _ = t.gettext
    lines = [_("🛡 <b>Coverage</b> (active members on {date}):").format(date=t.date(report.day))]
    if report.scope:
        lines.append(_coverage_line(t, report.area))
    shown = [a for a in report.parts if a.active or a.target][:MAX_COVERAGE_LINES]
    lines += [_coverage_line(t, area, "  • ") for area in shown]
    hidden = len([a for a in report.parts if a.active or a.target]) - len(shown)
    if hidden > 0:
        lines.append("  " + _("… and {n} more (/cakupan for the full list)").format(n=hidden))
    for target in report.sources[:3]:
        lines.append(_("Target {name}: {source} ({date})").format(
            name=escape(region_name(target.region)), source=escape(target.source), date=t.date(target.valid_from)))
    return lines


def render_charts(t: Translator, s: Statistics) -> list[tuple[str, bytes]]:
    """(caption, PNG) for: requests per area by status, the request funnel, the weekly trend; then coverage per
    area and the monthly coverage trend."""
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
    pictures = [(per_area, bars), (_("From request to registration"), funnel), (_("Per week"), trend)]
    if s.coverage is not None:
        pictures += [(bars_title(t, s.coverage), coverage_chart(t, s.coverage)),
                     (_("Active members at the end of each month"), trend_chart(t, s.coverage))]
    return pictures


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
