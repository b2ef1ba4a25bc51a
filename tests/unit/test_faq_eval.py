"""FAQ matching measured honestly (issue 11).

- Cross-validation: every entry's phrasings (locales/*/faq.toml variants) dealt into 5 folds; each fold is scored
  by a matcher built without it, off-topic questions (tests/data/faq_offtopic.txt) spread over the folds. The
  weights and the bar of bot/domain/faq_match.py were chosen on these out-of-fold scores (`jagakerja faq
  calibrate`); the bars: top-1 ≥ 90%, confidently wrong ≤ 2%, off-topic answered ≤ 5%.
- Held-out: tests/data/faq_heldout.tsv, written before the knowledge base was extended and never used for a
  choice; scored once at the end. Its floors below are the figures measured then (see the issue note), so that
  a change that makes it worse fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.faq import load_faq, matcher
from bot.domain.faq_eval import Scores, evaluate, off_topic_questions, out_of_fold_views, read_questions, scores_of

DATA = Path(__file__).resolve().parent.parent / "data"
HELD_OUT = DATA / "faq_heldout.tsv"
BANJAR = {"ulun", "pian", "kada", "bubuhan", "kah", "lah", "handak", "bagawi", "kawa"}


def phrasings_of(language: str) -> set[str]:
    entries = load_faq(language).entries
    return {v.lower().strip().rstrip("?") for e in entries for v in [e.question, e.button, *e.variants]}


def test_held_out_set_is_big_apart_and_points_at_real_entries() -> None:
    rows = read_questions(HELD_OUT)
    ids = {e.id for e in load_faq("id").entries}
    assert len(rows) >= 120 and sum(1 for expected, _ in rows if expected == "-") >= 20
    assert {expected for expected, _ in rows} - {"-"} <= ids
    assert len({q for _, q in rows}) == len(rows)
    known = phrasings_of("id") | phrasings_of("en")
    copied = [q for _, q in rows if q.lower().strip().rstrip("?") in known]
    assert not copied, f"held-out questions copied into the knowledge base: {copied}"


def test_every_entry_has_many_varied_phrasings() -> None:
    by_entry: dict[str, list[str]] = {}
    for language in ("id", "en"):
        for entry in load_faq(language).entries:
            by_entry.setdefault(entry.id, []).extend([entry.question, *entry.variants])
    for entry_id, texts in by_entry.items():
        assert len(texts) >= 20, entry_id
        assert any(len(t.split()) <= 2 for t in texts) and any(len(t.split()) >= 5 for t in texts), entry_id
    words = {w for texts in by_entry.values() for t in texts for w in t.lower().split()}
    assert words >= BANJAR
    assert len(off_topic_questions()) >= 30


@pytest.fixture(scope="module")
def cross_validated() -> Scores:
    m = matcher()
    scores = scores_of(out_of_fold_views(5), m.weights, m.thresholds)
    print("\nFAQ 5-fold cross-validation:\n" + "\n".join(scores.lines()))
    return scores


def test_cross_validated_figures_meet_the_bars(cross_validated: Scores) -> None:
    assert cross_validated.on_topic >= 2000
    assert cross_validated.top1 >= 0.90
    assert cross_validated.confident_wrong <= 0.02
    assert cross_validated.off_topic_answered <= 0.05


def test_held_out_figures() -> None:
    scores, _ = evaluate(matcher(), read_questions(HELD_OUT))
    print("\nFAQ held-out:\n" + "\n".join(scores.lines()))
    assert scores.top1 >= HELD_OUT_FLOOR["top1"]
    assert scores.answered_right >= HELD_OUT_FLOOR["answered_right"]
    assert scores.confident_wrong <= HELD_OUT_FLOOR["confident_wrong"]
    assert scores.off_topic_answered <= HELD_OUT_FLOOR["off_topic_answered"]


# Measured once, at the end of issue 11: 126 covered + 22 not covered; top-1 98.4%, top-3 99.2%, answered right
# 92.9%, confidently wrong 0.8% (1: "nomor call center bpjs tk brp", labelled check_status, answered with
# contact_official), abstained 6.3%, not covered answered 0%. Floors, not targets that were tuned for.
HELD_OUT_FLOOR = {"top1": 0.98, "answered_right": 0.92, "confident_wrong": 0.01, "off_topic_answered": 0.0}


def test_off_topic_questions_are_not_answered_as_if_sure() -> None:
    """The bar (≤ 5% answered) is met out of fold (test_cross_validated_figures_meet_the_bars: 2 of 46); the
    shipped matcher, built on every phrasing, answers 3 of 46 at the end of issue 11 (a BPJS Kesehatan fee and
    "jam berapa sekarang" taken for the fee question, a BPJS Kesehatan visit for kesehatan_vs_tk): no more."""
    m = matcher()
    questions = off_topic_questions()
    sure = [q for q in questions if m.match(q).confident]
    assert len(sure) <= 3, sure


@pytest.mark.parametrize(("question", "expected"), [
    ("brp iuran sebulan?", "fee_amount"), ("kalo meninggal dpt brp?", "jkm_benefits"),
    ("gmn cara klaim bpjs tk", "claim_how"), ("udah gak bayar 4 bulan gmn", "stop_paying"),
    ("jamsostek sama ga dgn bpjs ketenagakerjaan", "jamsostek_name"), ("kecelakan kerja dpt apa", "jkk_benefits"),
    ("how much is the fee for ojol drivers", "fee_amount"),  # confidently wrong before issue 11
])
def test_examples_answered(question: str, expected: str) -> None:
    result = matcher().match(question)
    assert result.confident and result.best is not None and result.best.entry_id == expected, question


@pytest.mark.parametrize("question", ["siapa bupati kutim skrg", "Tidak tahu", "harga cabe hari ini"])
def test_not_covered_is_not_answered(question: str) -> None:
    assert not matcher().match(question).confident


def test_eval_command_prints_the_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.runtime.cli import main

    questions = tmp_path / "district.tsv"
    questions.write_text("# a district's own list\nfee_amount\tbrp iuran sebulan?\n-\tresep nasi goreng\n"
                         "jkm_benefits\tkalo meninggal dpt brp?\n", encoding="utf-8")
    assert main(["faq", "eval", str(questions), "--show", "all"]) == 0
    out = capsys.readouterr().out
    assert "3 questions" in out and "top-1 100.0%" in out and "answered anyway 0.0%" in out
    assert "fee_amount\tsure\tfee_amount\tbrp iuran sebulan?" in out
    questions.write_text("no_such_entry\tapa ini\n", encoding="utf-8")
    assert main(["faq", "eval", str(questions)]) == 2
