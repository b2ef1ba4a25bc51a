"""The audit log: `AuditService` records who saw a full NIK, exported, changed a status, invited or revoked,
imported or undid a roster, sent a broadcast, proposed workers — and reads it back for /audit: pages filtered by
kind and person, each entry in readable words in the reader's language (status and reason labels, place names),
and the whole log as a CSV file written through `bot.domain.spreadsheet`, so no value is ever a formula.

Entries hold ids and codes only (request references, Telegram ids, region codes, counts), never personal data:
the words are made when an entry is read. Free of Telegram types."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, get_args

from bot.domain.audience import KINDS as AUDIENCES
from bot.domain.clock import Clock
from bot.domain.i18n import N_, Translator
from bot.domain.markup import escape
from bot.domain.regions import region
from bot.domain.spreadsheet import csv_bytes
from storage.audit import ACTIONS, AuditEntry, AuditRepository

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
    "roster_import": N_("imported a roster"),
    "roster_undo": N_("undid a roster import"),
    "broadcast_created": N_("created a broadcast"),
    "broadcast_sent": N_("started sending a broadcast"),
    "broadcast_paused": N_("paused a broadcast"),
    "broadcast_resumed": N_("resumed a broadcast"),
    "broadcast_stopped": N_("stopped a broadcast"),
    "proposal": N_("proposed workers (usulan)"),
    "assisted_registration": N_("registered a worker without Telegram"),
    "assisted_erase": N_("erased a worker registered without Telegram"),
    "coverage_target": N_("set a coverage target"),
}

KindId = Literal["all", "requests", "data", "roster", "broadcasts", "people", "questions"]
# /audit's kinds: (label, actions); "all" also shows actions no kind names.
KINDS: dict[KindId, tuple[str, tuple[str, ...] | None]] = {
    "all": (N_("All"), None),
    "requests": (N_("Requests"), ("status_change", "note", "proposal", "worker_edit", "withdraw",
                                  "assisted_registration", "assisted_erase")),
    "data": (N_("Data access"), ("nik_view", "export", "question_view")),
    "roster": (N_("Roster"), ("roster_import", "roster_undo", "coverage_target")),
    "broadcasts": (N_("Broadcasts"), ("broadcast_created", "broadcast_sent", "broadcast_paused",
                                      "broadcast_resumed", "broadcast_stopped")),
    "people": (N_("Officials"), ("invite", "invite_accepted", "revoke")),
    "questions": (N_("Questions & FAQ"), ("question_answer", "faq_learn")),
}
assert set(KINDS) == set(get_args(KindId))

# Words for `key=value` details (counts and codes).
DETAIL_KEYS: dict[str, str] = {
    "rows": N_("rows"),
    "new": N_("new"),
    "updated": N_("updated"),
    "ended": N_("ended"),
    "restored": N_("restored"),
    "unchanged": N_("unchanged"),
    "marked": N_("requests"),
    "requests": N_("requests"),
    "recipients": N_("recipients"),
    "audience": N_("audience"),
    "invites": N_("unused invites cancelled"),
    "mode": N_("mode"),
    "batch": N_("batch"),
    "source": N_("source"),
    "kind": N_("kind"),
}
WORDS: dict[str, str] = {  # single words details use
    "official": N_("official"),
    "admin": N_("admin"),
    "delivered": N_("the worker got the answer"),
    "not delivered": N_("the worker could not be told"),
    "nik": N_("with full NIK"),
    "scheduled": N_("scheduled"),
    "resend": N_("resent to the unsure ones"),
    "name": N_("name"),
    "phone": N_("phone"),
    "occupation": N_("work"),
    "note": N_("note"),
    "birth_date": N_("birth date"),
    "replace": N_("replace the region"),
    "merge": N_("add and update"),
    "upsert": N_("add and update"),
}
RECENT = 50  # entries in the CSV's first look (kept for older callers)
PAGE_SIZE = 15  # entries on one /audit page
_STATUS = re.compile(r"^(?P<old>[a-z_]+)→(?P<new>[a-z_]+)(?: \((?P<reason>reason:[a-z_]+)\))?$")
_ROSTER = re.compile(r"^(?:(?P<mode>upsert|merge|replace) )?.*: [+-](?P<a>\d+) ~(?P<b>\d+) [+-](?P<c>\d+)$", re.DOTALL)
_DESA_MOVE = re.compile(r"^desa (?P<old>[\d.]+)→(?P<new>[\d.]+)$")
_TOKEN = re.compile(r"^[A-Za-z0-9_.,:#\-]+(=[A-Za-z0-9_.,:#\-]+)?$")  # a code, a word, key=value
FORMATS = ("xlsx", "csv", "pdf")
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def action_label(t: Translator, action: str) -> str:
    return t.gettext(ACTION_LABELS.get(action, action))


def kind_label(t: Translator, kind: KindId) -> str:
    return t.gettext(KINDS[kind][0])


def place(code: str) -> str:
    """A region code as a name (`Senyiur`, `Muara Ancalong`), codes it does not know as they are."""
    found = region(code) if _CODE.match(code) else None
    return found.name if found else code


def _word(t: Translator, value: str) -> str:
    if _CODE.match(value):
        return place(value)
    if "," in value and all(_CODE.match(v) for v in value.split(",")):
        return ", ".join(place(v) for v in value.split(","))
    return t.gettext(WORDS[value]) if value in WORDS else value


def _value(t: Translator, key: str, value: str) -> str:
    if value.isdigit():
        return t.number(int(value))
    if key == "audience" and value in AUDIENCES:
        return t.gettext(AUDIENCES[value])
    return _word(t, value)


def _roster_words(t: Translator, action: str, found: re.Match[str]) -> str:
    """`replace daftar.csv: +3 ~50 -4` → `mode: replace the region, new: 3, updated: 50, ended: 4` (the undo:
    `removed: 3, restored: 50, back: 4`); the file name stays in the entry (and the CSV), not in the line."""
    a, b, c = (t.number(int(found[k])) for k in ("a", "b", "c"))
    if action == "roster_undo":
        return t.gettext("removed: {a}, restored: {b}, back: {c}").format(a=a, b=b, c=c)
    parts = [f"{t.gettext(DETAIL_KEYS['mode'])}: {_word(t, found['mode'])}"] if found["mode"] else []
    return ", ".join([*parts, t.gettext("new: {a}, updated: {b}, ended: {c}").format(a=a, b=b, c=c)])


def _status_words(t: Translator, detail: str) -> str | None:
    from bot.domain.followup import reason_text, status_label  # followup imports this module

    found = _STATUS.match(detail)
    if found is None:
        return None
    words = f"{status_label(t, found['old'])} → {status_label(t, found['new'])}"
    reason = reason_text(t, found["reason"]) if found["reason"] else None
    return f"{words} ({reason})" if reason else words


def detail_words(t: Translator, entry: AuditEntry) -> str | None:
    """An entry's detail in the reader's words: statuses and reasons as labels, region codes as names, counts
    with their word; anything it does not know as it was stored (codes only)."""
    detail = (entry.detail or "").strip()
    if not detail:
        return None
    if entry.action in ("status_change", "withdraw") and (words := _status_words(t, detail)):
        return words
    if (moved := _DESA_MOVE.match(detail)) is not None:
        return t.gettext("desa {old} → {new}").format(old=place(moved["old"]), new=place(moved["new"]))
    if entry.action in ("roster_import", "roster_undo") and (counts := _ROSTER.match(detail)):
        return _roster_words(t, entry.action, counts)
    if entry.action == "faq_learn" and (learned := re.match(r"^(phrasing|entry) (\S+)$", detail)):
        label = N_("new phrasing for {entry}") if learned[1] == "phrasing" else N_("new FAQ entry {entry}")
        return t.gettext(label).format(entry=learned[2])
    if detail in WORDS:
        return t.gettext(WORDS[detail])
    tokens = detail.split()
    if not all(_TOKEN.match(token) for token in tokens):
        return detail  # not a detail of codes and counts: as it was stored
    parts = []
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep and key in DETAIL_KEYS:
            parts.append(f"{t.gettext(DETAIL_KEYS[key])}: {_value(t, key, value)}")
        else:
            parts.append(_word(t, token.upper() if token in FORMATS else token))
    return ", ".join(parts)


def words(t: Translator, entry: AuditEntry) -> str:
    """The entry's action, target, place and detail in words (plain text)."""
    parts = [action_label(t, entry.action)]
    if entry.target:
        parts.append(entry.target)
    if entry.area_code:
        parts.append(place(entry.area_code))
    if detail := detail_words(t, entry):
        parts.append(detail)
    return " · ".join(parts)


def line(t: Translator, entry: AuditEntry) -> str:
    """One entry for the /audit message (HTML: every part escaped)."""
    local = entry.at.astimezone(t.tz)
    return " · ".join(escape(p) for p in (local.strftime("%d/%m %H.%M"), f"👤 {entry.actor_id}", words(t, entry)))


def to_csv(t: Translator, entries: list[AuditEntry]) -> bytes:
    header = ["id", "time_wita", "actor_id", "action", "area_code", "target", "detail", "in_words"]
    return csv_bytes([header, *([e.id, e.at.astimezone(t.tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_id, e.action,
                                 e.area_code or "", e.target or "", e.detail or "", words(t, e)] for e in entries)])


@dataclass(frozen=True)
class AuditPage:
    lines: list[str]  # HTML, newest first
    total: int
    page: int
    pages: int
    kind: KindId
    actor_id: int | None


class AuditService:
    """One door to the audit log, for the features that record (`record`) and for /audit (`page`, `actors`,
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
        """One short line per entry, newest first ([] when the log is empty)."""
        return [line(t, entry) for entry in await self.recent(limit)]

    async def page(self, t: Translator, kind: KindId = "all", actor_id: int | None = None,
                   page: int = 0) -> AuditPage:
        """/audit: one page of entries of this kind by this person (None: anyone), newest first."""
        actions = KINDS[kind][1] if kind in KINDS else None
        entries, total = await self.repository.page(actions, actor_id, limit=PAGE_SIZE,
                                                    offset=max(page, 0) * PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages:  # the log shrank (a person erased) or a forged page: the last one
            page = pages - 1
            entries, total = await self.repository.page(actions, actor_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
        return AuditPage([line(t, e) for e in entries], total, max(page, 0), pages, kind, actor_id)

    async def actors(self, limit: int = 12) -> list[int]:
        """The people who acted last (for /audit's person filter), most recent first."""
        return await self.repository.recent_actors(limit)

    async def export(self, t: Translator) -> tuple[str, bytes]:
        """The whole log as a CSV file: (file name stamped with the local time, content)."""
        stamp = self.clock.now().astimezone(t.tz).strftime("%Y%m%d-%H%M")
        return f"audit-{stamp}.csv", to_csv(t, await self.all())


def unlabelled() -> set[str]:
    """Actions the log accepts that have no words or no kind yet (a test keeps this empty)."""
    named = {a for _label, actions in KINDS.values() if actions for a in actions}
    return {a for a in ACTIONS if a not in ACTION_LABELS or a not in named}
