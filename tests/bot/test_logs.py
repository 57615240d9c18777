"""JSON log lines parse, keep Vietnamese readable and carry the traceback in one line."""

from __future__ import annotations

import json
import logging
import sys

from bot.logs import JsonFormatter
from bot.masking import mask_id


def test_a_json_record_is_one_parseable_line_with_the_exception() -> None:
    try:
        raise ValueError("hỏng")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("bot.app", logging.ERROR, __file__, 1, "chat %s: lỗi\ndòng 2", (mask_id("123456"),),
                               exc_info)  # fmt: skip
    line = JsonFormatter().format(record)
    assert "\n" not in line and "lỗi" in line  # one line; not \u-escaped
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.app"
    assert entry["message"] == f"chat {mask_id('123456')}: lỗi\ndòng 2" and "123456" not in line
    assert entry["exception"].startswith("Traceback") and "ValueError: hỏng" in entry["exception"]
    assert entry["time"].endswith("+00:00")
