"""Read-only queries for /statistik, over the features' own tables, scoped to an area code prefix
(kabupaten 64.08, kecamatan 64.08.01, desa 64.08.01.2001; None = everywhere)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from storage.db import Database
from storage.eligibility import eligibility_results
from storage.interest import interest_requests
from storage.roster import active_on, roster_members
from storage.schema import users, utc
from storage.status_checks import status_checks


def _in_area(column: sa.ColumnElement[str], prefix: str | None) -> sa.ColumnElement[bool]:
    if not prefix:
        return sa.true()
    return (column == prefix) | column.like(prefix + ".%")


@dataclass
class RawStatistics:
    users: int = 0
    users_active_30d: int = 0
    status_outcomes: dict[str, int] = field(default_factory=dict)
    eligibility_outcomes: dict[str, int] = field(default_factory=dict)
    # area code (kecamatan, or desa when the scope is a kecamatan) -> status -> count
    requests_by_area: dict[str, dict[str, int]] = field(default_factory=dict)
    follow_up_hours: list[float] = field(default_factory=list)
    requests_created: list[dt.datetime] = field(default_factory=list)
    checks_created: list[dt.datetime] = field(default_factory=list)
    roster: int = 0


class StatisticsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def collect(self, prefix: str | None, now: dt.datetime, since: dt.datetime,
                      active_day: dt.date | None = None) -> RawStatistics:
        """Everything /statistik shows for the area; trends from `since`; roster members active on `active_day`
        (the local date; None: everyone not ended)."""
        out = RawStatistics()
        level = len(prefix.split(".")) if prefix else 0
        area_of_request = interest_requests.c.desa_code if level >= 3 else interest_requests.c.kecamatan_code
        async with self.db.read() as conn:
            user_area = _in_area(users.c.region_code, prefix)
            out.users = int((await conn.execute(
                sa.select(sa.func.count()).select_from(users).where(user_area))).scalar_one())
            out.users_active_30d = int((await conn.execute(
                sa.select(sa.func.count()).select_from(users)
                .where(user_area, users.c.last_seen_at >= now - dt.timedelta(days=30)))).scalar_one())

            checks = sa.select(status_checks.c.outcome, status_checks.c.created_at)
            if prefix:
                checks = checks.join_from(status_checks, users, users.c.id == status_checks.c.user_id).where(user_area)
            for outcome, created in await conn.execute(checks):
                out.status_outcomes[outcome] = out.status_outcomes.get(outcome, 0) + 1
                moment = utc(created)
                if moment is not None and moment >= since:
                    out.checks_created.append(moment)

            elig_area = eligibility_results.c.kabupaten_code if level <= 2 else eligibility_results.c.kecamatan_code
            rows = await conn.execute(
                sa.select(eligibility_results.c.outcome, sa.func.count())
                .where(_in_area(elig_area, prefix) if level != 2 else elig_area == prefix)
                .group_by(eligibility_results.c.outcome)
            )
            out.eligibility_outcomes = {str(o): int(n) for o, n in rows}

            by_area: dict[str, dict[str, int]] = defaultdict(dict)
            rows = await conn.execute(
                sa.select(area_of_request, interest_requests.c.status, interest_requests.c.created_at,
                          interest_requests.c.first_action_at)
                .where(_in_area(interest_requests.c.desa_code, prefix))
            )
            for area, status, created, first_action in rows:
                by_area[str(area)][str(status)] = by_area[str(area)].get(str(status), 0) + 1
                created_at, acted_at = utc(created), utc(first_action)
                if created_at is not None and created_at >= since:
                    out.requests_created.append(created_at)
                if created_at is not None and acted_at is not None:
                    out.follow_up_hours.append((acted_at - created_at).total_seconds() / 3600)
            out.requests_by_area = dict(by_area)

            roster_area = {2: roster_members.c.kode_kabupaten, 3: roster_members.c.kode_kecamatan,
                           4: roster_members.c.kode_desa}.get(level)
            roster = sa.select(sa.func.count()).select_from(roster_members).where(
                roster_members.c.removed_on.is_(None), active_on(active_day))
            if roster_area is not None and prefix:
                roster = roster.where(roster_area == prefix)
            elif prefix:
                roster = roster.where(roster_members.c.kode_kabupaten.like(prefix + ".%"))
            out.roster = int((await conn.execute(roster)).scalar_one())
        return out
