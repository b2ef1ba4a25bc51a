"""Updates of different users run concurrently; updates of one user run one after another, in order.

PTB's default is one update at a time for the whole bot, which makes every user wait for everybody else's
database round-trips. Conversations stay correct because a user's own updates never overlap.

Fairness: an update first waits for its user's turn and only then takes one of the shared slots, so a user with
a backlog (500 messages sent at once) holds one slot, never all of them, and everybody else is answered as usual
while the backlog drains (``bench/fairness.py``). With the durable inbox (bot/runtime/inbox.py) a user has at most
one update claimed at a time, across processes too; the lock here still keeps any other caller in order.
PTB's own semaphore (``BaseUpdateProcessor.process_update``,
taken before we know whose update it is) is therefore left wide open: the real limit is ``_slots``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates PTB may hand us at once: each only waits (for its user's turn, then a slot); it runs nothing yet.
_WAITING_ROOM = 1_000_000


def update_key(update: object) -> int | None:
    """Whose update it is (the user, else the chat): the unit of ordering here and in the inbox."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


_key = update_key  # the old name (bench/fairness.py)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(_WAITING_ROOM)
        self.slots = max_concurrent_updates  # updates actually running at once
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:  # this user's turn first, then one shared slot
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # nobody else queued for this user: forget the lock
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
