"""Log records are scrubbed when created: structure (updates, Bot API calls) by where the data is, secrets by
value. Every handler (here pytest's caplog, which has no filter of ours) gets the clean record."""

from __future__ import annotations

import datetime as dt
import functools
import logging

import httpx
import pytest
from telegram import Chat as TgChat
from telegram import Contact, Message, Update, User

from bot.runtime.logging_setup import install_scrubbing, protect_secret

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
USER = User(430001, "Kartinah", False, last_name="Wulandari", username="kartinah_w", language_code="id")
CHAT = TgChat(430001, "private", first_name="Kartinah")
NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def scrubbing() -> None:
    install_scrubbing()


def logged(caplog: pytest.LogCaptureFixture, message: str, *args: object, exc: bool = False) -> str:
    log = logging.getLogger("telegram.ext.Application")
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        if exc:
            try:
                raise RuntimeError(*args)
            except RuntimeError:
                log.exception(message)
        else:
            log.debug(message, *args)
    record = caplog.records[-1]
    return record.getMessage() + (record.exc_text or "")


def test_an_update_dump_keeps_its_shape_but_no_typed_text_nor_names(caplog: pytest.LogCaptureFixture) -> None:
    typed = Update(1, message=Message(5, NOW, CHAT, from_user=USER, text="Siti Aminah 17-08-1985"))
    text = logged(caplog, "Processing update %s", typed)
    assert "Siti" not in text and "17-08-1985" not in text and "Kartinah" not in text
    assert "Wulandari" not in text and "kartinah_w" not in text
    assert '"text":"<22 chars>"' in text and '"message_id":5' in text and '"language_code":"id"' in text
    shared = Update(2, message=Message(6, NOW, CHAT, from_user=USER,
                                       contact=Contact("+6281234567890", "Kartinah", user_id=430001)))
    text = logged(caplog, "Processing update %s", shared)
    assert "81234567890" not in text and "Kartinah" not in text and '"user_id":430001' in text


def test_bot_api_parameters_and_results_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    params = {"chat_id": 430001, "text": "Nama: Siti Aminah\nNIK: 6408014505900001", "parse_mode": "HTML"}
    text = logged(caplog, "Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", params)
    assert "Siti" not in text and "6408014505900001" not in text
    assert "sendMessage" in text and '"parse_mode":"HTML"' in text
    result = [{"update_id": 3, "message": {"text": "6408014505900001", "contact": {"phone_number": "0812345"}}}]
    text = logged(caplog, "finished with return value `%s`", result)
    assert "6408014505900001" not in text and "0812345" not in text and '"update_id":3' in text


def test_a_single_dict_argument_is_scrubbed_too(caplog: pytest.LogCaptureFixture) -> None:
    text = logged(caplog, "params %s", {"chat_id": 1, "text": "Siti Aminah"})
    assert "Siti" not in text and '"text":"<11 chars>"' in text
    assert logged(caplog, "%(what)s for %(who)d", {"what": "checked", "who": 7}) == "checked for 7"


def test_database_driver_parameters_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    def execute(sql: str, parameters: tuple[object, ...]) -> None: ...

    call = functools.partial(execute, "UPDATE users SET name=? WHERE id=?", ("Siti Aminah", 430001))
    text = logged(caplog, "executing %s", call)
    assert "Siti" not in text and "UPDATE users SET name=?" in text and "430001" in text


def test_the_token_is_masked_wherever_it_appears(caplog: pytest.LogCaptureFixture) -> None:
    protect_secret(TOKEN)
    secret_part = TOKEN.split(":")[1]
    assert secret_part not in logged(caplog, "Set Bot API URL: %s", f"https://api.telegram.org/bot{TOKEN}")
    url = httpx.URL(f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert secret_part not in logged(caplog, 'HTTP Request: %s %s "%s"', "POST", url, "HTTP/1.1 200 OK")
    assert secret_part not in logged(caplog, f"no args: bot{TOKEN}/getMe")
    assert secret_part not in logged(caplog, "failed", f"connect to /bot{TOKEN}/x", exc=True)
    other = "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"  # any token-shaped value, even unregistered
    assert "ABCdefGHI" not in logged(caplog, "token %s", other)


def test_plain_messages_stay_readable(caplog: pytest.LogCaptureFixture) -> None:
    assert logged(caplog, "daily reminders: %d sent in %.1fs", 12, 0.25) == "daily reminders: 12 sent in 0.2s"
    assert logged(caplog, "bad %s", "format", "extra").startswith("bad %s [arguments not shown")
