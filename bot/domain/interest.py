"""Daftar Minat (interest requests): validation of what the worker types, saving with encryption, and
decrypted views for the worker (/minatsaya) and for officials (follow-up queue, next issues).

Free of Telegram types. Personal fields are encrypted with the vault (AES-GCM bound to table.column);
the NIK is also stored as a keyed hash for duplicate detection.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lokal import parse_phone

from bot.domain.clock import Clock, SystemClock
from bot.domain.i18n import N_, Translator
from bot.domain.markup import escape
from bot.domain.nik import Nik, NikProblem
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupation as find_occupation
from bot.domain.privacy import Vault, mask_nik, mask_phone
from bot.domain.regions import HOME_PROVINCE, Region, kabupaten_in_province, region
from storage.audit import NewAuditEntry
from storage.interest import OPEN_STATUSES, WITHDRAWN, EncryptedFields, InterestRecord, InterestRepository, SaveResult

log = logging.getLogger(__name__)

NAME_MAX = 60
NOTE_MAX = 300
NameProblem = Literal["empty", "too_long", "characters", "too_short"]
PhoneProblem = Literal["invalid", "not_own"]


def clean_name(text: str) -> tuple[str | None, NameProblem | None]:
    """A name as on the KTP: letters (any script), spaces, apostrophes, dots, commas, hyphens."""
    name = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not name:
        return None, "empty"
    if len(name) > NAME_MAX:
        return None, "too_long"
    for ch in name:
        if not (unicodedata.category(ch).startswith(("L", "M")) or ch in " '.,-"):
            return None, "characters"
    if sum(unicodedata.category(ch).startswith("L") for ch in name) < 2:
        return None, "too_short"
    return name, None


def clean_phone(text: str) -> str | None:
    """E.164 (+6281234567890) for a valid Indonesian number, else None."""
    info = parse_phone(unicodedata.normalize("NFKC", text or "").strip())
    return info.e164 if info.valid else None


def clean_note(text: str) -> tuple[str | None, bool]:
    """(note, too_long)."""
    note = unicodedata.normalize("NFKC", text or "").strip()
    note = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", note)
    if len(note) > NOTE_MAX:
        return None, True
    return note or None, False


@dataclass(frozen=True)
class Draft:
    """What the worker has entered so far (kept in the conversation's user_data, which is stored encrypted)."""

    name: str | None = None
    nik: str | None = None
    phone: str | None = None
    desa_code: str | None = None
    occupation: str | None = None
    note: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(**{k: data.get(k) for k in ("name", "nik", "phone", "desa_code", "occupation", "note")})

    def missing(self) -> list[str]:
        return [k for k in ("name", "nik", "phone", "desa_code", "occupation") if not getattr(self, k)]


@dataclass(frozen=True)
class InterestRequestView:
    """A request with its personal fields decrypted: only for the worker themself or a responsible official."""

    id: int
    ref: str
    user_id: int
    name: str
    nik: str
    phone: str
    birth_date: dt.date
    note: str | None
    desa_code: str
    kecamatan_code: str
    kabupaten_code: str
    occupation: str
    language: str
    nik_outside_region: bool
    status: str
    status_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    first_action_at: dt.datetime | None
    worker_changed_at: dt.datetime | None = None  # the worker's last change or withdrawal (/dataku)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_withdrawn(self) -> bool:
        return self.status == WITHDRAWN

    @property
    def nik_kabupaten_code(self) -> str:
        return f"{self.nik[:2]}.{self.nik[2:4]}"


InterestCreatedHook = Callable[[InterestRequestView], Awaitable[None]]


def _ctx(column: str) -> str:
    return f"interest_requests.{column}"


def view(vault: Vault, record: InterestRecord) -> InterestRequestView:
    """Decrypt a stored request (never log the result)."""
    return InterestRequestView(
        id=record.id, ref=record.ref, user_id=record.user_id,
        name=vault.decrypt(record.name_enc, context=_ctx("name")),
        nik=vault.decrypt(record.nik_enc, context=_ctx("nik")),
        phone=vault.decrypt(record.phone_enc, context=_ctx("phone")),
        birth_date=dt.date.fromisoformat(vault.decrypt(record.birth_date_enc, context=_ctx("birth_date"))),
        note=vault.decrypt_optional(record.note_enc, context=_ctx("note")),
        desa_code=record.desa_code, kecamatan_code=record.kecamatan_code, kabupaten_code=record.kabupaten_code,
        occupation=record.occupation, language=record.language, nik_outside_region=record.nik_outside_region,
        status=record.status, status_reason=record.status_reason if record.status_reason_enc is None else
        vault.decrypt(record.status_reason_enc, context=_ctx("status_reason")), created_at=record.created_at,
        updated_at=record.updated_at, first_action_at=record.first_action_at,
        worker_changed_at=record.worker_changed_at,
    )


def nik_outside(nik: str, desa_code: str) -> bool:
    """True when the NIK was issued in another kabupaten/kota than the chosen desa's."""
    return nik[:4] != desa_code.replace(".", "")[:4]


EditField = Literal["name", "nik", "phone", "desa", "occupation", "note"]  # what /dataku ✏️ can change
EDIT_FIELDS: tuple[EditField, ...] = ("name", "nik", "phone", "desa", "occupation", "note")
EditOutcome = Literal["saved", "closed", "duplicate"]
NAME_SHOWN = 30  # /dataku shows the worker's own name, cut to this many characters
# The request's status in the worker's words (/dataku).
WORKER_STATUS: dict[str, str] = {
    "new": N_("waiting for the desa"),
    "contacted": N_("the desa has contacted you"),
    "registered": N_("registered"),
    "not_eligible": N_("not eligible"),
    "unreachable": N_("the desa could not reach you"),
    "withdrawn": N_("withdrawn by you"),
}


@dataclass(frozen=True)
class Edited:
    """The outcome of a worker's change: "saved"; "closed" (no longer open, or not theirs: nothing changed);
    "duplicate" (the new NIK is already in another open request of theirs: nothing changed)."""

    outcome: EditOutcome
    request: InterestRequestView | None  # as it is now (None: not theirs, or gone)


class InvalidDraft(ValueError):
    """The draft is incomplete or a field no longer checks out (e.g. edited by hand)."""


@dataclass(frozen=True)
class Submitted:
    request: InterestRequestView
    updated: bool


class InterestService:
    """Saves a complete draft and notifies subscribers (e.g. officials of that desa, issue 6); the worker's own
    requests (/minatsaya, /dataku, /hapusdata). The desa picker starts from the kabupaten/kota of
    `home_province` (configuration, not a code in the handlers)."""

    def __init__(
        self, repository: InterestRepository, vault: Vault, *,
        clock: Clock | None = None, tz: ZoneInfo | None = None, home_province: str = HOME_PROVINCE,
    ) -> None:
        self.repository = repository
        self.vault = vault
        self.hooks: list[InterestCreatedHook] = []
        self.clock: Clock = clock or SystemClock()
        self.tz = tz or ZoneInfo("Asia/Makassar")
        self.home_province = home_province

    def subscribe(self, hook: InterestCreatedHook) -> None:
        """Call `hook` with every new or updated request. Idempotent: a hook already subscribed (equal, e.g. the
        same function or the same bound method) is not added again, so a restart on the same services is safe."""
        if hook not in self.hooks:
            self.hooks.append(hook)

    def parse_nik(self, text: str) -> Nik:
        """A typed NIK checked against today's date where the worker lives (a region in today's Kemendagri
        list: the officials must find the desa); raises `NikProblem`."""
        return Nik.parse(text, self.clock.now().astimezone(self.tz).date(), known_region=True)

    def kabupaten(self) -> list[Region]:
        """The kabupaten/kota a worker can pick (the home province's)."""
        return kabupaten_in_province(self.home_province)

    def home_kabupaten(self, code: str | None) -> Region | None:
        """The kabupaten/kota with this code when it is one of `kabupaten()`, else None."""
        found = region(code) if code else None
        if found is None or found.level != 2 or found.code[:2] != self.home_province:
            return None
        return found

    async def submit(self, user_id: int, draft: Draft, language: str, now: dt.datetime | None = None) -> Submitted:
        now = now or self.clock.now()
        if draft.missing():
            raise InvalidDraft(f"missing {draft.missing()}")
        assert draft.nik and draft.name and draft.phone and draft.desa_code and draft.occupation
        try:
            nik = Nik.parse(draft.nik, now.astimezone(self.tz).date(), known_region=True)
        except NikProblem as problem:
            raise InvalidDraft("NIK does not check out") from problem
        desa = region(draft.desa_code)
        if desa is None or desa.level != 4:
            raise InvalidDraft("desa does not check out")
        if find_occupation(draft.occupation) is None:
            raise InvalidDraft("unknown occupation")
        v = self.vault
        fields = EncryptedFields(
            nik_hash=v.hash_nik(draft.nik),
            nik_enc=v.encrypt(draft.nik, context=_ctx("nik")),
            name_enc=v.encrypt(draft.name, context=_ctx("name")),
            phone_enc=v.encrypt(draft.phone, context=_ctx("phone")),
            birth_date_enc=v.encrypt(nik.birth_date.isoformat(), context=_ctx("birth_date")),
            note_enc=v.encrypt_optional(draft.note, context=_ctx("note")),
        )
        saved: SaveResult = await self.repository.create_or_update_open(
            user_id=user_id, fields=fields, desa_code=desa.code, kecamatan_code=desa.kecamatan_code or "",
            kabupaten_code=desa.kabupaten_code, occupation=draft.occupation, language=language,
            nik_outside_region=nik_outside(draft.nik, desa.code), now=now,
        )
        request = view(v, saved.record)
        await self._notify(request)
        return Submitted(request, saved.updated)

    async def for_user(self, user_id: int) -> list[InterestRequestView]:
        return [view(self.vault, r) for r in await self.repository.list_for_user(user_id)]

    async def erase(self, user_id: int) -> None:
        """/hapusdata: the worker's requests are deleted (personal data holder)."""
        await self.repository.erase_user(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        """/dataku: the stored values of each request (NIK, phone and birth date masked; names and notes escaped)."""
        lines: list[str] = []
        for r in await self.for_user(user_id):
            lines += ["", *request_lines(r, t)]
        return lines

    # ------------------------------------------------------------------ the worker's corrections (/dataku)

    async def open_requests(self, user_id: int) -> list[InterestRequestView]:
        """The worker's requests they can still change or withdraw (open ones), newest first."""
        return [r for r in await self.for_user(user_id) if r.is_open]

    async def open_request(self, user_id: int, request_id: int) -> InterestRequestView | None:
        """This request when it is the worker's own and still open, else None."""
        record = await self.repository.get(request_id)
        if record is None or record.user_id != user_id or not record.is_open:
            return None
        return view(self.vault, record)

    def _edit_values(self, field: EditField, value: str | None, current: InterestRequestView) -> dict[str, object]:
        """The stored columns for a new value, validated like Daftar Minat and encrypted; raises InvalidDraft."""
        v, text = self.vault, value or ""
        if field == "name":
            name, problem = clean_name(text)
            if problem or name is None:
                raise InvalidDraft("name does not check out")
            return {"name_enc": v.encrypt(name, context=_ctx("name"))}
        if field == "nik":
            try:
                nik = self.parse_nik(text)
            except NikProblem as problem:
                raise InvalidDraft("NIK does not check out") from problem
            return {"nik_hash": v.hash_nik(nik.digits), "nik_enc": v.encrypt(nik.digits, context=_ctx("nik")),
                    "birth_date_enc": v.encrypt(nik.birth_date.isoformat(), context=_ctx("birth_date")),
                    "nik_outside_region": nik_outside(nik.digits, current.desa_code)}
        if field == "phone":
            phone = clean_phone(text)
            if phone is None:
                raise InvalidDraft("phone does not check out")
            return {"phone_enc": v.encrypt(phone, context=_ctx("phone"))}
        if field == "desa":
            desa = region(text)
            if desa is None or desa.level != 4:
                raise InvalidDraft("desa does not check out")
            return {"desa_code": desa.code, "kecamatan_code": desa.kecamatan_code or "",
                    "kabupaten_code": desa.kabupaten_code, "nik_outside_region": nik_outside(current.nik, desa.code)}
        if field == "occupation":
            if find_occupation(text) is None:
                raise InvalidDraft("unknown occupation")
            return {"occupation": text}
        note, too_long = clean_note(text)
        if too_long:
            raise InvalidDraft("note too long")
        return {"note_enc": v.encrypt_optional(note, context=_ctx("note"))}

    async def edit(self, user_id: int, request_id: int, field: EditField, value: str | None) -> Edited:
        """The worker changes one field of their own open request: validated like Daftar Minat (InvalidDraft),
        encrypted like the original, saved with its audit entry in one transaction. A new desa is announced to
        that desa's officials like a new request (the request moves to their queue)."""
        current = await self.open_request(user_id, request_id)
        if current is None:
            return Edited("closed", None)
        values = self._edit_values(field, value, current)
        detail: str = field
        if field == "desa" and values["desa_code"] != current.desa_code:
            detail = f"desa {current.desa_code}→{values['desa_code']}"
        audit = NewAuditEntry(actor_id=user_id, action="worker_edit", target=current.ref, detail=detail,
                              area_code=str(values.get("desa_code", current.desa_code)))
        record, outcome = await self.repository.worker_edit(user_id, request_id, values, self.clock.now(), audit)
        request = view(self.vault, record) if record is not None else None
        if outcome == "saved" and request is not None and request.desa_code != current.desa_code:
            await self._notify(request)
        return Edited("closed" if outcome == "closed" else "duplicate" if outcome == "duplicate" else "saved",
                      request)

    async def withdraw(self, user_id: int, request_id: int) -> Edited:
        """The worker takes back their own open request (status `withdrawn`, audited): it leaves the officials'
        open queue, and a new request can follow later."""
        current = await self.open_request(user_id, request_id)
        if current is None:
            return Edited("closed", None)
        audit = NewAuditEntry(actor_id=user_id, action="withdraw", area_code=current.desa_code, target=current.ref,
                              detail=f"{current.status}→withdrawn")
        record, changed = await self.repository.withdraw(user_id, request_id, self.clock.now(), audit)
        return Edited("saved" if changed else "closed", view(self.vault, record) if record is not None else None)

    async def _notify(self, request: InterestRequestView) -> None:
        for hook in list(self.hooks):
            try:
                await hook(request)
            except Exception:  # a subscriber's failure must not lose the worker's request or change
                log.exception("interest hook %s failed for request %s", getattr(hook, "__qualname__", hook), request.id)


def mask_birth_date(day: dt.date) -> str:
    """15 July 1990 → **/**/1990 (the day and month are the NIK's middle digits: not shown)."""
    return f"**/**/{day.year}"


def request_lines(r: InterestRequestView, t: Translator) -> list[str]:
    """One request's stored values for the worker (HTML): NIK, phone and birth date masked, name cut short."""
    _ = t.gettext
    name = r.name if len(r.name) <= NAME_SHOWN else r.name[: NAME_SHOWN - 1] + "…"
    desa, kecamatan = region(r.desa_code), region(r.kecamatan_code)
    place = ", ".join(found.name for found in (desa, kecamatan) if found is not None) or r.desa_code
    lines = [
        _("<b>Interest request {ref}</b> ({status})").format(
            ref=escape(r.ref), status=_(WORKER_STATUS.get(r.status, r.status))),
        _("Name: {name}").format(name=escape(name)),
        _("NIK: {nik}").format(nik=mask_nik(r.nik)),
        _("Phone: {phone}").format(phone=mask_phone(r.phone)),
        _("Birth date: {date}").format(date=mask_birth_date(r.birth_date)),
        _("Desa: {desa}").format(desa=escape(place)),
        _("Work: {work}").format(work=_(OCCUPATION_LABELS.get(r.occupation, r.occupation))),
        _("Note: {note}").format(note=escape(r.note) if r.note else "–"),
    ]
    if r.worker_changed_at is not None and not r.is_withdrawn:
        lines.append(_("Last changed by you: {date}").format(date=t.date(r.worker_changed_at)))
    return lines
