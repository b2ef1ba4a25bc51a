"""One update's state in PTB's memory: its user's data, its chat's data and its conversation states.

The inbox (bot/runtime/inbox.py) takes a snapshot before the update is handled and after, and writes only what
changed, in the transaction that marks the update done. With several processes it first puts the stored state
into memory (PTB keeps conversations and user data in memory after start; another process may have moved the
conversation on since). If the commit fails, the snapshot taken before is put back, so a retry of the update runs
against the state the database still holds, not against the state the failed attempt left in memory.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from telegram import Update
from telegram.ext import Application, ConversationHandler

from storage.persistence import ConversationRef, UpdateState, data_text


def _state_value(value: object) -> object | None:
    resolve = getattr(value, "resolve", None)  # a PendingState (non-blocking step): its result or the old state
    if resolve is not None and callable(getattr(value, "done", None)):
        return resolve() if value.done() else getattr(value, "old_state", None)  # type: ignore[attr-defined]
    return value


class UpdateStateKeeper:
    """Reads and puts back the in-memory state one update can touch. Built after `Application.initialize()`
    (that is when persistent conversations get their stored dictionaries)."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self.conversations: list[ConversationHandler[Any]] = [
            handler for group in application.handlers.values() for handler in group
            if isinstance(handler, ConversationHandler) and handler.persistent and handler.name
        ]

    def refs(self, update: Update) -> tuple[list[int], list[int], list[ConversationRef]]:
        """The user ids, chat ids and (conversation, key) pairs this update may read or change."""
        users = [update.effective_user.id] if update.effective_user is not None else []
        chats = [update.effective_chat.id] if update.effective_chat is not None else []
        refs: list[ConversationRef] = []
        for handler in self.conversations:
            try:
                key = handler._get_key(update)
            except RuntimeError:  # no chat/user of the kind this conversation is keyed by
                continue
            refs.append((str(handler.name), key))
        return users, chats, refs

    def _dicts(self) -> dict[str, Any]:
        return {str(h.name): h._conversations for h in self.conversations}

    def snapshot(self, users: list[int], chats: list[int], refs: list[ConversationRef]) -> UpdateState:
        """Deep copies of the current in-memory state (absent data is {}; not in a conversation is None)."""
        conversations = self._dicts()
        return UpdateState(
            user_data={u: deepcopy(self.application.user_data.get(u) or {}) for u in users},
            chat_data={c: deepcopy(self.application.chat_data.get(c) or {}) for c in chats},
            conversations={(name, key): _state_value(conversations[name].get(key)) for name, key in refs},
        )

    def apply(self, state: UpdateState) -> None:
        """Put a state into memory, in place (handlers and PTB hold on to these dictionaries)."""
        for user_id, data in state.user_data.items():
            target = self.application.user_data[user_id]  # PTB's defaultdict creates it
            target.clear()
            target.update(deepcopy(data))
        for chat_id, data in state.chat_data.items():
            target = self.application.chat_data[chat_id]
            target.clear()
            target.update(deepcopy(data))
        conversations = self._dicts()
        for (name, key), value in state.conversations.items():
            stored = conversations[name]
            if value is None:
                stored.data.pop(key, None)  # untracked: this is the stored state, nothing to write back
            else:
                stored.update_no_track({key: value})

    @staticmethod
    def changes(before: UpdateState, after: UpdateState) -> UpdateState:
        """What differs between two snapshots of the same refs."""
        return UpdateState(
            user_data={u: d for u, d in after.user_data.items()
                       if data_text(d) != data_text(before.user_data.get(u))},
            chat_data={c: d for c, d in after.chat_data.items()
                       if data_text(d) != data_text(before.chat_data.get(c))},
            conversations={ref: s for ref, s in after.conversations.items() if before.conversations.get(ref) != s},
        )

    @staticmethod
    def is_empty(state: UpdateState) -> bool:
        return not (state.user_data or state.chat_data or state.conversations)
