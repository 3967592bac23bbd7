from decimal import Decimal

import pytest

from xinzhi.core import uscc
from xinzhi.core.periods import Period, PeriodError, month_range
from xinzhi.core.units import UnitError, from_yuan, to_yuan


def test_units_convert_to_whole_yuan_half_up():
    assert to_yuan("123.4567", "千元") == 123457
    assert to_yuan("1.00005", "万元") == 10001  # 10000.5 rounds half up
    assert to_yuan(3, "亿元") == 300_000_000
    assert from_yuan(1_234_500, "万元") == Decimal("123.45")
    with pytest.raises(UnitError):
        to_yuan(1, "美元")


def test_periods_parse_common_spellings():
    assert str(Period.parse("2025-6")) == "2025-06"
    assert Period.parse("2025年6月") == Period(2025, 6)
    assert Period.parse("2025/06").previous == Period(2025, 5)
    assert Period(2025, 1).previous == Period(2024, 12)
    assert Period(2025, 6).label_zh() == "2025年1—6月"
    assert len(month_range(Period(2024, 1), Period(2025, 12))) == 24
    for bad in ("2025-13", "25-06", "六月"):
        with pytest.raises(PeriodError):
            Period.parse(bad)


def test_uscc_check_character_and_region_part():
    code = uscc.make("91", "330106", "MA2CD1234")
    assert uscc.is_valid(code)
    assert uscc.division_part(code) == "330106"
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(uscc.USCCError, match="校验位"):
        uscc.validate(broken)
    with pytest.raises(uscc.USCCError, match="18位"):
        uscc.validate(code[:-2])
    assert uscc.is_valid("91110000600037341L")  # a real, published code
