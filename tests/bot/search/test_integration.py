"""The full committed catalog (2,642 procedures) with the real lexicon, situations and example questions."""

from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.model import Level
from bot.search.engine import SearchEngine
from bot.search.lexicon import read_lexicon

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def full() -> SearchEngine:
    catalog = load_catalog(ROOT / "procedures_catalog")
    examples = [(e.question, e.codes) for e in catalog.questions]  # as the assistant builds it
    return SearchEngine.build(
        catalog.procedures.values(), catalog.lexicon, [Level.PROVINCE, Level.COMMUNE], catalog.situations, examples
    )


def test_lexicon_file_is_broad_and_valid():
    entries = read_lexicon(ROOT / "procedures_catalog" / "lexicon.toml")
    terms = {e.term for e in entries}
    assert len(entries) >= 200
    assert {"sổ đỏ", "hộ khẩu", "cccd", "bằng lái", "dk", "ko", "j"} <= terms


@pytest.mark.parametrize(
    ("q", "code"),
    [("dk ket hon", "1.000894"), ("lam giay khai sinh", "1.001193"), ("ly lich tu phap", "3.000333"),
     # chat shorthand: hk = hộ khẩu (not "nhập khẩu", import), ks = khai sinh
     ("nhập hk cho vợ", "1.004222"), ("chuyen hk ve nha chong", "1.004222"), ("lam ks cho con", "1.001193"),
     # a child born abroad is registered with the foreign-element procedure
     ("con sinh ở Đài Loan về làm khai sinh", "2.000528"),
     # a parent from another country states the foreign element, with or without diacritics
     ("làm giấy khai sinh cho bé, ba bé là người Hàn", "2.000528"),
     ("chồng Hàn Quốc, làm khai sinh cho con", "2.000528"), ("vo trung quoc muon lam khai sinh cho con", "2.000528"),
     # "moi truong" is "môi trường" (not the scaffolding "mọi") where the catalog uses the phrase
     ("nha may xin giay phep moi truong", "1.010727"),
     # "trả lại" is the special member of a licence family, "cấp" the plain one
     ("tra lai giay phep hanh nghe khoan nuoc duoi dat", "1.012501")],
)
def test_everyday_questions(full, q, code):
    assert full.search(q).results[0].code == code


def test_out_of_scope(full):
    for q in ("xin chào", "mua vé máy bay đi đà nẵng"):
        assert full.search(q).answer is None


@pytest.mark.parametrize(
    "q", ["thoi tiet ha noi", "an com chua", "quan an ngon gan day", "gia vang hom nay", "may gio roi"]
)
def test_off_topic_chat_without_diacritics_is_not_a_procedure(full, q):
    # words found here and there in the catalog, never two side by side: not found, no junk choices
    result = full.search(q)
    assert result.confidence == "none" and result.answer is None


def test_partial_match_offers_choices_instead_of_nothing(full):
    # half the words match the procedure's name; its situation ("sai thông tin trên giấy khai sinh") may
    # make the engine sure enough to answer, never to find nothing
    result = full.search("sửa họ tên trong giấy khai sinh")
    assert result.confidence != "none" and result.results[0].code == "1.004859"


def test_naming_a_procedure_in_full_answers_it_directly(full):
    # every word of "Thủ tục đăng ký kết hôn" is in the question, not every word of "… đăng ký lại kết hôn"
    result = full.search("dk ket hon")
    assert result.confidence == "confident" and result.answer == "1.000894"


def test_a_generic_question_gets_the_first_card_with_its_family_close_by(full):
    # "làm CCCD": most people asking want their first card; renewal and re-issue stay in the results
    result = full.search("lam cccd")
    assert result.answer == "2.000200"
    assert {"2.001195", "2.001194"} & {h.code for h in result.results}


def test_a_scattered_question_asks_or_finds_nothing(full):
    result = full.search("thủ tục giấy tờ")
    assert result.answer is None


def test_one_or_two_characters_never_name_a_procedure(full):
    for text in ("i", "4", "ok", " a "):
        assert full.search(text).results == []


def test_a_long_narrative_is_answered_from_its_situation(full):
    text = (
        "Tôi đi làm xa mấy năm, nay về thì sổ đỏ bị mối ăn mất một góc, không đọc được số thửa. "
        "Tôi phải làm thủ tục gì để có sổ mới, mất bao lâu?"
    )
    result = full.search(text)
    assert result.results[0].code == "1.012783"  # cấp đổi (damaged), not cấp lại (lost)
    assert result.intent.objects and "so_do" in result.intent.objects


def test_police_staff_procedures_rank_below_for_citizens_unless_stated(full):
    citizen = full.search("xét hưởng trợ cấp một lần")
    staff = full.search("sĩ quan công an nhân dân xét hưởng trợ cấp một lần")
    assert staff.intent.who == "staff" and citizen.intent.who == "citizen"
    staff_codes = [h.code for h in staff.results]
    citizen_codes = [h.code for h in citizen.results]
    assert "1.003799" in staff_codes[:2]
    assert "1.003799" not in citizen_codes[:1]


def test_the_plain_family_member_unless_the_special_case_is_stated(full):
    assert full.search("dang ky ket hon can mang theo gi").answer == "1.000894"
    assert full.search("xin đăng ký kết hôn lưu động tại thôn").results[0].code == "1.000593"


def test_a_named_country_states_the_foreign_element_whoever_asks(full):
    abroad = full.search("chồng Hàn Quốc, làm khai sinh cho con")
    home = full.search("làm khai sinh cho con")
    assert abroad.intent.abroad and abroad.intent.who == "citizen"  # a Vietnamese parent asks
    assert not home.intent.abroad
    assert abroad.results[0].code == "2.000528" and home.results[0].code == "1.001193"


def test_a_named_country_calls_for_the_member_for_foreigners_as_a_situation_calls_for_its_procedure(full):
    """"Đổi bằng lái" calls for the plain exchange; a message naming another country calls as strongly for the
    member "… của người nước ngoài", even when the country and the ask are in different sentences."""
    abroad = full.search("Chồng tôi là người Canada, có bằng lái ô tô do Canada cấp, đang ở Đà Nẵng. Giờ anh ấy "
                         "muốn đổi sang bằng lái Việt Nam thì làm ở đâu?")
    home = full.search("Tôi muốn đổi bằng lái xe máy cũ sang thẻ mới thì làm ở đâu?")
    assert abroad.results[0].code == "3.000351" and home.results[0].code == "3.000347"


def test_a_named_country_states_only_the_foreign_case_not_the_others_of_a_member(full):
    """Naming Korea states "có yếu tố nước ngoài", not "đăng ký lại": the re-registration for foreigners is not
    called for as strongly as the situation calls for the birth registration."""
    ranked = full.rank(*full.parse("chồng Hàn Quốc, làm khai sinh cho con"))
    situation = {full.representative(g): sc.situation for g, sc in ranked}
    assert situation["2.000528"] > 0 and situation.get("2.000522", 0.0) == 0.0


def test_the_member_presented_follows_who_asks(full):
    # one name for land allocation and lease: households file it at the commune (1.013949), companies at the
    # province (1.013823); a company asking is shown the province's member, a household the commune's
    name = "giao đất, cho thuê đất, chuyển mục đích sử dụng đất"
    company = {h.code for h in full.search(f"công ty chúng tôi xin {name}", limit=10).results}
    household = {h.code for h in full.search(f"hộ gia đình tôi xin {name}", limit=10).results}
    assert "1.013823" in company and "1.013949" not in company
    assert "1.013949" in household and "1.013823" not in household


def test_a_stated_special_case_calls_for_the_member_whose_name_qualifies_the_plain_one_otherwise(full):
    """The situation "chứng chỉ hành nghề luật sư" names the certificate of those who passed the probation check
    ("Cấp … đối với người đạt yêu cầu kiểm tra…"); a message stating "cấp lại" calls as strongly for the re-issue
    of a lost certificate, whose name qualifies the same certificate otherwise. Members carrying only the
    situation's own special cases are not called for ("đăng ký lại phương tiện" in every case)."""
    lost = "Tôi làm luật sư, bị mất chứng chỉ hành nghề luật sư. Xin chứng chỉ hành nghề luật sư được cấp lại ở đâu?"
    ranked = full.rank(*full.parse(lost))
    situation = {full.representative(g): sc.situation for g, sc in ranked}
    assert situation.get("1.008628", 0.0) > 0
    ranked = full.rank(*full.parse("mua lại ghe của người cùng xã, đăng ký lại phương tiện ở đâu"))
    situation = {full.representative(g): sc.situation for g, sc in ranked}
    assert situation.get("1.003970", 0.0) > 0 and situation.get("1.004036", 0.0) == 0.0


def test_a_situation_the_catalog_has_no_procedure_for_is_not_answered_with_a_look_alike(full):
    """Disability allowance is social protection, which the catalog lacks: not a work-accident procedure."""
    gap = full.search("con tôi bị khuyết tật nặng, muốn xin trợ cấp hằng tháng")
    assert gap.answer is None and gap.confidence == "none"
    # a situation of a procedure read as specifically in the asking sentence still answers
    death = full.search("mẹ tôi vừa mất, làm khai tử rồi lo hỏa táng")
    assert death.confidence != "none" and death.results[0].code == "1.000656"


def test_a_situation_naming_a_family_calls_for_its_special_members_only_when_their_case_is_stated(full):
    """"đăng ký tàu cá" names the registration, its re-issue and its deletion alike: a message not stating
    "cấp lại" or "xóa" calls for the registration only; one stating the loss calls for the re-issue too."""
    ranked = full.rank(*full.parse("nhà tôi muốn đăng ký tàu cá mới mua"))
    situation = {full.representative(g): sc.situation for g, sc in ranked}
    assert situation["1.003650"] > 0 and situation.get("1.003634", 0.0) == 0.0
    ranked = full.rank(*full.parse("tàu cá bị mất giấy đăng ký, xin cấp lại"))
    situation = {full.representative(g): sc.situation for g, sc in ranked}
    assert situation.get("1.003634", 0.0) > 0


def test_a_short_message_matching_a_pattern_of_several_parts_is_that_situation_s(full):
    """"dẹp" + a shop: closing a household business, though the message shares no word with its name."""
    assert full.search("tiệm nhỏ dẹp rồi báo sao").results[0].code == "1.001266"
