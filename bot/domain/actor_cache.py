"""The actor cache: who sent an update (their user row and their role), kept in memory between updates.

Every update needs the sender's row and role (`UserService.arrive`, group -1). Read from the database that costs
a round-trip to the driver's thread per update (~1.6 ms on aiosqlite, issue 16); from this cache, a dict hit.

Correctness rests on three things:
- **write-through by invalidation**: every writer of the `users` table goes through `UserRepository`, which tells
  its listeners the user id (`forget`); every change of a role goes through `OfficialsService`, whose
  `role_changed` hooks call `forget` too (both wired in the composition root);
- **no stale put after a concurrent write**: a reader takes `generation` before it reads and `put` drops the
  entry when any `forget` happened since (the read may have seen the row from before that write);
- **other processes**: with several bot processes (`MULTI_PROCESS`) the cache is off (`enabled=False`) and every
  update reads the database. A one-off CLI process (`jagakerja erase-user`, `jagakerja officials revoke`) cannot
  reach this process's memory: an entry lives at most `ttl` seconds, so its change is seen within that time —
  and officials and admins are never cached, so a revocation is seen at once.

Bounded: least recently used entries go first beyond `max_size`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from bot.domain.roles import Actor
from storage.users import UserRecord

DEFAULT_MAX_SIZE = 10_000
DEFAULT_TTL = 10.0  # seconds: how long a change made by another process (a CLI run) may go unseen


class ActorCache:
    def __init__(self, *, enabled: bool = True, max_size: int = DEFAULT_MAX_SIZE, ttl: float = DEFAULT_TTL,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.enabled = enabled and max_size > 0
        self.max_size = max_size
        self.ttl = ttl
        self.timer = timer
        self.generation = 0  # bumped by every forget: a read begun before it must not be cached
        self._entries: OrderedDict[int, tuple[float, UserRecord, Actor]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._entries

    def get(self, user_id: int) -> tuple[UserRecord, Actor] | None:
        """The cached row and role, or None (not cached, expired, or the cache is off)."""
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        expires, profile, actor = entry
        if self.timer() >= expires:
            del self._entries[user_id]
            return None
        self._entries.move_to_end(user_id)
        return profile, actor

    def put(self, profile: UserRecord, actor: Actor, generation: int) -> None:
        """Cache what a read begun at `generation` found, unless something was forgotten since. Staff are never
        cached: a revocation from the CLI (another process) must take effect at their very next update, and
        officials are few, so the database read costs nothing that matters."""
        if not self.enabled or generation != self.generation or actor.is_staff:
            return
        self._entries[profile.id] = (self.timer() + self.ttl, profile, actor)
        self._entries.move_to_end(profile.id)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def forget(self, user_id: int) -> None:
        """The user's row or role changed (or is gone): the next update reads the database."""
        self.generation += 1
        self._entries.pop(user_id, None)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
