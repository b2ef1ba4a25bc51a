"""The actor cache's own rules: bounded (least recently used first), entries expire, off means off."""

from __future__ import annotations

import datetime as dt

from bot.domain.actor_cache import ActorCache
from bot.domain.roles import Actor
from storage.users import UserRecord

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


def record(uid: int) -> UserRecord:
    return UserRecord(id=uid, language="id", tg_language_code="id", consent_status="given", consent_version="1",
                      consent_at=NOW, start_payload=None, blocked_at=None, created_at=NOW, last_seen_at=NOW)


def put(cache: ActorCache, uid: int) -> None:
    cache.put(record(uid), Actor(uid, "worker"), cache.generation)


def test_least_recently_used_goes_first() -> None:
    cache = ActorCache(max_size=2)
    put(cache, 1)
    put(cache, 2)
    assert cache.get(1) is not None  # 1 used: 2 is now the oldest
    put(cache, 3)
    assert 2 not in cache and 1 in cache and 3 in cache and len(cache) == 2


def test_entries_expire() -> None:
    now = [0.0]
    cache = ActorCache(ttl=5.0, timer=lambda: now[0])
    put(cache, 1)
    now[0] = 4.9
    assert cache.get(1) is not None
    now[0] = 5.0
    assert cache.get(1) is None and 1 not in cache


def test_disabled_keeps_nothing() -> None:
    cache = ActorCache(enabled=False)
    put(cache, 1)
    assert cache.get(1) is None and len(cache) == 0
    assert not ActorCache(max_size=0).enabled


def test_forget_and_clear() -> None:
    cache = ActorCache()
    put(cache, 1)
    put(cache, 2)
    cache.forget(1)
    assert cache.get(1) is None and cache.get(2) is not None
    cache.clear()
    assert len(cache) == 0
