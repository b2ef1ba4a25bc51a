"""`jagakerja faq eval FILE.tsv` and `jagakerja faq calibrate`: the FAQ matcher measured on any question list
(a district can test its own), and its weights and bar chosen by cross-validation over the phrasings.

FILE.tsv: one question a line, `expected_id<TAB>question`; expected "-" or "none" = not covered (the bot must not
answer it outright); a line without a tab is a not-covered question; `#` lines are comments.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path


def _faq_actions(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `faq` command's subcommands (made here unless another part of the CLI made `faq` already)."""
    faq = sub.choices.get("faq")
    if faq is None:
        return sub.add_parser("faq", help="the FAQ knowledge base").add_subparsers(dest="faq_action", required=True)
    for action in faq._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return faq.add_subparsers(dest="faq_action", required=True)


def add_faq_parser(sub: argparse._SubParsersAction) -> None:
    actions = _faq_actions(sub)
    evaluate = actions.add_parser("eval", help="top-1, top-3, confidently wrong and abstain rates for a question list")
    evaluate.add_argument("file", type=Path, help="TSV: expected_id<TAB>question (expected '-' = not covered)")
    evaluate.add_argument("--learned", action="store_true",
                          help="include what admins taught in the chat (reads the database)")
    evaluate.add_argument("--show", choices=("wrong", "abstained", "all"), default=None,
                          help="also list the questions answered wrongly, not answered, or all")
    evaluate.set_defaults(func=_cmd_eval)
    calibrate = actions.add_parser("calibrate", help="cross-validate the matcher and print the weights and bar to use")
    calibrate.add_argument("--folds", type=int, default=5)
    calibrate.set_defaults(func=_cmd_calibrate)
    cross = actions.add_parser("cv", help="cross-validated figures of the shipped weights and bar")
    cross.add_argument("--folds", type=int, default=5)
    cross.set_defaults(func=_cmd_cv)


async def _load_learned() -> int:
    from bot.domain.privacy import Vault
    from bot.runtime.services import build_services
    from bot.runtime.settings import load_settings
    from storage.db import open_database

    settings = load_settings()
    db = await open_database(settings.DATABASE_URL)
    try:
        vault = Vault(settings.data_key(), settings.old_data_keys())
        return int(await build_services(settings, db, vault).faq_learning.load())
    finally:
        await db.close()


def _cmd_eval(args: argparse.Namespace) -> int:
    from bot.domain.faq import matcher
    from bot.domain.faq_eval import evaluate, read_questions

    if args.learned:
        print(f"taught in the chat: {asyncio.run(_load_learned())} items")
    rows = read_questions(args.file)
    if not rows:
        print(f"{args.file}: no questions")
        return 2
    unknown = sorted({expected for expected, _ in rows if expected != "-"} - set(matcher().entry_ids))
    if unknown:
        print(f"{args.file}: unknown entry ids {unknown}")
        return 2
    start = time.perf_counter()
    scores, outcomes = evaluate(matcher(), rows)
    elapsed = time.perf_counter() - start
    print(f"{args.file}: {len(rows)} questions ({elapsed / len(rows) * 1000:.2f} ms each)")
    print("\n".join(scores.lines()))
    if args.show:
        for (expected, question), outcome in zip(rows, outcomes, strict=True):
            best = outcome.matches[0].entry_id if outcome.matches else "-"
            wrong = outcome.confident and best != expected
            if args.show == "all" or (args.show == "wrong" and wrong) or (
                    args.show == "abstained" and not outcome.confident):
                state = "sure" if outcome.confident else "unsure"
                print(f"{expected}\t{state}\t{best}\t{question}")
    return 0


def _cmd_cv(args: argparse.Namespace) -> int:
    from bot.domain.faq import matcher
    from bot.domain.faq_eval import out_of_fold_views, scores_of

    views = out_of_fold_views(args.folds)
    m = matcher()
    print(f"{args.folds}-fold cross-validation over the phrasings, {m.weights}, {m.thresholds}")
    print("\n".join(scores_of(views, m.weights, m.thresholds).lines()))
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from bot.domain.faq_eval import calibrate, out_of_fold_views, scores_of

    views = out_of_fold_views(args.folds)
    best = calibrate(views)
    print(f"{best.weights}\n{best.thresholds}")
    print("\n".join(scores_of(views, best.weights, best.thresholds).lines()))
    print("(set these as the defaults of Weights and Thresholds in bot/domain/faq_match.py)")
    return 0
