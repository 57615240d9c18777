"""``[channels.webchat]``: the web chat's own settings (validated by ``ChannelSettings.section``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: The table in ``config.toml`` and the channel's name in the registry and the database.
CHANNEL = "webchat"


class WebChatSettings(BaseModel):
    """Who may embed the widget, how often it looks for new messages, how long things are kept."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # Origins of the pages that embed the widget ("https://dichvucong.tinh.gov.vn"); the assistant's own
    # page (/webchat/) always works. Requests from other sites are refused by the browser (CORS).
    allowed_origins: list[str] = Field(default_factory=list)
    # Seconds between two looks for new messages while the chat is open (4× that while it is closed).
    poll_seconds: int = Field(default=10, ge=2, le=300)
    # Days a visitor's session token stays valid without use; every use within it extends it.
    session_days: int = Field(default=90, ge=1, le=730)
    # Days the messages shown to a visitor (answers, notifications, files) are kept for them.
    retention_days: int = Field(default=30, ge=1, le=365)
    # New sessions one network address may open per hour (several citizens can share one address).
    sessions_per_hour: int = Field(default=60, ge=1)
