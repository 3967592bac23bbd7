"""The closed loop's problems and solver register through the import framework: template, per-row Chinese
errors (USCC, cluster, dates, budget), atomic commit, idempotent re-import, correction with audit and its
limit, scope on the stored enterprise, export round trip."""

from __future__ import annotations

import datetime as dt

import pytest

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import write_csv
from xinzhi.programs import services
from xinzhi.programs.models import Problem, ProblemStep, Solver

pytestmark = pytest.mark.django_db

HEAD = ["统一社会信用代码", "企业名称", "难题名称", "技术领域", "415X集群", "需要达到的目标", "可量化的验收指标", "预算(万元)",
        "期望完成日期", "需保密", "出题日期"]


def rows_for(world):
    a, c = world["a"], world["c"]
    return [
        [a.uscc, a.name, "柔性压力传感器封装", "传感器", "", "量产良率95%", "良率≥95%", "200", "2026-06-30", "否", "2025-03-01"],
        [c.uscc, c.name, "精密铸件气孔", "铸造", "", "气孔率降至1%", "气孔率≤1%", "85.5", "2026-01-31", "是", "2025-04-02"],
    ]


def test_kinds_and_templates(tmp_path):
    for kind in ("loop-problems", "loop-solvers"):
        assert kind in kind_names()
        write_template(kind, "xlsx", tmp_path / f"{kind}.xlsx")


def test_problems_commit_idempotent_and_round_trip(tmp_path, world):
    path = write_csv(tmp_path / "p.csv", HEAD, rows_for(world))
    outcome = commit_import("loop-problems", path, user=world["province"])
    assert outcome.committed and outcome.result.counts["new"] == 2
    p = Problem.objects.get(title="精密铸件气孔")
    assert (p.state, p.budget, p.division_id, p.confidential, p.last_step_at) == (
        "posed", 855_000, "330212", True, dt.date(2025, 4, 2))
    step = ProblemStep.objects.get(problem=p)
    assert (step.action, step.to_state, step.on, step.actor, step.note) == (
        "pose", "posed", dt.date(2025, 4, 2), world["province"], "导入")
    again = commit_import("loop-problems", path, user=world["province"])
    assert (again.result.counts["new"], again.result.counts["changed"], again.result.counts["unchanged"]) == (0, 0, 2)
    assert Problem.objects.count() == 2 and ProblemStep.objects.count() == 2
    # the exported file re-imports unchanged (budget in 元 as the export's header says)
    out = tmp_path / "out.xlsx"
    assert export_kind("loop-problems", None, "xlsx", out) == 2
    assert commit_import("loop-problems", out, user=world["province"]).result.counts["unchanged"] == 2


def test_new_and_changed_rows_in_one_file_log_one_posed_step_each(tmp_path, world):
    rows = rows_for(world)
    commit_import("loop-problems", write_csv(tmp_path / "p.csv", HEAD, rows), user=world["province"])
    rows[0][7] = "250"  # changed
    a = world["a"]
    rows.append([a.uscc, a.name, "高温涂层剥落", "新材料", "", "寿命翻倍", "寿命≥2000小时", "50", "2026-06-30", "否", "2025-05-01"])
    mixed = commit_import("loop-problems", write_csv(tmp_path / "m.csv", HEAD, rows), user=world["province"])
    assert (mixed.result.counts["new"], mixed.result.counts["changed"]) == (1, 1)
    assert [s.action for s in ProblemStep.objects.filter(problem__title="柔性压力传感器封装")] == ["pose"]
    assert [s.action for s in ProblemStep.objects.filter(problem__title="高温涂层剥落")] == ["pose"]


def test_correction_audited_and_refused_once_vetted(tmp_path, world):
    rows = rows_for(world)
    commit_import("loop-problems", write_csv(tmp_path / "p.csv", HEAD, rows), user=world["province"])
    rows[0][7] = "250"
    fixed = commit_import("loop-problems", write_csv(tmp_path / "p2.csv", HEAD, rows), user=world["province"])
    assert fixed.committed and fixed.result.counts["changed"] == 1
    p = Problem.objects.get(title="柔性压力传感器封装")
    assert p.budget == 2_500_000
    from auditlog.models import LogEntry
    assert LogEntry.objects.get_for_object(p).filter(changes__icontains="2500000").exists()
    services.act(world["county"], p.pk, "vet", dt.date(2025, 3, 5), classification="关键工艺", support="matching")
    rows[0][7] = "300"
    refused = preview_import("loop-problems", write_csv(tmp_path / "p3.csv", HEAD, rows), user=world["province"])
    assert (2, "难题名称", "该难题已进入“已助题”环节，出题内容不能再通过导入修改") in {
        (e.row, e.field, e.reason_zh) for e in refused.result.errors}
    assert Problem.objects.get(pk=p.pk).budget == 2_500_000


def test_errors_name_row_field_reason_and_nothing_is_written(tmp_path, world):
    a = world["a"]
    bad = [
        ["91330106MA2H00006Y", a.name, "甲", "传感器", "", "目标", "指标", "10", "2026-01-01", "否", "2025-03-01"],
        [a.uscc, a.name, "乙", "传感器", "不存在的集群", "目标", "指标", "10", "2026-01-01", "否", "2025-03-01"],
        [a.uscc, a.name, "丙", "传感器", "", "目标", "指标", "10", "2025-13-01", "否", "2025-03-01"],
        [a.uscc, a.name, "丁", "传感器", "", "目标", "指标", "10", "2025-02-01", "否", "2025-03-01"],
        [a.uscc, a.name, "戊", "传感器", "", "目标", "指标", "-5", "2026-01-01", "否", "2025-03-01"],
        [a.uscc, a.name, "戊", "传感器", "", "目标", "指标", "5", "2026-01-01", "否", "2025-03-01"],
        ["", "不存在的企业有限公司", "己", "传感器", "", "目标", "指标", "5", "2026-01-01", "否", "2025-03-01"],
        [a.uscc, a.name, "庚", "传感器", "", "目标", "指标", "0", "2026-01-01", "否", "2025-03-01"],
    ]
    path = write_csv(tmp_path / "bad.csv", HEAD, bad)
    errors = preview_import("loop-problems", path, user=world["province"]).result.errors
    by_row = {}
    for e in errors:
        by_row.setdefault(e.row, set()).add((e.field, e.reason_zh))
    assert any(f == "统一社会信用代码" for f, _ in by_row[2])
    assert ("415X集群", "“不存在的集群”不是415X集群名称") in by_row[3]
    assert any(f == "期望完成日期" for f, _ in by_row[4])
    assert ("期望完成日期", "期望完成日期须晚于出题日期") in by_row[5]
    assert ("预算", "金额不能为负数") in by_row[6]  # the framework's money rule
    assert ("预算", "预算须为正数") in by_row[9]
    assert any(f == "难题名称" and "与第6行重复" in r for f, r in by_row[7])
    assert ("统一社会信用代码", "企业“不存在的企业有限公司”不在企业库中") in by_row[8]
    assert all(str(e).startswith(f"第{e.row}行【") for e in errors)
    assert not commit_import("loop-problems", path, user=world["province"]).committed
    assert Problem.objects.count() == 0


def test_county_imports_only_problems_of_its_stored_enterprises(tmp_path, world):
    # the county user of 西湖区 (330106): a problem of 鄞州 (330212) is refused, judged on the stored enterprise
    path = write_csv(tmp_path / "p.csv", HEAD, rows_for(world))
    result = preview_import("loop-problems", path, user=world["county"]).result
    assert {(e.row, e.field) for e in result.errors} == {(3, "统一社会信用代码")}
    assert "不在您的管辖范围内" in result.errors[0].reason_zh
    assert not commit_import("loop-problems", path, user=world["county"]).committed
    ok = commit_import("loop-problems", write_csv(tmp_path / "own.csv", HEAD, rows_for(world)[:1]), user=world["county"])
    assert ok.committed and Problem.objects.get().division_id == "330106"
    # the enterprise moves to Ningbo in the register: the stored record now decides, the county may not touch it
    world["a"].division_id = "330212"
    world["a"].save()
    again = preview_import("loop-problems", write_csv(tmp_path / "own2.csv", HEAD, rows_for(world)[:1]), user=world["county"])
    assert [e.field for e in again.result.errors] == ["统一社会信用代码"]


SOLVERS = ["名称", "类型", "县代码", "统一社会信用代码", "擅长领域", "415X集群", "在册"]


def test_solver_register_round_trip_and_scope(tmp_path, world):
    rows = [["之江新材料研究院", "科研院所", "330106", "", "新材料", "", "是"],
            ["滨江材料研究院", "科研院所", "330108", world["lab"].uscc, "新材料、传感器、涂层", "", "是"],
            ["宁波中试基地", "中试平台", "330212", "91330212MA2H00009X", "", "", "否"]]
    path = write_csv(tmp_path / "s.csv", SOLVERS, rows)
    preview = preview_import("loop-solvers", path, user=world["province"])
    assert any(e.row == 4 and e.field == "统一社会信用代码" for e in preview.result.errors)
    rows = rows[:2]
    path = write_csv(tmp_path / "s2.csv", SOLVERS, rows)
    outcome = commit_import("loop-solvers", path, user=world["province"])
    assert outcome.result.counts["new"] == 1 and outcome.result.counts["changed"] == 1
    assert Solver.objects.get(name="滨江材料研究院").fields == "新材料、传感器、涂层"
    assert commit_import("loop-solvers", path, user=world["province"]).result.counts["unchanged"] == 2
    out = tmp_path / "s.xlsx"
    assert export_kind("loop-solvers", None, "xlsx", out) == 2
    assert commit_import("loop-solvers", out, user=world["province"]).result.counts["unchanged"] == 2
    # the county of 西湖区 may not change a solver registered in 滨江区
    refused = preview_import("loop-solvers", path, user=world["county"]).result.errors
    assert [(e.row, e.field) for e in refused] == [(3, "县代码")]
