"""Parsers on real values from the portal dataset, with hand-checked expectations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog.model import Channel, Level, TimeUnit
from bot.catalog.parse import (
    DOCS_HEADER,
    LEGAL_HEADER,
    WAYS_HEADER,
    clean_text,
    parse_documents,
    parse_legal_basis,
    parse_levels,
    parse_result,
    parse_ways,
)
from bot.catalog.steps import parse_steps_text

# ---------------------------------------------------------------- cách thức thực hiện


def test_ways_three_channels_working_days_usd_per_unit() -> None:  # 1.000771
    text = (
        WAYS_HEADER + "Trực tuyến5 Ngày làm việc10 USD(/lần)Dịch vụ bưu chính5 Ngày làm việc10 USD(/lần)"
        "Trực tiếp5 Ngày làm việc10 USD(/lần)"
    )
    parsed = parse_ways(text)
    assert [w.channel for w in parsed.value] == [Channel.ONLINE, Channel.POST, Channel.IN_PERSON]
    way = parsed.value[0]
    assert (way.time.amount, way.time.unit) == (5, TimeUnit.WORKING_DAYS)
    assert [(f.amount, f.currency, f.per, f.note) for f in way.fees] == [(10, "USD", "lần", "")]
    assert parsed.fallbacks == [] and parsed.leftover == ""


def test_ways_hours_and_free() -> None:  # 1.003984
    way = parse_ways(WAYS_HEADER + "Trực tiếp24 GiờMiễn phí").value[0]
    assert (way.time.amount, way.time.unit, way.time.text) == (24, TimeUnit.HOURS, "24 Giờ")
    assert way.fees[0].free and way.fees[0].amount is None


def test_ways_days_with_comma_thousands() -> None:  # 1.003164
    way = parse_ways(WAYS_HEADER + "Trực tuyến2 Ngày20,000 VNĐ").value[0]
    assert (way.time.amount, way.time.unit) == (2, TimeUnit.DAYS)
    assert (way.fees[0].amount, way.fees[0].currency) == (20000, "VND")


def test_ways_unbalanced_fee_note_then_description() -> None:  # 1.003406, first row
    text = (
        WAYS_HEADER + "Trực tuyến3 Ngày làm việc1,500,000 VNĐ(đồng/lần(Lệ phí đăng ký các quyền tàu bay "
        "(Miễn lệ phí từ ngày 07/4/2026 đến 30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC)"
        "- Nộp hồ sơ trực tiếp; hoặc\n- Qua hệ thống bưu chính; hoặc"
    )
    way = parse_ways(text).value[0]
    fee = way.fees[0]
    assert (fee.amount, fee.per) == (1_500_000, "lần")
    assert fee.note.startswith("Lệ phí đăng ký các quyền tàu bay (Miễn lệ phí")
    assert fee.note.endswith("40/2026/TT-BTC)")
    assert way.description == "- Nộp hồ sơ trực tiếp; hoặc\n- Qua hệ thống bưu chính; hoặc"


def test_ways_bare_time_glued_to_fee_in_thousands() -> None:  # 1.000014
    text = WAYS_HEADER + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)"
    parsed = parse_ways(text)
    assert len(parsed.value) == 2
    way = parsed.value[1]
    assert way.channel == Channel.IN_PERSON
    assert (way.time.amount, way.time.unit, way.time.text) == (1, None, "1")
    assert (way.fees[0].amount, way.fees[0].note) == (20000, "20.000 vnđ /tờ khai")
    assert "ways.time_unit" in parsed.fallbacks and "ways.fee_thousands" in parsed.fallbacks


def test_ways_no_information() -> None:  # 5.003805
    text = WAYS_HEADER + "Trực tiếpKhông có thông tinKhông có thông tinKhông quy định"
    way = parse_ways(text).value[0]
    assert way.time.amount is None and way.time.text == "Không có thông tin"
    assert way.fees == [] and way.description == "Không quy định"


def test_ways_description_mentioning_a_channel_is_not_a_new_row() -> None:  # 1.009644
    text = (
        WAYS_HEADER + "Trực tiếp17 Ngày làm việcMiễn phí(Không có)Trực tiếp tại cơ quan, đơn vị tiếp nhận hồ sơ"
        "Trực tuyến17 Ngày làm việcMiễn phí(Không có)Trực tuyến (áp dụng trong trường hợp hệ thống đáp ứng)"
    )
    ways = parse_ways(text).value
    assert [w.channel for w in ways] == [Channel.IN_PERSON, Channel.ONLINE]
    assert ways[0].description == "Trực tiếp tại cơ quan, đơn vị tiếp nhận hồ sơ"
    assert ways[0].fees[0].note == "Không có"


def test_ways_unsplittable_text_is_kept() -> None:  # 1.009824
    text = WAYS_HEADER + "Trực tiếpHệ thống phản hồi tự động thông qua phương thức điện tử."
    parsed = parse_ways(text)
    assert parsed.value == []
    assert "Hệ thống phản hồi tự động" in parsed.leftover and parsed.fallbacks == ["ways"]


# ---------------------------------------------------------------- thành phần hồ sơ


def test_documents_form_file_and_quantities() -> None:  # 1.003767
    text = (
        "--" + DOCS_HEADER + "- Bản đăng ký kiểm dịch nhập khẩu động vật, sản phẩm động vật thủy sản"
        "Mau 02 TS. Giay dang ky kiem dich dong vat thuy san.docx1 bản chính"
        "- Bản chụp Giấy phép nhập khẩu có xác nhận của doanh nghiệp;0 bản chính,1 bản sao"
    )
    docs = parse_documents(text).value
    assert len(docs) == 2
    assert docs[0].name == "Bản đăng ký kiểm dịch nhập khẩu động vật, sản phẩm động vật thủy sản"
    assert docs[0].form == "Mau 02 TS. Giay dang ky kiem dich dong vat thuy san.docx"
    assert (docs[0].originals, docs[0].copies) == (1, None)
    assert (docs[1].originals, docs[1].copies, docs[1].quantity_text) == (0, 1, "0 bản chính,1 bản sao")
    assert docs[1].group == ""


def test_documents_groups_from_labels_between_tables() -> None:  # 1.001695 / 1.009129
    text = (
        "* Giấy tờ phải nộp:" + DOCS_HEADER + "- Tờ khai đăng ký nhận cha, mẹ, con theo mẫu;1 bản chính"
        "Cửa hàng miễn thuế" + DOCS_HEADER + "Giấy chứng nhận đủ điều kiện phòng cháy0 bản chính,1 bản sao"
    )
    docs = parse_documents(text).value
    assert [(d.group, d.name) for d in docs] == [
        ("Giấy tờ phải nộp:", "Tờ khai đăng ký nhận cha, mẹ, con theo mẫu"),
        ("Cửa hàng miễn thuế", "Giấy chứng nhận đủ điều kiện phòng cháy"),
    ]


def test_documents_quantity_glued_to_a_year() -> None:
    text = DOCS_HEADER + "Mẫu ban hành kèm theo Thông tư số 02/2026/TT-BNNMT ngày 01/01/20261 bản chính,1 bản sao"
    doc = parse_documents(text).value[0]
    assert doc.name.endswith("ngày 01/01/2026")
    assert (doc.originals, doc.copies) == (1, 1)


def test_documents_without_table_are_kept_as_text() -> None:
    parsed = parse_documents("Bước 1. Người lao động lập hồ sơ và nộp cho cơ quan BHXH.")
    assert parsed.value == [] and parsed.leftover.startswith("Bước 1.") and parsed.fallbacks == ["documents"]


# ---------------------------------------------------------------- căn cứ pháp lý


def test_legal_basis_title_repeating_its_number() -> None:
    text = LEGAL_HEADER + "Luật 54/2014/QH1354/2014/QH13Luật đầu tư67/2014/QH13Nghị định 67/2020/NĐ-CP67/2020/NĐ-CP"
    parsed = parse_legal_basis(text)
    assert [(b.number, b.title) for b in parsed.value] == [
        ("54/2014/QH13", "Luật 54/2014/QH13"),
        ("67/2014/QH13", "Luật đầu tư"),
        ("67/2020/NĐ-CP", "Nghị định 67/2020/NĐ-CP"),
    ]
    assert parsed.leftover == ""


def test_legal_basis_code_column_with_kind_and_ttg() -> None:
    text = (
        LEGAL_HEADER + "Luật Thú yLuật 79/2015/QH13Về việc khuyến khích Người Việt Nam ở nước ngoài chuyển tiền "
        "về nước.170/1999/QĐ-TTgQuy định chi tiết về quản lý hoạt động bay125/2015/NĐ-CP"
    )
    assert [(b.number, b.title) for b in parse_legal_basis(text).value] == [
        ("79/2015/QH13", "Luật Thú y"),
        ("170/1999/QĐ-TTg", "Về việc khuyến khích Người Việt Nam ở nước ngoài chuyển tiền về nước."),
        ("125/2015/NĐ-CP", "Quy định chi tiết về quản lý hoạt động bay"),
    ]


def test_legal_basis_number_inside_title_is_not_a_row() -> None:
    text = (
        LEGAL_HEADER
        + "Nghị định số 80/2021/NĐ-CP của Chính phủ: Quy định chi tiết Luật Hỗ trợ doanh nghiệp80/2021/NĐ-CP"
    )
    assert [b.number for b in parse_legal_basis(text).value] == ["80/2021/NĐ-CP"]


def test_legal_basis_none() -> None:
    assert parse_legal_basis("Không có thông tin").value == []


# ---------------------------------------------------------------- other fields


def test_result_strips_codes_and_portal_noise() -> None:
    text = (
        "Giấy khai sinhMã: KQ.G15.000031Trích lục đăng ký nhận cha, mẹ, conMã: KQ.G15.000033Từ khóaKhông có "
        "thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ ngành-- Chọn Tỉnh/ Thành phố --"
        "Nộp hồ sơ"
    )
    parsed = parse_result(text)
    assert parsed.value == "Giấy khai sinh; Trích lục đăng ký nhận cha, mẹ, con"
    assert parsed.leftover == ""


def test_result_keeps_portal_keywords() -> None:
    parsed = parse_result("Quyết địnhMã: KQ.1Từ khóaXét công nhận liệt sỹ tại Công an cấp tỉnhMô tảKhông có thông tin")
    assert parsed.value == "Quyết định"
    assert parsed.leftover == "Từ khóa: Xét công nhận liệt sỹ tại Công an cấp tỉnh"


def test_steps_grouped_by_buoc_without_their_labels() -> None:
    text = (
        "Bước 1: Đăng ký kiểm dịch \nTrước khi nhập khẩu, chủ hàng gửi hồ sơ.\n"
        "Bước 2: Tiếp nhận hồ sơ Bước 3: Bước 3. Trả kết quả"
    )
    assert parse_steps_text(text).steps == [
        "Đăng ký kiểm dịch\nTrước khi nhập khẩu, chủ hàng gửi hồ sơ.",
        "Tiếp nhận hồ sơ",
        "Trả kết quả",
    ]


def test_steps_one_per_line_without_markers() -> None:
    text = "Nộp hồ sơ tại Trung tâm.  \n\n+ Cán bộ kiểm tra hồ sơ.\na) Trả kết quả."
    assert parse_steps_text(text).steps == ["Nộp hồ sơ tại Trung tâm.", "+ Cán bộ kiểm tra hồ sơ.", "a) Trả kết quả."]


def test_steps_by_dashes_keep_their_details_and_notes_apart() -> None:
    text = (
        "- Nộp hồ sơ tại Bộ phận Một cửa\n+ nếu hồ sơ đủ thì nhận\n- Công chức thẩm tra, hoàn tất việc tại Trung\n"
        "tâm Phục vụ hành chính công.\n* Lưu ý:\n- Trong thời hạn 60 ngày kể từ ngày sinh con, cha mẹ đăng ký."
    )
    parsed = parse_steps_text(text)
    assert parsed.steps == [
        "Nộp hồ sơ tại Bộ phận Một cửa\n+ nếu hồ sơ đủ thì nhận",
        "Công chức thẩm tra, hoàn tất việc tại Trung tâm Phục vụ hành chính công.",
    ]
    assert parsed.notes == ["- Trong thời hạn 60 ngày kể từ ngày sinh con, cha mẹ đăng ký."]


def test_levels() -> None:
    assert parse_levels("Cấp bộ, Cấp tỉnh, Cơ quan khác").value == [Level.MINISTRY, Level.PROVINCE, Level.OTHER]
    unknown = parse_levels("Cấp huyện, Cấp xã")
    assert unknown.value == [Level.COMMUNE] and unknown.leftover == "Cấp huyện" and unknown.fallbacks == ["levels"]


def test_clean_text_placeholder() -> None:
    assert clean_text("Không có thông tin") == ""
    assert clean_text("Không có thông tinTừ khóaKhông có thông tinMô tảKhông có thông tin") == ""


# ---------------------------------------------------------------- never raise

_PORTAL_TOKENS = st.sampled_from(
    [
        WAYS_HEADER,
        DOCS_HEADER,
        LEGAL_HEADER,
        "Trực tiếp",
        "Trực tuyến",
        "Dịch vụ bưu chính",
        "1",
        "15 Ngày",
        "Miễn phí",
        "Không có thông tin",
        "150,000 VNĐ",
        "(",
        ")",
        "(/trang)",
        "1 bản chính",
        ",1 bản sao",
        ".docx",
        "54/2014/QH13",
        "Luật ",
        "Bước 1:",
        "\n",
        "Mã: KQ.1",
        "Từ khóa",
        "Mô tả",
        " ",
        "a",
    ]
)
_TEXT = st.one_of(st.text(), st.lists(_PORTAL_TOKENS, max_size=30).map("".join))
_PARSERS = (parse_ways, parse_documents, parse_legal_basis, parse_steps_text, parse_result, parse_levels, clean_text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_parsers_never_raise(text: str) -> None:
    for parser in _PARSERS:
        parser(text)
