"""The audit log: `AuditService` records who saw a full NIK, exported, changed a status, invited or revoked, and
reads it back for /audit (short lines, HTML-escaped, and the whole log as a CSV file written through
`bot.domain.spreadsheet`, so no value is ever a formula). Free of Telegram types."""

from __future__ import annotations

import datetime as dt

from bot.domain.clock import Clock
from bot.domain.i18n import N_, Translator
from bot.domain.markup import escape
from bot.domain.spreadsheet import csv_bytes
from storage.audit import AuditEntry, AuditRepository

ACTION_LABELS: dict[str, str] = {
    "nik_view": N_("viewed full NIK"),
    "export": N_("exported"),
    "status_change": N_("changed status"),
    "note": N_("added a note"),
    "invite": N_("created invite"),
    "invite_accepted": N_("accepted invite"),
    "revoke": N_("revoked"),
    "worker_edit": N_("worker changed their request"),
    "withdraw": N_("worker withdrew their request"),
    "question_view": N_("read a worker's question"),
    "question_answer": N_("answered a worker's question"),
    "faq_learn": N_("taught the FAQ"),
}
RECENT = 50  # entries shown by /audit


def action_label(t: Translator, action: str) -> str:
    return t.gettext(ACTION_LABELS.get(action, action))


def line(t: Translator, entry: AuditEntry) -> str:
    """One entry for the /audit message (HTML: every part escaped)."""
    local = entry.at.astimezone(t.tz)
    parts = [local.strftime("%d/%m %H.%M"), str(entry.actor_id), action_label(t, entry.action)]
    parts += [p for p in (entry.target, entry.area_code, entry.detail) if p]
    return " · ".join(escape(p) for p in parts)


def to_csv(t: Translator, entries: list[AuditEntry]) -> bytes:
    header = ["id", "time_wita", "actor_id", "action", "area_code", "target", "detail"]
    return csv_bytes([header, *([e.id, e.at.astimezone(t.tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_id, e.action,
                                 e.area_code or "", e.target or "", e.detail or ""] for e in entries)])


class AuditService:
    """One door to the audit log, for the features that record (`record`) and for /audit (`recent_lines`,
    `export`). No personal data in it: targets are request references, officials' ids or region codes."""

    def __init__(self, repository: AuditRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock

    async def record(
        self, *, actor_id: int, action: str, now: dt.datetime | None = None, area_code: str | None = None,
        target: str | None = None, detail: str | None = None,
    ) -> None:
        """`now` defaults to the clock (callers that stamp a change with its own moment pass it)."""
        await self.repository.record(actor_id=actor_id, action=action, now=now or self.clock.now(),
                                     area_code=area_code, target=target, detail=detail)

    async def recent(self, limit: int = RECENT) -> list[AuditEntry]:
        """Newest first."""
        return await self.repository.recent(limit)

    async def all(self) -> list[AuditEntry]:
        """Oldest first."""
        return await self.repository.all()

    async def count(self, action: str | None = None) -> int:
        return await self.repository.count(action)

    async def recent_lines(self, t: Translator, limit: int = RECENT) -> list[str]:
        """/audit: one short line per entry, newest first ([] when the log is empty)."""
        return [line(t, entry) for entry in await self.recent(limit)]

    async def export(self, t: Translator) -> tuple[str, bytes]:
        """The whole log as a CSV file: (file name stamped with the local time, content)."""
        stamp = self.clock.now().astimezone(t.tz).strftime("%Y%m%d-%H%M")
        return f"audit-{stamp}.csv", to_csv(t, await self.all())
