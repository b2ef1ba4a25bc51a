"""Statistics for admins and officials: usage, status checks, eligibility, interest requests, follow-up time,
roster coverage (bot/domain/coverage.py: per area against its target, monthly trend), weekly trend; and the
scope rule both follow (`resolve_scope`). No Telegram types here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics as stats
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.regions import contains, normalize_code, region
from bot.domain.roles import Actor
from storage.statistics import RawStatistics, StatisticsRepository

if TYPE_CHECKING:
    from bot.domain.coverage import CoverageReport

WEEKS = 8
FUNNEL = ("received", "followed_up", "registered")


@dataclass(frozen=True)
class Statistics:
    scope: str | None
    users: int
    users_active_30d: int
    status_outcomes: dict[str, int]
    eligibility_outcomes: dict[str, int]
    requests_by_area: dict[str, dict[str, int]]
    funnel: dict[str, int]
    median_follow_up_hours: float | None
    roster: int
    coverage: CoverageReport | None  # None when the service has no coverage source (unit tests)
    weeks: list[dt.date]  # Mondays (local time), oldest first
    weekly_requests: list[int]
    weekly_checks: list[int]
    locked_niks: int | None = None  # NIKs locked today after too many failed status checks (everywhere only)

    @property
    def requests_total(self) -> int:
        return sum(sum(by_status.values()) for by_status in self.requests_by_area.values())

    def requests_per_status(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for by_status in self.requests_by_area.values():
            for status, n in by_status.items():
                totals[status] = totals.get(status, 0) + n
        return totals


def week_start(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    local = moment.astimezone(tz).date()
    return local - dt.timedelta(days=local.weekday())


def weekly(moments: list[dt.datetime], weeks: list[dt.date], tz: ZoneInfo) -> list[int]:
    index = {week: i for i, week in enumerate(weeks)}
    counts = [0] * len(weeks)
    for moment in moments:
        i = index.get(week_start(moment, tz))
        if i is not None:
            counts[i] += 1
    return counts


def summarize(raw: RawStatistics, scope: str | None, now: dt.datetime, tz: ZoneInfo,
              coverage: CoverageReport | None = None) -> Statistics:
    this_week = week_start(now, tz)
    weeks = [this_week - dt.timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    per_status: dict[str, int] = {}
    for by_status in raw.requests_by_area.values():
        for status, n in by_status.items():
            per_status[status] = per_status.get(status, 0) + n
    total = sum(per_status.values())
    waiting_or_withdrawn = per_status.get("new", 0) + per_status.get("withdrawn", 0)  # no official acted on them
    funnel = {"received": total, "followed_up": total - waiting_or_withdrawn,
              "registered": per_status.get("registered", 0)}
    median = stats.median(raw.follow_up_hours) if raw.follow_up_hours else None
    return Statistics(
        scope=scope, users=raw.users, users_active_30d=raw.users_active_30d, status_outcomes=raw.status_outcomes,
        eligibility_outcomes=raw.eligibility_outcomes, requests_by_area=raw.requests_by_area, funnel=funnel,
        median_follow_up_hours=median, roster=raw.roster, coverage=coverage, weeks=weeks,
        weekly_requests=weekly(raw.requests_created, weeks, tz), weekly_checks=weekly(raw.checks_created, weeks, tz),
    )


RosterCounter = Callable[[str, dt.date], Awaitable[int]]  # active members of an area on a day
AreaLookup = Callable[[int], Awaitable[list[str]]]
LockedCounter = Callable[[], Awaitable[int]]
CoverageSource = Callable[[str | None], Awaitable["CoverageReport"]]  # CoverageService.report
Refusal = Literal["not_staff", "unknown_region", "outside_area"]


class StatisticsRefused(Exception):
    """The actor may not see these figures: not staff, an unknown region, or outside their own area."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason: Refusal = reason


async def resolve_scope(actor: Actor, asked: str | None,
                        official_area: Callable[[int], Awaitable[str | None]]) -> str | None:
    """The scope an actor may see (None: everywhere): admins everything or any region they name; officials
    their own area or a part of it; anyone else nothing. Raises `StatisticsRefused`."""
    area = None if actor.is_admin else await official_area(actor.user_id)
    if not actor.is_admin and area is None:
        raise StatisticsRefused("not_staff")
    if asked is None:
        return area
    code = normalize_code(asked)
    if code is None or region(code) is None:
        raise StatisticsRefused("unknown_region")
    if area is not None and not contains(area, code):
        raise StatisticsRefused("outside_area")
    return code


class StatisticsService:
    """The figures for a scope, and who may see which scope: admins everything (or any region they name),
    officials their own area (or a part of it), everyone else nothing."""

    def __init__(self, repo: StatisticsRepository, roster_count: RosterCounter, area_codes: AreaLookup,
                 clock: Clock, tz: ZoneInfo, coverage: CoverageSource | None = None,
                 locked_niks: LockedCounter | None = None) -> None:
        self.repo = repo
        self.locked_niks = locked_niks  # the status check's NIKs locked today (a NIK has no area: everywhere only)
        self.roster_count = roster_count
        self.area_codes = area_codes
        self.clock = clock
        self.tz = tz
        self.coverage = coverage

    async def official_area(self, user_id: int) -> str | None:
        """The area an official's figures cover: the first (narrower, never wider, than the official's)."""
        areas = await self.area_codes(user_id)
        return areas[0] if areas else None

    async def scope_for(self, actor: Actor, asked: str | None = None) -> str | None:
        """The scope the actor sees (None: everywhere), for the region code they asked for, if any.
        Raises `StatisticsRefused`."""
        return await resolve_scope(actor, asked, self.official_area)

    async def for_actor(self, actor: Actor, asked: str | None = None) -> Statistics:
        """The figures the actor may see (raises `StatisticsRefused`)."""
        return await self.for_scope(await self.scope_for(actor, asked))

    async def for_scope(self, scope: str | None) -> Statistics:
        """`scope` None: everywhere (admins); else an area code (an official's area, or an admin's choice)."""
        now, tz = self.clock.now(), self.tz
        since = dt.datetime.combine(week_start(now, tz) - dt.timedelta(weeks=WEEKS - 1), dt.time(), tz)
        today = now.astimezone(tz).date()
        raw = await self.repo.collect(scope, now, since.astimezone(dt.UTC), today)
        coverage = await self.coverage(scope) if self.coverage is not None else None
        figures = summarize(raw, scope, now, tz, coverage)
        if scope is None and self.locked_niks is not None:
            figures = dataclasses.replace(figures, locked_niks=await self.locked_niks())
        return figures
