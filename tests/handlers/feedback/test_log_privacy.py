"""A whole conversation at DEBUG leaves no phone, ID number, verification answer or name in the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.feedback.models import Rating
from bot.masking import install_log_filter, remove_log_filter
from tests.handlers.dossier.conftest import CODE, ID_NUMBER, PHONE
from tests.handlers.dossier.conftest import add_dossier as add_verifiable_dossier
from tests.handlers.feedback.conftest import add_dossier

NAME = "Trần Thị Bích Ngọc"
CONTACT_PHONE = "0987 654 321"
COMPLAINT_ID = "079203001122"
SECRETS = ("5678", "0912345678", "0912 345 678", "987654321", "0987 654 321", ID_NUMBER, COMPLAINT_ID, NAME,
           "Bích Ngọc", "Văn An")


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Every logger at DEBUG into one buffer, through the filter the assistant installs at start-up."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.setLevel(logging.DEBUG)  # SQL with its parameters and result rows
    install_log_filter(b"log-privacy-test-key")
    try:
        yield buffer
    finally:
        remove_log_filter()
        root.removeHandler(handler)
        root.setLevel(old_level)
        engine_log.setLevel(logging.WARNING)


def test_full_conversation_at_debug_logs_no_personal_data(make_chat, database, debug_log):
    add_verifiable_dossier(database, applicant_name="Nguyễn Văn An")
    dossier_id = add_dossier(database)
    chat = make_chat(chat_id="c1")
    chat.send("làm giấy khai sinh cần gì")  # lookup
    chat.send(f"/hoso {CODE}")
    assert "không khớp" in chat.send("1234")[0].text  # a wrong verification answer
    chat.send(CODE)
    assert "Đang xử lý" in chat.send(PHONE)[0].text  # the right one (the whole phone number)
    chat.send(f"/hoso {CODE}")
    assert "Đang xử lý" in chat.send(ID_NUMBER)[0].text  # the stronger answer
    chat.press(f"fr:d:{dossier_id}:1")  # rating, complaint with an ID number and a name, contact details
    with database.session() as s:
        rating_id = s.scalar(select(Rating.id))
    chat.press(f"fc:{rating_id}:0:x")
    chat.send(f"Tôi là {NAME}, CCCD {COMPLAINT_ID}, cán bộ hẹn lại nhiều lần")
    chat.press(f"fk:{rating_id}:c")
    chat.press(f"fk:{rating_id}:y")
    chat.send(f"{NAME} {CONTACT_PHONE}")
    with database.session() as s:
        assert s.scalar(select(Rating.contact)) == f"{NAME} {CONTACT_PHONE}"  # the flow really ran

    logged = debug_log.getvalue()
    assert "sqlalchemy.engine" in logged and len(logged.splitlines()) > 50  # DEBUG really was on
    for secret in SECRETS:
        assert secret not in logged, secret
