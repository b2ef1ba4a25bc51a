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
from bot.domain.consent import clean_form_number, paper_consent_record
from bot.domain.i18n import N_, Translator
from bot.domain.markup import escape
from bot.domain.name_match import names_match
from bot.domain.nik import Nik, NikProblem
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupation as find_occupation
from bot.domain.privacy import Vault, mask_nik, mask_phone
from bot.domain.regions import HOME_PROVINCE, Region, desa_of, kabupaten_in_province, kecamatan_of, region
from bot.domain.roles import Actor
from storage.audit import NewAuditEntry
from storage.interest import (
    OPEN_STATUSES,
    WITHDRAWN,
    CrossCheck,
    EncryptedFields,
    InterestRecord,
    InterestRepository,
    SaveResult,
)

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
    user_id: int | None  # None: registered by an official for a worker without Telegram (assisted)
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
    assisted_by: int | None = None  # the official who registered the worker and witnessed the paper consent
    consent_form: str | None = None  # the paper consent form's number
    consent_at: dt.datetime | None = None
    cross: CrossCheck | None = None  # the roster and other accounts about this NIK (officials' card; issue 12)

    @property
    def is_assisted(self) -> bool:
        return self.user_id is None

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
        worker_changed_at=record.worker_changed_at, assisted_by=record.assisted_by, consent_form=record.consent_form,
        consent_at=record.consent_at, cross=record.cross,
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
    "proposed": N_("proposed by the desa to the district"),
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


AssistedOutcome = Literal["created", "duplicate", "outside"]


@dataclass(frozen=True)
class Assisted:
    """An official's registration of a worker without Telegram: "created" (request: the new one); "duplicate" (an
    open request with this NIK exists: request is it when in the official's area, else None); "outside" (the
    desa is not in the official's area)."""

    outcome: AssistedOutcome
    request: InterestRequestView | None


@dataclass(frozen=True)
class NotifyTarget:
    """Whom to message about a request (a decision, "you are now protected" after a roster import)."""

    user_id: int
    is_worker: bool  # False: the official who registered a worker without Telegram (assisted registration)


def notify_target(request: InterestRequestView | InterestRecord) -> NotifyTarget | None:
    """The worker (their own request), or for an assisted request the official who registered it (the worker has
    no Telegram: the official tells them in person); None when neither exists."""
    if request.user_id is not None:
        return NotifyTarget(request.user_id, True)
    if request.assisted_by is not None:
        return NotifyTarget(request.assisted_by, False)
    return None


class InvalidDraft(ValueError):
    """The draft is incomplete or a field no longer checks out (e.g. edited by hand)."""


class AlreadyProtected(Exception):
    """The NIK is on the district roster and covered (now or from a later day): no request is filed. Nothing more
    is said (a NIK typed is no proof of identity: the details are for the status check's second factor)."""


RosterStanding = Literal["covered", "ended", "none"]


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

    async def roster_standing(self, nik: str, name: str) -> RosterStanding:
        """Daftar Minat checks the roster first (issue 12): "covered" (listed, not ended, `berakhir` today or
        later, AND the name typed matches the roster's: a NIK alone reveals nothing, as in the status check),
        "ended" (was listed: the request is filed and the card says when it ended), or "none" (not listed, or
        listed under another name: the request is filed and the official's card shows the roster entry)."""
        entry = await self.repository.roster_entry(self.vault.nik_hashes(nik))
        if entry is None:
            return "none"
        _mulai, berakhir, removed_on, nama_enc = entry
        today = self.clock.now().astimezone(self.tz).date()
        if removed_on is not None or berakhir < today:
            return "ended"
        stored = self.vault.decrypt(nama_enc, context="roster_members.nama")
        return "covered" if names_match(name, stored) else "none"

    async def submit(self, user_id: int, draft: Draft, language: str, now: dt.datetime | None = None) -> Submitted:
        """Save the worker's request (InvalidDraft when it does not check out; AlreadyProtected, nothing saved,
        when the roster already covers the NIK)."""
        now = now or self.clock.now()
        if draft.missing():
            raise InvalidDraft(f"missing {draft.missing()}")
        assert draft.nik and draft.name and draft.phone and draft.desa_code and draft.occupation
        if await self.roster_standing(draft.nik, draft.name) == "covered":
            raise AlreadyProtected
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

    # ------------------------------------------------------------------ assisted registration (issue 12)

    def assisted_areas(self, actor: Actor) -> list[Region]:
        """Where an official may register a worker without Telegram: their own areas (admins: every kabupaten/kota
        of the home province), the first level of the desa picker."""
        if actor.is_admin:
            return self.kabupaten()
        if not actor.is_staff:
            return []
        return sorted((found for code in actor.areas if (found := region(code)) is not None), key=lambda r: r.code)

    def assisted_children(self, actor: Actor, code: str) -> list[Region] | None:
        """The kecamatan or desa inside `code` for the picker; None when `code` is not the actor's to browse."""
        found = region(code)
        if found is None or found.level not in (2, 3) or not self._may_register(actor, found.code):
            return None
        return kecamatan_of(found.code) if found.level == 2 else desa_of(found.code)

    def may_register_in(self, actor: Actor, desa_code: str) -> bool:
        """An official registers workers of their own area only; admins anywhere in the home province."""
        found = region(desa_code)
        return found is not None and found.level == 4 and self._may_register(actor, found.code)

    def _may_register(self, actor: Actor, code: str) -> bool:
        if actor.is_admin:
            return code[:2] == self.home_province
        return actor.is_staff and actor.can_access(code)

    async def open_duplicate(self, actor: Actor, nik: str) -> tuple[bool, InterestRequestView | None]:
        """(an open request with this NIK exists, that request when it is in the actor's area, else None: its
        reference and details stay with the officials of its own area)."""
        record = await self.repository.open_with_nik(self.vault.nik_hashes(nik))
        if record is None:
            return False, None
        return True, view(self.vault, record) if actor.can_access(record.desa_code) else None

    async def submit_assisted(self, actor: Actor, draft: Draft, form_number: str, language: str) -> Assisted:
        """An official registers a worker who has no Telegram (at the balai desa), after the worker signed the paper
        consent form `form_number` in front of them: validated like Daftar Minat (InvalidDraft), encrypted like a
        worker's request, owned by nobody on Telegram (user_id None), audited ("assisted_registration", the paper
        consent in its detail). Refused ("outside") outside the official's area; "duplicate" when an open request
        with this NIK exists (nothing written)."""
        now = self.clock.now()
        form = clean_form_number(form_number)
        if draft.missing() or form is None:
            raise InvalidDraft(f"missing {draft.missing() or ['consent_form']}")
        assert draft.nik and draft.name and draft.phone and draft.desa_code and draft.occupation
        if not self.may_register_in(actor, draft.desa_code):
            return Assisted("outside", None)
        fields, desa, _nik = self._sealed(draft, now)
        audit = NewAuditEntry(actor_id=actor.user_id, action="assisted_registration", area_code=desa.code,
                              detail=paper_consent_record(actor.user_id, form))
        record, created = await self.repository.create_assisted(
            fields=fields, desa_code=desa.code, kecamatan_code=desa.kecamatan_code or "",
            kabupaten_code=desa.kabupaten_code, occupation=draft.occupation, language=language,
            nik_outside_region=nik_outside(draft.nik, desa.code), assisted_by=actor.user_id, consent_form=form,
            now=now, audit=audit)
        if not created:
            return Assisted("duplicate", view(self.vault, record) if actor.can_access(record.desa_code) else None)
        request = view(self.vault, record)
        await self._notify(request)  # the other officials of the desa hear of it like of any new request
        return Assisted("created", request)

    def _sealed(self, draft: Draft, now: dt.datetime) -> tuple[EncryptedFields, Region, Nik]:
        """The draft's fields checked (InvalidDraft) and encrypted, its desa and its parsed NIK."""
        assert draft.nik and draft.name and draft.phone and draft.desa_code and draft.occupation
        try:
            nik = Nik.parse(draft.nik, now.astimezone(self.tz).date(), known_region=True)
        except NikProblem as problem:
            raise InvalidDraft("NIK does not check out") from problem
        name, _problem = clean_name(draft.name)
        desa = region(draft.desa_code)
        if desa is None or desa.level != 4 or name is None or clean_phone(draft.phone) != draft.phone:
            raise InvalidDraft("name, phone or desa does not check out")
        if find_occupation(draft.occupation) is None:
            raise InvalidDraft("unknown occupation")
        v = self.vault
        return EncryptedFields(
            nik_hash=v.hash_nik(nik.digits), nik_enc=v.encrypt(nik.digits, context=_ctx("nik")),
            name_enc=v.encrypt(name, context=_ctx("name")), phone_enc=v.encrypt(draft.phone, context=_ctx("phone")),
            birth_date_enc=v.encrypt(nik.birth_date.isoformat(), context=_ctx("birth_date")),
            note_enc=v.encrypt_optional(draft.note, context=_ctx("note")),
        ), desa, nik

    async def erase_assisted(self, actor: Actor, request_id: int) -> InterestRequestView | None:
        """The worker asked (at the desa) to erase the data an official registered for them: the request and the
        notes about it are deleted, audited ("assisted_erase"). Only an assisted request in the actor's area;
        returns what was erased (for the reply), None when nothing was."""
        record = await self.repository.get(request_id)
        if record is None or record.user_id is not None or not actor.is_staff or \
                not actor.can_access(record.desa_code):
            return None
        audit = NewAuditEntry(actor_id=actor.user_id, action="assisted_erase", area_code=record.desa_code,
                              target=record.ref, detail="on the worker's request")
        erased = await self.repository.erase_assisted(record.id, self.clock.now(), audit)
        return view(self.vault, record) if erased else None

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
