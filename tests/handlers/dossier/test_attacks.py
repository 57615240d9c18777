"""Guessing a dossier's verification: parallel answers, many chats, the owner during an attack, alerts."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.config import ENV_ADMIN_IDS
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.handlers.conftest import Chat, Clock
from tests.handlers.dossier.conftest import CODE, ID_NUMBER

PARALLEL = 100


def _outcome(text: str) -> str:
    if "Đang xử lý" in text:
        return "accepted"
    if "không khớp" in text:
        return "refused"  # the answer was evaluated and was wrong
    return "blocked"  # not evaluated: told to wait or to give the stronger answer


def _answer_at_once(chats: list[Chat], answers: list[str]) -> Counter[str]:
    """Every chat sends its answer at the same moment, from its own thread (its own DB connection)."""
    start = threading.Barrier(len(chats))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(chat: Chat, answer: str) -> None:
        start.wait()
        first = chat.send(answer)[0]
        with lock:
            outcomes.append(_outcome(first.text))

    threads = [threading.Thread(target=run, args=(c, a)) for c, a in zip(chats, answers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == len(chats)
    return Counter(outcomes)


@pytest.mark.parametrize("with_right_answer", [False, True])
def test_parallel_answers_in_one_chat_evaluate_at_most_the_chat_allowance(new_chat, dossier_id, with_right_answer):
    """100 answers at once from one chat (e.g. a script on several devices)."""
    chats = [new_chat(chat_id="one-chat") for _ in range(PARALLEL)]
    for c in chats:
        c.send(f"/hoso {CODE}")
    answers = [f"{i:04d}" for i in range(PARALLEL)]  # 0000…0099: all wrong (the phone ends in 5678)
    if with_right_answer:
        answers[-1] = "5678"
    result = _answer_at_once(chats, answers)
    assert result["refused"] <= 5  # max_failed_attempts wrong answers evaluated, never more
    # the right answer is accepted only if it came among the first five; everything after is not evaluated
    assert result["refused"] + result["accepted"] <= 5 + int(with_right_answer)
    assert result["blocked"] >= PARALLEL - 6


def test_parallel_answers_from_many_chats_evaluate_at_most_the_code_allowance(new_chat, dossier_id):
    chats = [new_chat(chat_id=f"attacker-{i}") for i in range(PARALLEL)]
    for c in chats:
        c.send(f"/hoso {CODE}")
    answers = [f"{i:04d}" for i in range(PARALLEL)]  # 0000…0099: all wrong (the phone ends in 5678)
    result = _answer_at_once(chats, answers)
    assert result["refused"] <= 20 and result["accepted"] == 0  # max_failed_per_code
    assert result["blocked"] >= PARALLEL - 20


def test_owner_gets_in_with_the_stronger_answer_during_an_attack(new_chat, clock, dossier_id):
    for i in range(40):  # a stranger keeps guessing from forty chats
        attacker = new_chat(chat_id=f"attacker-{i}")
        attacker.send(f"/hoso {CODE}")
        attacker.send(f"{i:04d}")
    clock.advance(seconds=30)
    owner = new_chat(chat_id="owner")
    [question] = owner.send(f"/hoso {CODE}")
    assert "12 số căn cước" in question.text
    [card] = owner.send(ID_NUMBER)
    assert "Đang xử lý" in card.text


def _alerts(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "guess-alert")))


def test_admins_are_alerted_once_per_attack_window(
    new_chat: Callable[..., Chat], clock: Clock, database: Database, dossier_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ADMIN_IDS, "telegram:900, zalo_bot:901")

    def attack(rounds: int, prefix: str) -> None:
        for i in range(rounds):
            attacker = new_chat(chat_id=f"{prefix}-{i}")
            attacker.send(f"/hoso {CODE}")
            attacker.send("0000")
            clock.advance(minutes=5)

    attack(19, "a")
    assert _alerts(database) == []
    attack(30, "b")  # the code gets blocked, and stays under attack for hours
    alerts = _alerts(database)
    assert sorted((a.channel, a.chat_id) for a in alerts) == [("telegram", "900"), ("zalo_bot", "901")]
    assert CODE in alerts[0].text and "5678" not in alerts[0].text
    clock.advance(hours=25)  # a new attack window
    attack(30, "c")
    assert len(_alerts(database)) == 4
