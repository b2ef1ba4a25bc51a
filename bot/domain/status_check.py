"""Cek Status Perlindungan: look a worker up in the district roster by NIK + a second factor (`StatusService`).

The second factor is what the roster knows and the NIK does not say (digits 7–12 of a NIK *are* the birth
date, so a birth date proves nothing): the name as on the KTP (`bot/domain/name_match.py`: the first name or the
full name, titles and small spelling differences tolerated) or the last 4 digits of the KPJ card, where the
roster has one. The name is kept encrypted and compared in memory only.

Anti-enumeration: an unknown NIK, a wrong second factor and a locked NIK give the same answer (`not_found`);
every check uses one of the user's daily quota (STATUS_CHECKS_PER_DAY, counted per local day); after
NIK_FAILURES_PER_DAY answers that found nothing for one NIK in a local day — from any users — that NIK answers
`not_found` to everyone until the next day (the counter is keyed by a keyed hash of the NIK, never the NIK).
Only the outcome of a check is recorded. Rendering takes a Translator (no Telegram types here).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass
from typing import Literal

from bot.domain.clock import Clock
from bot.domain.contributions import load_table, quote
from bot.domain.dates import parse_birth_date
from bot.domain.i18n import N_, Translator
from bot.domain.name_match import looks_like_name, names_match, only_common_words
from bot.domain.nik import Nik
from bot.domain.privacy import Vault, mask_kpj
from storage.roster import MemberRecord, RosterRepository
from storage.status_checks import StatusCheckRepository

QUOTA_KEPT_DAYS = 2  # the daily quota rows older than this are purged (by the daily job)
NIK_FAILURES_PER_DAY = 3  # answers that found nothing for one NIK (any users) before it is locked for the day
KPJ_DIGITS = 4

Outcome = Literal["protected", "inactive", "not_found", "limited"]
AnswerKind = Literal["name", "kpj", "date", "unclear", "common"]

FUNDERS = {
    "APBD": N_("the district government (APBD)"),
    "APBD_PROVINSI": N_("the provincial government (APBD)"),
    "APBN": N_("the central government (APBN)"),
    "CSR": N_("a company (CSR)"),
    "DANA_DESA": N_("the village fund (dana desa)"),
    "MANDIRI": N_("you yourself (mandiri)"),
}
PROGRAMMES = {
    "JKK": N_("JKK (work accident)"),
    "JKM": N_("JKM (death)"),
    "JHT": N_("JHT (old age savings)"),
}
_SPACES = re.compile(r"[\s.\-]+")
_DUMMY_NAME = "Nama Pembanding"  # compared when the NIK is unknown, so that both paths do the same work


@dataclass(frozen=True)
class StatusResult:
    outcome: Outcome
    masked_nik: str
    member_id: int | None = None
    program: str | None = None
    sumber_dana: str | None = None
    mulai: dt.date | None = None
    berakhir: dt.date | None = None
    ended_on: dt.date | None = None  # inactive: the last day covered
    masked_kpj: str | None = None
    remaining: int = 0  # checks left today after this one


@dataclass(frozen=True)
class Answer:
    """The typed second factor: a name, the last 4 digits of a KPJ, or something that is neither (a birth
    date, other digits …: explained without a check, nothing looked up). `common`: a name made only of words
    many names start with (Siti, Muhammad, I Wayan …): worth asking once for the full name."""

    kind: AnswerKind
    value: str = ""


def read_answer(text: str, today: dt.date) -> Answer:
    """What the worker typed at the second-factor step (only the form: nothing is looked up)."""
    compact = _SPACES.sub("", text.strip())
    if len(compact) == KPJ_DIGITS and compact.isdigit() and compact.isascii():
        return Answer("kpj", compact)
    if parse_birth_date(text, today) is not None:
        return Answer("date")
    if looks_like_name(text):
        return Answer("common" if only_common_words(text) else "name", text.strip())
    return Answer("unclear")


def second_factor_holds(answer: Answer, name: str, kpj: str | None) -> bool:
    """The typed name matches the roster's, or the 4 digits are the end of the roster's KPJ (if it has one)."""
    if answer.kind == "kpj":
        expected = kpj[-KPJ_DIGITS:] if kpj and len(kpj) >= KPJ_DIGITS else "\x00" * KPJ_DIGITS
        return hmac.compare_digest(expected.encode(), answer.value.encode()) and bool(kpj)
    if answer.kind in ("name", "common"):
        return names_match(answer.value, name)
    return False


class StatusService:
    """Status checks and the daily quota: the one place the quota is taken, counted and recorded."""

    def __init__(self, roster: RosterRepository, repository: StatusCheckRepository, vault: Vault, clock: Clock,
                 per_day: int, tz: dt.tzinfo) -> None:
        self.roster = roster
        self.repository = repository
        self.vault = vault
        self.clock = clock
        self.per_day = per_day
        self.tz = tz

    def today(self) -> dt.date:
        """Today in the district's time zone (WITA by default): the quota's day."""
        return self.clock.now().astimezone(self.tz).date()

    def _user_key(self, user_id: int) -> str:
        return self.vault.lookup_hash("status-quota", str(user_id))

    async def _used_under_old_key(self, user_id: int, day: dt.date) -> int:
        """During a key rotation (DATA_KEY_OLD set): today's checks counted under the old key, which rotate-key
        cannot re-key (the Telegram id behind the hash is not kept). 0 without a rotation, with no query."""
        return sum([await self.repository.used(key, day)
                    for key in self.vault.lookup_hashes("status-quota", str(user_id))[1:]])

    async def remaining(self, user_id: int) -> int:
        today = self.today()
        used = await self.repository.used(self._user_key(user_id), today) + await self._used_under_old_key(
            user_id, today)
        return max(self.per_day - used, 0)

    async def begin(self, user_id: int) -> int:
        """Checks left today, before asking for a NIK; none left is recorded as a `limited` check."""
        left = await self.remaining(user_id)
        if left == 0:
            await self.repository.record(user_id, "limited", self.clock.now())
        return left

    def _nik_key(self, nik: Nik) -> str:
        return self.vault.lookup_hash("status-nik", nik.digits)

    async def _failures_under_old_key(self, nik: Nik, day: dt.date) -> int:
        """As `_used_under_old_key`, for the NIK's failed attempts today."""
        return sum([await self.repository.nik_failures(key, day)
                    for key in self.vault.lookup_hashes("status-nik", nik.digits)[1:]])

    async def lookup(self, nik: Nik, answer: Answer) -> MemberRecord | None:
        """The roster entry when the NIK is listed and the second factor holds; None otherwise
        (indistinguishably: an unknown NIK is compared against a stand-in, the same work)."""
        member = await self.roster.find_by_nik_hash(self.vault.nik_hashes(nik.digits))
        if member is None:
            second_factor_holds(answer, _DUMMY_NAME, None)
            return None
        name = self.vault.decrypt(member.nama_enc, context="roster_members.nama")
        kpj = self.vault.decrypt_optional(member.kpj_enc, context="roster_members.kpj")
        return member if second_factor_holds(answer, name, kpj) else None

    async def check(self, user_id: int, nik: Nik, answer: Answer) -> StatusResult:
        """One check: takes one of today's quota (or answers `limited`), then one of the NIK's attempts for today
        (none left: `not_found`, whatever the answer); records only the outcome. An attempt that finds the
        person is given back to the NIK."""
        now, today = self.clock.now(), self.today()
        quota = self.per_day - await self._used_under_old_key(user_id, today)
        if quota <= 0 or not await self.repository.take_quota(self._user_key(user_id), today, quota):
            await self.repository.record(user_id, "limited", now)
            return StatusResult("limited", nik.masked)
        remaining = await self.remaining(user_id)
        nik_key = self._nik_key(nik)
        allowed = await self.repository.take_nik_attempt(
            nik_key, today, NIK_FAILURES_PER_DAY - await self._failures_under_old_key(nik, today))
        member = await self.lookup(nik, answer) if allowed else None
        if member is None:
            await self.repository.record(user_id, "not_found", now)
            return StatusResult("not_found", nik.masked, remaining=remaining)
        await self.repository.give_back_nik_attempt(nik_key, today)
        result = self._found(member, nik, remaining)
        await self.repository.record(user_id, result.outcome, now)
        return result

    async def locked_today(self) -> int:
        """How many NIKs answer `not_found` to everyone for the rest of today (too many answers found nothing)."""
        return await self.repository.locked_niks(self.today(), NIK_FAILURES_PER_DAY)

    def _found(self, member: MemberRecord, nik: Nik, remaining: int) -> StatusResult:
        today = self.today()
        kpj = self.vault.decrypt_optional(member.kpj_enc, context="roster_members.kpj")
        ended = member.berakhir if member.removed_on is None else min(member.berakhir, member.removed_on)
        active = member.removed_on is None and member.mulai <= today <= member.berakhir
        return StatusResult(
            "protected" if active else "inactive", nik.masked, member_id=member.id, program=member.program,
            sumber_dana=member.sumber_dana, mulai=member.mulai, berakhir=member.berakhir,
            ended_on=None if active else ended, masked_kpj=mask_kpj(kpj) if kpj else None, remaining=remaining,
        )

    async def purge_quota(self) -> None:
        """Forget the quotas and NIK locks of past days (the daily job): only today's (and yesterday's) count."""
        await self.repository.purge_quota(self.today() - dt.timedelta(days=QUOTA_KEPT_DAYS))

    # PersonalDataHolder
    async def erase(self, user_id: int) -> None:
        """Keep the outcome counts for the statistics, drop the link to the user (the quota stays: it is keyed
        by a hash, so erasing does not reset the anti-enumeration limit)."""
        await self.repository.anonymize(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        count = await self.repository.count_for_user(user_id)
        if not count:
            return []
        return [t.ngettext("Protection checks: {n} (only the result is kept, never your NIK)",
                           "Protection checks: {n} (only the results are kept, never your NIK)",
                           count).format(n=count)]


def programme_names(program: str, t: Translator) -> str:
    return " + ".join(t.gettext(PROGRAMMES.get(p, p)) for p in program.split("+"))


def funder_name(code: str, t: Translator) -> str:
    return t.gettext(FUNDERS[code]) if code in FUNDERS else code.replace("_", " ")


def pays_nothing(funder: str, t: Translator) -> list[str]:
    """A member the Pemda (APBD) or the state (APBN) pays for pays nothing: the budget pays the full fee
    (content/contributions.toml [[discount_exclusions]]: PP 50/2025 Pasal 3)."""
    if load_table().exclusion_for_funder(funder) is None:
        return []
    return [t.gettext("💚 <b>You pay nothing</b> for this protection: the full fee is paid for you.")]


def render_result(result: StatusResult, t: Translator, today: dt.date) -> str:
    """The answer for a worker, short enough for a phone screen."""
    _ = t.gettext
    if result.outcome == "limited":
        return _("You have used all your checks for today. 🙏 Please try again tomorrow.\n\n"
                 "You can also check in the <b>JMO</b> app or call <b>175</b>.")
    if result.outcome == "not_found":
        return "\n".join([
            _("🔍 <b>Not found</b> (NIK {nik})").format(nik=result.masked_nik),
            "",
            _("I cannot confirm your protection from the district list. This does not always mean you are "
              "not registered: check the NIK and your name (as on the KTP) or the KPJ digits, or ask an official "
              "channel:"),
            _("• the <b>JMO</b> app (Jamsostek Mobile)"),
            _("• call <b>175</b>"),
            _("• a BPJS Ketenagakerjaan <b>Kantor Cabang</b>"),
            "",
            _("You can also see if you may be covered by your district, or sign up your interest."),
        ])
    assert result.program and result.sumber_dana and result.mulai and result.berakhir
    kpj = [_("KPJ card: {kpj}").format(kpj=result.masked_kpj)] if result.masked_kpj else []
    if result.outcome == "protected":
        days = (result.berakhir - today).days
        return "\n".join([
            _("✅ <b>Protected</b> (NIK {nik})").format(nik=result.masked_nik),
            "",
            _("Programmes: {programmes}").format(programmes=programme_names(result.program, t)),
            _("Paid by: {funder}").format(funder=funder_name(result.sumber_dana, t)),
            *pays_nothing(result.sumber_dana, t),
            _("From {start} to {end}").format(start=t.date(result.mulai), end=t.date(result.berakhir)),
            t.ngettext("({days} day left)", "({days} days left)", days).format(days=t.number(days)),
            *kpj,
            "",
            _("<b>Accident at work</b> (also on the way): go to the nearest hospital or clinic that works with "
              "BPJS Ketenagakerjaan and report it within 2 × 24 hours."),
            _("<b>Death</b>: the family can claim JKM at a Kantor Cabang."),
        ])
    ended = result.ended_on or result.berakhir
    amount = quote(0, "other", today)
    if result.mulai > today and ended == result.berakhir:
        head = _("⏳ <b>Not active yet</b> (NIK {nik})").format(nik=result.masked_nik)
        when = _("Your protection starts on {start}.").format(start=t.date(result.mulai))
        return "\n".join([head, "", when, *kpj])
    lines = [
        _("⚠️ <b>Not active</b> (NIK {nik})").format(nik=result.masked_nik),
        "",
        _("Your protection ended on {end}.").format(end=t.date(ended)),
        *kpj,
        "",
        _("What you can do:"),
        _("• ask your desa office whether you are on the new list;"),
        _("• or continue yourself as a BPU mandiri participant: {amount} per month for JKK + JKM today.").format(
            amount=t.money(amount.basic_total)),
    ]
    if amount.discounted:
        lines.append(_("(normally {amount}; reduced until {until})").format(
            amount=t.money(amount.jkk_full + amount.jkm_full),
            until=t.date(amount.discount.valid_until) if amount.discount else ""))
    return "\n".join(lines)
