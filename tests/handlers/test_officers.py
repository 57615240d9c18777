"""Officers in the chat: /dangky, /trehan (and its pages), /trehan_csv, /loigui; everyone else is refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.contract.messages import Incoming, Kind, Reply
from bot.conversation import Context
from bot.officers.models import Role
from bot.officers.registry import create_invite
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.storage.conversations import ChatState
from bot.storage.db import Database
from handlers.router import route
from tests.bot.late.factory import HCM, MONDAY_0730, UNIT_A, UNIT_B, add_dossier, add_officer, secret_key, settings  # noqa: F401  (autouse)


class Chat:
    """One Telegram user talking to the handlers, with state kept between messages."""

    def __init__(self, db: Database, user: str, *, admin: bool = False, top_items: int = 10) -> None:
        self.db, self.user, self.admin = db, user, admin
        office = settings()
        self.settings = office.model_copy(update={"alerts": office.alerts.model_copy(update={"top_items": top_items})})
        self.state = ChatState(language="vi")

    def _ctx(self, **incoming: str) -> Context:
        message = Incoming(channel="telegram", chat_id=self.user, user_id=self.user, display_name="Trần Thị B",
                           **incoming)  # type: ignore[arg-type]  # fmt: skip
        return Context(incoming=message, settings=self.settings, knowledge=None, state=self.state,  # type: ignore[arg-type]
                       is_admin=self.admin, db=self.db, clock=lambda: MONDAY_0730)  # fmt: skip

    def say(self, text: str) -> list[Reply]:
        return route(self._ctx(text=text))

    def press(self, data: str) -> list[Reply]:
        return route(self._ctx(kind=Kind.CHOICE, choice=data))


def _invite(db: Database, role: Role = Role.OFFICER, units: tuple[str, ...] = (UNIT_A,)) -> str:
    with db.session() as s:
        code = create_invite(s, role, list(units))
        s.commit()
    return code


@pytest.mark.parametrize("command", ["/trehan", "/trehan 2", "/trehan_csv", "/loigui"])
def test_officer_commands_refuse_everyone_else(database: Database, command: str) -> None:
    [reply] = Chat(database, "900").say(command)
    assert "chỉ dành cho" in reply.text and not reply.attachments


def test_register_then_see_the_alert_of_ones_units(database: Database) -> None:
    add_dossier(database, "A-1", MONDAY_0730 - timedelta(days=3))
    add_dossier(database, "B-1", MONDAY_0730 - timedelta(days=3), unit=UNIT_B)
    chat = Chat(database, "900")
    [welcome] = chat.say(f"/dangky {_invite(database).lower()}")
    assert "Đăng ký thành công" in welcome.text and UNIT_A in welcome.text and "07:30" in welcome.text
    [alert] = chat.say("/trehan")
    assert "🔴 Quá hạn: 1" in alert.text and "A-1" in alert.text and "B-1" not in alert.text


def test_wrong_codes_get_one_neutral_answer_then_a_lockout(database: Database) -> None:
    chat = Chat(database, "900")
    answers = {chat.say(code)[0].text for code in ("/dangky MC-2222-2222", "/dangky xyz", "/dangky MC-3333-3333")}
    assert len(answers) == 1 and "không hợp lệ" in answers.pop()
    chat.say("/dangky MC-4444-4444")
    chat.say("/dangky MC-5555-5555")
    [locked] = chat.say(f"/dangky {_invite(database)}")  # the 6th try, even with a good code
    assert "quá nhiều lần" in locked.text
    [refused] = chat.say("/trehan")
    assert "chỉ dành cho" in refused.text


def test_paging_by_command_and_by_button(database: Database) -> None:
    add_officer(database, "900")
    for day in range(7):
        add_dossier(database, f"A-{day}", datetime(2026, 11, 10 + day, 17, 0, tzinfo=HCM))
    chat = Chat(database, "900", top_items=3)
    [first] = chat.say("/trehan")
    assert first.text.count("• ") == 3 and "/trehan 2" in first.text
    assert [c.data for c in first.flat_choices()] == ["th:2", "tc"]
    [second] = chat.press("th:2")
    assert second.text.count("• ") == 3 and "trang 2" in second.text and "A-3" in second.text
    [third] = chat.say("/trehan 3")
    assert third.text.count("• ") == 1 and "A-6" in third.text and "th:4" not in [c.data for c in third.flat_choices()]


def test_csv_of_the_whole_list(database: Database) -> None:
    add_officer(database, "900")
    for n in range(15):
        add_dossier(database, f"A-{n:02d}", MONDAY_0730 - timedelta(days=2, minutes=n))
    add_dossier(database, "B-1", MONDAY_0730 - timedelta(days=2), unit=UNIT_B)
    for reply in (Chat(database, "900").say("/trehan_csv")[0], Chat(database, "900").press("tc")[0]):
        [csv] = reply.attachments
        rows = csv.content.decode("utf-8-sig").splitlines()
        assert csv.filename == "ho-so-tre-han-2026-11-23.csv" and csv.mime_type == "text/csv"
        assert len(rows) == 1 + 15 and not any("B-1" in r for r in rows)


def test_failures_are_listed_for_administrators_only(database: Database) -> None:
    add_officer(database, "900", name="Lê Văn C")
    add_officer(database, "901")
    with database.session() as s:
        s.add(OutboxMessage(dedupe_key="alert:1:2026-11-23", kind="alert", channel="telegram", chat_id="900",
                            status=OutboxStatus.FAILED.value, last_error="permanent: Forbidden: bot was blocked"))
        s.commit()
    [denied] = Chat(database, "901").say("/loigui")
    assert "quản trị viên" in denied.text and "blocked" not in denied.text
    add_officer(database, "902", role=Role.ADMIN, units=[])
    [report] = Chat(database, "902").say("/loigui")
    assert "Lê Văn C" in report.text and "bot was blocked" in report.text
    [configured] = Chat(database, "555", admin=True).say("/loigui")  # ASSISTANT_ADMIN_IDS needs no invite
    assert configured.text == report.text
