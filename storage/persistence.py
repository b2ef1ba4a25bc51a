"""PTB persistence in the database: conversation states, user/chat/bot data survive a restart.

User and chat data may hold half-entered personal data, so they are stored encrypted.

Two ways of writing. PTB's own (`Application.update_persistence`, after each update in `JagaKerjaApplication` and
every `update_interval`) writes whatever was touched. With the durable inbox (bot/runtime/inbox.py) the state an
update changed is written by `write_update_state` in the transaction that marks the update done, and
`writes_with_updates` turns PTB's own writes of user data, chat data and conversations off: a periodic write could
otherwise store an update's new state before the update is done (a crash then replays the step against the new
state), or, with several processes, overwrite a newer state written by another process with a stale copy.
`load_update_state` reads one update's state back (several processes: nothing is trusted from memory).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.db import Database
from storage.schema import ptb_chat_data, ptb_conversations, ptb_singletons, ptb_user_data
from storage.sealing import Sealer
from storage.upsert import upsert

DataDict = dict[Any, Any]


def _key_text(key: ConversationKey) -> str:
    return json.dumps(list(key))


def data_text(data: DataDict | None) -> str:
    """Canonical JSON of user/chat data, to see whether an update changed it ({} and absent are the same)."""
    return json.dumps(data or {}, sort_keys=True, default=str)


ConversationRef = tuple[str, ConversationKey]  # (conversation name, key)


@dataclass
class UpdateState:
    """The stored state one update may read or change: its user's and chat's data, its conversation states
    (None: not in the conversation)."""

    user_data: dict[int, DataDict] = field(default_factory=dict)
    chat_data: dict[int, DataDict] = field(default_factory=dict)
    conversations: dict[ConversationRef, object | None] = field(default_factory=dict)


class DatabasePersistence(BasePersistence[DataDict, DataDict, DataDict]):
    def __init__(self, db: Database, vault: Sealer, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.db = db
        self.vault = vault
        # What was last written per user/chat: PTB asks to save after every update that touched the data,
        # mostly unchanged; comparing the JSON skips the encryption and the write. Recorded only once the write
        # has committed (a failed write must not make the retry look unchanged). One process only: with several,
        # the inbox path (`writes_with_updates`) compares against the state read back from the database instead.
        self._written: dict[tuple[str, int], str] = {}
        self.writes_with_updates = False

    def _unchanged(self, kind: str, key: int, data: DataDict) -> bool:
        return self._written.get((kind, key)) == json.dumps(data, sort_keys=True, default=str)

    def _remember(self, kind: str, key: int, data: DataDict) -> None:
        self._written[(kind, key)] = json.dumps(data, sort_keys=True, default=str)

    def _seal(self, data: Any, context: str) -> str:
        return self.vault.encrypt_json(data, context=context)

    def _open(self, token: str, context: str) -> Any:
        return self.vault.decrypt_json(token, context=context)

    async def get_user_data(self) -> dict[int, DataDict]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(ptb_user_data))
            loaded = {r.user_id: self._open(r.data, "user_data") for r in rows}
        for user_id, data in loaded.items():
            self._written[("user", user_id)] = json.dumps(data, sort_keys=True, default=str)
        return loaded

    async def get_chat_data(self) -> dict[int, DataDict]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(ptb_chat_data))
            loaded = {r.chat_id: self._open(r.data, "chat_data") for r in rows}
        for chat_id, data in loaded.items():
            self._written[("chat", chat_id)] = json.dumps(data, sort_keys=True, default=str)
        return loaded

    async def get_bot_data(self) -> DataDict:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(ptb_singletons.c.data).where(ptb_singletons.c.name == "bot_data"))).first()
        return json.loads(row.data) if row else {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(ptb_conversations.c.key, ptb_conversations.c.state)
                .where(ptb_conversations.c.name == name)
            )
            return {tuple(json.loads(r.key)): json.loads(r.state) for r in rows}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        if self.writes_with_updates:
            return
        async with self.db.transaction() as conn:
            if new_state is None:
                await conn.execute(sa.delete(ptb_conversations).where(
                    (ptb_conversations.c.name == name) & (ptb_conversations.c.key == _key_text(key))))
            else:
                await upsert(conn, ptb_conversations,
                             {"name": name, "key": _key_text(key), "state": json.dumps(new_state)},
                             keys=["name", "key"])

    async def update_user_data(self, user_id: int, data: DataDict) -> None:
        if self.writes_with_updates or self._unchanged("user", user_id, data):
            return
        async with self.db.transaction() as conn:
            await self._write_user(conn, user_id, data)
        self._remember("user", user_id, data)

    async def _write_user(self, conn: AsyncConnection, user_id: int, data: DataDict | None) -> None:
        if not data:
            await conn.execute(sa.delete(ptb_user_data).where(ptb_user_data.c.user_id == user_id))
            return
        await upsert(conn, ptb_user_data,
                     {"user_id": user_id, "data": self._seal(data, "user_data")}, keys=["user_id"])

    async def update_chat_data(self, chat_id: int, data: DataDict) -> None:
        if self.writes_with_updates or self._unchanged("chat", chat_id, data):
            return
        async with self.db.transaction() as conn:
            await self._write_chat(conn, chat_id, data)
        self._remember("chat", chat_id, data)

    async def _write_chat(self, conn: AsyncConnection, chat_id: int, data: DataDict | None) -> None:
        if not data:
            await conn.execute(sa.delete(ptb_chat_data).where(ptb_chat_data.c.chat_id == chat_id))
            return
        await upsert(conn, ptb_chat_data,
                     {"chat_id": chat_id, "data": self._seal(data, "chat_data")}, keys=["chat_id"])

    async def update_bot_data(self, data: DataDict) -> None:
        async with self.db.transaction() as conn:
            await upsert(conn, ptb_singletons, {"name": "bot_data", "data": json.dumps(deepcopy(data))},
                         keys=["name"])

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        if self.writes_with_updates:  # the update that dropped it writes the deletion (write_update_state)
            return
        self._written.pop(("chat", chat_id), None)
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(ptb_chat_data).where(ptb_chat_data.c.chat_id == chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        if self.writes_with_updates:  # the update that dropped it writes the deletion (write_update_state)
            return
        self._written.pop(("user", user_id), None)
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(ptb_user_data).where(ptb_user_data.c.user_id == user_id))

    # ----------------------------------------------------------------- one update's state (the inbox path)

    async def load_update_state(self, user_ids: Sequence[int], chat_ids: Sequence[int],
                                conversations: Sequence[ConversationRef]) -> UpdateState:
        """The stored state of one update's user, chat and conversation keys (what another process may have
        written since this one last looked)."""
        state = UpdateState()
        async with self.db.read() as conn:
            if user_ids:
                rows = await conn.execute(sa.select(ptb_user_data).where(ptb_user_data.c.user_id.in_(user_ids)))
                state.user_data = {r.user_id: self._open(r.data, "user_data") for r in rows}
            if chat_ids:
                rows = await conn.execute(sa.select(ptb_chat_data).where(ptb_chat_data.c.chat_id.in_(chat_ids)))
                state.chat_data = {r.chat_id: self._open(r.data, "chat_data") for r in rows}
            if conversations:  # one query: usually every conversation of the update has the same key
                wanted = {(name, _key_text(key)): (name, key) for name, key in conversations}
                rows = await conn.execute(sa.select(ptb_conversations).where(
                    ptb_conversations.c.name.in_({n for n, _ in wanted}),
                    ptb_conversations.c.key.in_({k for _, k in wanted})))
                found = {(r.name, r.key): json.loads(r.state) for r in rows}
                state.conversations = {ref: found.get(text_ref) for text_ref, ref in wanted.items()}
        for user_id in user_ids:
            state.user_data.setdefault(user_id, {})
        for chat_id in chat_ids:
            state.chat_data.setdefault(chat_id, {})
        return state

    async def write_update_state(self, conn: AsyncConnection, changed: UpdateState) -> None:
        """Write what one update changed, inside the caller's transaction (the one marking it done)."""
        for user_id, data in changed.user_data.items():
            await self._write_user(conn, user_id, data)
        for chat_id, data in changed.chat_data.items():
            await self._write_chat(conn, chat_id, data)
        for (name, key), new_state in changed.conversations.items():
            if new_state is None:
                await conn.execute(sa.delete(ptb_conversations).where(
                    (ptb_conversations.c.name == name) & (ptb_conversations.c.key == _key_text(key))))
            else:
                await upsert(conn, ptb_conversations,
                             {"name": name, "key": _key_text(key), "state": json.dumps(new_state)},
                             keys=["name", "key"])

    async def refresh_user_data(self, user_id: int, user_data: DataDict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: DataDict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: DataDict) -> None:
        return None

    async def flush(self) -> None:
        return None
