"""The birth-date picker of the status check: decade → year → month → day, as buttons (`status:dp:*`).

Every press is re-validated (a forged or stale button shows the decades again, an impossible day the days)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardMarkup, Update

from bot.domain.i18n import Translator
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.keyboards import button, main_menu_button, nav_row, rows
from handlers.status_state import StatusState
from handlers.ui import edit_or_say

FIRST_DECADE = 1940
Stage = Literal["decade", "year", "month", "day"]


@dataclass(frozen=True)
class PickStart(CallbackData):
    PREFIX = "status:dp:start"


@dataclass(frozen=True)
class PickDecade(CallbackData):
    PREFIX = "status:dp:dec"
    decade: int


@dataclass(frozen=True)
class PickYear(CallbackData):
    PREFIX = "status:dp:year"
    year: int


@dataclass(frozen=True)
class PickMonth(CallbackData):
    PREFIX = "status:dp:month"
    month: int


@dataclass(frozen=True)
class PickDay(CallbackData):
    PREFIX = "status:dp:day"
    day: int


PICKS: tuple[type[CallbackData], ...] = (PickStart, PickDecade, PickYear, PickMonth, PickDay)


def is_pick(data: object) -> bool:
    """For `CallbackQueryHandler(pattern=...)`: any press of the picker."""
    return any(kind.unpack(data) is not None for kind in PICKS)


def _press(data: object) -> CallbackData | None:
    return next((press for kind in PICKS if (press := kind.unpack(data)) is not None), None)


def birth_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t.gettext("📅 Pick the date"), PickStart())], [main_menu_button(t)]])


def advance(press: CallbackData | None, state: StatusState, today: dt.date) -> tuple[Stage, dt.date | None]:
    """The stage to show after this press (`state` updated), or the date picked (a real day, not in the future)."""
    if isinstance(press, PickDecade) and FIRST_DECADE <= press.decade <= today.year:
        state.decade = press.decade
        return "year", None
    if isinstance(press, PickYear) and FIRST_DECADE <= press.year <= today.year:
        state.year, state.decade = press.year, press.year - press.year % 10
        return "month", None
    if isinstance(press, PickMonth) and 1 <= press.month <= 12 and state.year is not None:
        state.month = press.month
        return "day", None
    if isinstance(press, PickDay) and state.year is not None and state.month is not None:
        try:
            born: dt.date | None = dt.date(state.year, state.month, press.day)
        except ValueError:
            born = None
        return "day", born if born is not None and born <= today else None
    return "decade", None


def view(t: Translator, stage: Stage, state: StatusState, today: dt.date) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    if stage == "year" and state.decade is not None:
        start = state.decade
        years = [button(str(y), PickYear(y)) for y in range(start, min(start + 10, today.year + 1))]
        return _("Year of birth:"), InlineKeyboardMarkup([*rows(years, 5), nav_row(t, PickStart())])
    if stage == "month" and state.year is not None:
        year = state.year
        months = [button(t.date(dt.date(year, m, 1), "MMM"), PickMonth(m)) for m in range(1, 13)]
        return (_("Month of birth ({year}):").format(year=year),
                InlineKeyboardMarkup([*rows(months, 4), nav_row(t, PickDecade(year - year % 10))]))
    if stage == "day" and state.year is not None and state.month is not None:
        year, month = state.year, state.month
        days = [button(str(d), PickDay(d)) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        label = t.date(dt.date(year, month, 1), "MMMM y")
        return (_("Day of birth ({month}):").format(month=label),
                InlineKeyboardMarkup([*rows(days, 7), nav_row(t, PickYear(year))]))
    decades = [button(f"{d}–{d + 9}", PickDecade(d)) for d in range(FIRST_DECADE, today.year - today.year % 10 + 1, 10)]
    return _("Your year of birth is between…"), InlineKeyboardMarkup([*rows(decades, 3), nav_row(t)])


async def on_pick(update: Update, context: BotContext, today: dt.date) -> dt.date | None:
    """A picker press: shows the next stage in the same message, or returns the date picked."""
    query = update.callback_query
    t = context.i18n
    state = StatusState.load(context)
    stage, born = advance(_press(query.data if query is not None else None), state, today)
    state.save(context)
    if born is not None:
        await edit_or_say(update, context, t.gettext("Birth date: {date}").format(date=t.date(born)), None)
        return born
    text, markup = view(t, stage, state, today)
    await edit_or_say(update, context, text, markup)
    return None
