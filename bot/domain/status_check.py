"""Cek Status Perlindungan: look a worker up in the district roster by NIK + birth date (`StatusService`).

Anti-enumeration: an unknown NIK and a wrong birth date give the same answer (`not_found`), every check
uses one of the user's daily quota (STATUS_CHECKS_PER_DAY, counted per local day), and only the outcome is
recorded. Rendering takes a Translator (no Telegram types here).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass
from typing import Literal

from bot.domain.clock import Clock
from bot.domain.contributions import load_table, quote
from bot.domain.i18n import N_, Translator
from bot.domain.nik import Nik
from bot.domain.privacy import Vault, mask_kpj
from bot.domain.roster import parse_date, verify_hash
from storage.roster import MemberRecord, RosterRepository
from storage.status_checks import StatusCheckRepository

QUOTA_KEPT_DAYS = 2  # the daily quota rows older than this are purged (by the daily job)

Outcome = Literal["protected", "inactive", "not_found", "limited"]

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


def parse_birth_date(text: str, today: dt.date) -> dt.date | None:
    """A typed birth date (17-08-1985, 17/08/1985, 17 8 1985, 1985-08-17), not in the future, after 1900."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    born = parse_date(cleaned)
    if born is None or born > today or born.year < 1900:
        return None
    return born


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

    async def remaining(self, user_id: int) -> int:
        used = await self.repository.used(self._user_key(user_id), self.today())
        return max(self.per_day - used, 0)

    async def begin(self, user_id: int) -> int:
        """Checks left today, before asking for a NIK; none left is recorded as a `limited` check."""
        left = await self.remaining(user_id)
        if left == 0:
            await self.repository.record(user_id, "limited", self.clock.now())
        return left

    async def lookup(self, nik: Nik, born: dt.date) -> MemberRecord | None:
        """The roster entry when NIK and birth date both match; None otherwise (indistinguishably)."""
        member = await self.roster.find_by_nik_hash(self.vault.hash_nik(nik.digits))
        expected = verify_hash(self.vault, nik.digits, born)
        stored = member.verify_hash if member is not None else expected[::-1]
        if not hmac.compare_digest(stored, expected) or member is None:
            return None
        return member

    async def check(self, user_id: int, nik: Nik, born: dt.date) -> StatusResult:
        """One check: takes one of today's quota (or answers `limited`), records only the outcome."""
        now = self.clock.now()
        if not await self.repository.take_quota(self._user_key(user_id), self.today(), self.per_day):
            await self.repository.record(user_id, "limited", now)
            return StatusResult("limited", nik.masked)
        remaining = await self.remaining(user_id)
        member = await self.lookup(nik, born)
        if member is None:
            await self.repository.record(user_id, "not_found", now)
            return StatusResult("not_found", nik.masked, remaining=remaining)
        result = self._found(member, nik, remaining)
        await self.repository.record(user_id, result.outcome, now)
        return result

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
        """Forget the quota of past days (the daily job): only today's (and yesterday's) counts matter."""
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
              "not registered: check the NIK and birth date, or ask an official channel:"),
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
