"""The one definition of "holds a valid HTE certificate on date D" (xinzhi.policy.validity)."""

from datetime import date

import polars as pl

from xinzhi.policy.params import load_parameters
from xinzhi.policy.validity import certificate_expiry, holders, valid_on, valid_on_expr


def test_validity_is_read_from_the_dated_parameter():
    tree = load_parameters()
    assert tree.get("hte.validity_years").at(date(2025, 1, 1)).value == 3  # 国科发火〔2016〕32号
    assert certificate_expiry(date(2022, 11, 28), tree) == date(2025, 11, 27)
    assert valid_on(date(2022, 11, 28), date(2025, 11, 27), tree)
    assert not valid_on(date(2022, 11, 28), date(2025, 11, 28), tree)
    assert not valid_on(date(2025, 11, 28), date(2025, 11, 27), tree)  # not yet issued
    assert certificate_expiry(date(2024, 2, 29), tree) == date(2027, 2, 27)  # 28 Feb 2027 − 1 day
    # a change of the parameter (a new dated value) applies to certificates issued from its date
    two = tree.with_overrides({"hte.validity_years": 2}, start=date(2026, 1, 1))
    assert certificate_expiry(date(2025, 6, 1), two) == date(2028, 5, 31)
    assert certificate_expiry(date(2026, 6, 1), two) == date(2028, 5, 31)


def test_columnar_and_scalar_forms_agree():
    tree = load_parameters().with_overrides({"hte.validity_years": 2}, start=date(2026, 1, 1))
    issued = [date(2022, 11, 28), date(2024, 2, 29), date(2025, 12, 31), date(2026, 3, 1), None]
    days = [date(2025, 11, 27), date(2025, 11, 28), date(2027, 2, 27), date(2028, 2, 29), date(2028, 3, 1)]
    frame = pl.DataFrame({"issued": issued}, schema={"issued": pl.Date}).join(
        pl.DataFrame({"on": days}), how="cross")
    out = frame.with_columns(valid=valid_on_expr(pl.col("issued"), pl.col("on"), tree))
    for row in out.iter_rows(named=True):
        assert row["valid"] == valid_on(row["issued"], row["on"], tree), row


def test_holders_on_a_date_with_an_early_end_and_undated_certificates():
    tree = load_parameters()
    certs = pl.DataFrame({
        "enterprise_id": [1, 2, 3, 4, 5],
        "program": ["hte", "hte", "hte", "hte", "tech_sme"],
        "year": [2022, 2023, 2023, 2025, 2025],
        "issued_on": [date(2022, 11, 28), date(2023, 12, 8), date(2023, 12, 8), None, date(2025, 6, 30)],
        "expires_on": [date(2025, 11, 27), date(2026, 12, 7), date(2025, 3, 31), None, None],
    })
    on = date(2025, 12, 31)
    # 1 expired on 2025-11-27; 3 was cancelled early (stored end 2025-03-31); 4 has no date: 31 Dec 2025;
    # 5 is not an HTE certificate
    assert sorted(holders(certs, on, tree)["enterprise_id"].to_list()) == [2, 4]
    assert sorted(holders(certs, date(2025, 6, 30), tree)["enterprise_id"].to_list()) == [1, 2]
