"""What each row of the documents table is for: a form, a document to submit or to show, or a note.

The portal's "thành phần hồ sơ" mixes documents with rules ("Trường hợp … thì không phải nộp …"),
lead-ins ("… các giấy tờ sau:") and documents only some applicants need ("Trường hợp trẻ em bị bỏ rơi
thì phải có biên bản …"). :func:`classify_documents` gives every row a role and, where the row or the
label above its table says so, the case it belongs to. Names lose their bullets and numbering; no
words are dropped, so everything the source said can still be shown.
"""

from __future__ import annotations

import re

from bot.catalog.model import Document, DocumentRole
from bot.catalog.text import one_line

# Leading bullets and numbering: "- ", "+ ", "* ", "a) ", "(1) ", "1. ", "1.2) ", "(iii) ".
_BULLET = re.compile(
    r"^(?:[-–+•*·\uf000-\uf8ff]+\s*|\(\*\)\s*|\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ](?:\.\d{1,2})?|[ivxIVX]{1,4})\)\s*"
    r"|(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})\.\s+)"
)
_URL = re.compile(r"https?://[^\s;,)]+[^\s;,.)]")

_NOTE_LABEL = re.compile(r"lưu ý|ghi chú", re.I)
_NOTE_START = re.compile(r"^(?:\*?\s*lưu ý|ghi chú|không quy định|không có\b)", re.I)
# Generic labels above a table say what to do with its rows, not whose case they are.
_GENERIC_LABEL = re.compile(
    r"^(?:(?:các\s+)?(?:giấy tờ|thành phần(?:,\s*số lượng)?\s*hồ sơ|thành phần,\s*số lượng|hồ sơ|tài liệu)\s*(?:,\s*)?"
    r"(?:phải\s+|cần\s+)?(?:nộp|xuất trình|gồm|bao gồm|kèm theo|:|$)"
    r"|mẫu đơn|tờ khai|biểu mẫu|bao gồm|số lượng hồ sơ)",
    re.I,
)
# A label that names a case by itself ("Trường hợp …", "Đối với …", "(1.1) Đối với …", "Về cấp lại …").
_CASE_LABEL = re.compile(r"^(?:trường hợp|đối với|nếu|khi|với|về|áp dụng)\b", re.I)
_MAX_CASE_LABEL = 200
_LIST_FOLLOWS = re.compile(r"sau đây|như sau|(?:giấy tờ|tài liệu) sau", re.I)
_SHOW = re.compile(r"xuất trình", re.I)
# "Trường hợp X thì (phải) nộp/có/gửi kèm Y", "Trường hợp X phải có Y": Y is a document for case X.
_CASE_THEN_DOCUMENT = re.compile(
    r"^(?:trong\s+)?(?:trường hợp|nếu|đối với trường hợp)\s+(?P<case>(?:(?!\sthì\s|\skhông\s).){3,240}?),?\s+"
    r"(?:thì\s+(?:phải\s+)?|phải\s+)"
    r"(?:có|nộp(?: thêm| kèm(?: theo)?)?|gửi kèm(?: theo)?|kèm theo|bổ sung|xuất trình|cung cấp)\s+(?P<doc>.{3,})$",
    re.I | re.S,
)
# "Đối với X: Y" at the start of a row.
_FOR_CASE = re.compile(r"^đối với\s+(?:trường hợp\s+)?(?P<case>[^:]{3,160}):\s*(?P<doc>.{3,})$", re.I | re.S)
# "… trong trường hợp X", "(đối với X)", "đối với trường hợp X" inside a document name.
_EMBEDDED_CASE = re.compile(
    r"(?:\((?:đối với|áp dụng (?:đối )?với|trong|với)\s+(?:trường hợp\s+)?(?P<paren>[^()]{3,160})\)"
    r"|\b(?:trong|đối với)\s+trường hợp\s+(?P<plain>[^.;()]{3,160}))",
    re.I,
)
# A sentence that states a rule rather than naming a document.
_RULE = re.compile(
    r"\bthì\b|có trách nhiệm|không phải|không được|không yêu cầu|được sử dụng|phải bảo đảm|phải được|"
    r"được hệ thống|có quyền|được xác định",
    re.I,
)
_ACTOR = re.compile(r"^(?:người|cá nhân|tổ chức|cơ quan|công dân|doanh nghiệp|chủ|cán bộ|công chức)\b", re.I)
_QUANTITY_IN_NAME = re.compile(r"\b0?\d{1,2}\s+bản\s+(?:chính|sao|chụp|gốc)", re.I)
_FORM_START = re.compile(r"^(?:tờ khai|đơn\b|bản khai|mẫu\b|phiếu (?:khai|đề nghị|đăng ký|yêu cầu|lý lịch))", re.I)
_REQUEST = re.compile(r"^(?:văn bản |giấy |bản )?đề nghị\b", re.I)
_FORM_MENTION = re.compile(r"theo mẫu|mẫu số|\bmẫu\s+[A-Z0-9]", re.I)
_CASE_LEAD = re.compile(r"^(?:đối với\s+)?(?:trường hợp|nếu|đối với)\s+", re.I)
_CASE_TAIL = re.compile(
    r"(?:,?\s*(?:thì\s+)?(?:thành phần\s+)?hồ sơ\s+(?:gồm|bao gồm)(?:\s+có)?|,?\s*gồm|,?\s*bao gồm|\s+thì)?"
    r"\s*[:.;,]*$",
    re.I,
)


def strip_bullets(text: str) -> str:
    """``"- a) Tờ khai …"`` → ``"Tờ khai …"`` (one line)."""
    text = one_line(text)
    while True:
        stripped = _BULLET.sub("", text, count=1)
        if stripped == text or not stripped:
            return text
        text = stripped


def case_label(text: str) -> str:
    """A case for people: ``"(1.1) Đối với công trình không theo tuyến:"`` → ``"công trình không theo tuyến"``."""
    label = strip_bullets(text)
    label = _CASE_LEAD.sub("", label)
    return _CASE_TAIL.sub("", label).strip(" :;,.-")


def _capitalised(text: str) -> str:
    text = text.strip(" ;,")
    return text[:1].upper() + text[1:]


def _is_generic_label(label: str) -> bool:
    return bool(_GENERIC_LABEL.match(strip_bullets(label).lstrip("* ")))


def _is_lead_in(text: str) -> bool:
    """"Người yêu cầu … phải xuất trình các giấy tờ sau:": who does what, not whose case it is."""
    return bool(_ACTOR.match(text) and (text.endswith(":") or _LIST_FOLLOWS.search(text)))


def group_cases(labels: list[str]) -> dict[str, str]:
    """The case each table label stands for ("" = not a case: a heading everyone's documents sit under).

    A label is a case when it says so ("Trường hợp …", "Đối với …") or when the table has several labelled
    parts (the portal's way of listing alternatives); generic headings ("Giấy tờ phải nộp"), notes, and
    sentences about who does what ("Người yêu cầu … xuất trình các giấy tờ sau:") never are.
    """
    plain = {label: strip_bullets(label).lstrip("(* ") for label in labels}
    candidates = [
        label for label, text in plain.items()
        if text and not _is_generic_label(label) and not _NOTE_LABEL.search(label) and not _is_lead_in(text)
        and text[:1].isupper() and len(text) <= _MAX_CASE_LABEL
    ]
    several = len(candidates) >= 2
    return {label: case_label(label) if label in candidates and (several or _CASE_LABEL.match(plain[label])) else ""
            for label in labels}


def _is_note(name: str, group: str, document: Document) -> bool:
    """Whether a row states a rule or explanation instead of naming a document."""
    if _NOTE_LABEL.search(group) and not _FORM_START.match(name):
        return True
    if _NOTE_START.match(name):
        return True
    has_quantity = bool(document.originals or document.copies) or bool(_QUANTITY_IN_NAME.search(name))
    if has_quantity:
        return False
    if name.endswith(":") and (_ACTOR.match(name) or _CASE_LEAD.match(name)):
        return True  # a lead-in: "Người có yêu cầu … nộp các giấy tờ sau:", "Trường hợp …, hồ sơ gồm:"
    return bool(_RULE.search(name)) and not _CASE_THEN_DOCUMENT.match(name)


def _role(name: str, group: str, document: Document) -> DocumentRole:
    heading = strip_bullets(group).lstrip("(* ")
    if _SHOW.search(group) and (_is_generic_label(group) or _is_lead_in(heading)):
        return DocumentRole.SHOW
    if document.form or _FORM_START.match(name):
        return DocumentRole.FORM
    if _REQUEST.match(name) and _FORM_MENTION.search(name):
        return DocumentRole.FORM
    return DocumentRole.SUBMIT


def _case_and_name(name: str) -> tuple[str, str]:
    """The case a row names for itself, and the document name without a leading condition."""
    for pattern in (_CASE_THEN_DOCUMENT, _FOR_CASE):
        match = pattern.match(name)
        if match:
            return case_label(match.group("case")), _capitalised(match.group("doc"))
    embedded = _EMBEDDED_CASE.search(name)
    if embedded and embedded.start() > 0:
        return case_label(embedded.group("paren") or embedded.group("plain")), name
    return "", name


def classify(document: Document, group_case: str = "") -> Document:
    """One row with a clean name, its role and its case (``group_case``: the case of its table's label)."""
    name = strip_bullets(document.name).rstrip(" ;,") or document.name
    group = document.group
    url = _URL.search(f"{document.form} {name}")
    update: dict[str, object] = {"name": name, "form_url": url.group(0) if url else document.form_url}
    if _is_note(name, group, document):
        return document.model_copy(update={**update, "role": DocumentRole.NOTE, "case": ""})
    role = _role(name, group, document)
    case, shown = ("", name) if group_case or role is DocumentRole.FORM else _case_and_name(name)
    return document.model_copy(update={**update, "name": shown or name, "role": role, "case": group_case or case})


def classify_documents(rows: list[Document]) -> list[Document]:
    """Every row classified (see :func:`classify`), in source order."""
    cases = group_cases(list(dict.fromkeys(row.group for row in rows if row.group)))
    return [classify(row, cases.get(row.group, "")) for row in rows]
