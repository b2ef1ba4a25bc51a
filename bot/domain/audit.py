"""Reading the audit log: short lines for /audit and a CSV file for the whole log. Free of Telegram types."""

from __future__ import annotations

import csv
import io

from bot.domain.i18n import N_, Translator
from storage.audit import AuditEntry

ACTION_LABELS: dict[str, str] = {
    "nik_view": N_("viewed full NIK"),
    "export": N_("exported"),
    "status_change": N_("changed status"),
    "note": N_("added a note"),
    "invite": N_("created invite"),
    "invite_accepted": N_("accepted invite"),
    "revoke": N_("revoked"),
}


def action_label(t: Translator, action: str) -> str:
    return t.gettext(ACTION_LABELS.get(action, action))


def line(t: Translator, entry: AuditEntry) -> str:
    local = entry.at.astimezone(t.tz)
    parts = [local.strftime("%d/%m %H.%M"), str(entry.actor_id), action_label(t, entry.action)]
    parts += [p for p in (entry.target, entry.area_code, entry.detail) if p]
    return " · ".join(parts)


def to_csv(t: Translator, entries: list[AuditEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "time_wita", "actor_id", "action", "area_code", "target", "detail"])
    for e in entries:
        writer.writerow([e.id, e.at.astimezone(t.tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_id, e.action,
                         e.area_code or "", e.target or "", e.detail or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
