"""LOG_FORMAT=json: one JSON object per line (time, level, logger, message, update_id), scrubbed like the text
format: no NIK, phone, name in a structured argument, or secret."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.runtime.logging_setup import configure_logging, current_update_id

NIK = "6408014505900001"
SECRET = "s3cr3t-data-key-value"


@contextlib.contextmanager
def _configured(fmt: str) -> Iterator[io.StringIO]:
    """configure_logging as `jagakerja run` does, its stderr handler writing to a buffer instead."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging("DEBUG", secrets=(SECRET,), fmt=fmt)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    with _configured("json") as buffer:
        yield buffer


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_json_lines_parse_and_hold_no_personal_data(json_logs: io.StringIO) -> None:
    log = logging.getLogger("jagakerja.test")
    log.info("checked NIK %s for %s with key %s", NIK, {"name": "Siti Aminah", "phone": "+6281234567890"}, SECRET,
             extra={"update_id": 42})
    token = current_update_id.set(77)
    try:
        raise ValueError(f"bad NIK {NIK}")
    except ValueError:
        log.exception("handler failed")
    finally:
        current_update_id.reset(token)
    log.warning("no update here")
    first, failed, plain = _lines(json_logs)
    assert first["level"] == "INFO" and first["logger"] == "jagakerja.test" and first["update_id"] == 42
    assert dt.datetime.fromisoformat(str(first["time"])).tzinfo is not None
    assert "6408****0001" in str(first["message"]) and "<11 chars>" in str(first["message"])
    assert failed["update_id"] == 77 and "ValueError" in str(failed["exception"])
    assert "update_id" not in plain
    everything = json.dumps([first, failed, plain])
    for secret in (NIK, "Siti", "81234567890", SECRET):
        assert secret not in everything


def test_text_format_stays_the_default() -> None:
    with _configured("text") as buffer:
        logging.getLogger("jagakerja.test").info("hello")
    line = buffer.getvalue().strip()
    assert line.endswith("INFO jagakerja.test: hello") and not line.startswith("{")
