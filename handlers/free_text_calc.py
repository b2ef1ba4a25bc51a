"""The fee calculator opened by a typed fee question (handlers/free_text.py): straight to the answer for the work
and the income the worker named, using the calculator's own views and steps (handlers/calculator.py).

- work and income ("iuran ojol kalau gaji 2 juta"): the result;
- work only ("iuran ojol brp skrg"): the result at the lowest declared income (what most pay), with how to
  ask for one's own income (the flow ends: the next typed text is not taken for an amount);
- income only ("iuran kalau gaji 2 juta"): the result when the work does not change the amount today (the PP
  50/2025 discount covers every sector then), else the work is asked first and the income is kept for the
  answer (in the calculator's flow state; dropped with it);
- neither ("hitung iuran"): the calculator from its first step.
"""

from __future__ import annotations

import datetime as dt

from telegram import Update
from telegram.ext import ConversationHandler

from bot.domain.benefits import PLAUSIBLE_MONTHLY_INCOME, render_quote
from bot.domain.contributions import quote
from bot.domain.occupations import occupation
from handlers import calculator
from handlers.calculator import CalculatorState, income_keyboard, occupation_keyboard, result_keyboard
from handlers.context import BotContext
from handlers.ui import say


def _today(context: BotContext) -> dt.date:
    return context.services.clock.now().astimezone(context.i18n.tz).date()


def same_for_every_work(income: int, day: dt.date) -> bool:
    transport, other = quote(income, "transport", day), quote(income, "other", day)
    return (transport.jkk, transport.jkm, transport.jht) == (other.jkk, other.jkm, other.jht)


async def open_calculator(update: Update, context: BotContext, occupation_id: str | None, income: int | None,
                          ) -> int:
    """The calculator's answer for a typed fee question; returns the calculator's next step (or END)."""
    t, today = context.i18n, _today(context)
    _ = t.gettext
    chosen = occupation(occupation_id) if occupation_id else None
    if income is not None and income > PLAUSIBLE_MONTHLY_INCOME:  # refused as the calculator refuses it
        state = CalculatorState(occupation=chosen.id, sector=chosen.sector) if chosen else CalculatorState()
        state.save(context)
        await say(update, context, calculator.refusal_text(t, "too_high", today), income_keyboard(t))
        return calculator.INCOME
    if chosen is None and income is None:
        return await calculator.start(update, context)
    if chosen is None:
        assert income is not None
        if same_for_every_work(income, today):
            work = _("any work (the same fee for every kind of work today)")
            await say(update, context, render_quote(t, quote(income, "other", today), income, work),
                      result_keyboard(t))
            return ConversationHandler.END
        CalculatorState(income=income).save(context)
        text = _("🧮 <b>Fee calculator</b>\nIncome: {amount} a month. What work do you do? (Ojek, couriers and "
                 "drivers have their own discount period.)").format(amount=t.money(income))
        await say(update, context, text, occupation_keyboard(t))
        return calculator.SECTOR
    work = t.gettext(chosen.label_msgid)
    if income is not None:
        await say(update, context, render_quote(t, quote(income, chosen.sector, today), income, work),
                  result_keyboard(t))
        return ConversationHandler.END
    lowest = quote(0, chosen.sector, today)
    text = render_quote(t, lowest, None, work) + "\n\n" + _(
        "That is the fee at the lowest level: for an income up to {amount} a month. For your own income, type "
        "it, e.g. <i>iuran ojek 2 juta</i>, or tap “🔁 Calculate again”.").format(
        amount=t.money(lowest.declared_income))
    await say(update, context, text, result_keyboard(t))
    return ConversationHandler.END
