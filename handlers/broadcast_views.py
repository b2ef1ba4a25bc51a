"""What /siaran shows: the compose keyboards, the preview summary, a job's progress, report and buttons."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_timedelta
from telegram import InlineKeyboardMarkup

from bot.domain.audience import AREA_LEVELS, KINDS, Audience
from bot.domain.broadcast import BroadcastRow, Progress
from bot.domain.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, Translator
from bot.domain.regions import children, short_name
from handlers.broadcast_callbacks import (
    AreaChoice,
    AskSchedule,
    AudienceChoice,
    CancelDraft,
    JobButton,
    LanguageChoice,
    ScheduleAt,
    SendNow,
)
from handlers.keyboards import button, rows

# --------------------------------------------------------------------------- composing


def audience_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows([button(t.gettext(label), AudienceChoice(kind)) for kind, label in KINDS.items()]))


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(LANGUAGE_NAMES[code], LanguageChoice(code)) for code in SUPPORTED_LANGUAGES]])


def areas_view(t: Translator, kind: str, parent: str) -> tuple[str, InlineKeyboardMarkup]:
    """The parts of `parent` to choose from (kabupaten, kecamatan or desa), for an area audience of `kind`."""
    _ = t.gettext
    options = children(parent)
    level = AREA_LEVELS.get(kind, AREA_LEVELS["kecamatan"])
    prompts = {2: _("Choose the kabupaten/kota:"), 3: _("Choose the kecamatan:"), 4: _("Choose the desa/kelurahan:")}
    prompt = prompts.get(options[0].level if options else level, prompts[level])
    hint = _("(or type the region code, e.g. 64.08.01)")
    keyboard = InlineKeyboardMarkup(rows([button(short_name(r), AreaChoice(r.code)) for r in options]))
    return prompt + "\n" + hint, keyboard


def preview_summary(t: Translator, audience: Audience, count: int) -> tuple[str, InlineKeyboardMarkup]:
    """Under the preview: who gets it, how many, and Send / Schedule / Cancel."""
    _ = t.gettext
    text = "\n".join([
        _("To: {audience}").format(audience=audience.describe(t)),
        _("Recipients: {n}").format(n=t.number(count)),
    ])
    keyboard = InlineKeyboardMarkup([
        [button(_("📤 Send"), SendNow()), button(_("🕒 Schedule"), AskSchedule())],
        [button(_("✖️ Cancel"), CancelDraft())],
    ])
    return text, keyboard


def schedule_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("In 1 hour"), ScheduleAt("hour")), button(_("Tomorrow 08:00"), ScheduleAt("tomorrow"))],
        [button(_("✖️ Cancel"), CancelDraft())],
    ])


# --------------------------------------------------------------------------- a job


def _duration(t: Translator, seconds: float) -> str:
    return format_timedelta(dt.timedelta(seconds=max(1.0, seconds)), threshold=1.1, locale=t.babel_locale)


def job_controls(t: Translator, job_id: int, state: str) -> InlineKeyboardMarkup | None:
    _ = t.gettext
    stop = button(_("⏹ Stop"), JobButton(job_id, "stop"))
    if state == "running":
        return InlineKeyboardMarkup([[button(_("⏸ Pause"), JobButton(job_id, "pause")), stop]])
    if state == "paused":
        return InlineKeyboardMarkup([[button(_("▶️ Resume"), JobButton(job_id, "resume")), stop]])
    if state == "scheduled":
        return InlineKeyboardMarkup([[button(_("✖️ Cancel broadcast"), JobButton(job_id, "stop"))]])
    return None


def progress_text(t: Translator, job: BroadcastRow, progress: Progress) -> str:
    _ = t.gettext
    audience = Audience(job.audience_kind, job.audience_value).describe(t)
    titles = {
        "running": _("📣 Broadcast #{id}: sending"),
        "paused": _("⏸ Broadcast #{id}: paused"),
        "scheduled": _("🕒 Broadcast #{id}: scheduled"),
        "stopped": _("⏹ Broadcast #{id}: stopped"),
        "done": _("✅ Broadcast #{id}: finished"),
    }
    lines = [titles.get(progress.state, titles["running"]).format(id=job.id), _("To: {audience}").format(
        audience=audience)]
    if progress.state == "scheduled" and job.scheduled_at is not None:
        lines.append(_("At: {when}").format(when=t.datetime(job.scheduled_at)))
        return "\n".join(lines)
    total = max(progress.total, 0)
    percent = t.percent(progress.handled / total) if total else t.percent(1.0)
    lines.append(_("Sent {sent} of {total} ({percent})").format(
        sent=t.number(progress.sent), total=t.number(total), percent=percent))
    if progress.state == "running" and progress.rate > 0:
        line = _("Speed: {rate}/s").format(rate=t.number(round(progress.rate, 1)))
        if progress.eta_seconds is not None:
            line += " · " + _("about {time} left").format(time=_duration(t, progress.eta_seconds))
        lines.append(line)
    return "\n".join(lines)


def report_controls(t: Translator, job_id: int, counts: dict[str, int]) -> InlineKeyboardMarkup | None:
    """After a crash left some recipients unsure, offer to resend to them (they may get it twice)."""
    if not counts.get("unknown"):
        return None
    label = t.gettext("🔁 Resend to the unsure ({n})").format(n=t.number(counts["unknown"]))
    return InlineKeyboardMarkup([[button(label, JobButton(job_id, "resend"))]])


def report_text(t: Translator, job: BroadcastRow, progress: Progress) -> str:
    _ = t.gettext
    c = progress.counts
    lines = [
        (_("✅ Broadcast #{id} finished.") if progress.state == "done" else _("⏹ Broadcast #{id} stopped.")).format(
            id=job.id),
        _("Sent: {n}").format(n=t.number(c["sent"])),
        _("Blocked the bot: {n}").format(n=t.number(c["blocked"])),
        _("Failed: {n}").format(n=t.number(c["failed"])),
    ]
    if c["unknown"]:
        lines.append(_("Unsure (the sender stopped mid-send; not resent): {n}").format(n=t.number(c["unknown"])))
    if progress.remaining:
        lines.append(_("Not sent (stopped): {n}").format(n=t.number(progress.remaining)))
    if job.started_at is not None and job.finished_at is not None:
        lines.append(_("Time: {time}").format(time=_duration(t, (job.finished_at - job.started_at).total_seconds())))
    return "\n".join(lines)


def status_text(t: Translator, job: BroadcastRow, progress: Progress) -> str:
    """/siaran_status: the report of a finished job, the progress of any other."""
    return report_text(t, job, progress) if job.state in ("done", "stopped") else progress_text(t, job, progress)

