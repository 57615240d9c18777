"""The log filter: personal data scrubbed from every logger at every level; keyed chat pseudonyms."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.masking import install_log_filter, mask_id, remove_log_filter, scrub, set_pseudonym_key


@pytest.mark.parametrize(("line", "hidden"), [
    ("Calling Bot API endpoint `sendMessage` with parameters `{'chat_id': 123456789, 'text': 'Tôi là An'}`",
     ("123456789", "Tôi là An")),
    ('{"message": {"from": {"first_name": "Ngọc", "username": "ngoc_1990"}, "text": "5678"}}',
     ("Ngọc", "ngoc_1990", "5678")),
    ("User(first_name='Bình', id=555555)", ("Bình", "555555")),
    ("HTTP Request: POST https://api.telegram.org/bot123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123/getMe",
     ("ABCdefGHIjklMNOpqrSTUvwxYZ0123",)),
    ("GET /v2.0/oa/message?access_token=abcDEF.123", ("abcDEF",)),
    ("answer 0912 345 678 / +84912345678 / CCCD 001090012345 / CMND 123456789", ("345 678", "4567", "0010900")),
])
def test_scrub_hides_personal_data(line, hidden):
    clean = scrub(line)
    for part in hidden:
        assert part not in clean


def test_scrub_keeps_what_operators_need():
    line = "listening on 127.0.0.1 at 2026-11-30, took 0.25 s"
    assert scrub(line) == line


def test_pseudonyms_are_keyed_and_stable():
    set_pseudonym_key(b"one key")
    first = mask_id("123456789")
    assert first == mask_id("123456789") and first != mask_id("123456780")
    set_pseudonym_key(b"another key")
    assert mask_id("123456789") != first  # without the server secret the tag cannot be recomputed


@pytest.fixture
def library_log() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    install_log_filter()
    try:
        yield buffer
    finally:
        remove_log_filter()
        root.removeHandler(handler)
        root.setLevel(old)


@pytest.mark.parametrize("name", ["telegram.ext.ExtBot", "httpx", "aiohttp.client", "uvicorn.error",
                                  "sqlalchemy.engine.Engine", "bot.app"])
def test_every_logger_and_level_goes_through_the_filter(library_log, name):
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    own = logging.StreamHandler(library_log)
    chain: logging.Logger | None = logger
    while chain is not None and chain.propagate:
        chain = chain.parent
    if chain is not None and chain is not logging.getLogger():  # uvicorn's stop propagating once a server ran
        chain.addHandler(own)  # their records end at this logger's handlers: capture there
        install_log_filter()  # as at start-up: the filter also goes on the handlers a library logger has
    try:
        logger.debug("update %s", {"text": "Nguyễn Văn An 0912345678", "chat_id": 987654321})
        try:
            raise ValueError("bad phone 0912345678")
        except ValueError:
            logger.exception("failed for %s", "0912345678")
    finally:
        logger.setLevel(logging.NOTSET)
        if chain is not None:
            chain.removeHandler(own)
    logged = library_log.getvalue()
    assert "ValueError" in logged and "update" in logged
    for secret in ("Nguyễn Văn An", "0912345678", "987654321"):
        assert secret not in logged
