"""Known units come from the imported dossiers and the settings; a misspelt one gets the closest names."""

from __future__ import annotations

import pytest

from bot.officers.units import UnknownUnit, check_units, closest_units, known_units
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, add_dossier


def test_units_of_dossiers_and_settings_and_suggestions(database: Database) -> None:
    add_dossier(database, "A-0001", MONDAY_0730, unit="UBND xã Tân Lập")
    add_dossier(database, "A-0002", MONDAY_0730, unit="UBND xã Tân Lập")
    add_dossier(database, "B-0001", MONDAY_0730, unit="UBND phường Bến Thành")
    with database.session() as s:
        assert known_units(s, ["Văn phòng UBND tỉnh", " "]) == [
            "UBND phường Bến Thành", "UBND xã Tân Lập", "Văn phòng UBND tỉnh"]  # fmt: skip
        check_units(s, ["UBND xã Tân Lập", "Văn phòng UBND tỉnh"], ["Văn phòng UBND tỉnh"])
        with pytest.raises(UnknownUnit) as error:
            check_units(s, ["UBND xã Tân Lập", "UBND xa Tan Lap"])
    assert error.value.suggestions[0] == "UBND xã Tân Lập"
    assert closest_units("Phong Nong nghiep", ["UBND xã Tân Lập"]) == []


def test_with_no_known_unit_the_refusal_says_where_units_come_from(database: Database) -> None:
    with database.session() as s, pytest.raises(UnknownUnit, match=r"import the dossier export or set"):
        check_units(s, ["UBND phường A"])
