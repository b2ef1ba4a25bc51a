"""Every request status reads as words wherever it is shown (officials' card, worker's /minatsaya and /dataku,
statistics): a new status added to storage without its labels fails here instead of showing a raw code."""

from __future__ import annotations

from bot.domain.followup import STATUS_LABELS as OFFICIAL_LABELS
from bot.domain.interest import WORKER_STATUS
from handlers.interest_views import STATUS_LABELS as WORKER_LABELS
from handlers.statistics import REQUEST_LABELS
from storage.interest import STATUSES


def test_every_status_has_words_everywhere() -> None:
    for labels in (OFFICIAL_LABELS, WORKER_STATUS, WORKER_LABELS, REQUEST_LABELS):
        assert set(STATUSES) <= set(labels), set(STATUSES) - set(labels)
