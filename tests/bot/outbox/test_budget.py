"""The send-rate budget in the database: slots per platform and per chat, shared by every process."""

from __future__ import annotations

import pytest

from bot.outbox.budget import SharedBudget
from bot.storage.db import Database


class Wall:
    """Settable wall-clock seconds."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> Wall:
    return Wall()


def test_one_chat_gets_a_slot_per_second(database: Database, wall: Wall) -> None:
    budget = SharedBudget(database, rate=25, per_chat_interval=1.0, wall=wall)
    waits = [budget.reserve("telegram:1") for _ in range(3)]
    assert waits == pytest.approx([0.0, 1.0, 2.0], abs=1e-4)


def test_the_platform_rate_spaces_every_chat(database: Database, wall: Wall) -> None:
    budget = SharedBudget(database, rate=25, per_chat_interval=1.0, wall=wall)
    waits = [budget.reserve(f"telegram:{n}") for n in range(50)]
    assert waits == pytest.approx([n / 25 for n in range(50)], abs=1e-4)
    assert budget.reserve("zalo_bot:1") == 0.0, "another platform has its own budget"


def test_two_processes_share_the_budget(database: Database, wall: Wall) -> None:
    first = SharedBudget(database, rate=10, per_chat_interval=1.0, wall=wall)
    second = SharedBudget(Database(str(database.engine.url.render_as_string(hide_password=False))), rate=10,
                          per_chat_interval=1.0, wall=wall)  # fmt: skip
    waits = [budget.reserve(f"zalo_oa:{n}-{i}") for n in range(3) for i, budget in enumerate((first, second))]
    assert waits == pytest.approx([n / 10 for n in range(6)], abs=1e-4), "one queue for both, not one each"
    second.db.dispose()


def test_a_chat_waiting_for_the_platform_keeps_its_second_from_the_real_slot(database: Database, wall: Wall) -> None:
    budget = SharedBudget(database, rate=2, per_chat_interval=1.0, wall=wall)
    assert [budget.reserve(f"t:{n}") for n in range(4)] == pytest.approx([0.0, 0.5, 1.0, 1.5], abs=1e-4)
    assert budget.reserve("t:busy") == pytest.approx(2.0, abs=1e-4)
    assert budget.reserve("t:busy") == pytest.approx(3.0, abs=1e-4), "1 s after the slot it got, not after it asked"


def test_hold_keeps_a_chat_quiet_everywhere(database: Database, wall: Wall) -> None:
    budget = SharedBudget(database, rate=25, per_chat_interval=1.0, wall=wall)
    budget.hold("telegram:9", 30)
    assert budget.reserve("telegram:9") == pytest.approx(30.0, abs=1e-4)
    wall.now += 40
    assert budget.reserve("telegram:9") == 0.0
