"""Tests of the Bot API test double, through a real python-telegram-bot ``Bot`` and ``Application``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.helpers import escape_markdown

from bot.testing import BotApiDouble, TelegramUser

TOKEN = "123456:TEST"
CHAT = 555001
PNG_2X3 = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")


@pytest_asyncio.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as server:
        yield server


@pytest_asyncio.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(token=TOKEN, base_url=double.base_url, base_file_url=double.base_file_url) as real_bot:
        yield real_bot


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=label.lower())] for label in labels])


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# --------------------------------------------------------------------------- plain Bot API


@pytest.mark.asyncio
async def test_get_me_describes_the_configured_bot(bot: Bot, double: BotApiDouble) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (7000000001, "jagakerja_bot", "JagaKerja", True)
    assert double.calls[-1].method == "getMe"


@pytest.mark.asyncio
async def test_http_layer_checks_token_and_method(double: BotApiDouble) -> None:
    async with httpx.AsyncClient() as client:
        bad_token = await client.get(f"{double.base_url}not-a-token/getMe")
        unknown = await client.post(f"{double.base_url}{TOKEN}/sendTelepathy")
        upper = await client.get(f"{double.base_url}{TOKEN}/GETME")
        as_json = await client.post(f"{double.base_url}{TOKEN}/sendMessage", json={"chat_id": CHAT, "text": "j"})
        as_query = await client.get(f"{double.base_url}{TOKEN}/sendMessage", params={"chat_id": CHAT, "text": "7"})
    assert bad_token.status_code == 401
    assert bad_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert upper.json()["result"]["username"] == "jagakerja_bot"
    assert as_json.json()["result"]["text"] == "j"
    assert as_query.json()["result"]["text"] == "7"  # a numeric text stays a string


@pytest.mark.asyncio
async def test_multipart_attach_reference_and_file_route(double: BotApiDouble) -> None:
    async with httpx.AsyncClient() as client:
        sent = await client.post(
            f"{double.base_url}{TOKEN}/sendDocument",
            data={"chat_id": str(CHAT), "document": "attach://part1", "reply_markup": '{"inline_keyboard": []}'},
            files={"part1": ("laporan.pdf", b"%PDF-1.4", "application/pdf")},
        )
        document = sent.json()["result"]["document"]
        path = double.files[document["file_id"]].file_path
        download = await client.get(f"{double.base_file_url}{TOKEN}/{path}")
        missing = await client.get(f"{double.base_file_url}{TOKEN}/documents/nope.pdf")
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "laporan.pdf",
        "application/pdf",
        8,
    )
    assert "reply_markup" not in sent.json()["result"]  # an empty inline keyboard is no keyboard
    assert download.content == b"%PDF-1.4"
    assert missing.status_code == 404


@pytest.mark.asyncio
async def test_invalid_token_raises_in_ptb(double: BotApiDouble) -> None:
    with pytest.raises(InvalidToken):
        await Bot(token="broken", base_url=double.base_url).get_me()


@pytest.mark.asyncio
async def test_send_message_records_and_echoes_inline_keyboard(bot: Bot, double: BotApiDouble) -> None:
    first = await bot.send_message(CHAT, "Pilih menu", reply_markup=keyboard("Cek Status", "Bantuan"))
    second = await bot.send_message(CHAT, "Lagi")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == CHAT and first.from_user is not None and first.from_user.is_bot
    assert isinstance(first.date, dtm.datetime)
    assert first.reply_markup == keyboard("Cek Status", "Bantuan")
    recorded = double.messages[0]
    assert (recorded.chat_id, recorded.kind, recorded.text) == (CHAT, "text", "Pilih menu")
    assert recorded.buttons == [["Cek Status"], ["Bantuan"]]
    assert recorded.inline_buttons == [("Cek Status", "cek status"), ("Bantuan", "bantuan")]
    assert double.calls[-1].params["chat_id"] == CHAT


@pytest.mark.asyncio
async def test_reply_keyboard_is_recorded_but_not_echoed(bot: Bot, double: BotApiDouble) -> None:
    markup = ReplyKeyboardMarkup([[KeyboardButton("Kirim nomor", request_contact=True)]])
    sent = await bot.send_message(CHAT, "Nomor HP?", reply_markup=markup)
    assert sent.reply_markup is None
    assert double.messages[-1].is_reply_keyboard and double.messages[-1].buttons == [["Kirim nomor"]]


@pytest.mark.asyncio
async def test_html_is_parsed_into_entities_and_bad_html_is_refused(bot: Bot, double: BotApiDouble) -> None:
    sent = await bot.send_message(CHAT, "<b>Rp16.800</b> &lt;per bulan&gt;", parse_mode=ParseMode.HTML)
    assert sent.text == "Rp16.800 <per bulan>"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 8
    assert double.messages[-1].raw_text == "<b>Rp16.800</b> &lt;per bulan&gt;"
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "Halo <Siti>", parse_mode=ParseMode.HTML)


@pytest.mark.asyncio
async def test_markdown_v2_needs_escaping(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved"):
        await bot.send_message(CHAT, "Rp16.800", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await bot.send_message(
        CHAT, "*Iuran* " + escape_markdown("Rp16.800 (JKK+JKM)!", version=2), parse_mode=ParseMode.MARKDOWN_V2
    )
    assert sent.text == "Iuran Rp16.800 (JKK+JKM)!"


@pytest.mark.asyncio
async def test_validation_errors_match_telegram(bot: Bot, double: BotApiDouble) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "   ")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("baru", chat_id=CHAT, message_id=99)
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("12345")
    assert double.messages == []
    assert [c.status for c in double.calls[-4:]] == [400, 400, 400, 400]


@pytest.mark.asyncio
async def test_edits_update_the_recorded_message(bot: Bot, double: BotApiDouble) -> None:
    sent = await bot.send_message(CHAT, "Langkah 1", reply_markup=keyboard("Lanjut"))
    edited = await bot.edit_message_text("Langkah 2", CHAT, sent.message_id, reply_markup=keyboard("Selesai"))
    assert isinstance(edited, Message) and edited.text == "Langkah 2" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Langkah 2", CHAT, sent.message_id, reply_markup=keyboard("Selesai"))
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=None)
    recorded = double.messages[0]
    assert recorded.text == "Langkah 2" and recorded.reply_markup is None
    assert [(v.text, v.reply_markup is not None) for v in recorded.edits] == [
        ("Langkah 1", True),
        ("Langkah 2", True),
    ]
    assert await bot.delete_message(CHAT, sent.message_id)
    assert recorded.deleted


@pytest.mark.asyncio
async def test_edit_text_without_markup_drops_inline_keyboard(bot: Bot, double: BotApiDouble) -> None:
    sent = await bot.send_message(CHAT, "Pilih", reply_markup=keyboard("Ya"))
    edited = await bot.edit_message_text("Dipilih: Ya", CHAT, sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    assert double.messages[0].buttons == []


@pytest.mark.asyncio
async def test_document_roundtrip_through_get_file(bot: Bot, double: BotApiDouble) -> None:
    content = b"nik,nama\n6408010101010001,Siti\n"
    sent = await bot.send_document(
        CHAT, InputFile(content, filename="roster.csv"), caption="Daftar", reply_markup=keyboard("OK")
    )
    assert sent.document is not None and sent.document.file_name == "roster.csv"
    assert sent.document.file_size == len(content) and sent.caption == "Daftar"
    recorded = double.messages[-1]
    assert (recorded.kind, recorded.file_name, recorded.file_bytes, recorded.text) == (
        "document",
        "roster.csv",
        content,
        "Daftar",
    )
    assert recorded.mime_type == "text/csv"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    again = await bot.send_document(CHAT, sent.document.file_id)  # resend by file_id
    assert again.document is not None and again.document.file_unique_id == sent.document.file_unique_id


@pytest.mark.asyncio
async def test_photo_sizes_come_from_the_image(bot: Bot, double: BotApiDouble) -> None:
    sent = await bot.send_photo(CHAT, PNG_2X3, caption="<i>grafik</i>", parse_mode=ParseMode.HTML)
    assert (sent.photo[-1].width, sent.photo[-1].height) == (2, 3)
    assert sent.caption == "grafik" and sent.caption_entities[0].type == "italic"
    assert double.messages[-1].kind == "photo" and double.messages[-1].file_bytes == PNG_2X3
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == PNG_2X3


@pytest.mark.asyncio
async def test_commands_are_stored_per_scope_and_language(bot: Bot, double: BotApiDouble) -> None:
    await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("batal", "Batal")], language_code="id")
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(CHAT))
    assert [c.command for c in await bot.get_my_commands(language_code="id")] == ["start", "batal"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert await bot.get_my_commands() == ()
    assert double.commands_for({"type": "chat", "chat_id": CHAT}) == [{"command": "admin", "description": "Admin"}]
    assert double.commands[('{"type":"default"}', "id")][1]["command"] == "batal"
    await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Mulai Sekarang", "x")])


@pytest.mark.asyncio
async def test_chat_action_menu_button_and_webhook(bot: Bot, double: BotApiDouble) -> None:
    assert await bot.send_chat_action(CHAT, "typing")
    assert await bot.set_chat_menu_button()
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


# --------------------------------------------------------------------------- getUpdates


@pytest.mark.asyncio
async def test_long_poll_returns_as_soon_as_an_update_is_pushed(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await double.wait_for(lambda: double.long_polls_waiting > 0)  # the poll is parked in the server
    started = time.monotonic()
    update_id = await user.send("/start@jagakerja_bot deep")
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert [u.update_id for u in updates] == [update_id] == [1]
    message = updates[0].message
    assert message is not None and message.text == "/start@jagakerja_bot deep"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == len("/start@jagakerja_bot")
    assert message.from_user is not None and message.from_user.language_code == "id"


@pytest.mark.asyncio
async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=200)) == ()
    assert 0.15 < time.monotonic() - started < 1.0


@pytest.mark.asyncio
async def test_offset_confirms_and_drops_older_updates(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    ids = [await user.send(text) for text in ("a", "b", "c")]
    assert ids == [1, 2, 3]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == [1, 2]
    await double.wait_until_fetched(2, timeout=0.1)
    assert [u.update_id for u in await bot.get_updates(offset=3)] == [3]
    assert [u["update_id"] for u in double.pending_updates] == [3]
    assert await bot.get_updates(offset=4) == ()
    assert double.pending_updates == []


@pytest.mark.asyncio
async def test_stop_answers_a_pending_long_poll(double: BotApiDouble) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        poll = asyncio.create_task(client.post(f"{double.base_url}{TOKEN}/getUpdates", data={"timeout": "30"}))
        await double.wait_for(lambda: double.long_polls_waiting > 0)
        started = time.monotonic()
        await double.stop()
        response = await poll
    assert time.monotonic() - started < 2.0
    assert response.json() == {"ok": True, "result": []}


# --------------------------------------------------------------------------- faults


@pytest.mark.asyncio
async def test_injected_429_raises_retry_after(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "halo")
    assert seconds(caught.value.retry_after) == 7
    assert double.calls[-1].fault is not None and double.calls[-1].status == 429
    assert double.messages == []
    await bot.send_message(CHAT, "halo")  # only the next call was faulted
    assert len(double.messages) == 1


@pytest.mark.asyncio
async def test_injected_5xx_raise_network_error(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(CHAT, "halo")
    double.inject("getMe", status=500)
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.get_me()
    assert double.messages == []


@pytest.mark.asyncio
async def test_fault_can_target_one_chat(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=403, chat_id=CHAT)
    await bot.send_message(CHAT + 1, "lain")
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT, "kena")
    assert [m.chat_id for m in double.messages] == [CHAT + 1]


@pytest.mark.asyncio
async def test_blocked_user_gets_forbidden_until_unblocked(bot: Bot, double: BotApiDouble) -> None:
    double.block_user(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "halo")
    with pytest.raises(Forbidden):
        await bot.send_document(CHAT, InputFile(b"x", filename="a.txt"))
    double.unblock_user(CHAT)
    await bot.send_message(CHAT, "halo")
    assert len(double.messages) == 1


@pytest.mark.asyncio
async def test_slow_answer_is_delayed_but_succeeds(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=200, delay=0.3)
    started = time.monotonic()
    await bot.send_message(CHAT, "pelan")
    assert time.monotonic() - started >= 0.3
    assert double.messages[-1].text == "pelan"


@pytest.mark.asyncio
async def test_slow_answer_past_read_timeout_times_out_but_is_delivered(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=200, delay=0.3)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "terkirim?", read_timeout=0.05)
    message = await double.wait_for_message(CHAT, 0)  # like Telegram: the message may still arrive
    assert message.text == "terkirim?"


# --------------------------------------------------------------------------- TelegramUser


@pytest.mark.asyncio
async def test_user_reply_cursor_handles_several_messages(bot: Bot, double: BotApiDouble) -> None:
    siti, budi = TelegramUser(double, CHAT), TelegramUser(double, CHAT + 1, first_name="Budi")
    for text in ("satu", "dua"):
        await bot.send_message(CHAT, text)
    await bot.send_message(CHAT + 1, "untuk Budi")
    await bot.send_message(CHAT, "tiga")
    assert [m.text for m in await siti.expect_replies(2)] == ["satu", "dua"]
    assert (await budi.expect_reply()).text == "untuk Budi"
    assert (await siti.expect_reply()).text == "tiga" and siti.last_reply is not None
    with pytest.raises(TimeoutError, match="tiga"):
        await siti.expect_reply(timeout=0.05)


@pytest.mark.asyncio
async def test_user_press_sends_callback_with_message(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    old = await bot.send_message(CHAT, "Lama", reply_markup=keyboard("Cek Status"))
    new = await bot.send_message(CHAT, "Baru", reply_markup=keyboard("Cek Status", "Batal"))
    await user.press("cek status")  # case-insensitive fallback, newest message first
    await user.press_index(2)
    await user.press_data(old.message_id, "admin:hapus")
    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates]
    assert [(q.data, q.message.message_id) for q in queries if q and q.message] == [
        ("cek status", new.message_id),
        ("batal", new.message_id),
        ("admin:hapus", old.message_id),
    ]
    assert queries[0] is not None and queries[0].from_user.id == CHAT
    assert await queries[0].answer("Siap")
    assert (await user.expect_callback_answer())["text"] == "Siap"


@pytest.mark.asyncio
async def test_user_press_reply_keyboard_and_contact(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    await bot.send_message(
        CHAT,
        "Link",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Web", url="https://bpjs.id")]]),
    )
    await bot.send_message(
        CHAT,
        "Menu",
        reply_markup=ReplyKeyboardMarkup([["Cek Status"], [KeyboardButton("Kirim nomor", request_contact=True)]]),
    )
    await user.press("Cek Status")
    await user.press("Kirim nomor")
    await user.share_contact("+628111", contact_user_id=999)
    with pytest.raises(ValueError, match="url"):
        await user.press("Web")
    with pytest.raises(LookupError, match="Kirim nomor"):
        await user.press("Tidak ada")
    await bot.send_message(CHAT, "Selesai", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(LookupError):
        await user.press("Cek Status")
    messages = [u.message for u in await bot.get_updates()]
    assert messages[0] is not None and messages[0].text == "Cek Status"
    own = messages[1].contact if messages[1] else None
    other = messages[2].contact if messages[2] else None
    assert own is not None and (own.user_id, own.phone_number) == (CHAT, "+6281234567890")
    assert other is not None and other.user_id == 999


@pytest.mark.asyncio
async def test_user_files_can_be_downloaded_by_the_bot(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    await user.send_document("data.csv", b"a,b\n1,2\n", caption="roster")
    await user.send_photo(PNG_2X3)
    first, second = await bot.get_updates()
    assert first.message is not None and first.message.document is not None
    assert first.message.document.mime_type == "text/csv" and first.message.caption == "roster"
    document = await first.message.document.get_file()
    assert bytes(await document.download_as_bytearray()) == b"a,b\n1,2\n"
    assert second.message is not None and second.message.photo[-1].width == 2
    photo = await second.message.photo[-1].get_file()
    assert bytes(await photo.download_as_bytearray()) == PNG_2X3


@pytest.mark.asyncio
async def test_user_expects_caption_edits_and_timeouts_explain(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    sent = await bot.send_photo(CHAT, PNG_2X3, caption="draf", reply_markup=keyboard("Setujui"))
    photo = await user.expect_reply()
    await bot.edit_message_caption(CHAT, sent.message_id, caption="final", reply_markup=keyboard("Setujui"))
    edited = await user.expect_edit(photo)
    assert (edited.text, edited.edits[0].text, edited.buttons) == ("final", "draf", [["Setujui"]])
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT, "<b>rusak", parse_mode=ParseMode.HTML)
    with pytest.raises(TimeoutError) as caught:
        await user.expect_edit(timeout=0.05)
    assert "final" in str(caught.value) and "sendMessage -> 400" in str(caught.value)


@pytest.mark.asyncio
async def test_bot_may_delete_a_users_message(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    await user.send("6408010101010001")
    assert user.last_sent is not None
    assert await bot.delete_message(CHAT, user.last_sent["message_id"])
    assert double.is_deleted(CHAT, user.last_sent["message_id"])


@pytest.mark.asyncio
async def test_replies_quote_existing_messages_only(bot: Bot, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    await user.send("pertanyaan")
    assert user.last_sent is not None
    sent = await bot.send_message(CHAT, "jawaban", reply_to_message_id=user.last_sent["message_id"])
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "pertanyaan"
    assert double.messages[-1].reply_to_message_id == user.last_sent["message_id"]
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(CHAT, "x", reply_to_message_id=999)


@pytest.mark.asyncio
async def test_two_doubles_run_side_by_side() -> None:
    async with BotApiDouble(bot_username="a_bot") as first, BotApiDouble(bot_username="b_bot") as second:
        assert first.port != second.port
        async with Bot(TOKEN, base_url=first.base_url) as a, Bot(TOKEN, base_url=second.base_url) as b:
            assert (a.username, b.username) == ("a_bot", "b_bot")


# --------------------------------------------------------------------------- a real Application


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text, reply_markup=keyboard("Tekan"))


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Diterima")
    await query.edit_message_text(f"Ditekan: {query.data}")


@pytest_asyncio.fixture
async def app(double: BotApiDouble) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder().token(TOKEN).base_url(double.base_url).base_file_url(double.base_file_url).build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(CallbackQueryHandler(_pressed))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.mark.asyncio
async def test_real_application_echoes_and_handles_buttons(app: Application, double: BotApiDouble) -> None:
    user = TelegramUser(double, CHAT)
    await user.send("halo")
    reply = await user.expect_reply()
    assert (reply.text, reply.buttons) == ("halo", [["Tekan"]])
    await user.press("Tekan")
    assert (await user.expect_callback_answer())["text"] == "Diterima"
    edited = await user.expect_edit()
    assert edited.text == "Ditekan: tekan" and edited.buttons == []
    await user.send("lagi")
    assert (await user.expect_reply()).text == "lagi"
