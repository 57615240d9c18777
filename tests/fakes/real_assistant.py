"""The real Assistant over a small written catalog and a temporary SQLite database, for channel tests.

Telegram and Zalo conversations use the same assistant, so the same procedures and office name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.catalog.files import procedure_path, render_procedure, write_if_changed
from bot.catalog.model import (
    Channel,
    Document,
    Duration,
    Fee,
    FilingWay,
    LegalBasis,
    Level,
    Procedure,
    TimeUnit,
)
from bot.config import Settings
from tests.records import portal_procedure

OFFICE = "UBND xã Thử Nghiệm"


def _in_person(days: int, fee: Fee) -> list[FilingWay]:
    time = Duration(amount=days, unit=TimeUnit.WORKING_DAYS)
    return [FilingWay(channel=Channel.IN_PERSON, time=time, fees=[fee])]


CATALOG = [
    Procedure(
        code="1.000894",
        name="Thủ tục đăng ký kết hôn",
        levels=[Level.COMMUNE],
        field="Hộ tịch",
        ways=_in_person(5, Fee(free=True)),
        documents=[Document(name="Tờ khai đăng ký kết hôn", originals=1, copies=0)],
        legal_basis=[LegalBasis(number="60/2014/QH13", title="Luật Hộ tịch")],
        result="Giấy chứng nhận kết hôn",
    ),
    Procedure(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        levels=[Level.COMMUNE],
        field="Chứng thực",
        ways=_in_person(1, Fee(amount=2000, per="trang")),
    ),
    Procedure(
        code="2.000884",
        name="Chứng thực chữ ký trong các giấy tờ, văn bản",
        levels=[Level.COMMUNE],
        field="Chứng thực",
        ways=_in_person(1, Fee(amount=10000)),
    ),
    portal_procedure("1.001193"),  # birth registration as the importer builds it from the real portal record
]


@pytest.fixture
def real_assistant(tmp_path: Path) -> Iterator[Assistant]:
    """The real assistant over ``CATALOG`` and a temporary SQLite database."""
    catalog = tmp_path / "catalog"
    for procedure in CATALOG:
        write_if_changed(procedure_path(catalog, procedure), render_procedure(procedure))
    settings = Settings.model_validate(
        {
            "office": {"name": OFFICE, "levels": ["Cấp xã"]},
            "database": {"url": f"sqlite:///{tmp_path / 'assistant.db'}"},
            "catalog": {"path": str(catalog), "cache_path": str(tmp_path / "catalog-cache.pickle"),
                        "state_dir": str(tmp_path / "var")},
        }
    )
    assistant = build_assistant(settings)
    assert len(assistant.knowledge.procedures) == len(CATALOG)
    yield assistant
    assistant.close()
