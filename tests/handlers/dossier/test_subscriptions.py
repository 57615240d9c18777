"""Following a verified dossier, stopping, and the notifications an import triggers."""

from __future__ import annotations

from sqlalchemy import select

from bot.dossiers.models import DossierEvent, StatusChange, Subscription
from bot.dossiers.notify import notify_status_changes
from bot.outbox.models import OutboxMessage
from tests.handlers.dossier.conftest import CODE, SETTINGS, add_dossier


def _subscriptions(db) -> list[tuple[int, str, bool, str]]:
    with db.session() as s:
        rows = s.scalars(select(Subscription).order_by(Subscription.chat_id, Subscription.dossier_id)).all()
        return [(r.dossier_id, r.chat_id, r.active, r.language) for r in rows]


def _verify(chat) -> None:
    chat.send(f"/hoso {CODE}")
    [card] = chat.send("5678")
    assert "Nguyễn V** A**" in card.text


def test_subscribe_then_unsubscribe_by_button(chat, database, dossier_id):
    _verify(chat)
    [done] = chat.press(f"ds:{dossier_id}")
    assert "Đã bật theo dõi" in done.text and CODE in done.text
    assert _subscriptions(database) == [(dossier_id, "c1", True, "vi")]
    chat.press(f"ds:{dossier_id}")  # pressing twice keeps one subscription
    assert len(_subscriptions(database)) == 1
    [stopped] = chat.press(f"du:{dossier_id}")
    assert "Đã ngừng theo dõi" in stopped.text and CODE in stopped.text
    assert _subscriptions(database) == [(dossier_id, "c1", False, "vi")]


def test_card_offers_to_stop_when_already_following(chat, dossier_id):
    _verify(chat)
    chat.press(f"ds:{dossier_id}")
    chat.send(f"/hoso {CODE}")
    [card] = chat.send("5678")
    datas = [c.data for c in card.flat_choices()]
    assert f"du:{dossier_id}" in datas and f"ds:{dossier_id}" not in datas


def test_unsubscribe_command_stops_every_dossier_of_the_chat(chat, database, dossier_id):
    other = add_dossier(database, "H12.22-251110-0002")
    _verify(chat)
    chat.press(f"ds:{dossier_id}")
    chat.send("/hoso H12.22-251110-0002")
    chat.send("5678")
    chat.press(f"ds:{other}")
    [stopped] = chat.send("/huytheodoi")
    assert CODE in stopped.text and "H12.22-251110-0002" in stopped.text
    assert [active for *_, active, _lang in _subscriptions(database)] == [False, False]
    [nothing] = chat.send("/huytheodoi")
    assert "không theo dõi" in nothing.text


def test_forged_subscribe_button_from_an_unverified_chat_is_refused(new_chat, database, dossier_id):
    stranger = new_chat(chat_id="stranger")
    replies = stranger.press(f"ds:{dossier_id}")
    assert "xác minh" in replies[0].text
    assert "Đã bật" not in " ".join(r.text for r in replies)
    assert _subscriptions(database) == []


def test_verifying_one_dossier_does_not_allow_following_another(chat, database, dossier_id):
    other = add_dossier(database, "H12.22-251110-0002", phone="0900000000")
    _verify(chat)
    chat.press(f"ds:{other}")
    assert _subscriptions(database) == []


def test_verification_expires_for_the_subscribe_button(chat, clock, database, dossier_id):
    _verify(chat)
    clock.advance(minutes=31)
    chat.press(f"ds:{dossier_id}")
    assert _subscriptions(database) == []


def test_unsubscribe_button_of_another_chat_changes_nothing(new_chat, database, dossier_id):
    owner, stranger = new_chat(chat_id="owner"), new_chat(chat_id="stranger")
    _verify(owner)
    owner.press(f"ds:{dossier_id}")
    stranger.press(f"du:{dossier_id}")
    assert _subscriptions(database) == [(dossier_id, "owner", True, "vi")]


def _outbox(db) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id)).all())


def test_status_change_notifies_each_active_subscriber_once(new_chat, database, dossier_id):
    vi, en, gone = new_chat(chat_id="a-vi"), new_chat(chat_id="b-en"), new_chat(chat_id="c-gone")
    en.send("/lang en")
    for chat in (vi, en, gone):
        _verify(chat)
        chat.press(f"ds:{dossier_id}")
    gone.send("/huytheodoi")
    with database.session() as s:
        s.add(DossierEvent(dossier_id=dossier_id, old_status="processing", new_status="done"))
        s.commit()
    change = StatusChange(dossier_id, CODE, "processing", "done")
    with database.session() as s:
        assert notify_status_changes(s, [change], SETTINGS) == 2
        s.commit()
    with database.session() as s:
        assert notify_status_changes(s, [change], SETTINGS) == 0
        s.commit()
    sent = _outbox(database)
    assert [m.chat_id for m in sent] == ["a-vi", "b-en"]
    assert "Đã có kết quả" in sent[0].text and CODE in sent[0].text
    assert "Result ready" in sent[1].text
    for m in sent:
        assert m.dedupe_key.startswith(f"dossier:{dossier_id}:done:")
        assert "Nguyễn" not in m.text and "khai sinh" not in m.text and "5678" not in m.text
    assert sent[0].choices == [[{"label": "🔕 Ngừng theo dõi", "data": f"du:{dossier_id}"}]]


def test_a_later_change_to_the_same_status_is_notified_again(chat, database, dossier_id):
    _verify(chat)
    chat.press(f"ds:{dossier_id}")
    change = StatusChange(dossier_id, CODE, "supplement", "processing")
    for _ in range(2):  # processing → supplement → processing: two events, two messages
        with database.session() as s:
            s.add(DossierEvent(dossier_id=dossier_id, old_status="supplement", new_status="processing"))
            s.commit()
        with database.session() as s:
            assert notify_status_changes(s, [change], SETTINGS) == 1
            s.commit()
    assert len(_outbox(database)) == 2


def test_no_subscribers_no_messages(database, dossier_id):
    with database.session() as s:
        assert notify_status_changes(s, [StatusChange(dossier_id, CODE, "processing", "done")], SETTINGS) == 0
    assert _outbox(database) == []


def test_on_zalo_oa_the_follower_is_told_of_the_48_hour_window(new_chat, database, dossier_id):
    chat = new_chat(channel="zalo_oa")
    _verify(chat)
    [done] = chat.press(f"ds:{dossier_id}")
    assert "Đã bật theo dõi" in done.text and "48 giờ" in done.text, "no dossier_status template is configured"
    telegram = new_chat(channel="telegram", chat_id="c2")
    _verify(telegram)
    [done] = telegram.press(f"ds:{dossier_id}")
    assert "48 giờ" not in done.text
