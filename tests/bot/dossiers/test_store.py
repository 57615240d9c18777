"""Finding a dossier by code and verifying the citizen's answer, short or stronger."""

from __future__ import annotations

import pytest

from bot.dossiers.importer import import_dossiers
from bot.dossiers.models import Dossier
from bot.dossiers.store import birth_year, find_by_code, is_strong, phone_year_digest, verify, verify_strong
from bot.security import digest

from .conftest import SAMPLES, TEST_KEY, write_csv


def _dossier(phone: str = "0936873079", id_number: str = "041644536043") -> Dossier:
    return Dossier(
        code="X-1",
        phone_digest=digest(phone[-4:], "phone_last4", TEST_KEY) if phone else "",
        id_number_digest=digest(id_number, "id_number", TEST_KEY) if id_number else "",
    )


def test_find_by_code_ignores_spaces_and_case(database, settings, tmp_path):
    header = ["dossierNo", "acceptedDate", "dossierStatusName"]
    path = write_csv(tmp_path / "a.csv", header, [["000.00.12.H12-250101-0001", "01/03/2026 08:00", "Đang xử lý"]])
    import_dossiers(database, path, settings=settings)
    with database.session() as s:
        assert find_by_code(s, " 000.00.12.h12-250101-0001\n").code == "000.00.12.H12-250101-0001"
        assert find_by_code(s, "000.00.12.H12-250101-0002") is None
        assert find_by_code(s, "   ") is None


@pytest.mark.parametrize("answer", ["3079", " 3 0 7 9 ", "0936873079", "+84 936 873 079"])
def test_phone_last4_accepts_the_digits_in_any_form(answer):
    assert verify(_dossier(), answer, "phone_last4", TEST_KEY)


@pytest.mark.parametrize("answer", ["3078", "", "307", "041644536043", "abcd"])
def test_wrong_phone_answers_fail(answer):
    assert not verify(_dossier(), answer, "phone_last4", TEST_KEY)


def test_id_number_and_either():
    d = _dossier()
    assert verify(d, "0416 4453 6043", "id_number", TEST_KEY)
    assert not verify(d, "3079", "id_number", TEST_KEY)
    assert verify(d, "3079", "either", TEST_KEY) and verify(d, "041644536043", "either", TEST_KEY)
    assert not verify(d, "3079", "phone_last4", b"other key")


def test_missing_verification_data_never_verifies():
    d = _dossier(phone="", id_number="")
    assert not verify(d, "", "either", TEST_KEY) and not verify(d, "0000", "either", TEST_KEY)
    with pytest.raises(ValueError):
        verify(d, "3079", "birthday", TEST_KEY)


@pytest.mark.parametrize("answer", ["0936873079 1985", "1985 0936 873 079", "+84 936 873 079, 1985"])
def test_phone_and_birth_year_in_any_order(answer):
    d = _dossier()
    d.phone_year_digest = phone_year_digest("0936873079", "12/03/1985", TEST_KEY)
    assert is_strong(answer, "phone_birth_year")
    assert verify_strong(d, answer, "phone_birth_year", TEST_KEY)


@pytest.mark.parametrize("answer", ["0936873079 1986", "0936873078 1985", "3079 1985"])
def test_wrong_phone_or_year_fails(answer):
    d = _dossier()
    d.phone_year_digest = phone_year_digest("0936873079", "1985", TEST_KEY)
    assert not verify_strong(d, answer, "phone_birth_year", TEST_KEY)


def test_id_number_as_the_stronger_answer():
    d = _dossier()
    assert is_strong("0416 4453 6043", "id_number") and verify_strong(d, "041644536043", "id_number", TEST_KEY)
    assert not is_strong("0936873079", "id_number")  # a whole phone number stays a short answer
    assert not is_strong("3079", "id_number")
    assert not verify_strong(d, "041644536042", "id_number", TEST_KEY)
    with pytest.raises(ValueError):
        verify_strong(d, "041644536043", "birthday", TEST_KEY)


def test_no_year_of_birth_means_no_stronger_digest():
    assert phone_year_digest("0936873079", "", TEST_KEY) == ""
    assert phone_year_digest("", "1985", TEST_KEY) == ""
    assert birth_year("sinh ngày 05/07/1979") == "1979"


@pytest.mark.parametrize("sample", ["dossiers-sample.json", "dossiers-sample.csv"])
def test_samples_carry_what_the_stronger_answers_need(database, settings, sample):
    mapping = SAMPLES / "mapping-example.toml" if sample.endswith(".csv") else None
    import_dossiers(database, SAMPLES / sample, settings=settings, mapping_path=mapping)
    with database.session() as s:
        first = find_by_code(s, "000.00.10.H40-260213-000001")  # Vũ Ngọc Mai, 0936873079, ID …6043
        assert verify_strong(first, "0936873079 1993", "phone_birth_year", TEST_KEY)
        assert verify_strong(first, "041644536043", "id_number", TEST_KEY)
        assert not verify_strong(first, "0936873079 1994", "phone_birth_year", TEST_KEY)
