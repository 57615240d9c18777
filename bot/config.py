"""Office settings from ``config.toml``; secrets only from environment variables."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.catalog.model import Level
from bot.receiving.points import OpeningHours, ReceivingPoint

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"

#: Environment variables that override settings (secrets live only here).
ENV_CONFIG_FILE = "ASSISTANT_CONFIG"
ENV_DATABASE_URL = "ASSISTANT_DATABASE_URL"
ENV_TELEGRAM_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_TELEGRAM_SECRET = "TELEGRAM_WEBHOOK_SECRET"
ENV_ADMIN_IDS = "ASSISTANT_ADMIN_IDS"
ENV_SECRET_KEY = "ASSISTANT_SECRET_KEY"
ENV_ZALO_BOT_TOKEN = "ZALO_BOT_TOKEN"
ENV_ZALO_BOT_SECRET = "ZALO_BOT_WEBHOOK_SECRET"
ENV_ZALO_OA_SECRET = "ZALO_OA_SECRET_KEY"
ENV_ZALO_APP_SECRET = "ZALO_APP_SECRET"
ENV_ZALO_OA_REFRESH_TOKEN = "ZALO_OA_REFRESH_TOKEN"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


SectionT = TypeVar("SectionT", bound=BaseModel)


class OfficeSettings(_Section):
    """Who the assistant speaks for."""

    name: str = "Trung tâm Phục vụ hành chính công"
    hotline: str = ""
    email: str = ""
    address: str = ""
    levels: list[Level] = Field(default_factory=lambda: [Level.PROVINCE, Level.COMMUNE])
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    portal_url: str = "https://dichvucong.gov.vn"
    # Units (đơn vị) officers may be invited for, besides those of the imported dossiers.
    units: list[str] = Field(default_factory=list)


class DatabaseSettings(_Section):
    """Where conversation state (and later dossiers) live."""

    url: str = "sqlite:///var/assistant.db"


class CatalogSettings(_Section):
    """The procedure catalog files and how often to look for edits."""

    path: str = "procedures_catalog"
    reload_seconds: float = 5.0
    cache_path: str = "var/catalog-cache.pickle"
    # Where the last good catalog is kept (served when a start meets a broken file); back it up.
    state_dir: str = "var"
    # A reload that would remove more than this share of the procedures waits for an administrator.
    max_removal_share: float = Field(default=0.01, ge=0, le=1)


class LoggingSettings(_Section):
    """How log records are written."""

    format: Literal["text", "json"] = "text"


class SearchSettings(_Section):
    """Search tuning an office may want to change."""

    max_choices: int = Field(default=5, ge=2, le=8)


class OnlineFilingSettings(_Section):
    """The office's wording of the steps to file online (per-procedure overrides live in the catalog)."""

    portal_name: str = "Cổng Dịch vụ công quốc gia"
    steps: list[str] = Field(default_factory=list)


class TelegramSettings(_Section):
    """Telegram channel. The token comes from TELEGRAM_BOT_TOKEN, the webhook secret from
    TELEGRAM_WEBHOOK_SECRET."""

    enabled: bool = True
    webhook_url: str = ""
    listen: str = "0.0.0.0"
    port: int = 8443
    base_url: str = ""


class ZaloBotSettings(_Section):
    """Zalo Bot Platform channel. The token comes from ZALO_BOT_TOKEN, the webhook secret from
    ZALO_BOT_WEBHOOK_SECRET."""

    enabled: bool = False
    webhook_url: str = ""
    base_url: str = "https://bot-api.zaloplatforms.com"
    # Charts: the API takes a photo URL, not a file. When both are set, chart files are written to
    # media_dir and sent as media_url/<file>; the office's reverse proxy must serve media_dir there.
    media_url: str = ""
    media_dir: str = ""


class ZaloOASettings(_Section):
    """Zalo Official Account channel. Secrets from ZALO_OA_SECRET_KEY, ZALO_APP_SECRET and (first start
    only) ZALO_OA_REFRESH_TOKEN."""

    enabled: bool = False
    app_id: str = ""
    base_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    # Webhook events whose timestamp is further than this from now are refused (replay protection).
    signature_window_seconds: int = Field(default=300, ge=10)
    # Access tokens are renewed this long before they expire.
    refresh_margin_seconds: int = Field(default=600, ge=0)
    # Consultation messages are allowed this long after the follower's last message (Zalo's policy: 48 h).
    window_hours: float = Field(default=48, gt=0, le=168)
    # Template messages (ZNS/ZBS) for what must reach a follower after the window, by message kind
    # (alert, dossier_status, weekly_report, complaint_answer, complaint_new, rating_invite, reply).
    templates: dict[str, str] = Field(default_factory=dict)
    template_url: str = "https://business.openapi.zalo.me"


class ChannelSettings(_Section):
    """Messaging channels.

    A channel may also bring its own settings model: its ``[channels.<name>]`` table is kept as written
    and validated by the channel through :meth:`section` (the registry refuses tables of unknown channels),
    so adding a channel does not change this file.
    """

    model_config = ConfigDict(extra="allow")

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    zalo_bot: ZaloBotSettings = Field(default_factory=ZaloBotSettings)
    zalo_oa: ZaloOASettings = Field(default_factory=ZaloOASettings)

    def extra_sections(self) -> list[str]:
        """Names of the ``[channels.<name>]`` tables that no field above declares."""
        return sorted(self.model_extra or {})

    def section(self, name: str, model: type[SectionT]) -> SectionT:
        """``[channels.<name>]`` validated by ``model`` (its defaults when the table is absent); an invalid
        table is a ``ConfigError`` naming the key."""
        raw = (self.model_extra or {}).get(name, {})
        if isinstance(raw, model):
            return raw
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            lines = [f"channels.{name}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
            raise ConfigError("\n".join(lines)) from exc


class CalendarSettings(_Section):
    """Working days: Monday–Friday, Vietnamese public holidays (incl. lunar Tết), plus the office's own
    extra days off and make-up working days announced each year."""

    working_saturday_morning: bool = False
    extra_holidays: list[dt.date] = Field(default_factory=list)
    makeup_working_days: list[dt.date] = Field(default_factory=list)
    # A dossier received after this time for a one-day procedure is due the next working day.
    same_day_cutoff: dt.time = dt.time(15, 0)
    # "Due soon" = due within this many working days.
    soon_days: int = Field(default=2, ge=1, le=10)


class DossierSettings(_Section):
    """How citizens prove a dossier is theirs before anything personal is shown."""

    # "phone_last4": last 4 digits of the applicant's phone; "id_number": the ID number;
    # "either": the citizen may answer with either.
    verification: Literal["phone_last4", "id_number", "either"] = "phone_last4"
    max_failed_attempts: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Failed answers about ONE dossier code from all chats and channels together before the 4-digit answer
    # is paused for that code (stops guessing with many accounts; the owner gives the stronger answer).
    max_failed_per_code: int = Field(default=20, ge=1)
    # Growing delays (see README, "Security and personal data"): each failed answer adds one to the counters
    # of the chat, of the dossier code (all chats and channels together) and of the channel; a counter at or
    # above its allowance blocks that scope for first_delay_seconds, doubling with each further failure up
    # to max_delay_hours. Counters forget one failure per period: the chat's lockout_minutes, the code's
    # code_forget_hours, the channel's channel_forget_minutes.
    code_forget_hours: float = Field(default=4.0, gt=0)
    max_failed_per_channel: int = Field(default=200, ge=1)
    channel_forget_minutes: float = Field(default=30.0, gt=0)
    first_delay_seconds: float = Field(default=60.0, gt=0)
    max_delay_hours: float = Field(default=24.0, gt=0)
    # The stronger answer, accepted while a code or the channel is blocked for the short answer:
    # "id_number" (all digits of the applicant's ID number) or "phone_birth_year" (the full phone number
    # and the year of birth, e.g. "0912345678 1985"; the export needs a year-of-birth column).
    strong_verification: Literal["id_number", "phone_birth_year"] = "id_number"
    # Failed stronger answers about one code before it, too, must wait; one is forgotten every
    # strong_forget_minutes.
    max_failed_strong_per_code: int = Field(default=20, ge=1)
    strong_forget_minutes: float = Field(default=10.0, gt=0)
    # Administrators (ASSISTANT_ADMIN_IDS) are told when a code or a channel becomes blocked, at most once
    # per scope within this many hours.
    alert_hours: float = Field(default=24.0, gt=0)


class AlertSettings(_Section):
    """The officers' morning alert."""

    enabled: bool = True
    time: dt.time = dt.time(7, 30)
    # How many dossiers the message lists before pointing to paging and the CSV file.
    top_items: int = Field(default=10, ge=1, le=50)


class LimitSettings(_Section):
    """Protection against floods and oversized input."""

    max_message_chars: int = Field(default=2000, ge=100)
    messages_per_minute: int = Field(default=30, ge=1)


class OutboxSettings(_Section):
    """How fast the outbox dispatcher sends (replies, alerts, notifications) on each platform."""

    # Messages per second to one platform, shared by every process (Telegram allows about 30/s).
    rate: float = Field(default=25.0, gt=0)
    # Seconds between two messages to one chat (Telegram: about 1 s).
    per_chat_seconds: float = Field(default=1.0, ge=0)
    # Rows one dispatcher claims at a time (sent concurrently).
    batch_size: int = Field(default=50, ge=1, le=5000)


class ReportSettings(_Section):
    """Targets shown beside the figures in reports, and the weekly report sent to unit leaders."""

    satisfaction_target: float = Field(default=0.90, ge=0, le=1)
    on_time_target: float = Field(default=0.98, ge=0, le=1)
    # Weeks shown in the weekly chart of on-time and satisfaction rates.
    chart_weeks: int = Field(default=8, ge=2, le=26)
    weekly_enabled: bool = True
    weekly_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    weekly_time: dt.time = dt.time(8, 0)


class HandoffSettings(_Section):
    """"Hỏi cán bộ": where citizens' questions go, when they must be answered, where approved FAQs live."""

    enabled: bool = True
    # Unit that receives questions no field is routed for (the one-stop office's duty desk).
    duty_desk: str = "Bộ phận Một cửa"
    # Field of a procedure (as in the catalog) → the unit answering questions about it.
    field_units: dict[str, str] = Field(default_factory=dict)
    # Answer-by time: the end of the N-th working day after the day the question arrives.
    answer_working_days: int = Field(default=1, ge=1, le=20)
    # When officers read questions (public holidays and [calendar] days off apply).
    hours: OpeningHours = Field(default_factory=OpeningHours)
    # Minutes between two looks for overdue questions (reminders are sent once per question and day).
    reminder_minutes: int = Field(default=30, ge=5, le=24 * 60)
    # Folder of approved frequently asked questions (one TOML file each), relative to the project.
    faq_path: str = "faq"
    # Weekly gaps summary to administrators, sent with the weekly report ([reports] weekday and time).
    weekly_gaps: bool = True


class PrivacySettings(_Section):
    """How long personal data is kept (Decree 13/2023/NĐ-CP): purged every night and by
    ``python -m bot privacy purge``."""

    # Applicants' names of finished dossiers: kept this many days after the result was returned (or, when
    # no return date is known, after the last change). Open dossiers keep their names.
    applicant_name_days: int = Field(default=90, ge=1)
    # Citizens' comments, complaint texts, contact details and the officers' answers: kept this many days
    # after the rating was given. Scores and counts stay for the reports.
    complaint_days: int = Field(default=365, ge=1)
    # Local time of the nightly purge.
    purge_time: dt.time = dt.time(2, 30)


class ApologySettings(_Section):
    """The apology letter (Phiếu xin lỗi và hẹn lại ngày trả kết quả): its editable template and fonts."""

    template: str = "templates/phieu-xin-loi-va-hen-lai.txt"
    # A TrueType font with Vietnamese (Debian: fonts-dejavu-core); relative paths resolve to the project root.
    font: str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    font_bold: str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


class Settings(_Section):
    """All settings of one office."""

    office: OfficeSettings = Field(default_factory=OfficeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    online_filing: OnlineFilingSettings = Field(default_factory=OnlineFilingSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    dossiers: DossierSettings = Field(default_factory=DossierSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    handoff: HandoffSettings = Field(default_factory=HandoffSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    apologies: ApologySettings = Field(default_factory=ApologySettings)
    # Where citizens file ("ở đâu"): [[receiving_points]] tables; none = the office's name and address only.
    receiving_points: list[ReceivingPoint] = Field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone (``office.timezone``)."""
        return ZoneInfo(self.office.timezone)

    def resolve(self, relative: str) -> Path:
        """A path from the settings, relative to the project root unless absolute."""
        p = Path(relative)
        return p if p.is_absolute() else PROJECT_ROOT / p

    @property
    def database_url(self) -> str:
        """Database URL: ASSISTANT_DATABASE_URL wins; relative SQLite paths resolve to the project root."""
        url = os.environ.get(ENV_DATABASE_URL) or self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            path = self.resolve(url[len(prefix) :])
            path.parent.mkdir(parents=True, exist_ok=True)
            url = prefix + str(path)
        return url

    # Secrets: read from the environment here and nowhere else, at the moment they are needed.

    @property
    def telegram_token(self) -> str:
        """TELEGRAM_BOT_TOKEN, or ''."""
        return secret(ENV_TELEGRAM_TOKEN)

    @property
    def telegram_webhook_secret(self) -> str:
        """TELEGRAM_WEBHOOK_SECRET (the webhook's ``secret_token``), or ''."""
        return secret(ENV_TELEGRAM_SECRET)

    @property
    def zalo_bot_token(self) -> str:
        """ZALO_BOT_TOKEN, or ''."""
        return secret(ENV_ZALO_BOT_TOKEN)

    @property
    def zalo_bot_webhook_secret(self) -> str:
        """ZALO_BOT_WEBHOOK_SECRET (``X-Bot-Api-Secret-Token``), or ''."""
        return secret(ENV_ZALO_BOT_SECRET)

    @property
    def zalo_oa_secret_key(self) -> str:
        """ZALO_OA_SECRET_KEY (webhook signatures), or ''."""
        return secret(ENV_ZALO_OA_SECRET)

    @property
    def zalo_app_secret(self) -> str:
        """ZALO_APP_SECRET (OA token refresh), or ''."""
        return secret(ENV_ZALO_APP_SECRET)

    @property
    def zalo_oa_refresh_token(self) -> str:
        """ZALO_OA_REFRESH_TOKEN (seeds the token row once), or ''."""
        return secret(ENV_ZALO_OA_REFRESH_TOKEN)

    @property
    def admin_ids(self) -> set[str]:
        """Chat user ids (``channel:id``) allowed to run admin commands, from ASSISTANT_ADMIN_IDS."""
        raw = secret(ENV_ADMIN_IDS)
        return {x.strip() for x in raw.split(",") if x.strip()}


def secret(name: str) -> str:
    """The environment variable ``name`` without surrounding blanks ('' when unset)."""
    return os.environ.get(name, "").strip()


class ConfigError(Exception):
    """config.toml is missing, unreadable or invalid; the message says where."""


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from ``path`` (or ASSISTANT_CONFIG, or ./config.toml); defaults when absent."""
    path = path or Path(os.environ.get(ENV_CONFIG_FILE) or DEFAULT_CONFIG)
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from exc
