"""Expiry reminders: which reminder is due for a subscriber on a given day, and its text.

A subscriber hears from the bot 30 days and 7 days before `berakhir`, and when a roster import moves
`berakhir` later than the date they were last told about. Catching up is built in: a reminder that was
due while the bot was down goes out at the next daily run (the 7-day one replaces a missed 30-day one).

`ReminderService` holds the policy (claim before sending, mark sent or failed, a blocked user is marked and
not retried); the Telegram side only sends (`ReminderSender`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.domain.clock import Clock
from bot.domain.contributions import quote
from bot.domain.i18n import Translator
from bot.domain.status_check import programme_names
from bot.domain.users import UserService
from storage.reminders import DueCandidate, ReminderRepository
from storage.roster import RosterRepository

log = logging.getLogger(__name__)
Delivery = Literal["sent", "failed", "blocked", "skipped"]

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


def planned_days(berakhir: dt.date, now: dt.datetime, tz: dt.tzinfo) -> list[dt.date]:
    """The days a new subscriber will get a reminder on (as `due_kinds` will send them): only days still to
    come. The first daily run is today when it is not yet 08.00, else tomorrow; a 30-day reminder whose day
    has passed is sent at that run while more than 7 days are left, and the 7-day one at the latest then."""
    local = now.astimezone(tz)
    first_run = local.date() if local.hour < DAILY_RUN_HOUR else local.date() + dt.timedelta(days=1)
    days: list[dt.date] = []
    d30 = max(first_run, berakhir - dt.timedelta(days=FIRST_REMINDER_DAYS))
    if (berakhir - d30).days > LAST_REMINDER_DAYS:
        days.append(d30)
    d7 = max(first_run, berakhir - dt.timedelta(days=LAST_REMINDER_DAYS))
    if d7 <= berakhir:
        days.append(d7)
    return days


def opt_in_text(berakhir: dt.date, now: dt.datetime, t: Translator) -> str:
    """The answer to "🔔 remind me": only reminders still to come are promised; when the end is near (or too
    near for any reminder), what to do now."""
    _ = t.gettext
    today = now.astimezone(t.tz).date()
    days = planned_days(berakhir, now, t.tz)
    end = t.date(berakhir)
    stop = _("Stop any time with the button in the reminder.")
    if days == [berakhir - dt.timedelta(days=FIRST_REMINDER_DAYS), berakhir - dt.timedelta(days=LAST_REMINDER_DAYS)]:
        return _("🔔 Done. I will remind you {first} days and {last} days before {end}, at 08.00 {tz}. "
                 "Stop any time with the button in the reminder.").format(
            first=FIRST_REMINDER_DAYS, last=LAST_REMINDER_DAYS, end=end, tz=t.tz_label)
    left = (berakhir - today).days
    advice = [
        t.ngettext("⏳ Your protection ends on <b>{end}</b>, in {days} day.",
                   "⏳ Your protection ends on <b>{end}</b>, in {days} days.", left).format(
            end=end, days=t.number(left))
        if left > 0 else _("⏳ Your protection ends today, <b>{end}</b>.").format(end=end),
        _("Ask your desa office whether you are on the next list, or continue yourself as BPU mandiri "
          "({amount} per month for JKK + JKM today).").format(amount=t.money(quote(0, "other", today).basic_total)),
    ]
    if not days:
        return "\n".join([*advice, "", _("It is too late for a reminder, but I will tell you if a new list extends "
                                         "your protection.")])
    dates = [t.date(day) for day in days]
    when = dates[0] if len(dates) == 1 else _("{first} and {second}").format(first=dates[0], second=dates[1])
    promise = _("🔔 Done. I will remind you on {dates}, at 08.00 {tz}.").format(dates=when, tz=t.tz_label)
    if left > LAST_REMINDER_DAYS:
        return promise + " " + stop
    return "\n".join([promise + " " + stop, "", *advice])


@dataclass(frozen=True)
class DueReminder:
    """One reminder to deliver now: `kind` (d30 | d7 | extended) for `candidate`, as of `today`."""

    kind: str
    candidate: DueCandidate
    today: dt.date

    @property
    def user_id(self) -> int:
        return self.candidate.user_id


class RecipientBlocked(Exception):
    """The user blocked the bot: the reminder failed and no other one is tried for them."""


class ReminderSender(Protocol):
    async def send(self, reminder: DueReminder) -> None:
        """Deliver the reminder; raise `RecipientBlocked` when the user blocked the bot, anything else on failure."""


class ReminderService:
    def __init__(self, repository: ReminderRepository, roster: RosterRepository, users: UserService, clock: Clock,
                 tz: dt.tzinfo) -> None:
        self.repository = repository
        self.roster = roster
        self.users = users
        self.clock = clock
        self.tz = tz

    async def subscribe(self, user_id: int, member_id: int | None) -> dt.date | None:
        """Opt in for the roster entry of the user's last *Protected* check; its end date, or None when there is
        no such entry (no check, or the entry was removed since)."""
        member = await self.roster.get(member_id) if member_id is not None else None
        if member is None or member.removed_on is not None:
            return None
        await self.repository.subscribe(user_id, member.id, member.berakhir, self.clock.now())
        return member.berakhir

    async def unsubscribe(self, user_id: int) -> bool:
        return await self.repository.unsubscribe(user_id)

    async def run_due(self, sender: ReminderSender, now: dt.datetime) -> int:
        """Send every reminder due today that was not sent (or claimed) before; returns how many were sent."""
        today = now.astimezone(self.tz).date()
        sent = 0
        for candidate in await self.repository.candidates(today, FIRST_REMINDER_DAYS):
            for kind in due_kinds(candidate, today):
                outcome = await self._deliver(sender, DueReminder(kind, candidate, today), now)
                if outcome == "sent":
                    sent += 1
                elif outcome == "blocked":
                    break
            if candidate.berakhir > candidate.known_berakhir:
                await self.repository.set_known_berakhir(candidate.user_id, candidate.berakhir)
        return sent

    async def _deliver(self, sender: ReminderSender, reminder: DueReminder, now: dt.datetime) -> Delivery:
        """Claim, send, mark; "skipped" when it was claimed (sent, or being sent) before."""
        user_id, berakhir, kind = reminder.user_id, reminder.candidate.berakhir, reminder.kind
        if not await self.repository.claim(user_id, berakhir, kind, now):
            return "skipped"
        try:
            await sender.send(reminder)
        except RecipientBlocked:
            await self.repository.mark(user_id, berakhir, kind, "failed", now)
            await self.users.mark_blocked(user_id)
            return "blocked"
        except Exception:
            log.exception("reminder %s for a subscriber failed", kind)
            await self.repository.mark(user_id, berakhir, kind, "failed", now)
            return "failed"
        await self.repository.mark(user_id, berakhir, kind, "sent", now)
        return "sent"

    # PersonalDataHolder
    async def erase(self, user_id: int) -> None:
        await self.repository.erase(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        subscription = await self.repository.get(user_id)
        if subscription is None:
            return []
        return [t.gettext("Reminders: on (protection until {end})").format(end=t.date(subscription.known_berakhir))]
