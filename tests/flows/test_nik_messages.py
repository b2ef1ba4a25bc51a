"""A NIK typed by the worker is deleted from the chat once read (shared phones), never echoed in full, and
parsed once (`Nik.parse`) with one message per problem for every feature."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.i18n import load_catalogs, translator
from bot.domain.nik import Nik, NikProblem, nik_message
from bot.testing.runtime import LocalBot
from tests.support.flows import onboard

NIK = "6408014505900001"


async def test_status_check_deletes_the_typed_nik(local_bot: LocalBot) -> None:
    user = local_bot.user(310001)
    await onboard(local_bot, user)
    await user.send("/cekstatus")
    await user.expect_reply()
    await user.send(NIK)
    nik_message_id = user.last_sent["message_id"]  # type: ignore[index]
    reply = await user.expect_reply()
    assert local_bot.double.is_deleted(user.chat_id, nik_message_id)
    assert "6408********0001" in (reply.text or "") and NIK not in (reply.text or "")


async def test_interest_request_deletes_the_typed_nik(local_bot: LocalBot) -> None:
    user = local_bot.user(310002)
    await onboard(local_bot, user)
    await user.send("/daftarminat")
    await user.expect_reply()
    await user.send("Siti Aminah")
    await user.expect_reply()
    await user.send(NIK)
    nik_message_id = user.last_sent["message_id"]  # type: ignore[index]
    reply = await user.expect_reply()
    assert local_bot.double.is_deleted(user.chat_id, nik_message_id)
    assert "6408********0001" in (reply.text or "") and NIK not in (reply.text or "")


# ---------------------------------------------------------------- the one Nik value object and its messages

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(("text", "reason", "expected"), [
    ("halo", "no_digits", "hanya 16 angka NIK"),
    ("64080457088500", "length", "yang Anda ketik 14 angka"),
    ("64080145O59OOOO1", "letters", "tanpa huruf"),
    ("0008045708850003", "province", "bukan NIK yang valid"),
    ("6408013102900001", "birth_date", "bukan tanggal lahir"),
    ("6408014505900000", "serial", "0000"),
])
def test_one_message_per_problem(text: str, reason: str, expected: str) -> None:
    load_catalogs()
    with pytest.raises(NikProblem) as caught:
        Nik.parse(text, TODAY)
    assert caught.value.reason == reason
    assert expected in nik_message(translator("id"), caught.value)


def test_nik_parsed_once_keeps_region_and_birth_date_and_never_shows_itself() -> None:
    nik = Nik.parse("6408 0145.0590-0001", TODAY)
    assert nik.digits == NIK and nik.masked == "6408********0001" and NIK not in f"{nik} {nik!r}"
    assert (nik.kabupaten_code, nik.kecamatan_code, nik.birth_date) == ("64.08", "64.08.01", dt.date(1990, 5, 5))
    assert nik.female and nik.matches_birth_date(dt.date(1990, 5, 5)) and nik.region_known
    old_code = Nik.parse("6499014505900001", TODAY)  # lenient by default: a NIK may predate a pemekaran
    assert not old_code.region_known
    with pytest.raises(NikProblem) as caught:
        Nik.parse("6499014505900001", TODAY, known_region=True)
    assert caught.value.reason == "region" and "kode wilayah" in nik_message(translator("id"), caught.value)
