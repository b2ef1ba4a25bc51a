"""The officials' follow-up queue: requests in their area, status changes (audited) that reach the worker,
notices about new requests (grouped when many arrive), and the daily digest of untouched requests.

Free of Telegram types: handlers render and send; this module decides and records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.dates import format_timedelta

from bot.domain.contributions import quote
from bot.domain.i18n import N_, Translator
from bot.domain.interest import InterestRequestView, view
from bot.domain.occupations import occupation
from bot.domain.regions import region
from bot.domain.roles import Actor
from storage.interest import OPEN_STATUSES, InterestRecord
from storage.officials import OfficialRecord

if TYPE_CHECKING:
    from bot.runtime.services import Services

PAGE_SIZE = 6
NOTICE_WINDOW = dt.timedelta(minutes=10)
NOTICE_BURST = 5  # more than this many within the window → one grouped digest
STALE_AFTER = dt.timedelta(days=3)
NOTE_MAX = 300
REASON_MAX = 200

# Queue filters: (id, statuses, label). "open" is the default view.
FILTERS: dict[str, tuple[tuple[str, ...] | None, str]] = {
    "open": (OPEN_STATUSES, N_("Open")),
    "new": (("new",), N_("New")),
    "contacted": (("contacted",), N_("Contacted")),
    "unreachable": (("unreachable",), N_("Unreachable")),
    "registered": (("registered",), N_("Registered")),
    "not_eligible": (("not_eligible",), N_("Not eligible")),
    "all": (None, N_("All")),
}

STATUS_LABELS: dict[str, str] = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "registered": N_("Registered"),
    "not_eligible": N_("Not eligible"),
    "unreachable": N_("Unreachable"),
}
STATUS_ICONS = {"new": "🆕", "contacted": "📞", "registered": "✅", "not_eligible": "⛔", "unreachable": "📵"}

# Preset reasons for "not eligible" (stored as "reason:<id>", translated for each reader).
REFUSAL_REASONS: dict[str, str] = {
    "member": N_("Already a BPJS Ketenagakerjaan participant"),
    "region": N_("The NIK is from another district"),
    "work": N_("This work is not covered by the district programme"),
    "age": N_("Age is outside the programme's limit"),
    "quota": N_("The district's quota for this year is full"),
}


class AccessDenied(LookupError):
    """Not found or not in the actor's area (the same answer for both: existence is not revealed)."""


def status_label(t: Translator, status: str) -> str:
    return t.gettext(STATUS_LABELS.get(status, status))


def reason_text(t: Translator, reason: str | None) -> str | None:
    if not reason:
        return None
    if reason.startswith("reason:") and reason[7:] in REFUSAL_REASONS:
        return t.gettext(REFUSAL_REASONS[reason[7:]])
    return reason


def clean_text(text: str, limit: int) -> tuple[str | None, bool]:
    """(text, too_long): trimmed, control characters removed."""
    cleaned = "".join(ch for ch in (text or "") if ch == "\n" or ch >= " ").strip()
    if len(cleaned) > limit:
        return None, True
    return cleaned or None, False


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def since(t: Translator, then: dt.datetime, now: dt.datetime) -> str:
    """`3 hari` / `2 jam` / `1 menit`: how long ago, in the reader's language (at least a minute)."""
    return format_timedelta(max(now - then, dt.timedelta(minutes=1)), threshold=1, locale=t.babel_locale)


def place(code: str) -> str:
    found = region(code)
    return found.name if found else code


def occupation_label(t: Translator, occupation_id: str) -> str:
    found = occupation(occupation_id)
    return t.gettext(found.label_msgid) if found else occupation_id


def _scope(actor: Actor) -> list[str] | None:
    return None if actor.is_admin else list(actor.areas)


@dataclass(frozen=True)
class QueuePage:
    items: list[InterestRequestView]
    total: int
    page: int
    pages: int
    filter_id: str


async def queue(services: Services, actor: Actor, filter_id: str, page: int) -> QueuePage:
    if not actor.is_staff:
        raise AccessDenied("not an official")
    statuses, _label = FILTERS.get(filter_id, FILTERS["open"])
    filter_id = filter_id if filter_id in FILTERS else "open"
    repo = services.interest.repository
    total = await repo.count_for_areas(_scope(actor), statuses)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    records = await repo.list_for_areas(_scope(actor), statuses, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    return QueuePage([view(services.vault, r) for r in records], total, page, pages, filter_id)


async def open_request(services: Services, actor: Actor, request_id: int) -> InterestRequestView:
    record = await services.interest.repository.get(request_id) if actor.is_staff else None
    if record is None or not actor.can_access(record.desa_code):
        raise AccessDenied(f"request {request_id}")
    return view(services.vault, record)


async def reveal_nik(services: Services, actor: Actor, request_id: int, now: dt.datetime) -> InterestRequestView:
    request = await open_request(services, actor, request_id)
    await services.audit.record(actor_id=actor.user_id, action="nik_view", now=now, area_code=request.desa_code,
                                target=request.ref)
    return request


async def change_status(
    services: Services, actor: Actor, request_id: int, status: str, reason: str | None, now: dt.datetime,
) -> tuple[InterestRequestView, bool]:
    """Returns the request after the change and whether the status actually changed."""
    request = await open_request(services, actor, request_id)
    if request.status == status and request.status_reason == reason:
        return request, False
    record: InterestRecord = await services.interest.repository.set_status(request_id, status, reason, now)
    await services.audit.record(
        actor_id=actor.user_id, action="status_change", now=now, area_code=request.desa_code, target=request.ref,
        detail=f"{request.status}→{status}" + (f" ({reason})" if reason and reason.startswith("reason:") else ""),
    )
    return view(services.vault, record), True


async def add_note(services: Services, actor: Actor, request_id: int, text: str, now: dt.datetime) -> None:
    request = await open_request(services, actor, request_id)
    await services.officials.add_note(
        request_id=request.id, worker_id=request.user_id, official_id=actor.user_id,
        text_enc=services.vault.encrypt(text, context="followup_notes.text"), now=now,
    )
    await services.audit.record(actor_id=actor.user_id, action="note", now=now, area_code=request.desa_code,
                                target=request.ref)


async def notes(services: Services, request_id: int) -> list[tuple[dt.datetime, str]]:
    return [(n.created_at, services.vault.decrypt(n.text_enc, context="followup_notes.text"))
            for n in await services.officials.notes(request_id)]


def worker_update(t: Translator, request: InterestRequestView, day: dt.date) -> str | None:
    """What the worker hears when their request is decided (None for intermediate statuses)."""
    _ = t.gettext
    if request.status == "registered":
        return "\n".join([
            _("🎉 <b>Good news!</b>"),
            _("Your request {ref} is done: the desa officials have registered you for BPJS Ketenagakerjaan "
              "(work accident and death cover).").format(ref=request.ref),
            _("You can check your membership in the JMO app or at Contact Center 175."),
        ])
    if request.status == "not_eligible":
        lines = [
            _("About your request {ref}:").format(ref=request.ref),
            _("The desa officials could not register you in the district programme."),
        ]
        reason = reason_text(t, request.status_reason)
        if reason:
            lines.append(_("Reason: {reason}").format(reason=reason))
        found = occupation(request.occupation)
        sector = found.sector if found else "other"
        lowest = quote(0, sector, day)
        lines += ["", _("You can still protect yourself: join on your own (BPU, mandiri) for JKK + JKM from "
                        "{amount} a month.").format(amount=t.money(lowest.basic_total))]
        return "\n".join(lines)
    return None


# ----------------------------------------------------------------------------- notices to officials


@dataclass(frozen=True)
class NoticePlan:
    send_now: list[int]  # officials to message about this request right away
    held: list[int]  # officials who already had NOTICE_BURST messages in the window: grouped later


async def plan_notices(services: Services, request: InterestRequestView, now: dt.datetime) -> NoticePlan:
    send_now: list[int] = []
    held: list[int] = []
    for official_id in await services.officials.officials_for(request.desa_code):
        burst = await services.officials.notices_since(official_id, now - NOTICE_WINDOW) >= NOTICE_BURST
        await services.officials.add_notice(official_id, request.id, now, sent=not burst)
        (held if burst else send_now).append(official_id)
    return NoticePlan(send_now, held)


async def due_digests(services: Services, now: dt.datetime) -> dict[int, list[InterestRequestView]]:
    """Held notices whose window has closed: official → the requests still in their area."""
    result: dict[int, list[InterestRequestView]] = {}
    for official_id, pending in (await services.officials.pending_notices()).items():
        if pending[0][1] > now - NOTICE_WINDOW:
            continue
        who = await roles_actor(services, official_id)
        requests = []
        for request_id, _at in pending:
            try:
                requests.append(await open_request(services, who, request_id))
            except AccessDenied:  # revoked meanwhile, or the request was erased
                continue
        await services.officials.mark_notices_sent(official_id, [r for r, _ in pending], now)
        if requests:
            result[official_id] = requests
    return result


async def roles_actor(services: Services, user_id: int) -> Actor:
    return await services.roles.actor(user_id)


async def stale_requests(services: Services, official: OfficialRecord, now: dt.datetime) -> list[InterestRecord]:
    """Requests in the official's area untouched (no action) for STALE_AFTER or longer, oldest first."""
    if not official.area_codes:
        return []
    found = await services.interest.repository.list_for_areas(
        list(official.area_codes), ("new",), limit=200, created_before=now - STALE_AFTER, untouched=True)
    return list(reversed(found))
