from decimal import Decimal

from xinzhi.cultivation.templatetags.cultivation import readable


def test_rule_values_read_as_text():
    assert readable({"ci_staff": 27, "total": 161, "share": Decimal("0.1677")}) == "ci_staff：27；total：161；share：0.1677"
    assert readable(True) == "是" and readable(False) == "否"
    assert readable(None) == "—" and readable([]) == "无" and readable(["a", "b"]) == "a、b"
