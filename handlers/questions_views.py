"""What the inbox screens and messages look like: the inbox, a question, the notices to officials, the answer
as the worker gets it, the 08:00 digest. Rendering only; every typed text (questions, answers) goes through
`bot.domain.markup.escape`."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.followup import since
from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.officials import areas_text
from bot.domain.questions import INBOX_FILTERS, InboxPage, OfficialQuestion, QuestionDigest
from handlers.keyboards import button, rows
from handlers.questions_callbacks import AnswerQuestion, GiveFeedback, LearnMenu, OpenQuestion, ShowInbox

DIGEST_MAX = 15
LABEL_MAX = 28


def place(t: Translator, question: OfficialQuestion) -> str:
    """The area the question was asked from (escaped), or that it is unknown."""
    return areas_text([question.region_code]) if question.region_code else escape(t.gettext("area unknown"))


def quote(text: str) -> str:
    return f"<blockquote>{escape(text)}</blockquote>"


def short(text: str, limit: int = LABEL_MAX) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _nav(page: InboxPage) -> list[InlineKeyboardButton]:
    nav = []
    if page.page > 0:
        nav.append(button("◀", ShowInbox(page.filter_id, page.page - 1)))
    if page.pages > 1:
        nav.append(button(f"{page.page + 1}/{page.pages}", ShowInbox(page.filter_id, page.page)))
    if page.page + 1 < page.pages:
        nav.append(button("▶", ShowInbox(page.filter_id, page.page + 1)))
    return nav


def inbox_view(t: Translator, page: InboxPage, now: dt.datetime) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    label = t.gettext(INBOX_FILTERS[page.filter_id][1])
    lines = [_("🙋 <b>Questions from workers</b> · {filter}: {n}").format(filter=label, n=page.total)]
    lines.append(_("Tap a question to read and answer it.") if page.items else _("Nothing here. 🎉"))
    icon = {"open": "❓", "answered": "✅"}
    keyboard = [[button(f"{icon.get(q.status, '')} {short(q.text)} · {since(t, q.waiting_since, now)}",
                        OpenQuestion(q.id))] for q in page.items]
    nav = _nav(page)
    if nav:
        keyboard.append(nav)
    keyboard += rows([button(("• " if f == page.filter_id else "") + t.gettext(lbl), ShowInbox(f, 0))
                      for f, (_s, lbl) in INBOX_FILTERS.items()], 3)
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def question_text(t: Translator, q: OfficialQuestion, now: dt.datetime) -> str:
    _ = t.gettext
    status = _("✅ Answered") if q.status == "answered" else _("❓ Waiting for an answer")
    lines = [_("<b>Question #{id}</b> · {status}").format(id=q.id, status=status),
             f"🏘 {place(t, q)}",
             _("🕒 Asked {ago} ago ({when})").format(ago=since(t, q.created_at, now), when=t.datetime(q.created_at)),
             quote(q.text)]
    if q.answer is not None:
        lines.append(_("💬 Answer ({when}):").format(when=t.datetime(q.answered_at or now)))
        lines.append(escape(q.answer))
    if q.feedback == "thanks":
        lines.append(_("🙏 The worker said thank you."))
    elif q.feedback == "confused":
        lines.append(_("😕 The worker is still confused: please answer again."))
    return "\n".join(lines)


def question_keyboard(t: Translator, q: OfficialQuestion, admin: bool) -> InlineKeyboardMarkup:
    _ = t.gettext
    keyboard = [[button(_("✍️ Answer") if q.answer is None else _("✍️ Answer again"), AnswerQuestion(q.id))]]
    if admin and q.answer is not None:
        keyboard.append([button(_("📚 Make it an FAQ"), LearnMenu(q.id))])
    keyboard.append([button(_("◀ Back to list"), ShowInbox("open" if q.status == "open" else "answered", 0))])
    return InlineKeyboardMarkup(keyboard)


def notice(t: Translator, q: OfficialQuestion, reopened: bool) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    if reopened:
        head = _("😕 A worker is still confused after the answer to question #{id} ({place}):")
    else:
        head = _("🙋 New question #{id} from a worker ({place}):")
    text = head.format(id=q.id, place=place(t, q)) + "\n" + quote(q.text)
    keyboard = InlineKeyboardMarkup([[button(_("✍️ Answer"), AnswerQuestion(q.id)),
                                      button(_("Open"), OpenQuestion(q.id))]])
    return text, keyboard


def answer_for_worker(t: Translator, q: OfficialQuestion) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    text = "\n".join([_("💬 <b>An official answered your question</b>"), quote(q.text), escape(q.answer or "")])
    keyboard = InlineKeyboardMarkup([[button(_("🙏 Thank you"), GiveFeedback(q.id, "thanks")),
                                      button(_("😕 Still confused"), GiveFeedback(q.id, "confused"))]])
    return text, keyboard


def digest(t: Translator, d: QuestionDigest, now: dt.datetime) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    waiting = d.questions
    head = t.ngettext("❓ {n} question from a worker has waited 2 days or more:",
                      "❓ {n} questions from workers have waited 2 days or more:", len(waiting))
    lines = [head.format(n=len(waiting))]
    lines += [f"• #{q.id} · {place(t, q)} · {since(t, q.waiting_since, now)}" for q in waiting[:DIGEST_MAX]]
    if len(waiting) > DIGEST_MAX:
        lines.append(_("… and {n} more.").format(n=len(waiting) - DIGEST_MAX))
    return "\n".join(lines), InlineKeyboardMarkup([[button(_("Open the inbox"), ShowInbox("open", 0))]])


def inbox_button(t: Translator) -> InlineKeyboardButton:
    """For /tindaklanjut: the way to the questions inbox."""
    return button(t.gettext("🙋 Questions from workers"), ShowInbox("open", 0))
