"""Steps and what the source says about time, on real portal records."""

from __future__ import annotations

from tests.records import portal_procedure


def test_birth_registration_steps_merge_broken_sentences_and_keep_notes_apart():  # 1.001193
    p = portal_procedure("1.001193")
    assert len(p.steps) == 5
    assert not any(step.startswith(("-", "Bước")) for step in p.steps)
    assert "hoàn tất việc sinh tại Trung nộp hồ sơ." in p.steps[1]  # the source broke this line in two
    assert p.steps[2].split("\n")[1].startswith("(i) Trường hợp hồ sơ đầy đủ")  # details stay with their step
    assert len(p.step_notes) == 8 and p.step_notes[0].startswith("- Trường hợp cha, mẹ trẻ đã đăng ký kết hôn")


def test_a_bare_number_keeps_what_the_steps_say_about_time():  # 1.001193: "1" without unit
    p = portal_procedure("1.001193")
    assert all(w.time.is_bare_number for w in p.ways)
    assert p.time_notes[0].startswith("nếu tiếp nhận hồ sơ sau 15 giờ thì có Phiếu hẹn")


def test_a_clear_time_needs_no_quotes():  # 1.004222: 7 working days
    p = portal_procedure("1.004222")
    assert all(w.time.is_structured for w in p.ways) and p.time_notes == []
