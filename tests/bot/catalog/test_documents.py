"""The documents table read for people: roles, cases and notes, on real portal records."""

from __future__ import annotations

from bot.catalog.checklist import build_checklist
from bot.catalog.documents import case_label, classify_documents, strip_bullets
from bot.catalog.model import Document, DocumentRole
from bot.catalog.parse import DOCS_HEADER, parse_documents
from tests.records import portal_procedure, portal_records


def _row(name: str, group: str = "", originals: int = 1) -> Document:
    return Document(name=name, group=group, originals=originals, quantity_text=f"{originals} bản chính")


def test_birth_registration_puts_forms_first_and_cases_apart():  # 1.001193
    p = portal_procedure("1.001193")
    checklist = build_checklist(p)
    assert [d.name.split(" (")[0] for d in checklist.forms] == [
        "Tờ khai đăng ký khai sinh theo mẫu", "Mẫu hộ tịch điện tử tương tác đăng ký khai sinh"]
    assert [d.name[:15] for d in checklist.submit] == ["Giấy chứng sinh"]
    assert checklist.show[-1].name.startswith("Hộ chiếu/Thẻ căn cước công dân")
    cases = {c.label: c.documents for c in checklist.cases}
    assert cases["trẻ em bị bỏ rơi"][0].name == "Biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập."
    assert cases["khai sinh cho trẻ em sinh ra do mang thai hộ"][0].name.startswith("Văn bản xác nhận của cơ sở y tế")
    assert cases["gửi hồ sơ qua hệ thống bưu chính"][0].name.startswith("Bản sao có chứng thực")
    rows = len(checklist.common) + sum(len(c.documents) for c in checklist.cases) + len(checklist.notes)
    assert rows == len(p.documents)  # every row of the source is somewhere


def test_birth_registration_notes_are_not_documents():  # 1.001193
    p = portal_procedure("1.001193")
    notes = [d for d in p.documents if d.role is DocumentRole.NOTE]
    assert len(notes) >= 20
    assert any(d.name.startswith("Người tiếp nhận có trách nhiệm") for d in notes)
    assert any(d.name.startswith("Người có yêu cầu đăng ký khai sinh thực hiện") for d in notes)  # a lead-in
    assert not any(d.name.startswith(("-", "+", "*")) for d in p.documents)


def test_permanent_residence_shows_the_shared_form_once_and_six_cases():  # 1.004222
    checklist = build_checklist(portal_procedure("1.004222"))
    [form] = checklist.forms
    assert "CT01" in form.name and "CT02" in form.name  # the longest wording of the form listed under two cases
    assert len(checklist.cases) == 6
    assert checklist.cases[0].label == "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    assert checklist.cases[1].label.startswith("Người được chăm sóc, nuôi dưỡng, trợ giúp")
    assert not any(d.role is DocumentRole.FORM for c in checklist.cases for d in c.documents)


def test_driving_licence_exchange_request_form_and_cases():  # 3.000347
    checklist = build_checklist(portal_procedure("3.000347"))
    assert checklist.forms[0].name.startswith("Đề nghị đổi giấy phép lái xe theo mẫu")
    assert [c.label for c in checklist.cases] == [
        "người nước ngoài, người Việt Nam định cư ở nước ngoài",
        "tước quyền sử dụng giấy phép lái xe tích hợp",
    ]


def test_rules_become_notes_and_conditions_become_cases():
    rows = classify_documents([
        _row("- Trường hợp người yêu cầu đã nộp bản điện tử Giấy chứng sinh thì không phải nộp bản giấy.", originals=0),
        _row("- Trường hợp gửi hồ sơ qua hệ thống bưu chính thì phải gửi kèm theo bản sao có chứng thực.", originals=0),
        _row("+ Văn bản ủy quyền trong trường hợp ủy quyền thực hiện thủ tục."),
        _row("Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng."),
        _row("Giấy tờ tùy thân", group="Giấy tờ phải xuất trình:"),
        _row("Đơn đề nghị cấp lại (nếu có)"),
    ])
    assert [(d.role, d.case) for d in rows] == [
        (DocumentRole.NOTE, ""),
        (DocumentRole.SUBMIT, "gửi hồ sơ qua hệ thống bưu chính"),
        (DocumentRole.SUBMIT, "ủy quyền thực hiện thủ tục"),
        (DocumentRole.SUBMIT, ""),
        (DocumentRole.SHOW, ""),
        (DocumentRole.FORM, ""),
    ]
    assert rows[1].name == "Bản sao có chứng thực."


def test_table_labels_are_cases_only_when_they_name_one():
    one_heading = classify_documents([_row("Báo cáo", group="Doanh nghiệp gửi 01 bộ hồ sơ gồm")])
    assert one_heading[0].case == ""
    one_case = classify_documents([_row("Giấy ủy quyền", group="Trường hợp ủy quyền thực hiện thủ tục:")])
    assert one_case[0].case == "ủy quyền thực hiện thủ tục"
    variants = classify_documents([_row("A", group="Hồ sơ cấp mới"), _row("B", group="Hồ sơ cấp lại")])
    assert [d.case for d in variants] == ["Hồ sơ cấp mới", "Hồ sơ cấp lại"]


def test_bullets_and_case_labels_are_cleaned():
    assert strip_bullets("- a) Tờ khai") == "Tờ khai"
    assert strip_bullets("03 ảnh màu cỡ 3x4") == "03 ảnh màu cỡ 3x4"
    assert case_label("(1.1) Đối với công trình không theo tuyến:") == "công trình không theo tuyến"
    assert case_label("Trường hợp giấy phép hết hạn hiệu lực, hồ sơ bao gồm:") == "giấy phép hết hạn hiệu lực"


def test_parse_documents_keeps_every_row_of_a_real_table():  # 1.004222
    text = portal_records()["1.004222"]["thanh_phan_ho_so"]
    rows = parse_documents(text).value
    assert text.count(DOCS_HEADER) == 8 and len(rows) == 18  # counted by hand in the record: 8 tables, 18 rows
    assert rows[-1].role is DocumentRole.NOTE and rows[-1].name.startswith("Lưu ý: - Không yêu cầu xuất trình")
