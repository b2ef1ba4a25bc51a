"""Users: the row per Telegram user (language, consent, deep link, region), read once per update."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.actor_cache import ActorCache
from bot.domain.clock import Clock
from bot.domain.consent import CONSENT_VERSION
from bot.domain.deeplink import DeepLink, parse_payload
from bot.domain.i18n import SUPPORTED_LANGUAGES, Translator
from bot.domain.privacy import Vault
from bot.domain.regions import is_desa
from bot.domain.roles import Actor, RoleService
from storage.users import ConsentEvent, UserRecord, UserRepository

__all__ = ["ConsentEvent", "UserRecord", "UserService"]


@dataclass(frozen=True)
class Arrival:
    """Who sent an update: their stored record and their role (resolved once per update)."""

    profile: UserRecord
    actor: Actor


class UserService:
    def __init__(self, repository: UserRepository, vault: Vault, clock: Clock, roles: RoleService,
                 cache: ActorCache | None = None) -> None:
        """`cache`: the actor cache (default: on, this process's memory); `ActorCache(enabled=False)` when several
        processes serve the bot. Every write to the user's row invalidates it (the repository's listeners)."""
        self.repository = repository
        self.vault = vault
        self.clock = clock
        self.roles = roles
        self.cache = cache if cache is not None else ActorCache()
        repository.listeners.append(self.cache.forget)

    def forget(self, user_id: int) -> None:
        """The user's role changed (an invite accepted, a revocation, an erasure): read it again next update."""
        self.cache.forget(user_id)

    async def arrive(self, user_id: int, tg_language_code: str | None) -> Arrival:
        """The per-update lookups: from the actor cache when it holds the user and nothing needs writing; else the
        user row and their role on one read connection, released before the user row is written (when new or
        last-seen is stale): a held reader never waits for a writer's connection."""
        now = self.clock.now()
        hit = self.cache.get(user_id)
        if hit is not None and not self.repository.needs_refresh(hit[0], tg_language_code, now):
            return Arrival(*hit)
        generation = self.cache.generation
        async with self.repository.db.shared_reads():
            current = await self.repository.get(user_id)
            actor = await self.roles.actor(user_id)
        if current is None or self.repository.needs_refresh(current, tg_language_code, now):
            current = await self.repository.refresh(user_id, tg_language_code, now)
        self.cache.put(current, actor, generation)
        return Arrival(current, actor)

    async def touch(self, user_id: int, tg_language_code: str | None) -> UserRecord:
        return await self.repository.touch(user_id, tg_language_code, self.clock.now())

    async def get(self, user_id: int) -> UserRecord | None:
        return await self.repository.get(user_id)

    async def set_language(self, user_id: int, language: str) -> None:
        await self.repository.set_language(user_id, language)

    async def choose_language(self, user_id: int, language: str) -> bool:
        """Store the user's language; False (nothing stored) for a language the bot does not speak."""
        if language not in SUPPORTED_LANGUAGES:
            return False
        await self.repository.set_language(user_id, language)
        return True

    async def set_start_payload(self, user_id: int, payload: str) -> None:
        await self.repository.set_start_payload(user_id, payload)

    async def follow_link(self, user_id: int, payload: str | None) -> DeepLink | None:
        """A `/start <payload>`: remember the link the user came from; a village link (`desa_…`) also says
        where they live. None when there is no (valid) payload."""
        link = parse_payload(payload)
        if link is None:
            return None
        await self.repository.set_start_payload(user_id, link.raw)
        if link.kind == "desa" and is_desa(link.value):
            await self.repository.set_region(user_id, link.value)
        return link

    async def set_region(self, user_id: int, region_code: str, *, only_if_more_precise: bool = False) -> None:
        await self.repository.set_region(user_id, region_code, only_if_more_precise=only_if_more_precise)

    async def record_consent(self, user_id: int, version: str, decision: str) -> None:
        await self.repository.record_consent(user_id, version, decision, self.clock.now())

    async def answer_consent(self, user_id: int, agreed: bool) -> None:
        """The user's answer to the current consent text (kept in the consent log too)."""
        await self.record_consent(user_id, CONSENT_VERSION, "given" if agreed else "refused")

    async def consent_history(self, user_id: int) -> list[ConsentEvent]:
        return await self.repository.consent_history(user_id)

    async def stop_broadcasts(self, user_id: int) -> bool:
        """/berhenti or 🔕 under a broadcast: no more announcements (False: they were already stopped)."""
        return await self.repository.set_broadcasts_stopped(user_id, self.clock.now())

    async def resume_broadcasts(self, user_id: int) -> bool:
        """/lanjut: announcements again (False: they were not stopped)."""
        return await self.repository.set_broadcasts_stopped(user_id, None)

    async def mark_blocked(self, user_id: int) -> None:
        await self.repository.mark_blocked(user_id, self.clock.now())

    async def count(self) -> int:
        return await self.repository.count()

    # PersonalDataHolder: the user row itself goes last (the composition root lists this holder last).
    async def erase(self, user_id: int) -> None:
        await self.repository.erase(user_id, self.vault.lookup_hash("telegram-user", str(user_id)), self.clock.now())

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        return []  # the core lines (id, language, consent, link) are rendered by /dataku from the record
