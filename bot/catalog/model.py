"""The procedure model: what one catalog file describes, validated with pydantic.

Keys are English so code reads naturally; values stay in Vietnamese as published. Every structured
field has a text fallback (``raw``) so nothing from the source is ever dropped.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

CODE_PATTERN = r"^\d\.\d{6}$"
CODE_RE = re.compile(r"\b(\d\.\d{6})\b")


class Level(StrEnum):
    """Government level that performs a procedure."""

    MINISTRY = "Cấp bộ"
    PROVINCE = "Cấp tỉnh"
    COMMUNE = "Cấp xã"
    OTHER = "Cơ quan khác"


class Channel(StrEnum):
    """A way to file a dossier."""

    IN_PERSON = "truc_tiep"
    ONLINE = "truc_tuyen"
    POST = "buu_chinh"


class TimeUnit(StrEnum):
    """Unit of a processing time."""

    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"
    MONTHS = "months"


class DocumentRole(StrEnum):
    """What a citizen does with one item of the documents table."""

    FORM = "form"  # a tờ khai / đơn / mẫu to fill in and submit
    SUBMIT = "submit"  # a document handed in (nộp)
    SHOW = "show"  # a document shown at the counter and handed back (xuất trình)
    NOTE = "note"  # a rule or explanation printed in the table, not a document


class OnlineMode(StrEnum):
    """How far a procedure can be done on the public-service portal."""

    FULL = "full"  # toàn trình
    PARTIAL = "partial"  # một phần
    NONE = "none"


def web_address(value: str, field: str) -> str:
    """``value`` when it is empty or an http(s) address; otherwise a ValueError naming ``field``."""
    if value and not value.startswith(("https://", "http://")):
        raise ValueError(f"{field} must start with https://")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(_Strict):
    """A processing time: a number and a unit, or only the source text when it could not be parsed."""

    amount: float | None = None
    unit: TimeUnit | None = None
    text: str = ""

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError("processing time cannot be negative")
        return v

    @property
    def is_structured(self) -> bool:
        """A number with its unit: a due date can be counted."""
        return self.amount is not None and self.unit is not None

    @property
    def is_bare_number(self) -> bool:
        """A number without a unit ("1"): the source leaves open whether it means hours, days or working days."""
        return self.amount is not None and self.unit is None


class Fee(_Strict):
    """One fee line. ``amount`` is in ``currency`` (VND unless stated); ``per`` is a unit like "trang".

    When the note names several amounts, ``amount`` is the lowest and ``max_amount`` the highest.
    ``portal_said_free`` records that the portal's fee column said "Miễn phí" although its note names a
    fee; such a line is not free. ``exemption`` is who or what is exempted, as the note says it.
    """

    amount: float | None = None
    max_amount: float | None = None
    currency: str = "VND"
    per: str = ""
    free: bool = False
    note: str = ""
    exemption: str = ""
    portal_said_free: bool = False

    @field_validator("amount", "max_amount")
    @classmethod
    def _non_negative(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError("fee cannot be negative")
        return v


class FilingWay(_Strict):
    """One row of "cách thức thực hiện": a channel with its time, fees and description."""

    channel: Channel
    time: Duration = Field(default_factory=Duration)
    fees: list[Fee] = Field(default_factory=list)
    description: str = ""


class Document(_Strict):
    """One item of the documents table: a document to bring (with how many originals and copies), a form
    to fill in, or a note printed in the table.

    ``group`` is the source's label above the item's table; ``case`` the situation the item applies to
    ("trẻ em bị bỏ rơi"), "" when every applicant needs it; ``form`` the form file names of the source and
    ``form_url`` a link to the form where the source gives one.
    """

    name: str = Field(min_length=1)
    group: str = ""
    form: str = ""
    originals: int | None = Field(default=None, ge=0)
    copies: int | None = Field(default=None, ge=0)
    quantity_text: str = ""
    role: DocumentRole = DocumentRole.SUBMIT
    case: str = ""
    form_url: str = ""


class LegalBasis(_Strict):
    """A legal document: its number (e.g. ``123/2015/NĐ-CP``) and title."""

    number: str = ""
    title: str = ""


class Procedure(_Strict):
    """One administrative procedure (thủ tục hành chính) as an office serves it."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=3)
    levels: list[Level] = Field(min_length=1)
    field: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    applicants: str = ""
    agency: str = ""
    competent_agency: str = ""
    address: str = ""
    ways: list[FilingWay] = Field(default_factory=list)
    online_mode: OnlineMode | None = None
    online_steps: list[str] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    # Notes printed with the steps ("Lưu ý: …"), kept apart from the steps themselves.
    step_notes: list[str] = Field(default_factory=list)
    # What the steps and filing ways say about processing time ("sau 15 giờ thì …", "trong ngày").
    time_notes: list[str] = Field(default_factory=list)
    legal_basis: list[LegalBasis] = Field(default_factory=list)
    conditions: str = ""
    result: str = ""
    related: str = ""
    decision: str = ""
    kind: str = ""
    portal_url: str = ""
    ministry: str = ""
    flags: list[str] = Field(default_factory=list)
    raw: dict[str, str] = Field(default_factory=dict)

    @field_validator("aliases")
    @classmethod
    def _aliases_not_blank(cls, v: list[str]) -> list[str]:
        if any(not a.strip() for a in v):
            raise ValueError("an alias cannot be empty")
        return v

    @field_validator("portal_url")
    @classmethod
    def _url(cls, v: str) -> str:
        return web_address(v, "portal_url")

    def way(self, channel: Channel) -> FilingWay | None:
        """The filing way for ``channel``, if the procedure offers it."""
        return next((w for w in self.ways if w.channel == channel), None)

    @property
    def channels(self) -> set[Channel]:
        """Channels through which a dossier can be filed."""
        return {w.channel for w in self.ways}

    @property
    def effective_online_mode(self) -> OnlineMode:
        """Online mode as set by the catalog, else inferred from the filing ways."""
        if self.online_mode is not None:
            return self.online_mode
        if Channel.ONLINE not in self.channels:
            return OnlineMode.NONE
        if self.channels == {Channel.ONLINE}:
            return OnlineMode.FULL
        return OnlineMode.PARTIAL


class LexiconEntry(_Strict):
    """An everyday term and the official wording it stands for."""

    term: str = Field(min_length=1)
    means: list[str] = Field(min_length=1)
    note: str = ""
