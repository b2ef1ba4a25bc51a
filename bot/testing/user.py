"""A scripted Telegram user: sends updates through a ``BotApiDouble`` and reads the bot's replies."""

from __future__ import annotations

import itertools
import re
import time

from bot.testing.double import JSON, BotApiDouble, BotMessage

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_UNSUPPORTED_INLINE = (
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
)
_UNSUPPORTED_REPLY = ("request_location", "request_poll", "request_users", "request_chat", "web_app")
# The user Telegram puts in `from` when a group admin posts anonymously (as the group).
GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}


class TelegramUser:
    """One user in a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        double: BotApiDouble,
        user_id: int,
        first_name: str = "Siti",
        language_code: str | None = "id",
        username: str | None = None,
    ) -> None:
        self.double = double
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_reply: BotMessage | None = None
        self.last_sent: JSON | None = None
        self.last_query_id: str | None = None
        self._reply_cursor = 0
        self._answer_cursor = 0
        self._edits_seen: dict[int, int] = {}
        self._query_ids: set[str] = set()

    @property
    def chat_id(self) -> int:
        return self.user_id

    @property
    def user_json(self) -> JSON:
        """This user's User object."""
        user: JSON = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_json(self) -> JSON:
        """The private chat's Chat object."""
        chat: JSON = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    # ----------------------------------------------------------------- sending

    async def send(self, text: str) -> int:
        """Send a text message (commands get a ``bot_command`` entity); returns the update_id."""
        content: JSON = {"text": text}
        command = _COMMAND_RE.match(text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
        return self._push_message(content)

    async def share_contact(
        self,
        phone_number: str = "+6281234567890",
        contact_user_id: int | None = None,
        first_name: str | None = None,
    ) -> int:
        """Share a contact: by default this user's own (as the request_contact button does)."""
        own = contact_user_id is None or contact_user_id == self.user_id
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or (self.first_name if own else "Kontak"),
            "user_id": self.user_id if contact_user_id is None else contact_user_id,
        }
        return self._push_message({"contact": contact})

    async def send_document(
        self, file_name: str, content: bytes, mime_type: str = "text/csv", caption: str | None = None
    ) -> int:
        """Send a file the bot can fetch with getFile and download."""
        stored = self.double.store_file(content, file_name, mime_type, "documents")
        payload: JSON = {"document": stored.document_json()}
        if caption:
            payload["caption"] = caption
        return self._push_message(payload)

    async def send_photo(self, content: bytes, caption: str | None = None) -> int:
        """Send a photo (one PhotoSize: the original bytes)."""
        stored = self.double.store_file(content, None, "image/jpeg", "photos")
        payload: JSON = {"photo": stored.photo_json()}
        if caption:
            payload["caption"] = caption
        return self._push_message(payload)

    async def send_content(self, content: JSON) -> int:
        """Send a message with any content (a sticker, a location, a voice note…): ``{"sticker": {...}}``."""
        return self._push_message(content)

    async def edit(self, message_id: int, text: str) -> int:
        """Edit one of this user's earlier text messages (Telegram sends an ``edited_message`` update)."""
        original = self.double.user_messages.get((self.chat_id, message_id)) or {"date": int(time.time())}
        content: JSON = {"text": text}
        command = _COMMAND_RE.match(text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
        message = {
            "message_id": message_id,
            "from": self.user_json,
            "chat": self.chat_json,
            "date": original.get("date", int(time.time())),
            "edit_date": int(time.time()),
            **content,
        }
        return self.double.push_update({"edited_message": message})

    async def send_in_group(self, group_id: int, text: str, *, anonymous: bool = False,
                            sender: JSON | None = None) -> int:
        """A message in a group the bot is in: from this user, or ``anonymous`` (an admin posting as the group:
        ``sender_chat`` set, ``from`` the GroupAnonymousBot), or from ``sender`` (``{}``: no ``from`` at all)."""
        group = {"id": group_id, "type": "supergroup", "title": "Grup Desa"}
        message: JSON = {
            "message_id": self.double.next_message_id(group_id),
            "chat": group,
            "date": int(time.time()),
            "text": text,
        }
        command = _COMMAND_RE.match(text)
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
        if anonymous:
            message["from"] = dict(GROUP_ANONYMOUS_BOT)
            message["sender_chat"] = group
        elif sender is None:
            message["from"] = self.user_json
        elif sender:
            message["from"] = sender
        return self.double.push_update({"message": message})

    async def press_inline_message(self, callback_data: str) -> int:
        """A button press on a message sent in inline mode: the query carries no message, only its id."""
        query_id = self.last_query_id = self.double.new_callback_query_id()
        self._query_ids.add(query_id)
        query = {
            "id": query_id,
            "from": self.user_json,
            "inline_message_id": f"AgAAA{query_id}",
            "chat_instance": str(-(abs(self.user_id) * 7919 % 10**18) - 1),
            "data": callback_data,
        }
        return self.double.push_update({"callback_query": query})

    async def press_inaccessible(self, message_id: int, callback_data: str) -> int:
        """A button press on a message Telegram no longer gives to bots (an InaccessibleMessage: date 0)."""
        message = {"message_id": message_id, "chat": self.chat_json, "date": 0}
        return self._push_callback(message, callback_data)

    def _push_message(self, content: JSON) -> int:
        message = {
            "message_id": self.double.next_message_id(self.chat_id),
            "from": self.user_json,
            "chat": self.chat_json,
            "date": int(time.time()),
            **content,
        }
        self.last_sent = message
        return self.double.push_update({"message": message})

    # ----------------------------------------------------------------- buttons

    async def press(self, label: str) -> int:
        """Press a button by its label: inline (newest message first), else the reply keyboard."""
        found = self._find_inline(label)
        if found is not None:
            return self._press_inline(*found)
        keyboard = self._reply_keyboard()
        button = _match_label(keyboard.button_rows if keyboard else [], label)
        if button is not None:
            return await self._press_reply(button)
        raise LookupError(f"No button {label!r} in chat {self.chat_id}. {self._describe_buttons()}")

    async def press_index(self, number: int) -> int:
        """Press the ``number``-th button (1-based, reading order) of the newest message with buttons."""
        keyboard = self._reply_keyboard()
        shown = [m for m in self._newest_first() if (m.is_inline_keyboard and not m.deleted) or m is keyboard]
        message = next(iter(shown), None)
        if message is None:
            raise LookupError(f"No bot message with buttons in chat {self.chat_id}")
        buttons = list(itertools.chain.from_iterable(message.button_rows))
        if not 1 <= number <= len(buttons):
            raise LookupError(f"No button #{number}: {message.summary()}")
        button = buttons[number - 1]
        if message.is_inline_keyboard:
            return self._press_inline(message, button)
        return await self._press_reply(button)

    async def press_data(self, message_id: int, callback_data: str) -> int:
        """Send a callback query with arbitrary data, as a forged client could."""
        message = self.double.find_message(self.chat_id, message_id)
        payload = message.payload if message is not None else self._bare_bot_message(message_id)
        return self._push_callback(payload, callback_data)

    def _newest_first(self) -> list[BotMessage]:
        return list(reversed(self.double.messages_to(self.chat_id)))

    def _find_inline(self, label: str) -> tuple[BotMessage, JSON] | None:
        candidates = [m for m in self._newest_first() if m.is_inline_keyboard and not m.deleted]
        for exact in (True, False):
            for message in candidates:
                button = _match_label(message.button_rows, label, exact=exact)
                if button is not None:
                    return message, button
        return None

    def _reply_keyboard(self) -> BotMessage | None:
        """The newest message that set or removed the reply keyboard, if it set one."""
        for message in self._newest_first():
            markup = message.reply_markup or {}
            if "remove_keyboard" in markup:
                return None
            if "keyboard" in markup:
                return message
        return None

    def _press_inline(self, message: BotMessage, button: JSON) -> int:
        unsupported = [key for key in _UNSUPPORTED_INLINE if key in button]
        if unsupported or "callback_data" not in button:
            kind = unsupported[0] if unsupported else "non-callback"
            raise ValueError(f"Button {button.get('text')!r} is a {kind} button, not a callback button")
        return self._push_callback(message.payload, str(button["callback_data"]))

    async def _press_reply(self, button: JSON) -> int:
        if button.get("request_contact"):
            return await self.share_contact()
        unsupported = [key for key in _UNSUPPORTED_REPLY if button.get(key)]
        if unsupported:
            raise NotImplementedError(f"Reply button with {unsupported[0]} is not supported")
        return await self.send(str(button.get("text", "")))

    def _push_callback(self, message: JSON, data: str) -> int:
        query_id = self.last_query_id = self.double.new_callback_query_id()
        self._query_ids.add(query_id)
        query = {
            "id": query_id,
            "from": self.user_json,
            "message": dict(message),
            "chat_instance": str(-(abs(self.user_id) * 7919 % 10**18) - 1),
            "data": data,
        }
        return self.double.push_update({"callback_query": query})

    def _bare_bot_message(self, message_id: int) -> JSON:
        return {
            "message_id": message_id,
            "from": self.double.bot_user,
            "chat": self.chat_json,
            "date": int(time.time()),
            "text": "",
        }

    def _describe_buttons(self) -> str:
        inline = [label for m in self._newest_first() if not m.deleted for label, _ in m.inline_buttons]
        keyboard = self._reply_keyboard()
        reply = [label for row in keyboard.buttons for label in row] if keyboard else []
        return f"Inline buttons: {inline or 'none'}; reply keyboard: {reply or 'none'}."

    # ----------------------------------------------------------------- expectations

    async def expect_reply(self, timeout: float = 5.0) -> BotMessage:
        """The next bot message to this chat not yet returned here."""
        message = await self.double.wait_for_message(self.chat_id, self._reply_cursor, timeout)
        self._reply_cursor = self.double.position_of(message) + 1
        self.last_reply = message
        return message

    async def expect_replies(self, count: int, timeout: float = 5.0) -> list[BotMessage]:
        """The next ``count`` bot messages to this chat."""
        return [await self.expect_reply(timeout) for _ in range(count)]

    async def expect_edit(self, message: BotMessage | None = None, timeout: float = 5.0) -> BotMessage:
        """Wait for an edit of ``message`` (default: the last reply) not yet seen here."""
        target = message or self.last_reply
        if target is None:
            raise ValueError("expect_edit needs a message: no reply has been received yet")
        seen = self._edits_seen.get(target.message_id, 0)
        edited = await self.double.wait_for_edit(target.chat_id, target.message_id, seen, timeout)
        self._edits_seen[target.message_id] = len(edited.edits)
        return edited

    async def expect_callback_answer(self, timeout: float = 5.0) -> JSON:
        """The next answerCallbackQuery parameters for a query this user sent."""

        def find() -> tuple[int, JSON] | None:
            answers = self.double.callback_answers
            for index in range(self._answer_cursor, len(answers)):
                if str(answers[index].get("callback_query_id")) in self._query_ids:
                    return index, answers[index]
            return None

        index, answer = await self.double.wait_for(find, timeout, f"a callback answer to user {self.user_id}")
        self._answer_cursor = index + 1
        return answer


def channel_post(double: BotApiDouble, channel_id: int, text: str, *, edited: bool = False) -> int:
    """A post in a channel the bot is an admin of (no sender: ``sender_chat`` is the channel)."""
    channel = {"id": channel_id, "type": "channel", "title": "Info Desa"}
    post = {
        "message_id": double.next_message_id(channel_id),
        "sender_chat": channel,
        "chat": channel,
        "date": int(time.time()),
        "text": text,
    }
    return double.push_update({"edited_channel_post" if edited else "channel_post": post})


def _match_label(rows: list[list[JSON]], label: str, exact: bool | None = None) -> JSON | None:
    """The first button with that label; ``exact=None`` tries exact, then case-insensitive."""
    modes = (True, False) if exact is None else (exact,)
    buttons = list(itertools.chain.from_iterable(rows))
    for strict in modes:
        for button in buttons:
            text = str(button.get("text", ""))
            if text == label if strict else text.casefold() == label.casefold():
                return button
    return None
