"""The status check's name factor (bot/domain/name_match.py): normalisation, the forms accepted, and the
threshold.

Two tables of pairs (typed by the worker, name on the roster, should they match), written for this test:
TUNING chose `THRESHOLD` (the value with the fewest errors there, false accepts counted double: a false
accept shows a stranger's status, a false reject sends the worker to JMO or 175); HELD_OUT was not looked at
while choosing and is what the figures in the report come from (`test_held_out_figures`)."""

from __future__ import annotations

import pytest

from bot.domain.name_match import THRESHOLD, looks_like_name, names_match, parse_name, similarity

Pair = tuple[str, str, bool]

TUNING: list[Pair] = [
    # the same person: case, titles, degrees, spelling, first name only, patronymic
    ("Siti Aminah", "SITI AMINAH", True),
    ("Aminah", "Siti Aminah", True),
    ("Hj. Siti Aminah", "SITI AMINAH", True),
    ("Budi", "Budi Santoso", True),
    ("budi santoso", "BUDI SANTOSO, S.Pd.", True),
    ("Budi Santosa", "Budi Santoso", True),
    ("Drs. Budi Santoso", "Budi Santoso", True),
    ("M. Rizki", "Muhammad Rizki Pratama", True),
    ("Rizki", "Muhammad Rizki Pratama", True),
    ("Muhamad Rizky Pratama", "MUHAMMAD RIZKI PRATAMA", True),
    ("Ahmad Fauzi", "Achmad Fauzi", True),
    ("Soekarno", "Sukarno", True),
    ("Joko Susilo", "Djoko Soesilo", True),
    ("Rahmawti", "Rahmawati", True),
    ("Baso", "Andi Baso Tenri", True),
    ("Wayan Sudarma", "I Wayan Sudarma", True),
    ("Abdul Rahman", "Abdul Rahman bin Hasan", True),
    ("Abdul Rahman bin Hasan", "ABDUL RAHMAN", True),
    ("Hidayah", "NURUL HIDAYAH", True),
    ("Yusuf", "Yusup Maulana", True),
    ("Dewi Lestari", "Dewi Lestary", True),
    ("Fitri", "Vitri Handayani", True),
    ("Khairul", "Hairul Anwar", True),
    ("Wahyuni", "SRI WAHYUNI, A.Md.", True),
    ("Ma'ruf", "Maruf Amin", True),
    ("Ratna Sari", "Ratna Sari Dewi", True),
    ("Marthen Luther", "Marten Luter", True),
    ("Yohanes", "Johanes Patiung", True),
    ("Nurhayati", "Nurhayati", True),
    ("nurhayti", "Nurhayati", True),
    ("Suryadi", "Suryadi Saputra", True),
    ("Kartini", "Ny. Kartini", True),
    ("Samsul", "Syamsul Bahri", True),
    ("Hendrik", "Hendrik Tandililing", True),
    ("Asmawati", "ASMAWATI BINTI LATIF", True),
    # someone else
    ("Siti", "Siti Aminah", False),
    ("Muhammad", "Muhammad Rizki", False),
    ("Aminah", "Siti Rahmah", False),
    ("Budi", "Bambang Santoso", False),
    ("Santoso", "Budi Santoso", False),
    ("Rina", "Rini Handayani", False),
    ("Agus", "Agung Prasetyo", False),
    ("Dewi", "Desi Ratnasari", False),
    ("Rizki", "Rizal Pratama", False),
    ("Andi", "Andi Baso", False),
    ("Wayan", "I Wayan Sudarma", False),
    ("Suparman", "Suparmin", False),
    ("Hasan", "Husin Ali", False),
    ("Yanto", "Yanti Susanti", False),
    ("Sri Wahyuni", "Sri Wahyudi", False),
    ("Budi Santoso", "Budi Setiawan", False),
    ("Rahmat", "Rahmad Hidayat", False),  # not a typo: another name
    ("Ahmad", "Achmadi Saputra", False),
    ("Hendra", "Hendro Wibowo", False),
    ("Lina", "Linda Sari", False),
    ("Yuliana", "Yuliani Paseru", False),
    ("Marlina", "Martina Sampe", False),
    ("Iwan", "Irwan Susanto", False),
    ("Joko", "Jaka Tarub", False),
    ("Nur", "Nur Aini", False),
]

HELD_OUT: list[Pair] = [
    ("Siti Rohmah", "SITI ROHMAH", True),
    ("Rohmah", "Hj. Siti Rohmah", True),
    ("siti rohmah", "Siti Rochmah", True),
    ("Ir. Bambang Sutrisno", "BAMBANG SUTRISNO", True),
    ("Bambang", "Bambang Sutrisno, S.T.", True),
    ("Bambang Sutrisna", "Bambang Sutrisno", True),
    ("Moh. Ikhsan", "Muhammad Ihsan", True),
    ("Ihsan", "MUHAMMAD IHSAN", True),
    ("Mochammad Ichsan", "Muhammad Ihsan", True),
    ("Dedi", "Dedy Kurniawan", True),
    ("Kurniawan", "Dedi Kurniawan", False),  # the last name alone is not the first name
    ("Tjahjo", "Cahyo Nugroho", True),
    ("Ni Luh Putu Ayu", "Ni Luh Putu Ayu Lestari", True),
    ("Ayu", "Ni Luh Putu Ayu Lestari", True),
    ("Ayu Lestari", "NI LUH PUTU AYU LESTARI", True),
    ("Haryono bin Slamet", "Haryono", True),
    ("Haryono", "Haryono bin Slamet", True),
    ("Fatimah", "Fatimah binti Usman", True),
    ("Fatimah Usman", "Fatimah binti Usman", True),
    ("Daeng Tompo", "Daeng Tompo", True),
    ("Tompo", "Daeng Tompo", True),
    ("Sulastri", "Sulastri, A.Md.Keb", True),
    ("Sulastry", "Sulastri", True),
    ("Agustinus", "Agustinus Lebang", True),
    ("Agustinus Lebang", "AGUSTINUS LEBBANG", True),
    ("Pdt. Yosef Rante", "Yosef Rante", True),
    ("Ketut", "I Ketut Arsana", False),
    ("Arsana", "I Ketut Arsana", True),
    ("Hamzah", "Hamjah Lahamuddin", True),
    ("Zainal", "Jainal Abidin", True),
    ("Abidin", "Zainal Abidin", False),
    ("Mariani", "Mariana Tandi", False),
    ("Mariana", "Mariana Tandi", True),
    ("Eka", "Eko Saputro", False),
    ("Eko", "Eko Saputro", True),
    ("Supriyadi", "Supriadi", True),
    ("Suprianto", "Supriadi", False),
    ("Wulan", "Wulandari", False),
    ("Wulandari", "Wulandari", True),
    ("Herman", "Hermin Taruk", False),
    ("Syahrul", "Sahrul Gunawan", True),
    ("Syahrul", "Syahril Gunawan", False),
    ("Ani", "Ana Maria", False),
    ("Anita", "Annita Rumbekwan", True),
    ("Rudi", "Rudy Hartono", True),
    ("Rudi", "Rido Hartono", False),
    ("Muh. Ali", "Muhammad Ali", True),
    ("Ali", "Muhammad Ali", True),
    ("Muhammad Ali", "Muhammad Alwi", False),
    ("Alwi", "Muhammad Ali", False),
    ("Abdullah", "Abdulah Said", True),
    ("Abdul", "Abdul Said", False),
    ("Said", "Abdul Said", True),
    ("Yati", "Siti Yatimah", False),
    ("Yatimah", "SITI YATIMAH", True),
    ("Sumarni", "Sumarno", False),
    ("Sumarni", "Ibu Sumarni", True),
    ("Bu Sumarni", "Sumarni", True),
    ("Dra. Hj. Nurlela", "NURLELA", True),
    ("Nurlaila", "Nurlela", False),
]


def _errors(pairs: list[Pair], threshold: float) -> tuple[int, int]:
    """(false accepts, false rejects) at a threshold."""
    false_accepts = sum(1 for typed, stored, same in pairs if not same and similarity(typed, stored) >= threshold)
    false_rejects = sum(1 for typed, stored, same in pairs if same and similarity(typed, stored) < threshold)
    return false_accepts, false_rejects


def best_threshold(pairs: list[Pair]) -> float:
    """The threshold (70–100, steps of 1) with the fewest errors, false accepts counted double; ties: higher."""
    def cost(threshold: float) -> tuple[int, float]:
        accepts, rejects = _errors(pairs, threshold)
        return 2 * accepts + rejects, -threshold
    return min((float(t) for t in range(70, 101)), key=cost)


def test_threshold_is_the_one_chosen_on_the_tuning_pairs() -> None:
    assert best_threshold(TUNING) == THRESHOLD


def test_held_out_figures() -> None:
    accepts, rejects = _errors(HELD_OUT, THRESHOLD)
    wrong = sum(1 for _t, _s, same in HELD_OUT if not same)
    right = len(HELD_OUT) - wrong
    accuracy = 1 - (accepts + rejects) / len(HELD_OUT)
    print(f"held out: {len(HELD_OUT)} pairs ({right} same, {wrong} different); accuracy {accuracy:.1%}; "
          f"false accepts {accepts}/{wrong}; false rejects {rejects}/{right}")
    assert accuracy >= 0.9
    assert accepts <= 2


@pytest.mark.parametrize(("typed", "stored", "same"), TUNING)
def test_tuning_pairs(typed: str, stored: str, same: bool) -> None:
    """Most tuning pairs are decided right at the chosen threshold; those that are not are listed here."""
    known_misses = {("Yusuf", "Yusup Maulana"), ("Yohanes", "Johanes Patiung")}  # f/p, old j = y: rejected
    if (typed, stored) in known_misses:
        assert names_match(typed, stored) != same
    else:
        assert names_match(typed, stored) == same


@pytest.mark.parametrize(("text", "words"), [
    ("Hj. Siti Aminah, S.Pd.", ("siti", "aminah")),
    ("  DRS.  H. Muh.  Yusuf   S.Pd ", ("muhamad", "yusuf")),
    ("M.Rizki", ("muhamad", "rijki")),
    ("Ma’ruf", ("maruf",)),
    ("Djoko Soesilo", ("joko", "susilo")),
    ("Abdul-Rahman", ("abdul", "rahman")),
    ("Ir. Bambang", ("bambang",)),
    ("dr. Ayu Sekar", ("ayu", "sekar")),
    ("H", ("h",)),  # a title alone stays: something to compare
    ("José Ramos", ("jose", "ramos")),
])
def test_parse_name(text: str, words: tuple[str, ...]) -> None:
    assert parse_name(text).full == words


def test_patronymic_is_apart() -> None:
    name = parse_name("Ahmad bin Abdullah")
    assert name.given == ("ahmad",) and name.patronymic == ("abdulah",)


@pytest.mark.parametrize(("text", "ok"), [
    ("Siti Aminah", True), ("Hj. Siti Aminah, S.Pd.", True), ("O'Neil", True), ("José", True), ("Ni Luh", True),
    ("1234", False), ("Siti 2", False), ("a", False), ("🙂🙂", False), ("17-08-1985", False), ("", False),
    ("x" * 200, False),
])
def test_looks_like_name(text: str, ok: bool) -> None:
    assert looks_like_name(text) is ok
