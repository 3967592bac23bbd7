"""Submissions to the research-needs call through the import framework (``research-needs``): template, preview
without writes, atomic commit with per-row Chinese errors, idempotent re-import, export round trip, the page's
rules (budget, own funds, months, submission window, call collecting), rank 1 = the lead, ranks without gaps,
corrections audited and refused once vetted, scope on the stored enterprise."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from auditlog.models import LogEntry

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import write_csv, write_xlsx
from xinzhi.programs import calls, research
from xinzhi.programs.models import NeedPartner, NeedStep, ResearchCall, ResearchNeed

pytestmark = pytest.mark.django_db

KIND = "research-needs"
CALL = "2025年企业科技攻关需求征集"
HEAD = ["征集年度", "征集名称", "牵头企业统一社会信用代码", "牵头企业名称", "需求名称", "技术领域", "415X集群",
        "需解决的关键技术难题", "攻关目标与考核指标", "总预算(万元)", "企业自筹(万元)", "实施周期（月）", "提交日期", "排名",
        "单位名称", "单位性质", "单位统一社会信用代码", "省外单位"]
RANK, UNIT, UNIT_KIND, UNIT_USCC, OUTSIDE = 13, 14, 15, 16, 17


@pytest.fixture
def w(world):
    call = research.open_call(world["province"], year=2025, name=CALL, deadline=dt.date(2025, 4, 30),
                              on=dt.date(2025, 3, 1), quota=2)
    return world | {"call": call}


def need_rows(w, *, budget="800", own="500", months="36", on="2025-03-10"):
    a, lab = w["a"], w["lab"]
    need = ["2025", CALL, a.uscc, a.name, "高端轴承钢纯净度控制", "新材料", "", "夹杂物尺寸与数量控制", "氧含量≤5ppm",
            budget, own, months, on]
    return [need + ["1", a.name, "企业", a.uscc, "否"],
            need + ["2", lab.name, "企业", lab.uscc, "否"],
            need + ["3", "浙江大学", "高校", "", "否"]]


def other_rows(w):
    c = w["c"]
    return [["2025", CALL, c.uscc, c.name, "精密铸件气孔控制", "铸造", "", "气孔率高", "气孔率≤1%", "85.5", "", "",
             "2025-03-12", "1", c.name, "企业", "", "否"]]


def rows_for(w):
    return need_rows(w) + other_rows(w)


def errors_of(outcome) -> set[tuple[int, str, str]]:
    return {(e.row, e.field, e.reason_zh) for e in outcome.result.errors}


def test_template_has_the_columns(tmp_path, client, w):
    assert KIND in kind_names()
    write_template(KIND, "csv", tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",") == HEAD
    client.force_login(w["county"])  # the 数据导入 page's template download
    response = client.get(f"/imports/template/{KIND}/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book.worksheets[0][1]] == HEAD
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_preview_counts_and_writes_nothing(tmp_path, w):
    path = write_csv(tmp_path / "n.csv", HEAD, rows_for(w))
    outcome = preview_import(KIND, path, user=w["province"])
    assert outcome.result.ok and not outcome.committed
    assert (outcome.result.counts["new"], outcome.result.counts["changed"], outcome.result.counts["unchanged"]) == (4, 0, 0)
    assert not ResearchNeed.objects.exists() and not NeedPartner.objects.exists() and not NeedStep.objects.exists()
    assert ImportBatch.objects.get(pk=outcome.batch.pk).status == ImportBatch.Status.PREVIEWED


def test_commit_creates_submitted_needs_idempotent_and_round_trip(tmp_path, w):
    path = write_csv(tmp_path / "n.csv", HEAD, rows_for(w))
    outcome = commit_import(KIND, path, user=w["province"])
    assert outcome.committed and outcome.result.counts["new"] == 4
    need = ResearchNeed.objects.get(title="高端轴承钢纯净度控制")
    assert (need.call, need.enterprise, need.state, need.budget, need.self_funded, need.months, need.division_id,
            need.submitted_on, need.submitted_by) == (
        w["call"], w["a"], calls.SUBMITTED, 8_000_000, 5_000_000, 36, "330106", dt.date(2025, 3, 10), w["province"])
    assert [(p.rank, p.name, p.kind, p.enterprise, p.in_province) for p in need.partners.all()] == [
        (2, w["lab"].name, "enterprise", w["lab"], True), (3, "浙江大学", "university", None, True)]
    step = NeedStep.objects.get(need=need)
    assert (step.action, step.from_state, step.to_state, step.on, step.actor, step.note) == (
        "submit", "", calls.SUBMITTED, dt.date(2025, 3, 10), w["province"], "导入")
    other = ResearchNeed.objects.get(title="精密铸件气孔控制")  # defaults: own funds 0, 36 months
    assert (other.budget, other.self_funded, other.months, other.division_id, other.partners.count()) == (
        855_000, 0, 36, "330212", 0)
    # the same file again: nothing changes
    again = commit_import(KIND, path, user=w["province"])
    assert (again.result.counts["new"], again.result.counts["changed"], again.result.counts["unchanged"]) == (0, 0, 4)
    assert (ResearchNeed.objects.count(), NeedPartner.objects.count(), NeedStep.objects.count()) == (2, 2, 2)
    # each created need points to the batch that created it; an unchanged re-import leaves it
    assert set(ResearchNeed.objects.values_list("import_batch_id", flat=True)) == {outcome.batch.pk}
    # export → re-import: no change; the export has exactly the template's columns (money in 元)
    out = tmp_path / "out.xlsx"
    assert export_kind(KIND, None, "xlsx", out) == 4
    headers = [c.value for c in openpyxl.load_workbook(out).worksheets[0][1]]
    assert headers == [h.replace("(万元)", "(元)") for h in HEAD]
    back = commit_import(KIND, out, user=w["province"])
    assert back.committed and back.result.counts["unchanged"] == 4 and back.result.counts["changed"] == 0
    assert (ResearchNeed.objects.count(), NeedPartner.objects.count(), NeedStep.objects.count()) == (2, 2, 2)
    csv_out = tmp_path / "out.csv"
    export_kind(KIND, None, "csv", csv_out)
    assert commit_import(KIND, csv_out, user=w["province"]).result.counts["unchanged"] == 4


def test_one_bad_row_writes_nothing_and_names_row_field_reason(tmp_path, w):
    rows = rows_for(w)
    rows[3][9] = "-5"
    path = write_xlsx(tmp_path / "bad.xlsx", HEAD, rows)
    outcome = commit_import(KIND, path, user=w["province"])
    assert not outcome.committed
    assert (5, "总预算", "金额不能为负数") in errors_of(outcome)
    assert all(str(e).startswith(f"第{e.row}行【") for e in outcome.result.errors)
    assert not ResearchNeed.objects.exists() and not NeedPartner.objects.exists() and not NeedStep.objects.exists()
    assert ImportBatch.objects.get(pk=outcome.batch.pk).status == ImportBatch.Status.REJECTED


def test_the_pages_rules_per_row(tmp_path, w):
    a = w["a"]
    base = ["2025", CALL, a.uscc, a.name]

    def single(title, budget="100", own="0", months="12", on="2025-03-10", call=CALL, year="2025"):
        return [year, call, a.uscc, a.name, title, "新材料", "", "难题", "指标", budget, own, months, on, "1", a.name, "企业",
                "", "否"]
    rows = [
        single("甲", budget="0"),
        single("乙", budget="10", own="20"),
        single("丙", months="0"),
        single("丁", months="121"),
        single("戊", on="2025-02-28"),
        single("己", on="2025-05-01"),
        single("庚", call="不存在的征集"),
        single("辛", budget="100000000001"),  # above 10^15 元: a unit mistake
        single("壬", own="-1"),
        base + ["癸", "新材料", "不存在的集群", "难题", "指标", "100", "0", "12", "2025-03-10", "1", a.name, "企业", "", "否"],
    ]
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "r.csv", HEAD, rows), user=w["province"]))
    assert (2, "总预算", "总预算须为正数") in errors
    assert (3, "企业自筹", "企业自筹不能超过总预算") in errors
    assert (4, "实施周期（月）", "实施周期须在 1–120 个月之间") in errors
    assert (5, "实施周期（月）", "实施周期须在 1–120 个月之间") in errors
    assert (6, "提交日期", "提交日期早于征集发布日期（2025-03-01）") in errors
    assert (7, "提交日期", "提交日期晚于申报截止日期（2025-04-30），征集已截止") in errors
    assert (8, "征集名称", "2025年没有名为“不存在的征集”的需求征集") in errors
    assert (9, "总预算", "总预算超出合理范围，请核对单位") in errors
    assert (10, "企业自筹", "金额不能为负数") in errors
    assert (11, "415X集群", "“不存在的集群”不是415X集群名称") in errors
    assert not ResearchNeed.objects.exists()


def test_lead_enterprise_must_be_registered(tmp_path, w):
    row = other_rows(w)[0]
    row[2], row[3], row[UNIT] = "", "不存在的企业有限公司", "不存在的企业有限公司"
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "x.csv", HEAD, [row]), user=w["province"]))
    assert (2, "牵头企业统一社会信用代码", "牵头企业“不存在的企业有限公司”不在企业库中") in errors


def test_rank_one_must_be_the_lead_enterprise(tmp_path, w):
    rows = need_rows(w)
    rows[0][UNIT], rows[0][UNIT_USCC] = "浙江某某大学", ""
    rows[2][UNIT] = w["a"].name  # a partner that is the lead itself
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "l.csv", HEAD, rows), user=w["province"]))
    assert (2, "单位名称", f"排名第1的单位须为牵头企业“{w['a'].name}”本身") in errors
    assert (4, "单位名称", "合作单位不能是牵头企业本身") in errors
    rows = need_rows(w)
    rows[0][UNIT_KIND] = "高校"
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "k.csv", HEAD, rows), user=w["province"]))
    assert (2, "单位性质", "排名第1的单位须为牵头企业本身，单位性质应为“企业”") in errors
    assert not commit_import(KIND, write_csv(tmp_path / "k2.csv", HEAD, rows), user=w["province"]).committed
    assert not ResearchNeed.objects.exists()


def test_partner_ranks_without_gaps_or_repeats_and_need_columns_agree(tmp_path, w):
    rows = need_rows(w)
    rows[2][RANK] = "4"  # 1, 2, 4
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "g.csv", HEAD, rows), user=w["province"]))
    assert (4, "排名", "排名须从1起连续编号：本需求共3家单位，排名应为1–3") in errors
    rows[2][RANK] = "2"  # 1, 2, 2
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "d.csv", HEAD, rows), user=w["province"]))
    assert any(r == 4 and f == "排名" and "与第3行重复" in why for r, f, why in errors)
    rows = need_rows(w)
    rows[1][9] = "900"  # the need's budget differs on its second row
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "a.csv", HEAD, rows), user=w["province"]))
    assert (2, "需求名称", "同一需求各行的需求信息须一致，以下各列不一致：总预算") in errors
    assert not commit_import(KIND, write_csv(tmp_path / "a2.csv", HEAD, rows), user=w["province"]).committed
    assert not ResearchNeed.objects.exists()


def test_correction_updates_with_audit_while_editable(tmp_path, w):
    commit_import(KIND, write_csv(tmp_path / "n.csv", HEAD, rows_for(w)), user=w["province"])
    need = ResearchNeed.objects.get(title="高端轴承钢纯净度控制")
    research.act(w["county"], need.pk, "county_return", dt.date(2025, 3, 12), "请补充考核指标")
    rows = need_rows(w, budget="900")
    rows[2][UNIT] = "浙江大学（紫金港）"
    rows.append(rows[0][:RANK] + ["4", "宁波某某研究院", "科研院所", "", "是"])
    fixed = commit_import(KIND, write_csv(tmp_path / "f.csv", HEAD, rows), user=w["province"])
    assert fixed.committed
    assert (fixed.result.counts["new"], fixed.result.counts["changed"], fixed.result.counts["unchanged"]) == (0, 3, 1)
    need.refresh_from_db()
    assert (need.budget, need.state) == (9_000_000, calls.RETURNED)  # resubmitting stays the enterprise's step
    assert need.import_batch_id == fixed.batch.pk  # the batch of its last change, as for the other kinds
    assert [(p.rank, p.name, p.in_province) for p in need.partners.all()] == [
        (2, w["lab"].name, True), (3, "浙江大学（紫金港）", True), (4, "宁波某某研究院", False)]
    entry = LogEntry.objects.get_for_object(need).filter(changes__icontains="9000000").get()
    assert entry.actor == w["province"] and entry.additional_data == {"import_batch": fixed.batch.pk}
    partner = need.partners.get(rank=3)
    assert [e.changes_dict for e in LogEntry.objects.get_for_object(partner)] == [{"name": ["浙江大学", "浙江大学（紫金港）"]}]
    assert NeedStep.objects.filter(need=need).count() == 2  # submit + county_return; a correction is no step
    # a shorter file deletes nothing (a warning says so)
    short = commit_import(KIND, write_csv(tmp_path / "s.csv", HEAD, rows[:3]), user=w["province"])
    assert short.committed and need.partners.count() == 3
    assert any(wn.row == 2 and "第4名合作单位“宁波某某研究院”不在本文件中" in wn.reason_zh for wn in short.result.warnings)


def test_change_refused_once_vetted_but_same_file_still_unchanged(tmp_path, w):
    path = write_csv(tmp_path / "n.csv", HEAD, rows_for(w))
    commit_import(KIND, path, user=w["province"])
    need = ResearchNeed.objects.get(title="高端轴承钢纯净度控制")
    research.act(w["county"], need.pk, "county_pass", dt.date(2025, 3, 12))
    assert commit_import(KIND, path, user=w["province"]).result.counts["unchanged"] == 4
    rows = need_rows(w, budget="900")
    refused = commit_import(KIND, write_csv(tmp_path / "c.csv", HEAD, rows), user=w["province"])
    assert not refused.committed
    assert (2, "需求名称", "该需求当前为“县级审核通过”，申报内容不能再通过导入修改（仅“已提交”“已退回修改”的需求可以修改）") in (
        errors_of(refused))
    rows = need_rows(w)
    rows[1][UNIT] = "滨江材料研究院"  # a partner's change is refused too, on its own row
    refused = preview_import(KIND, write_csv(tmp_path / "p.csv", HEAD, rows), user=w["province"])
    assert {(r, f) for r, f, _ in errors_of(refused)} == {(3, "需求名称")}
    need.refresh_from_db()
    assert need.budget == 8_000_000 and need.partners.get(rank=2).name == w["lab"].name


def test_call_no_longer_collecting_refuses_new_and_changed(tmp_path, w):
    path = write_csv(tmp_path / "n.csv", HEAD, need_rows(w))
    commit_import(KIND, path, user=w["province"])
    ResearchCall.objects.filter(pk=w["call"].pk).update(state=calls.REVIEWING)
    assert commit_import(KIND, path, user=w["province"]).result.counts["unchanged"] == 3
    late = commit_import(KIND, write_csv(tmp_path / "o.csv", HEAD, other_rows(w)), user=w["province"])
    assert not late.committed
    assert errors_of(late) == {(2, "征集名称", "征集当前为“评审中”，不再接受申报或修改")}
    changed = preview_import(KIND, write_csv(tmp_path / "c.csv", HEAD, need_rows(w, months="24")), user=w["province"])
    assert (2, "征集名称", "征集当前为“评审中”，不再接受申报或修改") in errors_of(changed)
    assert ResearchNeed.objects.count() == 1 and ResearchNeed.objects.get().months == 36


def test_county_imports_only_needs_of_its_stored_enterprises(tmp_path, w):
    # the county of 西湖区 (330106): the need of a 鄞州 (330212) enterprise is refused, judged on the register
    path = write_csv(tmp_path / "n.csv", HEAD, rows_for(w))
    result = preview_import(KIND, path, user=w["county"]).result
    assert {(e.row, e.field) for e in result.errors} == {(5, "牵头企业统一社会信用代码")}
    assert "不在您的管辖范围内" in result.errors[0].reason_zh
    assert not commit_import(KIND, path, user=w["county"]).committed and not ResearchNeed.objects.exists()
    own = write_csv(tmp_path / "own.csv", HEAD, need_rows(w))
    assert commit_import(KIND, own, user=w["county"]).committed
    assert ResearchNeed.objects.get().division_id == "330106"
    # the enterprise is now registered in Ningbo: the stored enterprise decides, whatever the file says
    w["a"].division_id = "330212"
    w["a"].save()
    again = preview_import(KIND, write_csv(tmp_path / "own2.csv", HEAD, need_rows(w, months="24")), user=w["county"])
    assert {e.field for e in again.result.errors} == {"牵头企业统一社会信用代码"}
    # an enterprise user does not import (it submits on the call's page)
    assert not commit_import(KIND, own, user=w["owner"]).committed


def test_upload_preview_and_commit_through_the_pages(client, tmp_path, w):
    client.force_login(w["county"])
    with open(write_xlsx(tmp_path / "n.xlsx", HEAD, need_rows(w)), "rb") as fh:
        page = client.post("/imports/preview/", {"kind": KIND, "file": fh})
    assert page.context["counts"]["new"] == 3 and not ResearchNeed.objects.exists()
    client.post("/imports/commit/", {"token": page.context["token"]})
    need = ResearchNeed.objects.get()
    assert need.state == calls.SUBMITTED and need.partners.count() == 2 and need.submitted_by == w["county"]


def test_a_withdrawn_need_gives_way_to_its_resubmission(tmp_path, w):
    commit_import(KIND, write_csv(tmp_path / "n.csv", HEAD, need_rows(w)), user=w["province"])
    first = ResearchNeed.objects.get()
    research.act(w["owner"], first.pk, "withdraw", dt.date(2025, 3, 11))
    again = research.submit_need(w["owner"], w["call"], w["a"], {
        "title": first.title, "field": "新材料", "problem": "夹杂物尺寸与数量控制", "targets": "氧含量≤5ppm",
        "budget": 6_000_000, "self_funded": 1_000_000, "months": 24}, [], dt.date(2025, 3, 20))
    out = tmp_path / "out.csv"
    assert export_kind(KIND, None, "csv", out) == 1  # the resubmission, not the withdrawn need
    assert commit_import(KIND, out, user=w["province"]).result.counts["unchanged"] == 1
    fixed = commit_import(KIND, write_csv(tmp_path / "f.csv", HEAD, need_rows(w)), user=w["province"])
    assert fixed.committed and fixed.result.counts["changed"] == 3
    again.refresh_from_db()
    first.refresh_from_db()
    assert (again.budget, again.months, again.partners.count()) == (8_000_000, 36, 2)
    assert (first.state, first.budget) == (calls.WITHDRAWN, 8_000_000)


def test_no_call_opened_yet(tmp_path, world):
    errors = errors_of(preview_import(KIND, write_csv(tmp_path / "n.csv", HEAD, need_rows(world)), user=world["province"]))
    assert {(r, f, why) for r, f, why in errors} == {(r, "征集名称", f"2025年没有名为“{CALL}”的需求征集") for r in (2, 3, 4)}
