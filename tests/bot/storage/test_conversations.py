"""Conversation state and update de-duplication on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.storage.conversations import ChatState, ConversationStore, UpdateLog


def test_state_round_trip_and_update(database):
    store = ConversationStore(database)
    assert store.load("telegram", "42").language == "vi"
    store.save("telegram", "42", ChatState(language="en", data={"procedure": "1.000894", "choices": ["p:1"]}))
    loaded = store.load("telegram", "42")
    assert loaded.language == "en" and loaded.data["procedure"] == "1.000894"
    loaded.data["procedure"] = "1.001193"
    store.save("telegram", "42", loaded)
    assert store.load("telegram", "42").data == {"procedure": "1.001193", "choices": ["p:1"]}
    assert store.load("zalo", "42").language == "vi"  # same chat id, other channel: separate


def test_a_second_store_continues_the_conversation(database):
    ConversationStore(database).save("console", "a", ChatState(language="en", data={"x": 1}))
    assert ConversationStore(database).load("console", "a").data == {"x": 1}


def test_concurrent_first_saves_do_not_fail(database):
    store = ConversationStore(database)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: store.save("telegram", "new", ChatState("vi", {"i": i})), range(8)))
    assert "i" in store.load("telegram", "new").data


def test_update_claimed_once(database):
    log = UpdateLog(database)
    assert log.claim("telegram", "1001") is True
    assert log.claim("telegram", "1001") is False
    assert log.claim("zalo", "1001") is True
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: log.claim("telegram", "2002"), range(8)))
    assert results.count(True) == 1


def test_prune_forgets_old_updates(database):
    from datetime import timedelta

    log = UpdateLog(database)
    log.claim("telegram", "1")
    assert log.prune(older_than=timedelta(days=1)) == 0
    assert log.prune(older_than=timedelta(seconds=-1)) == 1
    assert log.claim("telegram", "1") is True
