"""A seeded fuzzer: updates of every kind, driven through the real Application and the Bot API double.

Workers, officials and an admin (and now and then a brand-new user) press real buttons (the newest, old ones,
twice in a row), forged ones (mutated real data, every callback kind with odd values, unknown prefixes), type
plausible and junk text (unicode, control characters, 4096 characters, 28-digit numbers, ``²``), commands with
junk payloads and deep links, share contacts, send documents, stickers and locations, edit their messages,
post in groups (also as anonymous admins, or with no sender at all); channels post; buttons are pressed on
messages the bot can no longer see or that were sent in inline mode.

The same seed makes the same choices (the bot runs on a `FixedClock`). What is checked, per batch of updates
(at most one per user, so every reply can be attributed): the error handler was not called (and nothing else
logged an error), every private message got an answer (a new message or an edit in that chat), every button
press got exactly one `answerCallbackQuery`, and the bot made no request Telegram would refuse (no 400).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
import re
import string
import time
import typing
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from bot.testing.double import JSON, ApiCall, BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser, channel_post
from handlers.callbacks import registered_prefixes
from tests.support.officials import DESA_A, DESA_A2, NIKS
from tests.support.roster import BUDI, SITI, roster_csv

Role = Literal["worker", "official", "admin", "new"]
ANSWERS = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagereplymarkup",
                     "editmessagecaption"})
GROUP_ID = -1001234567890
CHANNEL_ID = -1009876543210

COMMANDS = [
    "start", "cekstatus", "status", "cekkelayakan", "eligibility", "iuran", "daftarminat", "signup", "minatsaya",
    "myrequests", "bantuan", "help", "bahasa", "language", "batal", "cancel", "dataku", "mydata", "hapusdata",
    "deletedata", "tindaklanjut", "followup", "unduh", "export", "poster", "statistik", "statistics", "siaran",
    "broadcast", "siaran_status", "broadcast_status", "undang", "invite", "petugas", "officials", "audit",
    "START", "tidakada", "x",
]
PLAUSIBLE = [
    SITI.nik, BUDI.nik, "6408 0457 0885 0003", *NIKS[:3], "17-08-1985", "02/03/1979", "1 januari 1990",
    "31-02-1990", "17081985", "Siti Aminah", "Budi", "O'Neil Jr.", "+6281234567890", "081234567890", "0812 3456 7890",
    "62812345678", "1500000", "1.500.000", "Rp 2.000.000", "2 juta", "1,5 jt", "500rb", "35", "17", "70", "0", "ya",
    "tidak", "yes", "no", "Senyiur", "senyiur", "Kelinjau Ilir", "ojek", "petani", "nelayan", "brp iuran sebulan?",
    "kalo meninggal dpt brp?", "apa itu JKK", "cara klaim", "saya mau daftar", "terima kasih", "halo", "menunggu",
    "sudah dihubungi", "Umur < 18", "Catatan & tindak lanjut", "Pengumuman: rapat desa besok jam 9",
    "🛡 Cek Status Perlindungan", "✅ Cek Kelayakan", "💰 Manfaat & Iuran", "❓ Tanya Jawab", "📝 Daftar Minat",
    "ℹ️ Bantuan", "🏠 Menu utama", "◀️ Kembali", "🏠 Main menu",
]
ODD = [
    "²", "¹²³", "٣٤٥", "１２３", "1" * 28, "9" * 20, "-1", "+5", "0x1f", "1e400", "NaN", "inf", "-0", "1_000",
    "Rp 99999999999999999999999999", "99999999999999999999999999,99", "1.2.3.4", "12345678901234567", "６４０８",
    "<b>tebal</b>", "&amp; &lt;", "<a href=\"http://phish.example/login\">kantor desa</a>", "a < b > c & d",
    "%s %d {0} {name} {{x}}", "'; DROP TABLE users; --", "\\", "\u200b", "\u202etxet", "e\u0301\u0301\u0301",
    "🙂" * 50, "𝕊𝕚𝕥𝕚", "ﷺ", "\x01\x02\x1b[31m", "tab\tand\nnewline", "\r\n\r\n", "null", "None", "{}", "[]",
    "/", "/ start", "//start", "@jagakerja_bot", "#1", "x" * 4096, "ع" * 4096, "🙂" * 2048, "1" * 4096,
]
DEEP_LINKS = ["desa_64.08.01.2001", "desa_64.08.01.2002", "desa_99.99.99.9999", "desa_", "desa_64.08",
              "inv_", "inv_" + "A" * 40, "inv_x", "ref_abc", "x" * 64, "-", "__", "desa_64.08.01.2001_extra"]
MEDIA: list[JSON] = [
    {"sticker": {"file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADsticker", "type": "regular", "width": 512,
                 "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}},
    {"location": {"latitude": -0.5022, "longitude": 117.1536}},
    {"voice": {"file_id": "AwACAgIAAxkBAAEB", "file_unique_id": "AgADvoice", "duration": 3}},
    {"dice": {"emoji": "🎲", "value": 4}},
    {"venue": {"location": {"latitude": -0.5, "longitude": 117.1}, "title": "Kantor Desa", "address": "Jl. Poros"}},
    {"text": "diteruskan", "forward_origin": {"type": "hidden_user", "sender_user_name": "Ani", "date": 1}},
]


@dataclass
class Sent:
    """One update the fuzzer pushed and what it expects back."""

    update_id: int
    kind: str
    detail: str
    answer_chat: int | None = None  # a private chat that must get a message or an edit
    query_id: str | None = None  # a button press that must be answered exactly once


@dataclass
class FuzzReport:
    seed: int
    updates: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    handler_errors: list[str] = field(default_factory=list)  # the error handler was called
    other_errors: list[str] = field(default_factory=list)  # anything else logged at ERROR
    bad_requests: list[str] = field(default_factory=list)  # 400s from the Bot API
    unanswered: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.handler_errors or self.other_errors or self.bad_requests or self.unanswered)

    def summary(self, limit: int = 25) -> str:
        lines = [
            f"fuzz seed={self.seed} (rerun: JAGAKERJA_FUZZ_SEED={self.seed}): {self.updates} updates in "
            f"{self.seconds:.1f}s; error-handler calls {len(self.handler_errors)}, other errors "
            f"{len(self.other_errors)}, Bot API 400s {len(self.bad_requests)}, unanswered {len(self.unanswered)}",
            "kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items())),
        ]
        for title, items in (("error handler", self.handler_errors), ("other errors", self.other_errors),
                             ("400s", self.bad_requests), ("unanswered", self.unanswered)):
            if items:
                lines.append(f"--- {title} ({len(items)}; distinct first):")
                distinct = list(dict.fromkeys(items))
                lines += ["  " + item[:600] for item in distinct[:limit]]
        return "\n".join(lines)


class _ErrorLog(logging.Handler):
    """Every record at ERROR or above from any logger, and every record of the error handler (a call it answers
    with a warning, such as a send that timed out, is a call too) and of the net that answers a press its
    handler left unanswered (`handlers/fallback.settle_press`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.name in ("jagakerja.errors", "jagakerja.unanswered"):
            self.records.append(record)


@dataclass
class Actor:
    role: Role
    user: TelegramUser
    texts: list[int] = field(default_factory=list)  # ids of the user's own text messages (to edit)


def _chat_of(call: ApiCall) -> int | None:
    value = call.params.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _callback_buttons(message: BotMessage, markup: JSON | None = None) -> list[str]:
    rows = (markup if markup is not None else message.reply_markup or {}).get("inline_keyboard") or []
    return [str(b["callback_data"]) for row in rows for b in row if isinstance(b, dict) and "callback_data" in b]


class Fuzzer:
    """Drives `count` updates from `actors` through `bot` (see the module docstring)."""

    def __init__(self, bot: LocalBot, seed: int, actors: list[Actor]) -> None:
        self.bot = bot
        self.double = bot.double
        self.rng = random.Random(seed)
        self.actors = actors
        self.report = FuzzReport(seed)
        self.sent: dict[int, Sent] = {}
        self._new_ids = itertools.count(700001)
        self._links: list[str] = []
        self._by_chat: dict[int, list[BotMessage]] = {}  # the double's messages per chat (kept up to date)
        self._indexed = 0
        self._log = _ErrorLog()
        self._actions: list[tuple[int, Callable[[Actor], Awaitable[list[Sent]]]]] = [
            (34, self.press_current), (6, self.press_old), (3, self.double_tap), (9, self.press_forged),
            (14, self.type_plausible), (9, self.type_odd), (10, self.command), (3, self.contact),
            (2, self.document), (3, self.media), (4, self.edit), (1, self.press_without_message),
            (1, self.press_inaccessible), (3, self.in_group), (1, self.in_channel),
        ]

    # ----------------------------------------------------------------- running

    async def run(self, count: int, max_batch: int = 6) -> FuzzReport:
        logging.getLogger().addHandler(self._log)
        began = time.perf_counter()
        try:
            while self.report.updates < count:
                await self._batch(self.rng.randint(1, max_batch))
        finally:
            logging.getLogger().removeHandler(self._log)
            self.report.seconds = time.perf_counter() - began
        self._collect_errors()
        return self.report

    async def _batch(self, size: int) -> None:
        calls_from, answers_from = len(self.double.calls), len(self.double.callback_answers)
        batch: list[Sent] = []
        for actor in self.rng.sample(self.actors, min(size, len(self.actors))):
            if actor.role == "new" and self.rng.random() < 0.5:
                actor.user = self._new_user()
            weights, actions = zip(*self._actions, strict=True)
            action = self.rng.choices(actions, weights)[0]
            batch += await action(actor)
        for sent in batch:
            self.sent[sent.update_id] = sent
            self.report.kinds[sent.kind] += 1
            await self.bot.settle(sent.update_id, timeout=30)
        self.report.updates += len(batch)
        self._check(batch, self.double.calls[calls_from:], self.double.callback_answers[answers_from:])

    def _check(self, batch: list[Sent], calls: list[ApiCall], answers: list[JSON]) -> None:
        answered_chats = {_chat_of(c) for c in calls if c.method.lower() in ANSWERS and c.status == 200}
        answer_counts = Counter(str(a.get("callback_query_id")) for a in answers)
        for sent in batch:
            if sent.answer_chat is not None and sent.answer_chat not in answered_chats:
                self.report.unanswered.append(f"no reply to {sent.kind}: {sent.detail}")
            if sent.query_id is not None and answer_counts[sent.query_id] != 1:
                self.report.unanswered.append(
                    f"{sent.kind} answered {answer_counts[sent.query_id]} times: {sent.detail}")
        for call in calls:
            if call.status == 400:
                chat = _chat_of(call)
                near = [f"{s.kind}: {s.detail}" for s in batch if chat is None or s.answer_chat in (None, chat)]
                self.report.bad_requests.append(
                    f"{call.method} -> {call.error} (chat {chat}); batch: {' | '.join(near)[:300]}")
        for message in self.double.messages[-40:]:
            self._links += re.findall(r"start=((?:inv|desa)_[A-Za-z0-9_.-]+)", message.raw_text or "")
        self._links = self._links[-20:]

    def _collect_errors(self) -> None:
        for record in self._log.records:
            exc = record.exc_info[1] if record.exc_info else None
            where = ""
            if record.exc_info and record.exc_info[2] is not None:
                frame = [f for f in _frames(record.exc_info[2]) if f.startswith(("handlers/", "bot/", "storage/"))][-1:]
                where = f" at {frame[0]}" if frame else ""
            update_id = getattr(record, "update_id", None)
            sent = self.sent.get(update_id) if isinstance(update_id, int) else None
            origin = f" for {sent.kind}: {sent.detail}" if sent else ""
            text = f"{type(exc).__name__}: {exc}{where}{origin}" if exc else record.getMessage()
            target = self.report.handler_errors if record.name == "jagakerja.errors" else self.report.other_errors
            if record.name == "jagakerja.unanswered":
                target = self.report.unanswered
            target.append(text)

    def _new_user(self) -> TelegramUser:
        language = self.rng.choice(["id", "en", None, "fr", "ms", "zh-hans"])
        name = self.rng.choice(["Ani", "Budi", "O'Neil", "<b>x</b>", "🙂", "ﷺ", "a" * 64])
        return self.bot.user(next(self._new_ids), first_name=name, language_code=language)

    # ----------------------------------------------------------------- helpers

    def _messages(self, actor: Actor) -> list[BotMessage]:
        """Every message the bot sent to this actor (`double.messages_to`, without rescanning all chats)."""
        messages = self.double.messages
        for message in messages[self._indexed:]:
            self._by_chat.setdefault(message.chat_id, []).append(message)
        self._indexed = len(messages)
        return self._by_chat.get(actor.user.chat_id, [])

    def _bot_messages(self, actor: Actor, recent: int = 30) -> list[BotMessage]:
        """The actor's newest messages still in the chat (older ones: `press_old`)."""
        return [m for m in self._messages(actor)[-recent:] if not m.deleted]

    def _reply_keyboard(self, actor: Actor) -> BotMessage | None:
        """The newest message that set the reply keyboard, unless a newer one removed it."""
        for message in reversed(self._messages(actor)):
            markup = message.reply_markup or {}
            if "remove_keyboard" in markup:
                return None
            if "keyboard" in markup:
                return message
        return None

    def _pushed(self, actor: Actor, update_id: int, kind: str, detail: str, *, answer: bool = True) -> Sent:
        return Sent(update_id, kind, f"user {actor.user.user_id} ({actor.role}) {detail}",
                    answer_chat=actor.user.chat_id if answer else None)

    def _pressed(self, actor: Actor, update_id: int, kind: str, data: str) -> Sent:
        sent = self._pushed(actor, update_id, kind, f"data={data!r}", answer=False)
        sent.query_id = actor.user.last_query_id
        return sent

    def _text(self) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return self.rng.choice(PLAUSIBLE)
        if roll < 0.85:
            return self.rng.choice(ODD)
        return self._random_text()

    def _random_text(self) -> str:
        alphabet = (string.ascii_letters + string.digits + string.punctuation + " \t\n" + "²³¹٣٤١２３éüßçøåæ" +
                    "\u200b\u200d\u202e\u2066\ufeff" + "🙂🎲👍🏽" + "中文字" + "\x01\x07\x1f\x7f")
        length = self.rng.choice([1, 2, 5, 16, 40, 200, 1000, 4096])
        text = "".join(self.rng.choice(alphabet) for _ in range(length)).strip()
        return text[:4096] or "x"

    def _odd_value(self) -> str:
        return self.rng.choice(["9" * 20, "²", "-1", "0", "+5", " 5", "1e9", "٣", "１", "", "x", "NaN",
                                "99999999999999999", "4" * 16, "64.08.01.2001", "💥", "a" * 50, "home", "yes"])

    def _forged_data(self, actor: Actor) -> str:
        real = [d for m in self._bot_messages(actor) for d in _callback_buttons(m)]
        roll = self.rng.random()
        if real and roll < 0.45:
            parts = self.rng.choice(real).split(":")
            how = self.rng.randrange(4)
            if how == 0:
                parts[self.rng.randrange(len(parts))] = self._odd_value()
            elif how == 1:
                parts.append(self._odd_value())
            elif how == 2 and len(parts) > 1:
                parts.pop()
            else:
                parts = [p if not p.isdigit() else self._odd_value() for p in parts]
            return ":".join(parts)[:64]
        if roll < 0.8:
            return self._any_kind()
        return self.rng.choice(["menu:x", "menu:", "menu", "menu:home:1", "zz", "zz:1", "", ":", "::::", "a" * 64,
                                "💥", "lang:xx", "lang:", "consent:maybe", "erase:yes", "calc:start:1", "faq:show:",
                                "faq:cat:" + "x" * 50, "benefits:page:nope", "status:dp:dec:" + "9" * 20])

    def _any_kind(self) -> str:
        """Any registered callback kind, with values that may or may not make sense."""
        prefix, kind = self.rng.choice(sorted(registered_prefixes().items()))
        hints = typing.get_type_hints(kind)
        parts = [prefix]
        for item in dataclasses.fields(kind):
            hint: Any = hints[item.name]
            if get_origin(hint) is Literal and self.rng.random() < 0.8:
                parts.append(str(self.rng.choice(get_args(hint))))
            elif hint is int and self.rng.random() < 0.6:
                parts.append(str(self.rng.choice([0, 1, 2, 3, 5, 12, 31, 1940, 1985, 2026, 10**6, 2**53])))
            elif hint is str and self.rng.random() < 0.5:
                parts.append(self.rng.choice([DESA_A, DESA_A2, "64.08", "64.08.01", "jkk", "jkm", "ojek", "id",
                                              "en", "1", "all", "desa", "kecamatan", "official", "admin"]))
            else:
                parts.append(self._odd_value())
        return ":".join(parts)[:64]

    # ----------------------------------------------------------------- actions

    async def press_current(self, actor: Actor) -> list[Sent]:
        messages = [m for m in self._bot_messages(actor) if _callback_buttons(m)]
        keyboard = self._reply_keyboard(actor)
        if keyboard is not None and (not messages or self.rng.random() < 0.25):
            button = self.rng.choice([b for row in keyboard.button_rows for b in row])
            if button.get("request_contact"):
                return [self._pushed(actor, await actor.user.share_contact(), "contact-button", "own contact")]
            label = str(button.get("text", ""))
            return [self._pushed(actor, await actor.user.send(label), "reply-button", repr(label))]
        if not messages:
            return await self.command(actor)
        message = messages[-1] if self.rng.random() < 0.8 else self.rng.choice(messages[-4:])
        data = self.rng.choice(_callback_buttons(message))
        return [self._pressed(actor, await actor.user.press_data(message.message_id, data), "press", data)]

    async def press_old(self, actor: Actor) -> list[Sent]:
        """A button of an older message or of an earlier version of an edited one."""
        history = [m for m in self._messages(actor)[-200:] if not m.deleted]
        options = [(m, v.reply_markup) for m in history for v in m.edits]
        options += [(m, m.reply_markup) for m in history[:-1]]
        options = [(m, markup) for m, markup in options if markup and _callback_buttons(m, markup)]
        if not options:
            return await self.press_current(actor)
        message, markup = self.rng.choice(options)
        data = self.rng.choice(_callback_buttons(message, markup))
        return [self._pressed(actor, await actor.user.press_data(message.message_id, data), "press-old", data)]

    async def double_tap(self, actor: Actor) -> list[Sent]:
        """The same button twice before the bot answered the first press."""
        messages = [m for m in self._bot_messages(actor) if _callback_buttons(m)]
        if not messages:
            return await self.command(actor)
        message = messages[-1]
        data = self.rng.choice(_callback_buttons(message))
        first = self._pressed(actor, await actor.user.press_data(message.message_id, data), "double-tap", data)
        second = self._pressed(actor, await actor.user.press_data(message.message_id, data), "double-tap", data)
        return [first, second]

    async def press_forged(self, actor: Actor) -> list[Sent]:
        """Any data on a message the bot sent (Telegram checks the message, not the data)."""
        messages = self._bot_messages(actor)
        if not messages:
            return await self.command(actor)
        message = self.rng.choice([m for m in messages if _callback_buttons(m)] or messages)
        data = self._forged_data(actor)
        return [self._pressed(actor, await actor.user.press_data(message.message_id, data), "forged", data)]

    async def press_without_message(self, actor: Actor) -> list[Sent]:
        data = self.rng.choice([self._forged_data(actor), "menu:home", "menu:faq"])
        return [self._pressed(actor, await actor.user.press_inline_message(data), "inline-press", data)]

    async def press_inaccessible(self, actor: Actor) -> list[Sent]:
        messages = [m for m in self._messages(actor)[-200:] if _callback_buttons(m)]
        if not messages:
            return await self.command(actor)
        message = self.rng.choice(messages)
        data = self.rng.choice(_callback_buttons(message))
        update_id = await actor.user.press_inaccessible(message.message_id, data)
        return [self._pressed(actor, update_id, "inaccessible-press", data)]

    async def _send_text(self, actor: Actor, text: str, kind: str) -> list[Sent]:
        update_id = await actor.user.send(text)
        if actor.user.last_sent is not None:
            actor.texts.append(int(actor.user.last_sent["message_id"]))
        return [self._pushed(actor, update_id, kind, repr(text[:80]) + (f"…({len(text)})" if len(text) > 80 else ""))]

    async def type_plausible(self, actor: Actor) -> list[Sent]:
        return await self._send_text(actor, self.rng.choice(PLAUSIBLE), "text")

    async def type_odd(self, actor: Actor) -> list[Sent]:
        text = self.rng.choice(ODD) if self.rng.random() < 0.6 else self._random_text()
        return await self._send_text(actor, text, "odd-text")

    async def command(self, actor: Actor) -> list[Sent]:
        name = self.rng.choice(COMMANDS)
        roll = self.rng.random()
        if name == "start" and roll < 0.5:
            payload = self.rng.choice(self._links or DEEP_LINKS) if self.rng.random() < 0.5 else self.rng.choice(
                DEEP_LINKS)
            text = f"/start {payload}"
        elif roll < 0.3:
            text = f"/{name} {self._text()}"[:4096]
        elif roll < 0.4:
            text = f"/{name}@{self.rng.choice(['jagakerja_bot', 'otherbot'])}"
        else:
            text = f"/{name}"
        return await self._send_text(actor, text, "command")

    async def contact(self, actor: Actor) -> list[Sent]:
        user = actor.user
        roll = self.rng.random()
        if roll < 0.5:
            phone = self.rng.choice(["+6281234567890", "6281234567890", "081234567890", "+1 555 0100", "1" * 28,
                                     "+62²", "abc"])
            update_id = await user.share_contact(phone)
        elif roll < 0.8:
            update_id = await user.share_contact("+6281298765432", contact_user_id=user.user_id + 1,
                                                 first_name="Kontak")
        else:
            update_id = await user.send_content({"contact": {"phone_number": "+6281200000000", "first_name": "X"}})
        return [self._pushed(actor, update_id, "contact", f"roll {roll:.2f}")]

    async def document(self, actor: Actor) -> list[Sent]:
        choices: list[tuple[str, bytes, str]] = [
            ("roster.csv", roster_csv([SITI, BUDI]), "text/csv"),
            ("data.csv", b"nik,nama\n" + b"1" * 28 + b",x\n", "text/csv"),
            ("data.xlsx", bytes(self.rng.randrange(256) for _ in range(200)), "application/octet-stream"),
            ("foto.pdf", b"%PDF-1.4 junk", "application/pdf"),
            ("noext", b"\x00\x01\x02", "application/octet-stream"),
            ("ROSTER.CSV", "nik;nama\n²;é\n".encode("cp1252", "replace"), "text/csv"),
        ]
        name, content, mime = self.rng.choice(choices)
        caption = self.rng.choice([None, "roster", "1" * 28])
        update_id = await actor.user.send_document(name, content, mime, caption=caption)
        return [self._pushed(actor, update_id, "document", name)]

    async def media(self, actor: Actor) -> list[Sent]:
        content = self.rng.choice(MEDIA)
        update_id = await actor.user.send_content(dict(content))
        return [self._pushed(actor, update_id, "media", next(iter(content)))]

    async def edit(self, actor: Actor) -> list[Sent]:
        chat = actor.user.chat_id
        editable = [i for i in actor.texts if (chat, i) not in self.double.deleted_user_messages]
        if not editable:
            return await self.type_odd(actor)
        text = self._text()
        update_id = await actor.user.edit(self.rng.choice(editable), text)
        return [self._pushed(actor, update_id, "edited", repr(text[:80]))]

    async def in_group(self, actor: Actor) -> list[Sent]:
        text = self.rng.choice(["/start", "/bantuan", "/tindaklanjut", "/start desa_64.08.01.2001", "halo",
                                "brp iuran?", "1" * 28, "/start@jagakerja_bot"])
        how = self.rng.choice(["member", "anonymous", "no-sender"])
        update_id = await actor.user.send_in_group(GROUP_ID, text, anonymous=how == "anonymous",
                                                   sender={} if how == "no-sender" else None)
        return [self._pushed(actor, update_id, f"group-{how}", repr(text), answer=False)]

    async def in_channel(self, actor: Actor) -> list[Sent]:
        edited = self.rng.random() < 0.3
        update_id = channel_post(self.double, CHANNEL_ID, self.rng.choice(["/start", "Info", "1" * 28]),
                                 edited=edited)
        return [Sent(update_id, "channel-edit" if edited else "channel", f"channel {CHANNEL_ID}")]


def _frames(tb: Any) -> list[str]:
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(f"{code.co_filename.split('/work/main/')[-1]}:{tb.tb_lineno} {code.co_name}")
        tb = tb.tb_next
    return frames
