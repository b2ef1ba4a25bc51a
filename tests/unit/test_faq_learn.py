"""FaqService.learn: phrasings and entries an admin taught are matched, answered and listed at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.domain.clock import FixedClock
from bot.domain.faq import FaqService, LearnedEntry
from bot.domain.i18n import translator


@pytest.fixture
def service() -> Iterator[FaqService]:
    faq = FaqService(FixedClock(dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)))
    yield faq
    faq.learn([])


def test_a_taught_phrasing_and_a_new_entry_are_answered(service: FaqService) -> None:
    odd = "apakah tukang sol sepatu keliling kena juga"
    assert service.reply_to("berapa ongkos parkir motor di pasar pagi").kind != "answer"
    service.learn([
        LearnedEntry("fee_amount", "id", "duit bulanan bpjs tk brapa"),
        LearnedEntry("parking_fee", "id", "berapa ongkos parkir motor di pasar pagi",
                     question="Ongkos parkir <pasar>", answer="Tanya {juru} parkir & pengelola pasar.",
                     category="privacy"),
    ])
    reply = service.reply_to("berapa ongkos parkir motor di pasar pagi")
    assert (reply.kind, reply.entry_id) == ("answer", "parking_fee")
    for language in ("id", "en"):
        t = translator(language)
        text = service.answer(t, "parking_fee")
        assert "&lt;pasar&gt;" in text and "{juru}" in text and "&amp;" in text
        assert "parking_fee" in [e.id for e in service.in_topic(language, "privacy")]
        assert service.entry(language, "parking_fee") is not None
    assert service.reply_to("duit bulanan bpjs tk brapa").entry_id == "fee_amount"
    service.learn([])
    assert service.entry("id", "parking_fee") is None
    assert service.reply_to(odd).entry_id != "parking_fee"


def test_an_incomplete_or_unknown_category_entry_is_ignored(service: FaqService) -> None:
    service.learn([LearnedEntry("x_new", "id", "pertanyaan apa saja", question="Judul", answer="Jawaban panjang",
                                category="nope"),
                   LearnedEntry("y_new", "id", "pertanyaan lain")])
    assert service.entry("id", "x_new") is None and service.entry("id", "y_new") is None
