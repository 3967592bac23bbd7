"""The pure scoring module on hand-computed cases, grade boundaries and trimming (no database)."""

from decimal import Decimal as D

import pytest

from xinzhi.evaluation import scoring

SCHEME = """
code = "hand"
name = "手算方案"
version = "t1"
purpose = "annual"
applies_to = ["provincial_tech_centre"]
trim_min_reviewers = 3

[[grades]]
name = "优秀"
min = 90
[[grades]]
name = "良好"
min = 80
[[grades]]
name = "合格"
min = 60

[warning]
below = 65

[management]
on_fail = "downgrade"
on_fail_again = "revoke"

[[indicators]]
code = "rd"
name = "研发强度"
numerator = "rd_expense"
denominator = "revenue"
factor = 100
unit = "%"
weight = 30
function = "linear"
lower = 1
upper = 5

[[indicators]]
code = "pat"
name = "发明专利"
numerator = "invention_patents"
unit = "件"
weight = 20
function = "bands"
bands = [[10, 1.0], [5, 0.6], [1, 0.2]]

[[criteria]]
code = "a"
name = "甲"
weight = 30
max = 10

[[criteria]]
code = "b"
name = "乙"
weight = 20
max = 5
"""


@pytest.fixture(scope="module")
def scheme():
    return scoring.load_scheme(SCHEME)


def test_linear_and_bands_by_hand(scheme):
    # rd = 300 / 10000 × 100 = 3 % → (3 − 1) / (5 − 1) = 0.5 → 15 of 30; patents 7 → band ≥5 → 0.6 × 20 = 12
    results, subtotal = scoring.score_quantitative(scheme, {"rd_expense": 300, "revenue": 10000, "invention_patents": 7})
    assert [r.points for r in results] == [D("15.00"), D("12.00")]
    assert subtotal == D("27.00")
    assert "3%" in results[0].explanation and "15.00/30" in results[0].explanation


def test_linear_clamps_and_runs_downwards():
    assert scoring.linear(D(0), D(1), D(5)) == 0
    assert scoring.linear(D(9), D(1), D(5)) == 1
    assert scoring.linear(D(1), D(1), D(5)) == 0 and scoring.linear(D(5), D(1), D(5)) == 1
    # smaller is better: 0 at 10, 1 at 2 → value 4 gives 0.75
    assert scoring.linear(D(4), D(10), D(2)) == D("0.75")


def test_bands_edges():
    table = ((D(10), D(1)), (D(5), D("0.6")), (D(1), D("0.2")))
    assert scoring.bands(D(10), table) == 1
    assert scoring.bands(D("9.99"), table) == D("0.6")
    assert scoring.bands(D(1), table) == D("0.2")
    assert scoring.bands(D("0.5"), table) == 0


def test_missing_data_scores_zero_and_says_so(scheme):
    results, subtotal = scoring.score_quantitative(scheme, {"rd_expense": 300, "revenue": None})
    assert subtotal == 0 and results[0].value is None and "缺少数据" in results[0].explanation


def test_review_weighting_by_hand(scheme):
    # a: 8/10 × 30 = 24; b: 4/5 × 20 = 16 → 40
    assert scoring.score_review(scheme, {"a": 8, "b": 4}) == D("40.00")
    with pytest.raises(scoring.ScoreError):
        scoring.score_review(scheme, {"a": 8})
    with pytest.raises(scoring.ScoreError):
        scoring.score_review(scheme, {"a": 11, "b": 4})


def test_aggregate_with_and_without_trimming():
    values = [D(40), D(30), D(35), D(50), D(10)]
    assert scoring.aggregate(values, trim=False) == D("33.00")
    assert scoring.aggregate(values, trim=True) == D("35.00")  # drop 50 and 10 → (40+30+35)/3
    assert scoring.aggregate([D(40), D(30)], trim=True) == D("35.00")  # too few to trim
    assert scoring.aggregate([D(40), D(30), D(20)], trim=True, trim_min=5) == D("30.00")  # below trim_min
    assert scoring.aggregate([], trim=True) is None


@pytest.mark.parametrize("total, grade, warning", [
    ("90", "优秀", False), ("89.99", "良好", False), ("80", "良好", False), ("79.99", "合格", False),
    ("65", "合格", False), ("64.99", "合格", True), ("60", "合格", True), ("59.99", "不合格", False),
])
def test_grade_boundaries(scheme, total, grade, warning):
    result = scoring.grade(scheme, D(total))
    assert (result.grade, result.warning) == (grade, warning)


def test_evaluate_end_to_end_by_hand(scheme):
    data = {"rd_expense": 500, "revenue": 10000, "invention_patents": 12}  # 5 % → 30; 12 → 20 → 50
    reviews = [{"a": 10, "b": 5}, {"a": 5, "b": 5}, {"a": 0, "b": 0}]  # 50, 35, 0 → trimmed: 35
    e = scoring.evaluate(scheme, data, reviews, trim=True)
    assert (e.quantitative, e.expert, e.total) == (D("50.00"), D("35.00"), D("85.00"))
    assert e.result.grade == "良好"
    e = scoring.evaluate(scheme, data, reviews, trim=False)  # mean 28.33 → 78.33
    assert e.total == D("78.33") and e.result.grade == "合格"


def test_management_actions(scheme):
    assert scoring.management_action(scheme, scoring.grade(scheme, D(85))) == "confirm"
    assert scoring.management_action(scheme, scoring.grade(scheme, D(62))) == "warn"
    assert scoring.management_action(scheme, scoring.grade(scheme, D(50))) == "downgrade"
    assert scoring.management_action(scheme, scoring.grade(scheme, D(50)), failed_last_time=True) == "revoke"


def test_scheme_validation():
    with pytest.raises(scoring.SchemeError, match="weights sum"):
        scoring.load_scheme(SCHEME.replace("weight = 20\nmax = 5", "weight = 25\nmax = 5"))
    with pytest.raises(scoring.SchemeError, match="unknown function"):
        scoring.load_scheme(SCHEME.replace('function = "bands"', 'function = "log"'))


def test_shipped_schemes_load_and_sum_to_100():
    schemes = scoring.all_schemes()
    assert {s.purpose for s in schemes} == {"recognition", "annual", "acceptance", "operation", "selection"}
    # every scheme names a subject kind; the platforms' schemes by default, the programmes' their own
    assert {s.subject for s in schemes} == {"platforms", "research_need", "new_product"}
    assert all(s.subject != "platforms" for s in schemes if s.purpose == "selection")
    for s in schemes:
        assert s.version and s.reference
    kinds = {k for s in schemes for k in s.applies_to}
    assert {"provincial_tech_centre", "provincial_institute", "innovation_centre", "pilot_platform", "alliance"} <= kinds
    assert scoring.scheme_for("innovation_centre", "acceptance").code == "innovation_centre_acceptance"


ROUNDING = """
code = "rounding"
name = "舍入"
version = "t"
purpose = "annual"
applies_to = ["x"]
trim_min_reviewers = 5

[[grades]]
name = "合格"
min = 60

[[indicators]]
code = "a"
name = "甲"
numerator = "a"
weight = 10
function = "linear"
lower = 0
upper = 3

[[indicators]]
code = "b"
name = "乙"
numerator = "b"
weight = 10
function = "linear"
lower = 0
upper = 3

[[criteria]]
code = "c"
name = "评议"
weight = 80
max = 3
"""


def test_rounding_is_at_each_step_so_the_shown_parts_add_up():
    """The documented rule (docs/institutions-and-evaluation.md, 得分的舍入): every indicator's points, each
    reviewer's part, the quantitative subtotal and the expert mean are rounded half-up to 0.01 as they are
    computed and shown; the total is the sum of the two shown parts. Rounding only at the end gives another
    total in about one case in five (40 of 186 on the demo) — here 13.34 + 26.67 = 40.01, not 40.00."""
    scheme = scoring.load_scheme(ROUNDING)
    # each indicator: 2/3 of 10 points = 6.666… → 6.67
    result = scoring.evaluate(scheme, {"a": 2, "b": 2}, [{"c": 1}, {"c": 1}, {"c": 1}], trim=True)
    assert [r.points for r in result.indicators] == [D("6.67"), D("6.67")]
    assert result.quantitative == D("13.34")
    assert result.reviewer_parts == [D("26.67")] * 3  # 80 × 1/3
    assert result.expert == D("26.67")
    assert result.total == D("40.01") == result.quantitative + result.expert
    assert scoring.q2(D(40) / 3 + D(80) / 3) == D("40.00")  # what rounding only at the end would have said


@pytest.mark.parametrize("seed", range(40))
def test_the_total_is_always_the_sum_of_the_shown_parts(seed):
    import random

    rng = random.Random(seed)
    scheme = scoring.get_scheme("tech_centre_annual")
    data = {"revenue": rng.randint(10**7, 10**10), "rd_expense": rng.randint(0, 10**8), "rd_staff": rng.randint(0, 400),
            "invention_patents": rng.randint(0, 60), "new_product_revenue": rng.randint(0, 10**9),
            "equipment_value": rng.randint(0, 10**8), "standards_led": rng.randint(0, 5),
            "cooperation_projects": rng.randint(0, 20)}
    reviews = [{c.code: str(rng.randint(0, 20) / 2) for c in scheme.criteria} for _ in range(rng.randint(1, 7))]
    result = scoring.evaluate(scheme, data, reviews)
    assert result.quantitative == sum(r.points for r in result.indicators)
    assert result.total == result.quantitative + result.expert
