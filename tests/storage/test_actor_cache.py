"""The actor cache (issue 16): every update's user row and role come from memory, and every writer of the user's
row or role invalidates it, so the next update sees the change (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from bot.domain.actor_cache import ActorCache
from bot.domain.audit import AuditService
from bot.domain.clock import FixedClock
from bot.domain.officials import OfficialsService
from bot.domain.privacy import Vault
from bot.domain.roles import Actor, RoleService
from bot.domain.users import UserService
from storage.audit import AuditRepository
from storage.db import Database
from storage.officials import OfficialRepository
from storage.users import UserRecord, UserRepository

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
ADMIN = 900001
UID = 4242


CLOCK = FixedClock(NOW)


def _services(db: Database, vault: Vault, cache: ActorCache | None = None) -> tuple[UserService, OfficialsService]:
    clock = CLOCK
    clock.set(NOW)
    officials = OfficialRepository(db)
    users = UserService(UserRepository(db), vault, clock, RoleService(officials, frozenset({ADMIN})), cache)
    staff = OfficialsService(officials, AuditService(AuditRepository(db), clock), vault, clock)
    staff.role_changed.append(users.forget)
    return users, staff


class CountingRepository(UserRepository):
    """Counts the row reads: a cache hit reads nothing."""

    reads = 0

    async def get(self, user_id: int) -> UserRecord | None:
        self.reads += 1
        return await super().get(user_id)


async def test_a_second_update_reads_nothing(db: Database, vault: Vault) -> None:
    users, _ = _services(db, vault)
    repository = CountingRepository(db)
    users = UserService(repository, vault, users.clock, users.roles)
    first = await users.arrive(UID, "id")
    second = await users.arrive(UID, "id")
    assert repository.reads == 1 and second == first
    CLOCK.advance(dt.timedelta(minutes=5))
    refreshed = await users.arrive(UID, "id")  # last-seen gone stale: written (and the row re-read)
    assert refreshed.profile.last_seen_at == NOW + dt.timedelta(minutes=5)
    assert (await users.arrive(UID, "id")).profile == refreshed.profile and repository.reads == 2


WRITERS: dict[str, Callable[[UserService], Awaitable[object]]] = {
    "language": lambda u: u.choose_language(UID, "en"),
    "consent": lambda u: u.answer_consent(UID, agreed=True),
    "deep link": lambda u: u.follow_link(UID, "desa_6408012001"),
    "region": lambda u: u.set_region(UID, "64.08.01"),
    "broadcast stop": lambda u: u.stop_broadcasts(UID),
    "blocked (the broadcast sender, on the repository)": lambda u: u.repository.mark_blocked(UID, NOW),
    "erase (/hapusdata, jagakerja erase-user)": lambda u: u.erase(UID),
}


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
async def test_every_writer_of_the_row_invalidates(db: Database, vault: Vault, writer: str) -> None:
    users, _ = _services(db, vault)
    await users.arrive(UID, "id")
    assert UID in users.cache
    await WRITERS[writer](users)
    assert UID not in users.cache
    after = (await users.arrive(UID, "id")).profile
    assert after == await users.repository.get(UID)  # the next update sees the database's row
    if writer.startswith("blocked"):
        assert after.blocked_at is None  # they wrote again: unblocked, as without the cache


async def test_roles_are_seen_at_the_next_update(db: Database, vault: Vault) -> None:
    users, staff = _services(db, vault)
    assert (await users.arrive(UID, "id")).actor.role == "worker"
    created = await staff.create_invite(Actor(ADMIN, "admin"), "official", ["64.08.01.2001"])
    assert await staff.accept_invite(created.code, UID, "Budi") is not None
    assert (await users.arrive(UID, "id")).actor == Actor(UID, "official", ("64.08.01.2001",))
    assert await staff.revoke(Actor(ADMIN, "admin"), UID)
    assert (await users.arrive(UID, "id")).actor.role == "worker"
    CLOCK.advance(dt.timedelta(minutes=1))  # an invite newer than the revocation
    created = await staff.create_invite(Actor(ADMIN, "admin"), "admin", [])
    await staff.accept_invite(created.code, UID, None)
    assert (await users.arrive(UID, "id")).actor.is_admin
    await staff.erase(UID)
    assert (await users.arrive(UID, "id")).actor.role == "worker"


async def test_a_read_overtaken_by_a_write_is_not_cached(db: Database, vault: Vault) -> None:
    """A read that began before a write may hold the old row: it is used once, never cached."""
    users, _ = _services(db, vault)
    generation = users.cache.generation
    profile = (await users.arrive(UID, "id")).profile
    users.cache.forget(UID)
    users.cache.put(profile, Actor(UID, "worker"), generation)
    assert UID not in users.cache


async def test_several_processes_bypass_the_cache(db: Database, vault: Vault) -> None:
    """MULTI_PROCESS: another process may write the row at any time, so every update reads it."""
    users, _ = _services(db, vault, ActorCache(enabled=False))
    other_process = UserRepository(db)
    await users.arrive(UID, "id")
    await other_process.set_language(UID, "en")
    assert (await users.arrive(UID, "id")).profile.language == "en"
    assert len(users.cache) == 0


async def test_a_change_by_another_process_is_seen_within_the_ttl(db: Database, vault: Vault) -> None:
    """One process with the cache on: a CLI run (its own process) is seen once the entry expires."""
    now = [0.0]
    users, _ = _services(db, vault, ActorCache(ttl=10.0, timer=lambda: now[0]))
    await users.arrive(UID, "id")
    await UserRepository(db).set_language(UID, "en")  # e.g. `jagakerja erase-user` or a second tool
    assert (await users.arrive(UID, "id")).profile.language is None  # still cached
    now[0] = 10.0
    assert (await users.arrive(UID, "id")).profile.language == "en"
