"""Coverage the way the Paritrana Award counts it: active roster members (period covering the day, not ended by
a `replace` import) per kabupaten, kecamatan and desa, against a target or an estimate of pekerja rentan kept
as data — content/coverage_targets.toml (each figure with its source and date) and the figures admins set in
chat with /target (audited, stored in the database as an overlay: for a region the figure with the newest date
wins, a chat-set one on a tie) — plus the month-by-month trend: active members at the end of each of the last
12 months (the current month: today).

The trend is computed from the roster's periods (`mulai`, `berakhir`, `removed_on`), not from the import
records: those hold counts per file, not who was covered on a day in an area. What the roster no longer knows
it cannot show: a renewal import that moves a member's `mulai` forward drops that member from the months
before it (their old period is overwritten).

No Telegram types here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from pydantic import BaseModel, Field, ValidationError

from bot.domain.audit import AuditService
from bot.domain.clock import Clock
from bot.domain.content import ContentError, load_toml
from bot.domain.i18n import Translator
from bot.domain.regions import HOME_PROVINCE, children, normalize_code, region, short_name
from bot.domain.roles import Actor
from bot.domain.statistics import StatisticsRefused, resolve_scope
from storage.audit import NewAuditEntry
from storage.statistics import CoverageTargetRepository, StatisticsRepository, TargetRow

TargetKind = Literal["target", "estimate"]
MONTHS = 12
MAX_TARGET = 50_000_000  # more than any province's workers: a typo guard
MAX_SOURCE = 300


class CoverageTarget(BaseModel):
    """One entry of content/coverage_targets.toml."""

    region: str = Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
    name: str | None = None  # for the reader of the file; the bot names regions from Kemendagri's list
    kind: TargetKind = "target"
    target: int = Field(gt=0, le=MAX_TARGET)
    source: str = Field(min_length=3)
    valid_from: dt.date
    reported: int | None = Field(default=None, ge=0)  # covered, as the Pemda reported it (for comparison)
    reported_source: str | None = None
    reported_on: dt.date | None = None


class CoverageFile(BaseModel):
    target: list[CoverageTarget]


def load_targets(name: str = "coverage_targets.toml") -> list[CoverageTarget]:
    try:
        targets = CoverageFile.model_validate(load_toml(name)).target
    except ValidationError as exc:
        raise ContentError(f"content/{name}: {exc}") from None
    for item in targets:
        if region(item.region) is None:
            raise ContentError(f"content/{name}: unknown region {item.region}")
        if item.reported is not None and not (item.reported_source and item.reported_on):
            raise ContentError(f"content/{name}: {item.region}: a reported figure needs its source and date")
    return targets


@dataclass(frozen=True)
class Target:
    region: str
    value: int
    kind: TargetKind
    source: str
    valid_from: dt.date
    set_by: int | None = None  # an admin's Telegram id (set in chat); None: the content file


@dataclass(frozen=True)
class Reported:
    """The number covered as the Pemda reported it (content file), shown next to the roster's count."""

    value: int
    source: str
    on: dt.date


def effective_targets(file: list[CoverageTarget], chat: list[TargetRow], day: dt.date) -> dict[str, Target]:
    """Per region the figure that holds on `day`: the newest `valid_from` not after it; a chat-set figure wins a
    tie (an admin corrected the file's figure the day it took effect)."""
    candidates = [Target(t.region, t.target, t.kind, t.source, t.valid_from) for t in file]
    candidates += [Target(r.region_code, r.target, "estimate" if r.kind == "estimate" else "target", r.source,
                          r.valid_from, r.set_by) for r in chat]
    chosen: dict[str, Target] = {}
    for target in candidates:
        if target.valid_from > day:
            continue
        held = chosen.get(target.region)
        if held is None or (target.valid_from, target.set_by is not None) >= (held.valid_from, held.set_by is not None):
            chosen[target.region] = target
    return chosen


def reported_figures(file: list[CoverageTarget], day: dt.date) -> dict[str, Reported]:
    out: dict[str, Reported] = {}
    for t in sorted(file, key=lambda t: t.reported_on or dt.date.min):
        if t.reported is not None and t.reported_source and t.reported_on and t.reported_on <= day:
            out[t.region] = Reported(t.reported, t.reported_source, t.reported_on)
    return out


def level_of(code: str | None) -> int:
    return len(code.split(".")) if code else 0


_NAMES: dict[str, str] = {}  # Kemendagri's list is fixed: names looked up once


def region_name(code: str) -> str:
    """The name a report shows (`Kutai Timur`, `Muara Ancalong`); the code itself when the list lacks it."""
    if code not in _NAMES:
        found = region(code)
        _NAMES[code] = short_name(found) if found else code
    return _NAMES[code]


@functools.lru_cache(maxsize=2048)
def _listed(parent: str) -> tuple[str, ...]:
    """The codes under `parent` in Kemendagri's order (cached; their names go to `_NAMES`)."""
    found = children(parent)
    _NAMES.update((item.code, short_name(item)) for item in found)
    return tuple(item.code for item in found)


def share_text(t: Translator, value: float) -> str:
    """A share with one decimal (`59.4%`, `59,4%`): coverage moves slowly, whole percents hide it."""
    return format_percent(value, "#,##0.0%", locale=t.babel_locale)


@dataclass(frozen=True)
class AreaCoverage:
    code: str
    name: str
    level: int  # 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa
    active: int
    target: Target | None = None
    parent_active: int | None = None  # active members of the area above (within the report)
    parent: str | None = None

    @property
    def share(self) -> float | None:
        """Active members / target (or estimate); None without one."""
        return self.active / self.target.value if self.target else None

    @property
    def part(self) -> float | None:
        """This area's share of the members of the area above; None when that has none."""
        return self.active / self.parent_active if self.parent_active else None


@dataclass(frozen=True)
class CoverageReport:
    scope: str | None  # None: everywhere (admins)
    day: dt.date  # local (WITA) date the figures hold for
    area: AreaCoverage  # the scope's own figures (code "" for everywhere)
    parts: list[AreaCoverage]  # the level just under the scope (kabupaten for everywhere and a province)
    rows: dict[int, list[AreaCoverage]]  # every kabupaten (2), kecamatan (3), desa (4) in the scope
    trend: list[tuple[dt.date, int]]  # (month end, or today for this month; active members), oldest first
    reported: Reported | None = None
    sources: list[Target] = field(default_factory=list)  # every target the report uses

    @property
    def name(self) -> str | None:
        return self.area.name if self.scope else None


def month_ends(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The last day of each of the `months - 1` months before today's, then today."""
    days = []
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    for _ in range(months - 1):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        days.append(following - dt.timedelta(days=1))
        first = following
    return [*days, today]


def _prefix(code: str, level: int) -> str:
    return ".".join(code.split(".")[:level])


def _codes_under(scope: str | None, level: int, known: set[str]) -> list[str]:
    """The region codes of `level` inside the scope: Kemendagri's list (in its order), then any other code the
    roster or the targets have there (a region added to the list later)."""
    if level_of(scope) >= level:
        return [scope] if scope and level_of(scope) == level else []
    if scope is None and level == 2:
        parents = [HOME_PROVINCE, *sorted({_prefix(c, 1) for c in known} - {HOME_PROVINCE})]
    else:
        parents = _codes_under(scope, level - 1, known)
    codes: list[str] = []
    for parent in parents:
        listed = list(_listed(parent))
        extra = sorted({c for c in known if level_of(c) == level and _prefix(c, level - 1) == parent} - set(listed))
        codes += listed + extra
    return codes


def build_report(scope: str | None, day: dt.date, per_desa: dict[str, int], targets: dict[str, Target],
                 trend: list[tuple[dt.date, int]], reported: dict[str, Reported] | None = None) -> CoverageReport:
    """Aggregate active members per desa up to kecamatan, kabupaten and the scope; attach each area's target."""
    counts: dict[str, int] = defaultdict(int)
    for desa, n in per_desa.items():
        for level in (1, 2, 3, 4):
            counts[_prefix(desa, level)] += n
    total = sum(per_desa.values())
    known = set(counts) | {code for code in targets if scope is None or code.startswith(scope + ".")}
    scope_level = level_of(scope)
    rows: dict[int, list[AreaCoverage]] = {}
    for level in (2, 3, 4):
        if level < scope_level:
            continue
        rows[level] = []
        for code in _codes_under(scope, level, known):
            parent: str | None
            if level == scope_level:  # the scope itself
                above, parent = None, None
            elif level - 1 <= scope_level or (scope is None and level == 2):  # just under the scope
                above, parent = total, scope
            else:
                parent = _prefix(code, level - 1)
                above = counts.get(parent, 0)
            rows[level].append(AreaCoverage(code, region_name(code), level, counts.get(code, 0), targets.get(code),
                                            above, parent))
    if scope is None:
        area = AreaCoverage("", "", 0, total)
        parts = [r for r in rows[2] if r.active or r.target]
    else:
        area = AreaCoverage(scope, region_name(scope), scope_level, total, targets.get(scope))
        parts = rows.get(scope_level + 1, [])
    used = [area.target] if area.target else []
    used += [r.target for level in sorted(rows) for r in rows[level] if r.target and r.target not in used]
    return CoverageReport(scope=scope, day=day, area=area, parts=parts, rows=rows, trend=trend,
                          reported=(reported or {}).get(scope or ""), sources=used)


# --- /target: admins set a region's figure in chat -------------------------------------------------------

TARGET_PATTERN = re.compile(
    r"^(?P<code>[\d.]+)\s+(?:(?P<remove>hapus|remove|delete)\s*$|(?P<number>\d[\d.,\s]*?)\s*"
    r"(?P<kind>estimasi|estimate|target)?\s*(?:(?:sumber|source)\s*:\s*(?P<source>.*))?$)",
    re.IGNORECASE | re.DOTALL)
TargetProblem = Literal["usage", "unknown_region", "bad_number", "no_source", "long_source"]


@dataclass(frozen=True)
class TargetCommand:
    region: str
    value: int | None  # None: remove the chat-set figure
    kind: TargetKind = "target"
    source: str = ""


class TargetRejected(Exception):
    def __init__(self, reason: TargetProblem) -> None:
        super().__init__(reason)
        self.reason: TargetProblem = reason


def parse_target(text: str) -> TargetCommand:
    """`64.08 160000 sumber: Pemkab …`, `64.08.01 5.000 estimasi sumber: …`, `64.08 hapus`
    (raises `TargetRejected`)."""
    found = TARGET_PATTERN.match(text.strip())
    if found is None:
        raise TargetRejected("usage")
    code = normalize_code(found["code"])
    if code is None or region(code) is None:
        raise TargetRejected("unknown_region")
    if found["remove"]:
        return TargetCommand(code, None)
    digits = re.sub(r"[.,\s]", "", found["number"])
    value = int(digits) if digits.isdigit() else 0
    if not 0 < value <= MAX_TARGET:
        raise TargetRejected("bad_number")
    source = " ".join((found["source"] or "").split())
    if len(source) < 3:
        raise TargetRejected("no_source")
    if len(source) > MAX_SOURCE:
        raise TargetRejected("long_source")
    kind: TargetKind = "estimate" if (found["kind"] or "").lower() in ("estimasi", "estimate") else "target"
    return TargetCommand(code, value, kind, source)


@dataclass(frozen=True)
class TargetChange:
    region: str
    before: Target | None  # the figure that held before (file or chat)
    after: Target | None  # the figure that holds now


AreaLookup = Callable[[int], Awaitable[list[str]]]


class CoverageService:
    """Coverage reports for a scope (who may see which: the statistics' rule), the targets, and /target."""

    def __init__(self, repo: StatisticsRepository, chat_targets: CoverageTargetRepository, audit: AuditService,
                 area_codes: AreaLookup, clock: Clock, tz: ZoneInfo,
                 file_targets: list[CoverageTarget] | None = None) -> None:
        self.repo = repo
        self.chat_targets = chat_targets
        self.audit = audit
        self.area_codes = area_codes
        self.clock = clock
        self.tz = tz
        self.file_targets = file_targets if file_targets is not None else load_targets()

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    async def official_area(self, user_id: int) -> str | None:
        areas = await self.area_codes(user_id)
        return areas[0] if areas else None

    async def scope_for(self, actor: Actor, asked: str | None = None) -> str | None:
        """Raises `StatisticsRefused` (not staff, unknown region, outside the official's area)."""
        return await resolve_scope(actor, asked, self.official_area)

    async def targets(self, day: dt.date | None = None) -> dict[str, Target]:
        return effective_targets(self.file_targets, await self.chat_targets.all(), day or self.today())

    async def report(self, scope: str | None) -> CoverageReport:
        today = self.today()
        per_desa = await self.repo.active_by_desa(scope, today)
        days = month_ends(today)
        trend = list(zip(days, await self.repo.active_on_days(scope, days), strict=True))
        # Kemendagri's list is read in a worker thread (the first report of a province reads ~1,000 names)
        return await asyncio.to_thread(build_report, scope, today, per_desa, await self.targets(today), trend,
                                       reported_figures(self.file_targets, today))

    async def report_for(self, actor: Actor, asked: str | None = None) -> CoverageReport:
        return await self.report(await self.scope_for(actor, asked))

    async def record_download(self, actor: Actor, scope: str | None) -> None:
        await self.audit.record(actor_id=actor.user_id, action="export", area_code=scope, detail="coverage")

    async def set_target(self, actor: Actor, command: TargetCommand) -> TargetChange:
        """Admins only (raises `StatisticsRefused("not_staff")` otherwise); effective at once; audited in the
        same transaction as the change."""
        if not actor.is_admin:
            raise StatisticsRefused("not_staff")
        now = self.clock.now()
        before = (await self.targets()).get(command.region)
        old = f"{before.value}" if before else "-"
        # the detail is language-neutral (numbers and the admin's own source text); the area names the region
        if command.value is None:
            entry = NewAuditEntry(actor.user_id, "coverage_target", command.region, None, f"{old} → –")
            await self.chat_targets.remove(command.region, entry, now)
        else:
            row = TargetRow(command.region, command.value, command.kind, command.source, self.today(),
                            actor.user_id, now)
            kind = "~" if command.kind == "estimate" else ""  # an estimate of pekerja rentan, not a target
            entry = NewAuditEntry(actor.user_id, "coverage_target", command.region, None,
                                  f"{old} → {kind}{command.value}; {command.source}"[:500])
            await self.chat_targets.save(row, entry)
        return TargetChange(command.region, before, (await self.targets()).get(command.region))
