"""The area's naming rules (tracker/units/services.py), one place for the admin form and the loader."""
from __future__ import annotations

import pytest

from tracker.units.models import Unit
from tracker.units.services import SELF_PARENT, UnitError, check_parent, name_taken_message, other_units_named


def test_a_short_name_or_alias_of_another_unit_is_taken(app):
    finance = Unit(name="Sở Tài chính", short_name="STC")
    planning = Unit(name="Sở Kế hoạch và Đầu tư")
    units = [finance, planning]
    assert other_units_named("  stc ", units, planning) == [finance]
    assert other_units_named("Sở  tài chính", units, None) == [finance]
    assert other_units_named("STC", units, finance) == []  # its own name
    assert other_units_named("", units, None) == []
    assert name_taken_message("STC", finance) == "'STC' đã là tên của đơn vị Sở Tài chính trong địa bàn này."


def test_a_unit_is_never_its_own_parent(app):
    unit, other = Unit(name="Sở Y tế"), Unit(name="UBND tỉnh")
    check_parent(other, unit)
    check_parent(None, unit)
    with pytest.raises(UnitError, match=SELF_PARENT):
        check_parent(unit, unit)
