"""The durable inbox at run time: updates are stored before Telegram is told they arrived, then handled by
workers that claim them from the database, in order per user, once, in any of several processes.

- `Inbox.accept(update_json)` stores one update (committed when it returns): the webhook answers 200 after it.
- The poller (`start_polling`) calls getUpdates itself and commits each batch before asking for the next offset
  (the next offset is what confirms the batch to Telegram). Of several processes only the holder of the poller
  lock polls; when it dies its lock is freed and another process starts polling.
- Workers (`start_workers`) claim updates (storage/inbox.py: the oldest unfinished update of each user with
  nothing in flight, leased), run `application.process_update` through the per-user update processor, and mark
  the update done in ONE transaction with the user data, chat data and conversation states it changed. PTB's own
  writes of those are turned off (storage/persistence.py, `writes_with_updates`).

What a crash (kill -9) can still do: an update whose handler had run but whose done-transaction had not committed
is handled again after the restart (or by another process once its lease expires, within `LEASE`). Its state was
not written, so the step runs again against the state before it: the conversation stays in step, but the user may
see that step's replies twice, and writes a handler made through the services in their own transactions (e.g. a
registration row) are made again (they are idempotent where it matters: upserts, unique keys). An update marked
done is never handled again: the claim skips done rows and a redelivered update id is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import secrets
import socket
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.runtime.app import JagaKerjaApplication
from bot.runtime.concurrency import update_key
from bot.runtime.update_state import UpdateStateKeeper
from storage.db import Database
from storage.inbox import ClaimedUpdate, InboxStats, InboxStore, IncomingUpdate, LeaseLost, PollerLock
from storage.persistence import DatabasePersistence
from storage.sealing import Sealer

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]  # what the bot handles (as before the inbox)
LEASE = dt.timedelta(seconds=5)  # a dead process's updates are taken over after at most this (+ one idle poll)
MAX_ATTEMPTS = 5  # an update claimed this often without being done (it kills its process?) is given up
PRUNE_EVERY = 3600.0


def _owner_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


class Inbox:
    """One process's part: accepting updates, polling (when it holds the poller lock) and the workers."""

    def __init__(
        self, application: JagaKerjaApplication, db: Database, vault: Sealer, *,
        multi_process: bool = False, capacity: int | None = None, lease: dt.timedelta = LEASE,
        idle_poll: float | None = None, poll_timeout: float = 10.0,
        allowed_updates: list[str] | None = ALLOWED_UPDATES,
    ) -> None:
        self.application = application
        self.store = InboxStore(db, vault)
        self.lock = PollerLock(db)
        self.multi_process = multi_process
        self.owner = _owner_name()
        self.capacity: int = capacity or int(getattr(application.update_processor, "slots", None) or 64)
        self.lease = lease
        # Another process's updates only become visible by looking: a short interval with several processes.
        self.idle_poll = idle_poll if idle_poll is not None else (0.2 if multi_process else 2.0)
        self.poll_timeout = poll_timeout
        self.allowed_updates = allowed_updates
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._poller: asyncio.Task[None] | None = None
        self._done = asyncio.Condition()
        self._done_ids: set[int] = set()
        self._keeper: UpdateStateKeeper | None = None
        self._persistence: DatabasePersistence | None = None
        self.polling = False  # this process holds the poller lock right now

    # ----------------------------------------------------------------- accepting

    async def accept(self, update_json: dict[str, Any]) -> None:
        """Store one update durably (committed when this returns; the same update id twice is stored once).
        Webhook mode calls it before answering Telegram's request with 200."""
        update = Update.de_json(dict(update_json), self.application.bot)
        await self.store.accept([IncomingUpdate(update.update_id, update_key(update) or 0, dict(update_json))])
        self._wake.set()

    async def stats(self) -> InboxStats:
        """Depth and oldest arrival of the updates not yet done (health and metrics)."""
        return await self.store.stats()

    # ----------------------------------------------------------------- lifecycle

    async def start_workers(self) -> None:
        """Call after `application.initialize()`: updates stored before a crash are claimed first (oldest
        first, in order per user)."""
        persistence = self.application.persistence
        if isinstance(persistence, DatabasePersistence):
            persistence.writes_with_updates = True
            self._persistence = persistence
        self.application.state_saved_by_inbox = True
        self._keeper = UpdateStateKeeper(self.application)
        if not self.multi_process:  # alone on the database: every lease left is a dead process's
            freed = await self.store.release_all()
            if freed:
                log.info("inbox: %d update(s) left in flight by the last run will be handled first", freed)
        self._tasks = [asyncio.create_task(self._dispatch(), name="inbox-dispatch"),
                       asyncio.create_task(self._heartbeat(), name="inbox-heartbeat"),
                       asyncio.create_task(self._prune(), name="inbox-prune")]

    async def start_polling(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="inbox-poller")

    async def stop(self) -> None:
        """Stop polling and claiming, let the updates in flight finish (their done marks commit)."""
        self._stopping.set()
        self._wake.set()
        if self._poller is not None:
            self._poller.cancel()  # nothing is confirmed to Telegram before it is committed: safe at any point
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            await self.lock.release()
        if self._tasks:
            await self._tasks[0]  # the dispatcher returns once it stops claiming
        if self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        for task in self._tasks[1:]:
            task.cancel()
        await asyncio.gather(*self._tasks[1:], return_exceptions=True)

    async def wait_done(self, update_id: int, timeout: float = 10.0) -> None:
        """Return once this process has marked the update done (tests, benchmarks)."""
        async with asyncio.timeout(timeout), self._done:
            await self._done.wait_for(lambda: update_id in self._done_ids)

    # ----------------------------------------------------------------- workers

    async def _dispatch(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            free = self.capacity - len(self._in_flight)
            claimed: list[ClaimedUpdate] = []
            if free > 0:
                try:
                    claimed = await self.store.claim(self.owner, free, self.lease)
                except Exception:
                    log.exception("inbox: claiming updates failed; trying again")
            for item in claimed:
                if item.update_id in self._in_flight:  # ours, still running: its lease had run out (a starved
                    continue  # event loop renewed it late); the claim renewed it, one run is enough
                self._in_flight[item.update_id] = asyncio.create_task(self._run(item), name=f"inbox-{item.update_id}")
            if not claimed:
                await _wait(self._wake, self.idle_poll)

    async def _run(self, item: ClaimedUpdate) -> None:
        try:
            if item.attempts > MAX_ATTEMPTS:
                log.error("inbox: update %d given up after %d attempts", item.update_id, item.attempts - 1)
                await self.store.complete(item.update_id, self.owner)
            else:
                update = Update.de_json(item.payload, self.application.bot)
                await self.application.update_processor.process_update(update, self._handle(update, item))
            await self._mark_done(item.update_id)
        except LeaseLost:
            log.warning("inbox: update %d was taken over by another process before it was done", item.update_id)
        except Exception:  # its lease runs out and it is tried again (up to MAX_ATTEMPTS)
            log.exception("inbox: update %d failed; it will be tried again", item.update_id)
        finally:
            self._in_flight.pop(item.update_id, None)
            self._wake.set()  # the user's next update may be claimed now

    async def _handle(self, update: Update, item: ClaimedUpdate) -> None:
        keeper, persistence = self._keeper, self._persistence
        if keeper is None or persistence is None:  # no persistence: nothing to commit but the done mark
            await self.application.process_update(update)
            await self.store.complete(item.update_id, self.owner)
            return
        users, chats, refs = keeper.refs(update)
        if self.multi_process:  # another process may have moved this user on: read the state back
            keeper.apply(await persistence.load_update_state(users, chats, refs))
        before = keeper.snapshot(users, chats, refs)
        await self.application.process_update(update)
        changed = keeper.changes(before, keeper.snapshot(users, chats, refs))
        write = None if keeper.is_empty(changed) else functools.partial(persistence.write_update_state,
                                                                        changed=changed)
        try:
            await self.store.complete(item.update_id, self.owner, also=write)
        except BaseException:
            keeper.apply(before)  # memory back to what the database holds: a retry runs against that
            raise

    async def _mark_done(self, update_id: int) -> None:
        async with self._done:
            self._done_ids.add(update_id)
            if len(self._done_ids) > 20_000:
                self._done_ids = set(sorted(self._done_ids)[10_000:])
            self._done.notify_all()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 5, 0.1))  # 4 chances before it runs out
            ids = list(self._in_flight)
            if not ids:
                continue
            try:
                held = await self.store.renew(self.owner, ids, self.lease)
            except Exception:
                log.exception("inbox: renewing leases failed")
                continue
            lost = [i for i in ids if i not in held and i in self._in_flight]
            if lost:
                log.warning("inbox: lost the lease of update(s) %s while handling them", lost)

    async def _prune(self) -> None:
        while True:
            try:
                removed = await self.store.prune()
                if removed:
                    log.info("inbox: pruned %d done update(s) older than a day", removed)
            except Exception:
                log.exception("inbox: pruning failed")
            await asyncio.sleep(PRUNE_EVERY)

    # ----------------------------------------------------------------- polling

    async def _poll_forever(self) -> None:
        """Take the poller lock when it is free and poll while holding it."""
        while not self._stopping.is_set():
            try:
                held = await self.lock.try_acquire()
            except Exception:
                log.exception("inbox: the poller lock could not be asked for")
                held = False
            if not held:
                await _wait(self._stopping, 2.0)
                continue
            self.polling = True
            try:
                await self._poll()
            finally:
                self.polling = False
                await self.lock.release()

    async def _poll(self) -> None:
        bot = self.application.bot
        await bot.delete_webhook(drop_pending_updates=False)  # getUpdates answers 409 while a webhook is set
        offset: int | None = None
        backoff = 0.5
        loop = asyncio.get_running_loop()
        checked = loop.time()
        while not self._stopping.is_set():
            if loop.time() - checked > 5.0:
                checked = loop.time()
                if not await self.lock.still_held():
                    log.warning("inbox: lost the poller lock; another process polls now")
                    return
            try:
                updates = await bot.get_updates(offset=offset, timeout=int(self.poll_timeout),
                                                allowed_updates=self.allowed_updates)
            except RetryAfter as exc:
                await _wait(self._stopping, float(exc.retry_after if isinstance(exc.retry_after, (int, float))
                                                  else exc.retry_after.total_seconds()))
                continue
            except InvalidToken:
                raise
            except (Conflict, NetworkError, TelegramError) as exc:
                log.warning("inbox: getUpdates failed (%s); retrying in %.1f s", type(exc).__name__, backoff)
                await _wait(self._stopping, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            if not updates:
                continue
            await self.store.accept([IncomingUpdate(u.update_id, update_key(u) or 0, u.to_dict()) for u in updates])
            self._wake.set()
            offset = updates[-1].update_id + 1  # confirms the batch on the next call: it is committed now
