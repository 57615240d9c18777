"""Learning from failures: the anonymised gaps report, and an officer's answer published as an FAQ."""

from __future__ import annotations

from datetime import timedelta

from bot.handoff.faq import load_faq
from bot.handoff.gaps import gaps_report
from bot.handoff.summary import gap_lines
from bot.officers.models import Role
from tests.handlers.conftest import NOW
from tests.handlers.handoff.conftest import add_officer, outbox

PEOPLE = ["Nguyễn Văn An", "Lê Thị Hoa", "Phạm Minh Tuấn"]
PHONES = ["0912345678", "0987654321", "0901234567"]


def test_gaps_report_groups_questions_and_keeps_no_personal_data(make_chat, database):
    for i in range(6):
        person, phone = PEOPLE[i % 3], PHONES[i % 3]
        wording = ["Tôi là {p}, sđt {t}, xin giấy phép nuôi chó cảnh", "xin giấy phép nuôi chó cảnh ở đâu {t}",
                   "Chị {p} hỏi giấy phép nuôi chó cảnh"][i % 3]
        make_chat(chat_id=f"c{i}").send(wording.format(p=person, t=phone))
    make_chat(chat_id="c9").send("cho hỏi thủ tục bắn pháo hoa đám cưới")
    with database.session() as s:
        gaps = gaps_report(s, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert [g.count for g in gaps] == [6, 1]
    assert "giấy phép nuôi chó cảnh" in gaps[0].text
    report = "\n".join(gap_lines(gaps, "vi"))
    for secret in [*PEOPLE, *PHONES, "Nguyễn", "Hoa", "Tuấn"]:
        assert secret not in report

    admin = make_chat(chat_id="admin-1")
    add_officer(database, "admin-1", role=Role.ADMIN, units=[])
    (weekly,) = admin.send("/hoidap")
    assert "(6) " in weekly.text and not any(p in weekly.text for p in PHONES)
    (refused,) = make_chat(chat_id="c1").send("/hoidap")
    assert "quản trị viên" in refused.text


def test_answer_published_as_faq_is_found_by_search(make_chat, database, settings):
    add_officer(database, "desk-1", units=["Bộ phận Một cửa"])
    add_officer(database, "admin-1", role=Role.ADMIN, units=[])
    question = "Tôi là Lê Thị Hoa 0987654321, xin giấy phép nuôi chó cảnh ở phường thì làm thế nào?"
    citizen = make_chat(chat_id="c1")
    (not_found,) = citizen.send("xin giấy phép nuôi chó cảnh")
    assert "chưa tìm thấy" in not_found.text and "ha:0" in [c.data for c in not_found.flat_choices()]
    citizen.press("ha:0")
    citizen.send(question)
    desk = make_chat(chat_id="desk-1")
    desk.send("/traloi H1 Nuôi chó cảnh không cần giấy phép; chỉ cần tiêm phòng dại và đăng ký với UBND phường.")
    (proposed,) = desk.send("/dexuat H1")
    assert "đã đề xuất" in proposed.text.lower()
    notice = outbox(database)[-1]
    assert notice.chat_id == "admin-1" and "0987654321" not in notice.text and "Lê Thị Hoa" not in notice.text

    (refused,) = desk.send("/duyet H1")
    assert "quản trị viên" in refused.text
    (published,) = make_chat(chat_id="admin-1").send("/duyet H1")
    assert "h1.toml" in published.text
    book = load_faq(settings.resolve(settings.handoff.faq_path))
    assert len(book.entries) == 1 and not book.problems
    assert "0987654321" not in book.entries[0].question and "Hoa" not in book.entries[0].question

    (answered,) = make_chat(chat_id="c2").send("xin giấy phép nuôi chó cảnh ở phường")
    assert "tiêm phòng dại" in answered.text and "Bộ phận Một cửa" in answered.text
    (still_not_found,) = make_chat(chat_id="c3").send("giấy phép bắn pháo hoa")
    assert "chưa tìm thấy" in still_not_found.text


def test_broken_faq_files_are_reported_with_file_and_line(tmp_path):
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "ok.toml").write_text('question = "Nuôi chó cảnh có cần giấy phép?"\nanswer = "Không cần."\n')
    (folder / "syntax.toml").write_text('question = "Thiếu dấu nháy\nanswer = "x"\n')
    (folder / "fields.toml").write_text('question = "Câu hỏi đủ dài"\n\nanswr = "Sai tên mục"\n')
    book = load_faq(folder)
    assert len(book.entries) == 1
    problems = sorted(str(p) for p in book.problems)
    assert any(p.startswith(f"{folder / 'fields.toml'}:3: answr") for p in problems), problems
    assert any(p.startswith(f"{folder / 'fields.toml'}:") and "answer" in p for p in problems), problems
    assert any(p.startswith(f"{folder / 'syntax.toml'}:1:") and "TOML" in p for p in problems), problems
