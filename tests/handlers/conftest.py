"""A small hand-made catalog and a ready Context factory for conversation tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.catalog.model import (
    Channel,
    Document,
    Duration,
    Fee,
    FilingWay,
    LegalBasis,
    Level,
    LexiconEntry,
    OnlineMode,
    Procedure,
    TimeUnit,
)
from bot.config import Settings
from bot.contract.messages import Incoming, Kind, Reply
from bot.conversation import Context
from bot.knowledge import Knowledge
from bot.schema import create_schema
from bot.storage.conversations import ChatState
from bot.storage.db import Database
from handlers.router import route

FIVE_WD = Duration(amount=5, unit=TimeUnit.WORKING_DAYS, text="5 Ngày làm việc")


def _ways(fee: Fee, time: Duration = FIVE_WD, post: bool = True) -> list[FilingWay]:
    channels = [Channel.IN_PERSON, Channel.ONLINE] + ([Channel.POST] if post else [])
    return [FilingWay(channel=c, time=time, fees=[fee]) for c in channels]


PROCEDURES = [
    Procedure(
        code="1.000894", name="Thủ tục đăng ký kết hôn", levels=[Level.COMMUNE], field="Hộ tịch",
        agency="Ủy ban nhân dân cấp xã", ways=_ways(Fee(free=True)), online_mode=OnlineMode.PARTIAL,
        documents=[Document(name="Tờ khai đăng ký kết hôn", form="To khai.docx", originals=1, copies=0)],
        steps=["Nộp hồ sơ tại Bộ phận Một cửa", "Công chức tư pháp kiểm tra hồ sơ"],
        legal_basis=[LegalBasis(number="60/2014/QH13", title="Luật Hộ tịch")],
        result="Giấy chứng nhận kết hôn", portal_url="https://dichvucong.gov.vn/p/1",
    ),
    Procedure(
        code="1.001193", name="Thủ tục đăng ký khai sinh", levels=[Level.COMMUNE], field="Hộ tịch",
        ways=_ways(Fee(free=True), Duration(amount=1, unit=TimeUnit.WORKING_DAYS)),
        result="Giấy khai sinh", portal_url="https://dichvucong.gov.vn/p/2",
    ),
    Procedure(
        code="1.014061", name="Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", levels=[Level.COMMUNE],
        field="Cấp, quản lý căn cước", ways=_ways(Fee(amount=30000), Duration(amount=7, unit=TimeUnit.WORKING_DAYS)),
    ),
    Procedure(
        code="2.000200", name="Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (thực hiện tại cấp tỉnh)",
        levels=[Level.PROVINCE], field="Cấp, quản lý căn cước", ways=_ways(Fee(amount=30000)),
    ),
    Procedure(
        code="1.001456", name="Cấp hộ chiếu phổ thông ở trong nước", levels=[Level.PROVINCE],
        field="Quản lý xuất nhập cảnh",
        ways=[FilingWay(channel=Channel.IN_PERSON, time=Duration(amount=8, unit=TimeUnit.WORKING_DAYS),
                        fees=[Fee(amount=200000, per="lần")])],
        online_mode=OnlineMode.NONE,
    ),
    Procedure(
        code="2.000815", name="Chứng thực bản sao từ bản chính giấy tờ, văn bản", levels=[Level.COMMUNE],
        field="Chứng thực", ways=_ways(Fee(amount=2000, per="trang"), Duration(amount=1, unit=TimeUnit.DAYS)),
    ),
    Procedure(
        code="2.000884", name="Chứng thực chữ ký trong các giấy tờ, văn bản", levels=[Level.COMMUNE],
        field="Chứng thực", ways=_ways(Fee(amount=10000)),
    ),
]

LEXICON = [
    LexiconEntry(term="cccd", means=["căn cước"]),
    LexiconEntry(term="passport", means=["hộ chiếu"]),
    LexiconEntry(term="dk", means=["đăng ký"]),
]

SETTINGS = Settings.model_validate({"office": {"name": "UBND phường Mẫu", "hotline": "1900 1234"}})


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """Knowledge over the small catalog (office serves Cấp tỉnh + Cấp xã)."""
    return Knowledge.build(PROCEDURES, LEXICON, SETTINGS.office.levels)


#: Wednesday 18 November 2026, 10:00 in Hà Nội: "now" of the conversations that need a clock.
NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """Wednesday 18 November 2026, 10:00 local time (office hours); tests move it."""
    return Clock()


def _empty_database() -> Database:
    """An in-memory SQLite database with every table, for chats that need no data."""
    db = Database("sqlite://")
    create_schema(db)
    return db


class Chat:
    """A conversation with the router, keeping state between messages like the real assistant does.

    Without ``db`` the chat gets an empty in-memory SQLite database of its own; with ``db`` and ``clock`` the
    dossier, feedback and officer flows run on shared data, each chat with its own ``chat_id`` (also its user id).
    """

    def __init__(
        self,
        knowledge: Knowledge,
        settings: Settings = SETTINGS,
        is_admin: bool = False,
        *,
        db: Database | None = None,
        clock: Clock | None = None,
        chat_id: str = "c1",
        channel: str = "test",
    ) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.state = ChatState(language="vi")
        self.is_admin = is_admin
        self.reload_catalog = None
        self.db, self.clock, self.chat_id, self.channel = db or _empty_database(), clock, chat_id, channel

    def context(self, text: str = "", kind: Kind = Kind.TEXT, choice: str = "") -> Context:
        incoming = Incoming(channel=self.channel, chat_id=self.chat_id, user_id=self.chat_id, kind=kind, text=text,
                            choice=choice)
        extra = {"clock": self.clock} if self.clock is not None else {}
        return Context(incoming=incoming, settings=self.settings, knowledge=self.knowledge, state=self.state,
                       is_admin=self.is_admin, reload_catalog=self.reload_catalog, db=self.db, **extra)

    def send(self, text: str = "", kind: Kind = Kind.TEXT, choice: str = "") -> list[Reply]:
        return route(self.context(text, kind, choice))

    def press(self, data: str) -> list[Reply]:
        return self.send(kind=Kind.CHOICE, choice=data)


@pytest.fixture
def chat(knowledge: Knowledge) -> Chat:
    """A fresh conversation."""
    return Chat(knowledge)


@pytest.fixture
def new_chat(knowledge: Knowledge) -> Callable[..., Chat]:
    """Factory for conversations with custom settings."""
    return lambda **kw: Chat(knowledge, **kw)
