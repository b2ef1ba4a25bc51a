"""The buttons of the officials' inbox and of the FAQ learning loop (`qn:*`). A question is named by id only:
every press re-checks the role (guards) and the area (`QuestionService`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.questions import Feedback, InboxFilter
from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class ShowInbox(CallbackData):
    """`qn:l:open:0`: one page of the inbox (/pertanyaan), filtered."""

    PREFIX = "qn:l"
    filter_id: InboxFilter = "open"
    page: int = 0


@dataclass(frozen=True)
class OpenQuestion(CallbackData):
    """`qn:o:{id}`: the question's screen (from the inbox, a notice, or Back)."""

    PREFIX = "qn:o"
    question_id: int


@dataclass(frozen=True)
class AnswerQuestion(CallbackData):
    """`qn:a:{id}`: the official types the answer (the `question_answer` flow)."""

    PREFIX = "qn:a"
    question_id: int


@dataclass(frozen=True)
class GiveFeedback(CallbackData):
    """`qn:fb:{id}:thanks`: the worker's reply to an answer (their own question only)."""

    PREFIX = "qn:fb"
    question_id: int
    kind: Feedback


@dataclass(frozen=True)
class LearnMenu(CallbackData):
    """`qn:lrn:{id}`: "📚 Make it an FAQ" (admins): closest entries, topics, or a new entry."""

    PREFIX = "qn:lrn"
    question_id: int


@dataclass(frozen=True)
class LearnTopic(CallbackData):
    """`qn:lt:{id}:{category}`: the entries of a topic, to add the question as a phrasing of one."""

    PREFIX = "qn:lt"
    question_id: int
    category: str


@dataclass(frozen=True)
class LearnPhrasing(CallbackData):
    """`qn:lp:{id}:{entry id}`: add the question as a new way of asking this entry."""

    PREFIX = "qn:lp"
    question_id: int
    entry_id: str


@dataclass(frozen=True)
class LearnNewTopics(CallbackData):
    """`qn:ln:{id}`: a new entry: pick its topic first."""

    PREFIX = "qn:ln"
    question_id: int


@dataclass(frozen=True)
class LearnNew(CallbackData):
    """`qn:lnew:{id}:{category}`: a new entry in this topic (the `faq_learn` flow: title, answer, English)."""

    PREFIX = "qn:lnew"
    question_id: int
    category: str


@dataclass(frozen=True)
class SkipEnglish(CallbackData):
    """`qn:skipen`: no English text for the new entry (English readers see the Indonesian one)."""

    PREFIX = "qn:skipen"
