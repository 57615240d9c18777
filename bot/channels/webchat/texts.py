"""The widget's own words (title, labels, status lines), in the visitor's language, through the catalogs.

The widget holds no text of its own: it asks ``/webchat/api/config?lang=…`` and shows these.
"""

from __future__ import annotations

from bot.contract.html import esc
from bot.i18n import LANGUAGES, translator


def widget_language(requested: str | None) -> str:
    """A language the catalogs have ("vi", "en"); Vietnamese for anything else."""
    code = (requested or "").strip().lower()[:2]
    return code if code in LANGUAGES else "vi"


def widget_texts(language: str, office: str) -> dict[str, str]:
    """Every text the widget shows around the conversation, by key."""
    t = translator(language)
    return {
        "title": t.gettext("Hỏi đáp thủ tục hành chính"),
        "office": office,
        "launcher": t.gettext("Hỏi thủ tục"),
        "open": t.gettext("Mở cửa sổ hỏi đáp thủ tục hành chính"),
        "close": t.gettext("Đóng cửa sổ hỏi đáp"),
        "log": t.gettext("Cuộc trò chuyện"),
        "input_label": t.gettext("Câu hỏi của bạn"),
        "placeholder": t.gettext("Gõ câu hỏi, ví dụ “dk ket hon”"),
        "send": t.gettext("Gửi"),
        "typing": t.gettext("Trợ lý đang trả lời…"),
        "you": t.gettext("Bạn"),
        "assistant": t.gettext("Trợ lý"),
        "choices": t.gettext("Các lựa chọn"),
        "unread": t.gettext("Có tin nhắn mới"),
        "offline": t.gettext("Mất kết nối. Tôi sẽ thử lại khi có mạng."),
        "failed": t.gettext("Chưa gửi được tin nhắn này."),
        "retry": t.gettext("Gửi lại"),
        "busy": t.gettext("Có quá nhiều cuộc trò chuyện mới từ mạng của bạn. Vui lòng thử lại sau ít phút."),
        "too_long": t.gettext("Tin nhắn quá dài. Bạn hãy gửi ngắn hơn."),
        "download": t.gettext("Tải tệp"),
    }


def page_html(language: str, office: str) -> str:
    """``/webchat/``: a page holding nothing but the chat, filling the screen."""
    t = translator(language)
    title = esc(t.gettext("Hỏi đáp thủ tục hành chính") + " — " + office)
    noscript = esc(t.gettext("Cần bật JavaScript để trò chuyện với trợ lý thủ tục hành chính."))
    return (f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n<link rel="icon" href="data:,">\n'
            f"<title>{title}</title>\n</head>\n<body>\n<noscript><p>{noscript}</p></noscript>\n"
            f'<script src="widget.js" data-mode="page" data-lang="{language}" defer></script>\n'
            "</body>\n</html>\n")  # fmt: skip
