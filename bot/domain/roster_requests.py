"""Roster ↔ requests (issue 12): a roster import that brings in (or renews) a NIK with an open interest request
closes it as *registered — confirmed by the roster*, and its worker hears "you are now protected until …".

The roster is the truth, so the order is the reverse of an official's decision (`FollowupService.change_status`
tells the worker first): the request is closed first — status `registered`, reason "roster:<import id>:<previous
status>", an audit entry by the system (actor 0), the notice marked as owed, all in one transaction per batch —
and the worker is told after. A send that fails for now stays owed and is tried again by the bot's job
(`send_owed`), up to MAX_TRIES; a worker who blocked the bot is never told (logged). An import run by the CLI
closes the requests there; the bot, which holds the Telegram side, sends the messages on its next round.
An assisted request (no worker on Telegram) tells the official who registered the worker instead.

`RosterService.applied_hooks` calls `on_import_applied` once an import is fully applied; `on_import_undone`
puts the requests an undone import closed back where they were. The matching starts from the open requests
(an index on status) and looks each NIK up in the roster (its unique index on the NIK hash): a 1,000,000-row
import costs no more than a small one.

Also here: what the official's card says about a request's NIK (the roster's entry, the same NIK from another
Telegram account) and the words for a roster confirmation. Free of Telegram types.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.followup import WorkerUnreachable
from bot.domain.i18n import Translator, translator
from bot.domain.interest import InterestRequestView, notify_target, view
from bot.domain.markup import escape
from bot.domain.privacy import Vault
from storage.interest import ROSTER_PREFIX, CrossCheck, InterestRepository, RosterNotice

log = logging.getLogger(__name__)
MAX_TRIES = 20  # failed sends of one notice before it is given up (logged)


class ProtectedSender(Protocol):
    """The Telegram side: sends a notice, and plans a round of `send_owed` soon (without waiting for it)."""

    async def protected(self, user_id: int, text: str, worker: bool) -> bool:
        """True: sent; False: this person can never be told (blocked the bot). Raises WorkerUnreachable when
        sending failed and may work later."""
        ...

    def wake(self) -> None: ...


def roster_import_of(reason: str | None) -> int | None:
    """The import id of a roster confirmation's reason ("roster:12:new" → 12), else None."""
    if not reason or not reason.startswith(ROSTER_PREFIX):
        return None
    head = reason[len(ROSTER_PREFIX):].split(":", 1)[0]
    return int(head) if head.isdigit() else None


def reason_words(t: Translator, reason: str | None) -> str | None:
    """A roster confirmation in the reader's words (None: not one; use the follow-up's `reason_text`)."""
    import_id = roster_import_of(reason)
    if import_id is None:
        return None
    return t.gettext("Confirmed by the district roster (import #{id})").format(id=import_id)


def cross_check_lines(t: Translator, cross: CrossCheck | None, today: dt.date) -> list[str]:
    """The card's flags about the NIK (for officials only): on the roster (covered, not yet started, or ended on
    a day), and the references of requests with the same NIK from other accounts."""
    _ = t.gettext
    if cross is None:
        return []
    lines = []
    if cross.roster_berakhir is not None and cross.roster_mulai is not None:
        ended = cross.roster_berakhir if cross.roster_removed_on is None else \
            min(cross.roster_berakhir, cross.roster_removed_on)
        if cross.roster_removed_on is not None or cross.roster_berakhir < today:
            lines.append(_("⚠️ Was on the district roster: ended {date}").format(date=t.short_date(ended)))
        elif cross.roster_mulai > today:
            lines.append(_("🛡 On the district roster: protected from {start} to {end}").format(
                start=t.short_date(cross.roster_mulai), end=t.short_date(cross.roster_berakhir)))
        else:
            lines.append(_("🛡 On the district roster: protected until {date}").format(
                date=t.short_date(cross.roster_berakhir)))
    if cross.other_refs:
        lines.append(_("⚠️ The same NIK was also sent from another account: {refs}").format(
            refs=", ".join(escape(ref) for ref in cross.other_refs)))
    return lines


def protected_text(t: Translator, request: InterestRequestView, mulai: dt.date, berakhir: dt.date,
                   today: dt.date) -> str:
    """What the worker hears once the roster confirms their request: until when, and what to do after an
    accident (the figures of the FAQ's claim answer: PLKK, report within 2 × 24 hours)."""
    _ = t.gettext
    head = _("🛡 <b>You are now protected</b> until {end}.").format(end=t.date(berakhir)) if mulai <= today else \
        _("🛡 <b>You are registered</b>: your protection runs from {start} to {end}.").format(
            start=t.date(mulai), end=t.date(berakhir))
    return "\n".join([
        head,
        _("Your request {ref} is done: the district's list of BPJS Ketenagakerjaan participants now includes "
          "you.").format(ref=escape(request.ref)),
        "",
        _("<b>After an accident at work</b> (also on the way): go to a hospital or clinic that works with BPJS "
          "Ketenagakerjaan (PLKK), and report it to your desa office and to BPJS Ketenagakerjaan within "
          "2 × 24 hours."),
        _("<b>Death</b>: the family can claim JKM at a Kantor Cabang."),
        _("Questions: call 175."),
    ])


def official_text(t: Translator, request: InterestRequestView, mulai: dt.date, berakhir: dt.date,
                  today: dt.date) -> str:
    """An assisted request confirmed by the roster: the official who registered the worker tells them."""
    _ = t.gettext
    when = t.date(berakhir) if mulai <= today else f"{t.date(mulai)} – {t.date(berakhir)}"
    return "\n".join([
        _("🛡 The district roster confirms request {ref} ({name}): protected until {end}.").format(
            ref=escape(request.ref), name=escape(request.name), end=when),
        _("You registered this worker at the desa: please tell them, and what to do after an accident "
          "(a PLKK hospital or clinic; report within 2 × 24 hours)."),
    ])


class RosterRequestsService:
    """Closes the requests a roster import confirms and sends the messages that are owed."""

    def __init__(self, requests: InterestRepository, vault: Vault, clock: Clock, tz: ZoneInfo,
                 language_of: Callable[[int], Awaitable[str]]) -> None:
        self.requests = requests
        self.vault = vault
        self.clock = clock
        self.tz = tz
        self.language_of = language_of
        self.sender: ProtectedSender | None = None
        self._sending = asyncio.Lock()

    def attach(self, sender: ProtectedSender) -> None:
        """Where the messages go (the Telegram side attaches itself; the CLI has none: they stay owed)."""
        self.sender = sender

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    async def on_import_applied(self, import_id: int) -> None:
        """`RosterService.applied_hooks`: see `confirm`."""
        await self.confirm(import_id)

    async def confirm(self, import_id: int) -> int:
        """Close every open request this import confirms (batches of short transactions), then plan the
        messages. Returns how many were closed."""
        total = 0
        while closed := await self.requests.confirm_by_roster(import_id, self.today(), self.clock.now()):
            total += len(closed)
        if total:
            log.info("roster import %s confirmed %d open requests", import_id, total)
            if self.sender is not None:
                self.sender.wake()
        return total

    async def on_import_undone(self, import_id: int) -> list[str]:
        """A roster import was undone: the requests it closed go back to their previous status."""
        reopened = await self.requests.reopen_undone(import_id, self.clock.now())
        if reopened:
            log.info("roster import %s undone: %d requests reopened", import_id, len(reopened))
        return reopened

    async def send_owed(self) -> int:
        """Send the owed messages (one round at a time; each at most once per round). Returns how many were
        sent."""
        if self.sender is None:
            return 0
        sent = 0
        async with self._sending:
            after = 0
            while batch := await self.requests.owed_notices(after):
                for notice in batch:
                    after = notice.record.id
                    sent += await self._send(notice)
        return sent

    async def _send(self, notice: RosterNotice) -> int:
        sender, record, today = self.sender, notice.record, self.today()
        assert sender is not None
        target = notify_target(record)
        if target is None or notice.mulai is None or notice.berakhir is None or notice.removed_on is not None \
                or notice.berakhir < today or record.status != "registered":
            await self.requests.notice_done(record.id)  # no longer true (undone, ended meanwhile) or nobody to tell
            return 0
        t = translator(await self.language_of(target.user_id), self.tz)
        request = view(self.vault, record)
        render = protected_text if target.is_worker else official_text
        try:
            delivered = await sender.protected(target.user_id, render(t, request, notice.mulai, notice.berakhir,
                                                                      today), target.is_worker)
        except WorkerUnreachable:
            if await self.requests.notice_failed(record.id, MAX_TRIES):
                log.warning("request %s: the roster confirmation could not be sent; given up", record.id)
            return 0
        await self.requests.notice_done(record.id)
        if not delivered:
            log.info("request %s: confirmed by the roster; its recipient blocked the bot", record.id)
        return int(delivered)
