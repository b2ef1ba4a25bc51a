from __future__ import annotations

import logging

import pytest

from bot.domain.privacy import (
    DecryptionError,
    KeyError_,
    PersonalDataFilter,
    Vault,
    decode_key,
    generate_key,
    mask_name,
    mask_nik,
    mask_phone,
)
from bot.runtime.logging_setup import configure_logging

NIK = "6408014505900001"


def test_keygen_makes_valid_distinct_keys() -> None:
    a, b = generate_key(), generate_key()
    assert a != b
    assert len(decode_key(a)) == 32
    with pytest.raises(KeyError_):
        decode_key("too-short")


def test_nik_hash_is_keyed_and_normalised(vault: Vault) -> None:
    assert vault.hash_nik(NIK) == vault.hash_nik("6408 0145 0590 0001")
    assert vault.hash_nik(NIK) != vault.hash_nik("6408014505900002")
    assert Vault(generate_key()).hash_nik(NIK) != vault.hash_nik(NIK)
    assert NIK not in vault.hash_nik(NIK)


def test_encryption_round_trip_and_tamper_detection(vault: Vault) -> None:
    token = vault.encrypt("Siti Aminah", context="name")
    assert "Siti" not in token
    assert vault.encrypt("Siti Aminah", context="name") != token  # random nonce
    assert vault.decrypt(token, context="name") == "Siti Aminah"
    with pytest.raises(DecryptionError):
        vault.decrypt(token, context="phone")  # bound to its column
    with pytest.raises(DecryptionError):
        Vault(generate_key()).decrypt(token, context="name")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        vault.decrypt(tampered, context="name")
    assert vault.decrypt_json(vault.encrypt_json({"a": [1, 2]})) == {"a": [1, 2]}


def test_masks() -> None:
    assert mask_nik(NIK) == "6408********0001"
    assert mask_phone("081234567890") == "0812****7890"
    assert mask_phone("+6281234567890") == "0812****7890"
    assert mask_name("Siti Aminah") == "S*** A*****"


def test_log_filter_masks_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    handler_filter = PersonalDataFilter()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "nik %s hp %s", (NIK, "081234567890"), None)
    handler_filter.filter(record)
    text = record.getMessage()
    assert NIK not in text and "081234567890" not in text
    assert "6408" in text and "0001" in text


def test_configured_logging_never_prints_personal_data(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    log = logging.getLogger("jagakerja.test")
    log.info("checking NIK %s for %s", NIK, "+6281234567890")
    try:
        raise ValueError(f"bad NIK {NIK}")
    except ValueError:
        log.exception("failed")
    err = capfd.readouterr().err
    assert "checking NIK" in err and "failed" in err
    assert NIK not in err
    assert "81234567890" not in err
