"""PTB persistence in the database: conversation states, user/chat/bot data survive a restart.

User and chat data may hold half-entered personal data, so they are stored encrypted.
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

import sqlalchemy as sa
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.db import Database
from storage.schema import ptb_chat_data, ptb_conversations, ptb_singletons, ptb_user_data
from storage.sealing import Sealer
from storage.upsert import upsert

DataDict = dict[Any, Any]


def _key_text(key: ConversationKey) -> str:
    return json.dumps(list(key))


class DatabasePersistence(BasePersistence[DataDict, DataDict, DataDict]):
    def __init__(self, db: Database, vault: Sealer, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.db = db
        self.vault = vault
        # What was last written per user/chat: PTB asks to save after every update that touched the data,
        # mostly unchanged; comparing the JSON skips the encryption and the write.
        self._written: dict[tuple[str, int], str] = {}

    def _unchanged(self, kind: str, key: int, data: DataDict) -> bool:
        text = json.dumps(data, sort_keys=True, default=str)
        if self._written.get((kind, key)) == text:
            return True
        self._written[(kind, key)] = text
        return False

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
        async with self.db.transaction() as conn:
            if new_state is None:
                await conn.execute(sa.delete(ptb_conversations).where(
                    (ptb_conversations.c.name == name) & (ptb_conversations.c.key == _key_text(key))))
            else:
                await upsert(conn, ptb_conversations,
                             {"name": name, "key": _key_text(key), "state": json.dumps(new_state)},
                             keys=["name", "key"])

    async def update_user_data(self, user_id: int, data: DataDict) -> None:
        if self._unchanged("user", user_id, data):
            return
        async with self.db.transaction() as conn:
            if not data:
                await conn.execute(sa.delete(ptb_user_data).where(ptb_user_data.c.user_id == user_id))
                return
            await upsert(conn, ptb_user_data,
                         {"user_id": user_id, "data": self._seal(data, "user_data")}, keys=["user_id"])

    async def update_chat_data(self, chat_id: int, data: DataDict) -> None:
        if self._unchanged("chat", chat_id, data):
            return
        async with self.db.transaction() as conn:
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
        self._written.pop(("chat", chat_id), None)
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(ptb_chat_data).where(ptb_chat_data.c.chat_id == chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        self._written.pop(("user", user_id), None)
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(ptb_user_data).where(ptb_user_data.c.user_id == user_id))

    async def refresh_user_data(self, user_id: int, user_data: DataDict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: DataDict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: DataDict) -> None:
        return None

    async def flush(self) -> None:
        return None
