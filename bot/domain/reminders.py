"""Expiry reminders: which reminder is due for a subscriber on a given day, and its text.

A subscriber hears from the bot 30 days and 7 days before `berakhir`, and when a roster import moves
`berakhir` later than the date they were last told about. Catching up is built in: a reminder that was
due while the bot was down goes out at the next daily run (the 7-day one replaces a missed 30-day one).
"""

from __future__ import annotations

import datetime as dt

from bot.domain.contributions import quote
from bot.domain.i18n import Translator
from bot.domain.status_check import programme_names
from storage.reminders import DueCandidate

FIRST_REMINDER_DAYS = 30
LAST_REMINDER_DAYS = 7
DAILY_RUN_HOUR = 8  # 08:00 local time (WITA by default)


def due_kinds(candidate: DueCandidate, today: dt.date) -> list[str]:
    """The reminders to send today, in order: "extended", then "d7" or "d30"."""
    kinds: list[str] = []
    if candidate.berakhir > candidate.known_berakhir:
        kinds.append("extended")
    days_left = (candidate.berakhir - today).days
    if 0 <= days_left <= LAST_REMINDER_DAYS:
        kinds.append("d7")
    elif LAST_REMINDER_DAYS < days_left <= FIRST_REMINDER_DAYS:
        kinds.append("d30")
    return kinds


def reminder_text(kind: str, candidate: DueCandidate, t: Translator, today: dt.date) -> str:
    _ = t.gettext
    end = t.date(candidate.berakhir)
    programmes = programme_names(candidate.program, t)
    if kind == "extended":
        return _("🎉 Good news: your protection ({programmes}) now lasts until <b>{end}</b>.").format(
            programmes=programmes, end=end)
    days = (candidate.berakhir - today).days
    amount = quote(0, "other", today).basic_total
    return "\n".join([
        _("🔔 <b>Reminder</b>: your protection ({programmes}) ends on <b>{end}</b>.").format(
            programmes=programmes, end=end),
        t.ngettext("That is in {days} day.", "That is in {days} days.", days).format(days=t.number(days)),
        "",
        _("Ask your desa office whether you are on the next list, or continue yourself as BPU mandiri "
          "({amount} per month for JKK + JKM today).").format(amount=t.money(amount)),
    ])
