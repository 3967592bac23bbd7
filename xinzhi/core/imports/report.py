"""The preview as text (CLI); a web view renders the same ``ImportOutcome`` its own way."""

from __future__ import annotations

from .engine import ImportOutcome


def format_outcome(outcome: ImportOutcome, max_issues: int = 200) -> str:
    result = outcome.result
    c = result.counts
    if outcome.committed:
        state = "已导入"
    elif result.ok:
        state = "预览（未写入，加 --commit 导入）"
    else:
        state = "有错误，未导入"
    lines = [
        f"{result.kind.label_zh}：{outcome.file_name}  —  {state}",
        f"共 {c['rows']} 行：新增 {c['new']}，变更 {c['changed']}，未变 {c['unchanged']}；"
        f"错误 {c['errors']}，警告 {c['warnings']}" + ("（新增/变更/未变只计无错误的行）" if c["errors"] else ""),
    ]
    if result.units:
        lines.append("计量单位：" + "；".join(f"{h} → {u}" for h, u in result.units.items()) + "（已换算为元）")
    for title, issues in (("错误", result.errors), ("警告", result.warnings)):
        if not issues:
            continue
        lines.append(f"{title}：")
        lines.extend(f"  {issue}" for issue in issues[:max_issues])
        if len(issues) > max_issues:
            lines.append(f"  ……另有 {len(issues) - max_issues} 条{title}")
    lines.append(f"导入记录编号 {outcome.batch.pk}")
    return "\n".join(lines)
