from bot.search.normalize import accented_tokens, canon, clean, extract_codes, fold, has_diacritics, tokenize


def test_fold_removes_diacritics_and_d_bar():
    assert fold("hộ khẩu") == "ho khau"
    assert fold("đăng ký đất đai") == "dang ky dat dai"


def test_nfc_and_nfd_inputs_tokenize_alike():
    import unicodedata

    text = "Đăng ký khai sinh"
    assert tokenize(unicodedata.normalize("NFD", text)) == tokenize(text) == ["dang", "ki", "khai", "sinh"]


def test_zero_width_control_and_emoji_removed():
    assert tokenize("hộ\u200bkhẩu\ufeff 😀🎉 \x07ok") == ["ho", "khau", "ok"]
    assert "\u200d" not in clean("a\u200db")


def test_codes_kept_intact_and_found_anywhere():
    assert "1.001193" in tokenize("thủ tục 1.001193 là gì?")
    assert extract_codes("ma thu tuc 1.000894, con 2.000815.") == ["1.000894", "2.000815"]
    assert extract_codes("số 11.0011935") == []


def test_spelling_variants_and_leading_zeros():
    assert tokenize("đăng kí") == tokenize("đăng ký")
    assert tokenize("mức độ 02") == ["muc", "do", "2"]


def test_has_diacritics():
    assert has_diacritics("hộ khẩu")
    assert not has_diacritics("ho khau")


def test_the_two_ways_of_placing_a_tone_spell_one_syllable():
    """"hoà"/"hòa", "thuỷ"/"thủy", "khoẻ"/"khỏe": people were taught either; "quý" and closed syllables have one."""
    assert canon("hoà") == canon("hòa") == "hòa"
    assert canon("thuỷ") == canon("thủy") and canon("khoẻ") == canon("khỏe") and canon("uỷ") == canon("ủy")
    assert canon("quý") == "quý" and canon("hoàng") == "hoàng" and canon("thuyền") == "thuyền"
    assert accented_tokens("Hoà giải viên, thuỷ lợi") == accented_tokens("hòa giải viên, thủy lợi")
