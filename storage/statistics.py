"""Read-only queries for /statistik, over the features' own tables, scoped to an area code prefix
(kabupaten 64.08, kecamatan 64.08.01, desa 64.08.01.2001; None = everywhere); roster coverage per desa and at
month ends; and `coverage_targets`, the targets admins set in chat (an overlay on content/coverage_targets.toml).

A roster member is active on a day when their period covers it (`mulai ≤ day ≤ berakhir`) and no `replace`
import ended them on or before it (`removed_on` is the day the import ran: from that day they no longer count).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from storage.audit import NewAuditEntry, write_entry
from storage.db import Database
from storage.eligibility import eligibility_results
from storage.interest import interest_requests
from storage.roster import active_on, roster_members
from storage.schema import metadata, users, utc
from storage.status_checks import status_checks
from storage.upsert import upsert

coverage_targets = sa.Table(
    "coverage_targets",
    metadata,
    sa.Column("region_code", sa.String(16), primary_key=True),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # target | estimate (estimated pekerja rentan)
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("set_by", sa.BigInteger, nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)


def member_active(day: dt.date) -> sa.ColumnElement[bool]:
    """Roster rows counted as covered on `day` (see the module's docstring)."""
    m = roster_members.c
    return sa.and_(m.mulai <= day, m.berakhir >= day, sa.or_(m.removed_on.is_(None), m.removed_on > day))


def roster_in_area(prefix: str | None) -> sa.ColumnElement[bool]:
    """Roster rows of an area at any level (through the indexed code column of that level)."""
    if not prefix:
        return sa.true()
    m = roster_members.c
    column = {2: m.kode_kabupaten, 3: m.kode_kecamatan, 4: m.kode_desa}.get(len(prefix.split(".")))
    return column == prefix if column is not None else m.kode_kabupaten.like(prefix + ".%")


@dataclass(frozen=True)
class TargetRow:
    region_code: str
    target: int
    kind: str
    source: str
    valid_from: dt.date
    set_by: int
    set_at: dt.datetime


def _target(row: sa.Row) -> TargetRow:
    m = row._mapping
    return TargetRow(region_code=m["region_code"], target=int(m["target"]), kind=m["kind"], source=m["source"],
                     valid_from=m["valid_from"], set_by=int(m["set_by"]), set_at=utc(m["set_at"]) or m["set_at"])


class CoverageTargetRepository:
    """The targets admins set in chat; each change is audited in the same transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[TargetRow]:
        async with self.db.read() as conn:
            return [_target(r) for r in await conn.execute(
                sa.select(coverage_targets).order_by(coverage_targets.c.region_code))]

    async def save(self, row: TargetRow, entry: NewAuditEntry) -> TargetRow | None:
        """Set (or replace) a region's target; returns the one it replaced."""
        async with self.db.transaction() as conn:
            before = (await conn.execute(
                sa.select(coverage_targets).where(coverage_targets.c.region_code == row.region_code))).first()
            await upsert(conn, coverage_targets, dataclasses.asdict(row), keys=["region_code"])
            await write_entry(conn, entry, row.set_at)
        return _target(before) if before is not None else None

    async def remove(self, region_code: str, entry: NewAuditEntry, now: dt.datetime) -> TargetRow | None:
        """Drop a region's chat-set target (the content file's figure applies again); None if there was none."""
        async with self.db.transaction() as conn:
            before = (await conn.execute(
                sa.select(coverage_targets).where(coverage_targets.c.region_code == region_code))).first()
            if before is None:
                return None
            await conn.execute(sa.delete(coverage_targets).where(coverage_targets.c.region_code == region_code))
            await write_entry(conn, entry, now)
        return _target(before)


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

    async def active_by_desa(self, prefix: str | None, day: dt.date) -> dict[str, int]:
        """Active roster members on `day` per desa code, within the area (desa without members are absent)."""
        m = roster_members.c
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(m.kode_desa, sa.func.count()).where(roster_in_area(prefix), member_active(day))
                .group_by(m.kode_desa))
            return {str(code): int(n) for code, n in rows}

    async def active_on_days(self, prefix: str | None, days: list[dt.date]) -> list[int]:
        """Active roster members of the area on each day (one pass over the area's rows)."""
        if not days:
            return []
        columns = [sa.func.coalesce(sa.func.sum(sa.case((member_active(day), 1), else_=0)), 0) for day in days]
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(*columns).where(roster_in_area(prefix)))).one()
        return [int(n) for n in row]
