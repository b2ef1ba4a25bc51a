"""Handler wiring: the order and the groups live here, and only here.

Group -1: pre-processing — runs for every update: only a person's updates in their private chat go on (groups,
  channels, sender-less posts and presses on messages the bot cannot see stop there; handlers/preprocess.py),
  then load/create the user, resolve the language and the actor.
Group 0: everything else, first match wins, in this order:
  conversations and feature handlers, then core commands,
  and last the fallback that answers anything nobody else took.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    announcements,
    assisted,
    audit,
    bantuan,
    benefits,
    broadcast,
    broadcast_jobs,
    calculator,
    coverage,
    eligibility,
    errors,
    exports,
    fallback,
    faq,
    faq_learning,
    followup,
    followup_bulk,
    followup_search,
    free_text,
    interest,
    mydata,
    mydata_edit,
    officials,
    posters,
    preprocess,
    proposal,
    questions,
    reminders,
    roster_admin,
    start,
    statistics,
    status,
)


def register_all(application: Application) -> None:
    preprocess.register(application)  # group -1
    # Feature modules (each registers its conversations/handlers in group 0) go here, before the core.
    broadcast_jobs.register(application)  # /siaran_status, job buttons; resumes and schedules jobs (admins)
    broadcast.register(application)  # /siaran: compose a broadcast (admins)
    statistics.register(application)  # /statistik: numbers + PNG charts (admins; officials for their area)
    coverage.register(application)  # /cakupan (and /unduh cakupan): coverage XLSX + PDF; /target (admins)
    status.register(application)  # Cek Status Perlindungan (menu:status), /cekstatus
    reminders.register(application)  # expiry reminders: opt in/out, daily job at 08:00
    roster_admin.register(application)  # roster import by file upload (admins)
    officials.register(application)  # /undang, /petugas, invite links (/start inv_…: before start.register)
    assisted.register(application)  # /daftarkan: an official registers a worker without Telegram
    followup.register(application)  # /tindaklanjut, cards, status changes; new-request notices, 08:00 digest
    followup_search.register(application)  # /cari, 🔎: search the queue by reference, name, NIK's last 4 digits
    followup_bulk.register(application)  # ☑️ select several requests, one status for all
    proposal.register(application)  # /usulan: a desa's proposal list (XLSX) and letter (PDF)
    questions.register(application)  # /pertanyaan: workers' questions for officials, answers, notices
    faq_learning.register(application)  # 📚 Make it an FAQ (admins): the FAQ learns from answered questions
    exports.register(application)  # /unduh (XLSX/CSV of the official's area)
    posters.register(application)  # /poster (QR poster PNG/PDF for a desa)
    audit.register(application)  # /audit (admins)
    eligibility.register(application)  # Cek Kelayakan (menu:eligibility)
    interest.register(application)  # Daftar Minat (menu:interest), /minatsaya
    mydata_edit.register(application)  # /dataku ✏️: change a field of the open request (a flow)
    announcements.register(application)  # /berhenti, /lanjut, 🔕 under a broadcast
    benefits.register(application)  # Manfaat & Iuran pages (menu:benefits)
    calculator.register(application)  # fee calculator conversation (calc:start, /iuran)
    faq.register(application)  # Tanya Jawab topics (menu:faq), ask an official
    start.register(application)
    bantuan.register(application)
    mydata.register(application)
    free_text.register(application)  # any text no conversation expects: NIK guard, intents, then the FAQ
    fallback.register(application)  # must stay last
    errors.register(application)
