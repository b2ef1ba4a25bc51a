"""Intents in free text: a typed message that asks for one of the bot's own features (check my status, check
eligibility, sign up, work out my fee, change language, help) or that is small talk (hello, thanks, "I don't
know"). Pure Python, no Telegram: handlers/free_text.py opens the feature for the intent found.

Normalisation reuses the FAQ's (bot/domain/faq.py: `simplify`, `apply_slang` with content/faq_slang.toml), plus a
few words only intents need ("jd", "mksh", "-nya" endings of the keywords).

The boundary with the FAQ (tests/data/intents_heldout.tsv holds examples on both sides):
- *Status*: the worker asks about their own registration or protection ("cek status", "udh terdaftar blm",
  "sy mau cek nik", "apakah saya sudah terlindungi"). Questions about claims, JHT balance, KPJ numbers, JMO, the
  official ways of checking (JMO/175/office), when protection starts, how many are covered, whether something
  is covered ("alat bantu dengar ditanggung?"), scams ("penipuan cek nik") stay with the FAQ.
- *Eligibility*: the worker asks whether they themselves qualify ("apa saya bisa ikut", "sy memenuhi syarat
  ga", "layak", "berhak") without naming a group or a rule; "pns bisa ikut?", "batas usia?", "harus DTKS?" and
  "apakah pekerjaan saya bisa ikut?" are FAQ questions (the FAQ names who is covered).
- *Daftar Minat*: the worker says they want to join ("mau daftar", "pengen ikut bpjs gratis", "daftarkan saya",
  "daftar minat"); "cara daftar" (how, without wanting to) and registering in JMO are FAQ questions.
- *Calculator*: a fee question with an occupation or an amount ("iuran ojol brp skrg", "iuran kalau gaji 2
  juta"), or asking to work it out ("hitung iuran"). A fee question about one programme (JKM, JKK, JHT), a
  percentage, the discount, late payment, who pays or how/where to pay is an FAQ question, and so is the
  general "brp iuran sebulan" (the FAQ answer offers the calculator).
- *Language*, *help*: asking to change the language or for help/the menu.
- *Greeting*, *thanks*, *don't know*: only when the whole message is that (with courtesy words such as "min",
  "kak", "pak"); "halo, iuran brp?" is a question.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.domain.benefits import PLAUSIBLE_MONTHLY_INCOME, parse_income
from bot.domain.faq_match import apply_slang, load_slang, simplify

Intent = Literal["status", "eligibility", "interest", "calculator", "language", "help", "greeting", "thanks",
                 "dont_know"]
INTENTS: tuple[Intent, ...] = ("status", "eligibility", "interest", "calculator", "language", "help", "greeting",
                               "thanks", "dont_know")
MAX_WORDS = 25  # longer messages are questions or stories, not a request for a feature


@dataclass(frozen=True)
class Detected:
    """An intent; for the calculator also the occupation (an occupations.toml id) and the monthly income named."""

    intent: Intent
    occupation: str | None = None
    income: int | None = None


# Words only intents need, on top of the FAQ slang table (applied after it).
_EXTRA_WORDS = {
    "jd": "jadi", "jdi": "jadi", "mksh": "makasih", "makasi": "makasih", "mkasih": "makasih", "tks": "thanks",
    "trims": "thanks", "trimakasih": "terimakasih", "terimakasi": "terimakasih", "tq": "thanks", "ty": "thanks",
    "gatau": "tidak tahu", "gatahu": "tidak tahu", "gktau": "tidak tahu", "gaktau": "tidak tahu",
    "ntah": "entah", "entahlah": "entah", "ngerti": "mengerti", "ngecek": "cek", "cekin": "cek", "check": "cek",
    "mengecek": "cek", "periksa": "cek", "bnyk": "banyak", "byk": "banyak", "bgt": "banget", "ato": "atau",
    "ku": "saya", "sya": "saya", "sayah": "saya", "ak": "saya", "met": "selamat", "slmt": "selamat",
    "ass": "assalamualaikum", "askum": "assalamualaikum", "assalamu": "assalamualaikum",
    "assalamualaikum": "assalamualaikum", "kayanya": "kira", "kira2": "kira", "kirakira": "kira",
    "mendaftar": "daftar", "daftarin": "daftarkan", "didaftarin": "didaftarkan", "gabung": "ikut",
    "bergabung": "ikut", "join": "ikut", "iurannya": "iuran", "biayanya": "biaya", "bayarnya": "bayar",
    "caranya": "cara", "statusnya": "status", "nik": "nik", "nelayan": "nelayan",
}


def words(text: str) -> list[str]:
    """The message as normalised words: FAQ slang table, then the intent words."""
    tokens: list[str] = []
    for token in apply_slang(simplify(text), load_slang()):
        tokens.extend(_EXTRA_WORDS.get(token, token).split())
    return tokens


def _has(text: str, *patterns: str) -> bool:
    return any(re.search(pattern, text) for pattern in patterns)


# ---------------------------------------------------------------- occupations and amounts

# (pattern on the normalised words, occupation id): first match wins, so specific before general.
_OCCUPATIONS: tuple[tuple[str, str], ...] = (
    (r"\bburuh (tani|kebun|sawit)\b|\bfarm (labourer|laborer|worker)\b", "farm_labourer"),
    (r"\b(buruh|kuli|tukang|pekerja) (bangunan|proyek)\b|\bconstruction\b|\bbuilder\b", "construction"),
    (r"\bburuh harian\b|\bkuli\b|\bserabutan\b|\bcasual\b|\bday labou?rer\b", "casual_labourer"),
    (r"\bojek\b|\bojol\b|\bmotorcycle taxi\b", "ojek"),
    (r"\bkurir\b|\bsopir\b|\bangkot\b|\btaksi\b|\bcourier\b|\bdriver\b|\bdelivery\b|\btruk\b", "driver_courier"),
    (r"\bpetani\b|\bberkebun\b|\bpekebun\b|\bfarmer\b", "farmer"),
    (r"\bnelayan\b|\bfisher(man|men)?\b|\bfishing\b", "fisher"),
    (r"\bpedagang\b|\bdagang\b|\bjualan\b|\bwarung\b|\bumkm\b|\bpenjual\b|\btrader\b|\bvendor\b|\bseller\b",
     "trader"),
    (r"\bpeternak\b|\bternak\b|\blivestock\b", "livestock"),
    (r"\bmarbot\b|\bguru ngaji\b|\bimam\b|\bpendeta\b|\bpemuka agama\b", "religious"),
    (r"\b(rt|rw)\b|\bperangkat desa\b|\baparat desa\b", "village_staff"),
)

_AMOUNT = re.compile(
    r"(?:rp\.?\s*)?\d[\d.,]*\s*(?:juta|jt|jeti|ribu|rb|rebu|k|million|thousand)\b"
    r"|rp\.?\s*\d[\d.,]*"
    r"|\b\d{1,3}(?:[.,]\d{3}){1,2}\b|\b\d{6,9}\b"
    r"|\b(?:se|satu|dua|tiga|empat|lima)\s*(?:juta|jt)\b(?:\s*setengah)?",
)


_PLACE = re.compile(r"\b(di|ke|lewat|via|at|in) \w+")  # "bayar di warung": a place, not the work


def occupation_in(normalised: str) -> str | None:
    text = _PLACE.sub(" ", normalised)
    return next((occupation for pattern, occupation in _OCCUPATIONS if re.search(pattern, text)), None)


def income_in(text: str) -> int | None:
    """A monthly income named in a sentence ("kalau gaji 2 juta", "penghasilan 800rb", "Rp1.500.000")."""
    for found in _AMOUNT.finditer(text.lower()):
        parsed = parse_income(found.group(0).strip())
        if parsed is not None and parsed.amount >= 100_000:
            return parsed.amount
    return None


# ---------------------------------------------------------------- the rules

_FAQ_TOPICS = (  # a question naming one of these is for the FAQ, not a feature
    r"\b(jkm|jkk|jht|klaim|saldo|santunan|beasiswa|kpj|jmo|aplikasi|175|kantor|cabang|diskon|potongan|persen|"
    r"denda|telat|terlambat|tunggak|cair|meninggal|kecelakaan|dtks|dtsen|usia|umur|pns|asn|tni|polri|target|"
    r"bupati|hapus|privasi|aman|jual|kesehatan|jkn|rumah sakit|percent|discount|claim|balance|pension|late|"
    r"resmi|official|officially|nonaktif|inactive|keringanan|berbayar|dipakai|digunakan|used)\b",
    r"\bbot lain\b|\bother bots?\b|\bbot cek\b|\w*diskon\w*|\btidak bayar\b|\bberhenti\b|\bstop\b|"
    r"\b(setelah|sesudah|abis|habis) daftar\b|\blangsung aktif\b|\b(tua|lansia|pensiun|perusahaan|pabrik|"
    r"karyawan|pegawai|honorer|penipuan|penipu|tipu|scam|fraud|hoax)\b|\bminta nik\b",
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_HOW_WHO = r"\b(cara|dimana|kapan|lewat|via|siapa|where|when|who|how do|how to)\b"
_NOT_STATUS = r"\b(kapan|when|mulai|berapa|how long|how many|langsung|segera|immediately)\b"  # when, how many

_STATUS = (
    r"\bcek\b.*\b(status|nik|kepesertaan|terdaftar|peserta|bpjs|registration|registered)\b",
    r"\bstatus (kepesertaan|bpjs|saya|perlindungan|peserta|ketenagakerjaan)\b|\bmy status\b",
    r"\b(sudah|belum|apakah|masih)\b.*\b(terdaftar|didaftarkan|dilindungi|terlindungi|aktif|masuk peserta|"
    r"termasuk peserta|jadi peserta|sebagai peserta)\b",
    r"\b(saya|aku|kami) (sudah |belum |masih )?ditanggung\b",
    r"\b(terdaftar|didaftarkan|dilindungi|terlindungi|aktif)\b.*\b(belum|tidak|atau)\b",
    r"\b(am i|are we|i am)\b.*\b(registered|covered|protected|member|enrolled|insured)\b",
    r"\bis my\b.*\b(active|registered)\b",
)
_ELIGIBILITY = (
    r"\bkelayakan\b|\blayak\b|\bmemenuhi syarat\b|\bberhak\b|\beligib",
    r"\b(saya|aku)\b.*\bkriteria\b",
    r"\b(saya|aku)\b.*\b(bisa|boleh|dapat)\b\s*(ikut|daftar|didaftarkan|masuk|dapat)\b",
    r"\bcan i (join|apply|get|be)\b",
)
_INTEREST = (
    r"\bdaftar minat\b|\bminat (ikut|daftar|jadi)\b",
    r"\b(mau|ingin|minta|tolong|pingin|pengin|kepingin|want to|would like to|d like to)\b(\s+\w+){0,2}?\s+"
    r"(daftar|ikut|jadi peserta|daftarkan|didaftarkan|sign up|register|join|enrol|enroll)\b",
    r"\bdaftarkan saya\b|\bsign me up\b|\bregister me\b",
)
_CALC_FEE = r"\b(iuran|bayar|biaya|fee|fees|contribution|pay|cost|premium)\b"
_CALC_ASK = r"\b(hitung|kalkulator|calculator|calculate)\b"
_LANGUAGE = (
    r"\b(ganti|ubah|pilih|tukar|change|switch|set)\b.*\b(bahasa|language)\b",
    r"\b(bahasa (inggris|indonesia)|english|indonesian|in english|language)\b",
)
_COURTESY = _word_set(
    "min mimin admin kak ka kakak pak bu ibu bapak mas mbak bang abang gan sis om tante bro semua all ya yah "
    "yaa dong nih sih deh lah kah bot pian ulun everyone there sir madam")
_GREETING = _word_set(
    "halo hallo helo hai hi hello hey hei assalamualaikum alaikum salam selamat pagi siang sore malam good "
    "morning afternoon evening wr wb warahmatullahi wabarakatuh permisi punten tabik p")
_GREETING_CORE = _GREETING - {"wr", "wb", "warahmatullahi", "wabarakatuh", "good", "selamat"}
_THANKS = _word_set(
    "makasih terimakasih terima kasih thanks thank thx tengkyu suwun nuhun ok oke okay okey siap baik sip "
    "infonya info banyak sekali so much very you for the atas banget lot a")
_THANKS_CORE = _word_set("makasih terimakasih kasih thanks thank thx tengkyu suwun nuhun")
_DONT_KNOW = _word_set(
    "saya aku tidak tahu entah mengerti paham bingung kurang i don t dont know not sure idk masih juga no "
    "understand")
_HELP_WORDS = _word_set("bantuan bantu help menu utama panduan petunjuk pakai bot cara guide main tolong "
                        "saya please start")


def _only(tokens: list[str], allowed: frozenset[str], core: frozenset[str]) -> bool:
    return bool(tokens) and all(t in allowed or t in _COURTESY for t in tokens) and any(t in core for t in tokens)


def _small_talk(tokens: list[str], text: str) -> Intent | None:
    if _only(tokens, _HELP_WORDS, frozenset({"bantuan", "bantu", "help", "menu", "panduan", "petunjuk", "guide"})):
        return "help"
    if _only(tokens, _THANKS | _GREETING, _THANKS_CORE):
        return "thanks"
    if _only(tokens, _GREETING, _GREETING_CORE):
        return "greeting"
    knows_not = _has(text, r"\btidak (tahu|mengerti|paham)\b|\bentah\b|\bbingung\b|\bidk\b|\bdon t know\b|"
                     r"\bdont know\b|\bnot sure\b|\bdon t understand\b")
    if knows_not and _only(tokens, _DONT_KNOW, _DONT_KNOW):
        return "dont_know"
    return None


def _calculator(text: str, raw: str) -> Detected | None:
    if not _has(text, _CALC_FEE, _CALC_ASK):
        return None
    if _has(text, *_FAQ_TOPICS) or _has(text, _HOW_WHO):
        return None
    occupation, income = occupation_in(text), income_in(raw)
    if _has(text, _CALC_FEE) and (occupation is not None or income is not None):
        return Detected("calculator", occupation, income)
    if _has(text, _CALC_ASK) and _has(text, _CALC_FEE):
        return Detected("calculator", occupation, income)
    return None


def detect(text: str) -> Detected | None:
    """The intent of a typed message, or None when it is a question for the FAQ (or nothing we know)."""
    tokens = words(text)
    if not tokens or len(tokens) > MAX_WORDS:
        return None
    normalised = " ".join(tokens)
    small = _small_talk(tokens, normalised)
    if small is not None:
        return Detected(small)
    calculator = _calculator(normalised, text)
    if calculator is not None:
        return calculator
    if _has(normalised, *_FAQ_TOPICS):
        return None
    if _has(normalised, *_STATUS) and not _has(normalised, _NOT_STATUS):
        return Detected("status")
    if _has(normalised, *_INTEREST) and not _has(normalised, r"\b(mau|ingin) (tanya|nanya|ask)\b"):
        return Detected("interest")
    if _has(normalised, *_ELIGIBILITY) and occupation_in(normalised) is None and not _has(
            normalised, r"\b(pekerjaan|kerjaan|kerja|bekerja|profesi|job|work)\b"):
        return Detected("eligibility")
    if len(tokens) <= 6 and _has(normalised, *_LANGUAGE):
        return Detected("language")
    return None


# ---------------------------------------------------------------- numbers typed on their own

_NIK = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")  # 16 digits, single spaces, dots or dashes between
_DATE = re.compile(r"^\d{1,2}\s*([/.\-])\s*\d{1,2}\s*\1\s*\d{2,4}$")
_MONTHS = ("jan|januari|january|feb|februari|february|mar|maret|march|apr|april|mei|may|jun|juni|june|jul|juli|"
           "july|agu|agt|agustus|aug|august|sep|sept|september|okt|oktober|oct|october|nov|november|des|desember|"
           "dec|december")
_DATE_WORDS = re.compile(rf"^\d{{1,2}}\s+({_MONTHS})\.?\s+\d{{2,4}}$")
_NUMBER_ONLY = re.compile(r"^(?:rp\.?\s*)?[\d][\d\s.,]*(?:\s*(?:juta|jt|jeti|ribu|rb|rebu|k))?(?:\s*,-)?$")
LOWEST_PLAUSIBLE_INCOME = 100_000  # a monthly income typed on its own counts from here (below: "what do you mean?")
Loose = Literal["date", "number", "income"]


def contains_nik(text: str) -> bool:
    """A NIK (16 digits, spaces, dots or dashes allowed between them) anywhere in the message."""
    return _NIK.search(text) is not None


def _ddmmyyyy(digits: str) -> bool:
    try:
        day = dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2100


def loose_number(text: str) -> tuple[Loose, int | None] | None:
    """A message that is only a number or a date, typed where no step expects one: a date ("16/05/1985",
    "15 mei 1985", "15051985"), a plausible monthly income (with its amount), or some other number ("30",
    "317101"). A plausible income is at least Rp100.000 and written as money: with a unit ("2jt", "800rb"), "Rp",
    thousands separators ("1.500.000"), or whole thousands ("1500000"), and at most the calculator's ceiling
    (`PLAUSIBLE_MONTHLY_INCOME`); a bare "2" or "30" is not (in the
    calculator's income step "2" means 2 juta; at the menu it could be anything), nor "317101" (a region code?).
    None for anything else."""
    cleaned = re.sub(r"\s+", " ", text.strip().lower())
    if _DATE.match(cleaned) or _DATE_WORDS.match(cleaned) or (
            len(cleaned) == 8 and cleaned.isdigit() and _ddmmyyyy(cleaned)):
        return ("date", None)
    if not _NUMBER_ONLY.match(cleaned):
        return None
    parsed = parse_income(cleaned)
    money_form = not cleaned.isdigit() or int(cleaned) % 1000 == 0
    bare = re.fullmatch(r"\d{1,2}(?:[.,]\d{1,2})?", cleaned) is not None
    plausible = parsed is not None and LOWEST_PLAUSIBLE_INCOME <= parsed.amount <= PLAUSIBLE_MONTHLY_INCOME
    if parsed is not None and plausible and money_form and not bare:
        return ("income", parsed.amount)
    return ("number", None)
