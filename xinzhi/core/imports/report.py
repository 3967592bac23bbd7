"""The preview as text (CLI); a web view renders the same ``ImportOutcome`` its own way."""

from __future__ import annotations

from .engine import ImportOutcome


def format_outcome(outcome: ImportOutcome, max_issues: int = 200) -> str:
    result = outcome.result
    c = result.counts
    if outcome.failed:
        state = "导入失败，未写入任何数据"
    elif outcome.committed:
        state = "已导入"
    elif not result.ok:
        state = "有错误，未导入"
    elif outcome.batch.status == "unconfirmed":
        state = "需核实，未导入（核对无误后加 --confirm “核实说明” 导入）"
    elif result.needs_confirmation:
        state = "预览（有需核实的行；未写入，核对无误后加 --commit --confirm “核实说明” 导入）"
    else:
        state = "预览（未写入，加 --commit 导入）"
    lines = [
        f"{result.kind.label_zh}：{outcome.file_name}  —  {state}",
        f"共 {c['rows']} 行：新增 {c['new']}，变更 {c['changed']}，未变 {c['unchanged']}；"
        f"错误 {c['errors']}，需核实 {c['flagged_rows']} 行，警告 {c['warnings']}"
        + ("（新增/变更/未变只计无错误的行）" if c["errors"] else ""),
    ]
    if result.units:
        lines.append("计量单位：" + "；".join(f"{h} → {u}" for h, u in result.units.items()) + "（已换算为元）")
    for title, issues in (("错误（强制性审核）", result.errors), ("需核实（核实性审核）", result.flags),
                          ("警告", result.warnings)):
        if not issues:
            continue
        lines.append(f"{title}：")
        lines.extend(f"  {issue}" for issue in issues[:max_issues])
        if len(issues) > max_issues:
            lines.append(f"  ……另有 {len(issues) - max_issues} 条")
    if outcome.committed and outcome.batch.confirmation:
        lines.append("核实说明：" + outcome.batch.confirmation.replace("\n", "；"))
    lines.extend(str(f) for f in outcome.follow_ups)
    if outcome.batch.pk:
        lines.append(f"导入记录编号 {outcome.batch.pk}")
    return "\n".join(lines)
