"""The officials' follow-up queue: requests in their area, status changes (audited) that reach the worker,
notices about new requests (grouped when many arrive), and the daily digest of untouched requests.

Free of Telegram types: handlers render and send; `FollowupService` decides and records. A status change or a
note commits with its audit entry in one transaction, and a button press reads the request once (and decrypts
it once). The notes officials write about a worker are erased with the worker by `OfficialsService.erase`.

A decision the worker is to hear about is sent first and committed after: when Telegram cannot take the
message just now (`WorkerUnreachable`), nothing changes and the official is asked to try again, so a status is
never changed while its worker stays unaware (a worker who blocked the bot can never be told: the decision
stands). Typed reasons are encrypted like the notes; everything typed is HTML-escaped (`bot.domain.markup`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, get_args

from babel.dates import format_timedelta

from bot.domain.audit import AuditService
from bot.domain.contributions import quote
from bot.domain.i18n import N_, Translator, resolve_language, translator
from bot.domain.interest import InterestRequestView, view
from bot.domain.markup import escape
from bot.domain.name_match import names_match
from bot.domain.occupations import occupation
from bot.domain.privacy import Vault
from bot.domain.regions import region
from bot.domain.roles import Actor, RoleService
from bot.domain.routing import GapDigest, Responsible, Router, uncovered
from bot.domain.users import UserService
from storage.audit import NewAuditEntry
from storage.interest import (
    OPEN_STATUSES,
    PRESET_PREFIX,
    PROPOSED,
    WITHDRAWN,
    InterestRecord,
    InterestRepository,
    normalize_ref,
)
from storage.officials import NoteRecord, OfficialRecord, OfficialRepository
from storage.routing import WaitingRepository

if TYPE_CHECKING:
    from bot.domain.clock import Clock
    from bot.domain.services import Config

log = logging.getLogger(__name__)
PAGE_SIZE = 6
NOTICE_WINDOW = dt.timedelta(minutes=10)
NOTICE_BURST = 5  # more than this many within the window → one grouped digest
STALE_AFTER = dt.timedelta(days=3)
NOTE_MAX = 300
REASON_MAX = 200
NOTE_CONTEXT = "followup_notes.text"
REASON_CONTEXT = "interest_requests.status_reason"  # as bot.domain.interest.view decrypts it
SEAL_BATCH = 500
SEARCH_LIMIT = 30  # requests a search returns (the selection list shows them all)
SEARCH_SCAN = 5000  # open requests of the area decrypted in memory for a name / NIK search
BULK_MAX = 30  # requests changed together
DECIDED = ("registered", "not_eligible", WITHDRAWN)  # a bulk change leaves these alone

FilterId = Literal["open", "new", "contacted", "proposed", "unreachable", "registered", "not_eligible", "all"]
# set with one button (registered: confirmed first)
ButtonStatus = Literal["contacted", "proposed", "registered", "unreachable"]
RefusalCode = Literal["member", "region", "work", "age", "quota"]
BulkStatus = Literal["contacted", "proposed", "unreachable"]  # what a selection of requests can be set to
SearchKind = Literal["ref", "nik", "name"]

# Queue filters: (id, statuses, label). "open" is the default view.
FILTERS: dict[FilterId, tuple[tuple[str, ...] | None, str]] = {
    "open": (OPEN_STATUSES, N_("Open")),
    "new": (("new",), N_("New")),
    "contacted": (("contacted",), N_("Contacted")),
    "proposed": ((PROPOSED,), N_("Proposed")),
    "unreachable": (("unreachable",), N_("Unreachable")),
    "registered": (("registered",), N_("Registered")),
    "not_eligible": (("not_eligible",), N_("Not eligible")),
    "all": (None, N_("All")),
}

STATUS_LABELS: dict[str, str] = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "proposed": N_("Proposed to the district"),
    "registered": N_("Registered"),
    "not_eligible": N_("Not eligible"),
    "unreachable": N_("Unreachable"),
    "withdrawn": N_("Withdrawn by the worker"),
}
STATUS_ICONS = {"new": "🆕", "contacted": "📞", "proposed": "📤", "registered": "✅", "not_eligible": "⛔",
                "unreachable": "📵", "withdrawn": "↩️"}

# Preset reasons for "not eligible" (stored as "reason:<id>", translated for each reader).
REFUSAL_REASONS: dict[RefusalCode, str] = {
    "member": N_("Already a BPJS Ketenagakerjaan participant"),
    "region": N_("The NIK is from another district"),
    "work": N_("This work is not covered by the district programme"),
    "age": N_("Age is outside the programme's limit"),
    "quota": N_("The district's quota for this year is full"),
}
assert set(REFUSAL_REASONS) == set(get_args(RefusalCode)) and set(FILTERS) == set(get_args(FilterId))


class AccessDenied(LookupError):
    """Not found or not in the actor's area (the same answer for both: existence is not revealed)."""


class WorkerUnreachable(RuntimeError):
    """The worker could not be told about a decision just now (Telegram down, busy or refusing the message):
    the decision was not saved."""


def search_kind(text: str) -> SearchKind | None:
    """What a typed search looks for: a reference (`JK-7F3Q2`, `#7F3Q2`), the NIK's last 4 digits (`0001`,
    `*0001`), or a name (2 letters or more); None for anything else."""
    cleaned = text.strip()
    if re.fullmatch(r"(?i)#?\s*(jk)?[\s-]*[2-9a-z]{5}", cleaned) and (cleaned.startswith("#") or
                                                                   cleaned.upper().startswith("JK")):
        return "ref"
    if re.fullmatch(r"[*.…x\s]*\d{4}", cleaned, flags=re.IGNORECASE):
        return "nik"
    return "name" if sum(ch.isalpha() for ch in cleaned) >= 2 else None


def _plain(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z]+", " ", ascii_).split())


def name_found(query: str, name: str) -> bool:
    """A typed name matches a stored one: the tolerant matcher (titles, spellings, the first name) or a plain
    substring ("aminah" finds "Siti Aminah")."""
    typed = _plain(query)
    return bool(typed) and (typed in _plain(name) or names_match(query, name))


def status_label(t: Translator, status: str) -> str:
    return t.gettext(STATUS_LABELS.get(status, status))


def is_preset(reason: str | None) -> bool:
    """One of REFUSAL_REASONS' codes (stored in clear), not a typed reason (stored encrypted)."""
    return reason is not None and reason.startswith(PRESET_PREFIX) and reason[len(PRESET_PREFIX):] in REFUSAL_REASONS


def reason_text(t: Translator, reason: str | None) -> str | None:
    """The reason as the reader sees it (a preset translated; a typed one as typed: escape it for HTML)."""
    if not reason:
        return None
    preset = next((label for code, label in REFUSAL_REASONS.items() if reason == f"{PRESET_PREFIX}{code}"), None)
    return t.gettext(preset) if preset else reason


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


def worker_update(t: Translator, request: InterestRequestView, day: dt.date) -> str | None:
    """What the worker hears when their request is decided (None for intermediate statuses)."""
    _ = t.gettext
    if request.status == PROPOSED:
        return "\n".join([
            _("📤 About your request {ref}:").format(ref=escape(request.ref)),
            _("The desa has put your name on its proposal list (usulan) to the district for BPJS "
              "Ketenagakerjaan. You will get a message when the district has registered you."),
        ])
    if request.status == "registered":
        return "\n".join([
            _("🎉 <b>Good news!</b>"),
            _("Your request {ref} is done: the desa officials have registered you for BPJS Ketenagakerjaan "
              "(work accident and death cover).").format(ref=escape(request.ref)),
            _("You can check your membership in the JMO app or at Contact Center 175."),
        ])
    if request.status == "not_eligible":
        lines = [
            _("About your request {ref}:").format(ref=escape(request.ref)),
            _("The desa officials could not register you in the district programme."),
        ]
        reason = reason_text(t, request.status_reason)
        if reason:
            lines.append(_("Reason: {reason}").format(reason=escape(reason)))
        found = occupation(request.occupation)
        sector = found.sector if found else "other"
        lowest = quote(0, sector, day)
        lines += ["", _("You can still protect yourself: join on your own (BPU, mandiri) for JKK + JKM from "
                        "{amount} a month.").format(amount=t.money(lowest.basic_total))]
        return "\n".join(lines)
    return None


@dataclass(frozen=True)
class QueuePage:
    items: list[InterestRequestView]
    total: int
    page: int
    pages: int
    filter_id: FilterId


@dataclass(frozen=True)
class Card:
    """A request as an official sees it, with the officials' notes (oldest first)."""

    request: InterestRequestView
    notes: list[tuple[dt.datetime, str]]


@dataclass(frozen=True)
class StatusChange:
    card: Card
    changed: bool  # False: the request already had this status (nothing written, nobody told)


@dataclass(frozen=True)
class BulkResult:
    """A status change on several requests: the references changed; how many were left alone (already decided,
    already this status, or not in the area); how many failed for now (the worker could not be told)."""

    changed: list[str]
    skipped: int
    failed: int


@dataclass(frozen=True)
class NoticeDigest:
    """Held notices of one official whose window has closed: the requests still in their area."""

    official_id: int
    language: str
    requests: list[InterestRequestView]


@dataclass(frozen=True)
class StaleRequest:
    ref: str
    desa_code: str
    created_at: dt.datetime


@dataclass(frozen=True)
class StaleDigest:
    """One official's requests untouched for STALE_AFTER or longer, oldest first."""

    official_id: int
    language: str
    requests: list[StaleRequest]


class NoticeSender(Protocol):
    """Tells one official about a new request, and a worker about a decision (the Telegram side renders and
    sends them)."""

    async def new_request(self, official_id: int, language: str, request: InterestRequestView) -> None: ...

    async def tell_worker(self, user_id: int, text: str) -> bool:
        """True: sent; False: the worker can never be told (blocked the bot, account gone). Raises
        WorkerUnreachable when sending failed and may work later."""
        ...


def _scope(actor: Actor) -> list[str] | None:
    return None if actor.is_admin else list(actor.areas)


def _same_fields(a: InterestRecord, b: InterestRecord) -> bool:
    return (a.nik_enc, a.name_enc, a.phone_enc, a.birth_date_enc, a.note_enc) == \
        (b.nik_enc, b.name_enc, b.phone_enc, b.birth_date_enc, b.note_enc)


class FollowupService:
    """The follow-up queue for officials (their area only; admins everywhere) and the notices about it."""

    def __init__(
        self, requests: InterestRepository, officials: OfficialRepository, audit: AuditService,
        roles: RoleService, users: UserService, vault: Vault, clock: Clock, config: Config,
        waiting: WaitingRepository | None = None,
    ) -> None:
        self.requests = requests
        self.officials = officials
        self.router = Router(officials, roles.admin_ids)  # who follows up a desa (issue 12: no orphaned request)
        self.waiting = waiting
        self.audit = audit
        self.roles = roles
        self.users = users
        self.vault = vault
        self.clock = clock
        self.config = config
        self.sender: NoticeSender | None = None

    # ------------------------------------------------------------------ the queue and the card

    async def queue(self, actor: Actor, filter_id: FilterId, page: int) -> QueuePage:
        if not actor.is_staff:
            raise AccessDenied("not an official")
        statuses, _label = FILTERS[filter_id]
        total = await self.requests.count_for_areas(_scope(actor), statuses)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        records = await self.requests.list_for_areas(_scope(actor), statuses, limit=PAGE_SIZE,
                                                     offset=page * PAGE_SIZE)
        return QueuePage([view(self.vault, r) for r in records], total, page, pages, filter_id)

    def _check(self, actor: Actor, record: InterestRecord | None, request_id: int) -> InterestRecord:
        if record is None or not actor.is_staff or not actor.can_access(record.desa_code):
            raise AccessDenied(f"request {request_id}")
        return record

    async def _load(self, actor: Actor, request_id: int) -> tuple[InterestRecord, list[NoteRecord]]:
        """The request and its notes, on one connection; AccessDenied when missing or outside the area."""
        found = await self.requests.get_with_notes(request_id) if actor.is_staff else None
        record = self._check(actor, found[0] if found else None, request_id)
        return record, found[1] if found else []

    def _notes(self, notes: list[NoteRecord]) -> list[tuple[dt.datetime, str]]:
        return [(n.created_at, self.vault.decrypt(n.text_enc, context=NOTE_CONTEXT)) for n in notes]

    async def request(self, actor: Actor, request_id: int) -> InterestRequestView:
        """The request alone (no notes): for prompts that show only its reference and name."""
        record = await self.requests.get(request_id) if actor.is_staff else None
        return view(self.vault, self._check(actor, record, request_id))

    async def card(self, actor: Actor, request_id: int) -> Card:
        record, notes = await self._load(actor, request_id)
        return Card(view(self.vault, record), self._notes(notes))

    async def reveal_nik(self, actor: Actor, request_id: int) -> Card:
        """The card, to be shown with the full NIK: the reveal is recorded in the audit log."""
        card = await self.card(actor, request_id)
        await self.audit.record(actor_id=actor.user_id, action="nik_view", now=self.clock.now(),
                                area_code=card.request.desa_code, target=card.request.ref)
        return card

    async def notes(self, request_id: int) -> list[tuple[dt.datetime, str]]:
        """The notes about a request, decrypted (whether or not the request itself still exists)."""
        return self._notes(await self.officials.notes(request_id))

    # ------------------------------------------------------------------ decisions and notes

    async def change_status(self, actor: Actor, request_id: int, status: str, reason: str | None) -> StatusChange:
        """One read (request and notes) and, when the status changes, one transaction (status and audit entry).

        A decision the worker hears about (registered, not eligible) is sent to them first: WorkerUnreachable
        (nothing saved) when that fails for now; then the change is committed."""
        record, notes = await self._load(actor, request_id)
        request = view(self.vault, record)
        if (request.status == status and request.status_reason == reason) or request.is_withdrawn:
            return StatusChange(Card(request, self._notes(notes)), False)  # a withdrawn request is the worker's call
        now = self.clock.now()
        await self._tell_worker(dataclasses.replace(request, status=status, status_reason=reason, updated_at=now))
        preset = reason if is_preset(reason) else None
        sealed = None if reason is None or preset else self.vault.encrypt(reason, context=REASON_CONTEXT)
        detail = f"{record.status}→{status}" + (f" ({preset})" if preset else "")
        audit = NewAuditEntry(actor_id=actor.user_id, action="status_change", area_code=record.desa_code,
                              target=record.ref, detail=detail)
        after, changed = await self.requests.change_status(record, status, preset, now, audit, reason_enc=sealed)
        if not changed:
            log.warning("request %s was decided by someone else while its worker was being told", record.id)
        if changed and _same_fields(record, after):  # the usual case: no need to decrypt the same fields again
            request = dataclasses.replace(request, status=after.status, status_reason=reason,
                                          updated_at=after.updated_at, first_action_at=after.first_action_at)
        else:  # someone else decided, or the worker updated their request, meanwhile: show it as it is now
            request = view(self.vault, after)
        return StatusChange(Card(request, self._notes(notes)), changed)

    async def search(self, actor: Actor, text: str) -> list[InterestRequestView]:
        """Requests in the actor's area found by reference (any status), or among the open ones by name or the
        NIK's last 4 digits (decrypted in memory, only the field compared), newest first, at most SEARCH_LIMIT."""
        if not actor.is_staff:
            raise AccessDenied("not an official")
        kind = search_kind(text)
        if kind == "ref":
            record = await self.requests.get_by_ref(normalize_ref(text.replace("#", "")))
            return [view(self.vault, record)] if record and actor.can_access(record.desa_code) else []
        if kind is None:
            return []
        records = await self.requests.list_for_areas(_scope(actor), OPEN_STATUSES, limit=SEARCH_SCAN)
        # ~0.7 s for 5,000 names (the tolerant matcher): in a thread, so the bot keeps answering meanwhile
        return await asyncio.to_thread(self._matching, records, kind, text)

    def _matching(self, records: list[InterestRecord], kind: SearchKind, text: str) -> list[InterestRequestView]:
        if kind == "nik":
            tail = text.strip()[-4:]
            hits = (r for r in records if self.vault.decrypt(r.nik_enc, context="interest_requests.nik")[-4:] == tail)
        else:
            hits = (r for r in records
                    if name_found(text, self.vault.decrypt(r.name_enc, context="interest_requests.name")))
        found = []
        for record in hits:
            found.append(view(self.vault, record))
            if len(found) >= SEARCH_LIMIT:
                break
        return found

    async def selection(self, actor: Actor, request_ids: list[int]) -> list[InterestRequestView]:
        """These requests (those still there and in the actor's area), in the order given: a selection list."""
        if not actor.is_staff:
            raise AccessDenied("not an official")
        records = await self.requests.get_many(request_ids[:BULK_MAX])
        return [view(self.vault, r) for r in records if actor.can_access(r.desa_code)]

    async def first_of_queue(self, actor: Actor, filter_id: FilterId) -> list[InterestRequestView]:
        """The newest BULK_MAX requests of a queue filter (where a selection starts from)."""
        if not actor.is_staff:
            raise AccessDenied("not an official")
        records = await self.requests.list_for_areas(_scope(actor), FILTERS[filter_id][0], limit=BULK_MAX)
        return [view(self.vault, r) for r in records]

    async def change_many(self, actor: Actor, request_ids: list[int], status: BulkStatus) -> BulkResult:
        """The same status for several requests, each through `change_status` (its worker told, its audit
        entry); decided requests are skipped. Marking requests proposed is also recorded as one "proposal"."""
        changed: list[str] = []
        skipped = failed = 0
        for request_id in list(dict.fromkeys(request_ids))[:BULK_MAX]:
            try:
                current = await self.request(actor, request_id)
                if current.status in DECIDED or current.status == status:
                    skipped += 1
                    continue
                change = await self.change_status(actor, request_id, status, None)
            except AccessDenied:
                skipped += 1
                continue
            except WorkerUnreachable:
                failed += 1
                continue
            if change.changed:
                changed.append(change.card.request.ref)
            else:
                skipped += 1
        if status == PROPOSED and changed:
            await self.audit.record(actor_id=actor.user_id, action="proposal", now=self.clock.now(),
                                    detail=f"marked={len(changed)}")
        return BulkResult(changed, skipped, failed)

    async def add_note(self, actor: Actor, request_id: int, text: str) -> Card:
        """Store an encrypted note (with its audit entry, in one transaction); returns the card with it."""
        record, notes = await self._load(actor, request_id)
        now = self.clock.now()
        audit = NewAuditEntry(actor_id=actor.user_id, action="note", area_code=record.desa_code, target=record.ref)
        await self.requests.add_note(record, actor.user_id, self.vault.encrypt(text, context=NOTE_CONTEXT), now,
                                     audit)
        return Card(view(self.vault, record), [*self._notes(notes), (now, text)])

    def worker_update(self, request: InterestRequestView) -> str | None:
        """The message for the worker after a decision, in their language (None: nothing to tell)."""
        t = translator(request.language, self.config.tz)
        return worker_update(t, request, self.clock.now().astimezone(t.tz).date())

    async def _tell_worker(self, decided: InterestRequestView) -> None:
        """Send the worker the message about this decision (if it has one), before it is committed."""
        if decided.user_id is None:  # assisted registration: no worker on Telegram; the official is the one acting
            return
        text = self.worker_update(decided)
        if text is None or self.sender is None:
            return
        if not await self.sender.tell_worker(decided.user_id, text):
            log.info("the worker of request %s cannot be told (blocked the bot); the decision stands", decided.id)

    async def seal_reasons(self) -> int:
        """Encrypt the typed reasons still stored in clear (rows from before migration 0008b); how many."""
        done = 0
        presets = [f"{PRESET_PREFIX}{code}" for code in REFUSAL_REASONS]
        while found := await self.requests.plain_reasons(presets, SEAL_BATCH):
            sealed = await self.requests.seal_reasons(
                [(request_id, text, self.vault.encrypt(text, context=REASON_CONTEXT)) for request_id, text in found])
            done += sealed
            if sealed == 0:  # every row changed meanwhile: they are no longer in clear, or will be looked at again
                break
        return done

    # ------------------------------------------------------------------ notices to officials

    def attach(self, sender: NoticeSender) -> None:
        """Where notices go (the Telegram side attaches itself; without a sender no notice is planned)."""
        self.sender = sender

    async def language_of(self, user_id: int) -> str:
        profile = await self.users.get(user_id)
        return resolve_language(profile.language if profile else None,
                                profile.tg_language_code if profile else None, self.config.default_language)

    async def on_new_request(self, request: InterestRequestView) -> None:
        """Subscribed to new requests: whoever follows the desa up (`bot.domain.routing`: its officials, else
        the kecamatan's, the kabupaten's, else the admins) hears at once, unless they already had NOTICE_BURST
        notices within NOTICE_WINDOW (then it is held for a grouped digest)."""
        sender = self.sender
        if sender is None:
            return
        now = self.clock.now()
        for official_id in (await self.router.responsible(request.desa_code)).people:
            burst = await self.officials.notices_since(official_id, now - NOTICE_WINDOW) >= NOTICE_BURST
            await self.officials.add_notice(official_id, request.id, now, sent=not burst)
            if not burst:
                await sender.new_request(official_id, await self.language_of(official_id), request)

    async def due_digests(self) -> list[NoticeDigest]:
        """Held notices whose window has closed, claimed (marked sent) before they are returned: per official, the
        requests still in their area (a notice another process claimed first is not in them)."""
        now = self.clock.now()
        result = []
        for official_id, pending in (await self.officials.pending_notices()).items():
            if pending[0][1] > now - NOTICE_WINDOW:
                continue
            # claimed before they are sent (several processes: each notice in one digest; a crash between the
            # claim and the send loses that digest rather than sending it twice)
            claimed = await self.officials.claim_notices(official_id, [r for r, _ in pending], now)
            if not claimed:
                continue
            who = await self.roles.actor(official_id)
            records = await self.requests.get_many([r for r, _at in pending if r in set(claimed)])
            # revoked meanwhile, or the request was erased: left out
            requests = [view(self.vault, r) for r in records if who.is_staff and who.can_access(r.desa_code)]
            if requests:
                result.append(NoticeDigest(official_id, await self.language_of(official_id), requests))
        return result

    async def stale_requests(self, official: OfficialRecord) -> list[StaleRequest]:
        """Requests in the official's area untouched (no action) for STALE_AFTER or longer, oldest first."""
        if not official.area_codes:
            return []
        found = await self.requests.list_for_areas(
            list(official.area_codes), ("new",), limit=200, created_before=self.clock.now() - STALE_AFTER,
            untouched=True)
        return [StaleRequest(r.ref, r.desa_code, r.created_at) for r in reversed(found)]

    async def daily_digests(self) -> list[StaleDigest]:
        """08:00 WITA: each active official with requests untouched for 3+ days in their area."""
        result = []
        for official in await self.officials.list_active():
            stale = await self.stale_requests(official)
            if stale:
                result.append(StaleDigest(official.user_id, await self.language_of(official.user_id), stale))
        return result

    # ------------------------------------------------------------------ who follows up (issue 12)

    async def who_follows_up(self, desa_code: str) -> Responsible:
        """Whoever a request from this desa reaches (the worker is told honestly)."""
        return await self.router.responsible(desa_code)

    async def gap_digests(self) -> list[GapDigest]:
        """08:00 WITA, for each admin: the desa with waiting requests and no official of their own."""
        if self.waiting is None:
            return []
        active = await self.router.active()
        gaps = uncovered(await self.waiting.by_desa(OPEN_STATUSES), active, self.router.admin_ids)
        if not gaps:
            return []
        return [GapDigest(admin_id, await self.language_of(admin_id), gaps) for admin_id in await self.router.admins()]
