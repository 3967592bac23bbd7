"""Import kind ``scenario-applications`` (应用场景对接记录): the products applied to a scenario and their
progress, through the import framework (template, preview, atomic commit, per-row Chinese errors, idempotent
re-import, export for the round trip).

* One row per product applied (场景对接). The scenario is named by **县代码 + 场景名称 + 开放日期** (the key of
  ``application-scenarios``) and must be registered; the enterprise by its USCC, else its exact name (a warning
  to review), and must be in the register. The natural key of a row is **scenario + enterprise + 产品（技术）名称**
  (the page refuses the same product twice on one scenario).
* The progress is read from the dates a row gives — a date given is a step taken — and replayed through the
  services' rule of each step (:func:`xinzhi.programs.scenarios.replay` → ``decide_match``): 已报名 → 对接中
  (对接日期) → 试用中 (试用日期) → 已落地 (落地日期); 未采用 (未采用日期, with its reason in 说明) from any open
  state. So a row can not skip a step (试用日期 without 对接日期 is refused, as the page refuses 进入试用 before
  对接), can not decline a landed match, and its 状态 must be the state its dates reach. Each date is not
  earlier than the one before it (报名日期 not before the scenario's 开放日期), none in the future.
* A new row is an application: only while the scenario is 征集中 and its 报名日期 is on or before the
  征集截止日期 (the page's rule, :func:`~xinzhi.programs.scenarios.may_apply`). It gets its 报名应用 step and one
  step per date it gives (办理记录, note 导入; a decline's note is its reason).
* A stored row may only move **forward**: the file must repeat the steps already recorded with their dates
  (报名日期 included) and may add later ones, replayed from the stored state (on a closed scenario nothing moves:
  “场景已关闭，不能再办理对接”). A file that goes back (a 试用中 match given as 对接中) or rewrites a recorded
  date is an error naming the stored state or date. A changed row is updated with an audit entry (before/after)
  and its new steps are logged; an unchanged row writes nothing. The scenario's own state (已对接, 已落地) is
  never imported: staff confirm it on the page, as before.
* Scope: the rows live in the scenario's county (part of the key), so a user imports only for scenarios of its
  region — the staff who record the matches' progress on the page (``programs.scenario.manage``). The enterprise
  may be registered anywhere (enterprises of the whole province apply to a published scenario). Who may import
  at all is the framework's ``imports.run``. An import tells nobody (no inbox notice, like the other imports).
"""

from __future__ import annotations

import polars as pl
from django.utils import timezone

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.matching import match_enterprises

from . import scenarios
from .imports import ENTERPRISE_NAME, USCC, _optional
from .models import Scenario, ScenarioMatch, ScenarioStep

KEY = ["scenario_id", "enterprise_id", "product_name"]
DATES = [field for _, field in scenarios.MATCH_PATH]
VALUES = ["state", *DATES, "note"]
HEADERS = {"applied_on": "报名日期", "talking_on": "对接日期", "trial_on": "试用日期", "landed_on": "落地日期",
           "declined_on": "未采用日期"}
#: the state a match is in before each step (a decline: the last state its earlier dates reach)
TARGET = {"talk": scenarios.TALKING, "trial": scenarios.TRIAL, "land": scenarios.DONE, "decline": scenarios.DECLINED}
MATCH_DTYPES = {"id": pl.Int64, "scenario_id": pl.Int64, "enterprise_id": pl.Int64, "product_name": pl.String,
                "state": pl.String, "applied_on": pl.Date, "note": pl.String, **{d: pl.Date for d in DATES}}


def _actions(prefix: str = "") -> pl.Expr:
    """The steps a row's (or the stored match's) dates say were taken, in order, as text ``talk,trial``."""
    return pl.concat_str([pl.when(pl.col(prefix + field).is_not_null()).then(pl.lit(action))
                          for action, field in scenarios.MATCH_PATH], separator=",", ignore_nulls=True)


def _judge(file_actions: str, stored_actions: str | None, stored_state: str | None, scenario_state: str,
           note: str) -> tuple[str | None, str, str]:
    """One combination of a row's path and its stored match: (the state the row's dates reach, the column at
    fault, the Chinese reason) — the reason empty when the row may be written. Pure; run once per distinct
    combination, not per row."""
    path = [a for a in file_actions.split(",") if a]
    reached, action, why = scenarios.replay(path, reason=note)
    if reached is None:
        column = "说明" if why.endswith("须说明理由") else HEADERS[dict(scenarios.MATCH_PATH)[action]]
        return None, column, "所填日期不符合对接流程（已报名 → 对接中 → 试用中 → 已落地，或中途未采用）：" + why
    if stored_state is None:
        return reached, "", ""
    done = [a for a in (stored_actions or "").split(",") if a]
    label = scenarios.MATCH_LABELS
    if path[:len(done)] != done:
        if done[:len(path)] == path:
            return reached, "状态", f"该对接已为“{label[stored_state]}”，导入不能退回“{label[reached]}”"
        return reached, "状态", f"该对接已为“{label[stored_state]}”，与所填进展不符，导入不能改变已办理的步骤"
    _, action, why = scenarios.replay(path[len(done):], start=stored_state, scenario_state=scenario_state, reason=note)
    return reached, ("状态" if action else ""), why


class ScenarioApplicationsKind(ImportKind):
    name = "scenario-applications"
    label_zh = "应用场景对接记录"
    file_key = ("county", "scenario_name", "opened_on", "uscc", "enterprise_name", "product_name")
    record_region = RecordRegion(key=("county", "scenario_name", "opened_on"), sql=None,
                                 file_column="county", model="programs.ScenarioMatch", noun="场景对接记录")
    instructions_zh = ("每行一个报名应用场景的产品（技术）及其对接进展：县代码、场景名称、开放日期确定场景（须已登记），企业和产品（技术）"
                       "名称确定报名记录。进展按所填日期确定：填写对接日期为已开始对接，填写试用日期为已进入试用，填写落地日期为"
                       "已落地，填写未采用日期为未采用（须在说明中写明理由）；不能跳过步骤，日期依次不早于上一步，状态须与所填"
                       "日期一致。新报名仅限征集中且报名日期不晚于征集截止日期的场景。再次导入只能推进进展：已登记的步骤及其日期须"
                       "照填，不能退回或改写；已关闭场景的对接不能再推进。只能导入本地区县的场景的对接记录。")
    columns = (
        Column("county", "县代码", ColumnType.DIVISION, help_zh="场景所在县（市、区）的6位代码", example="330402"),
        Column("scenario_name", "场景名称", max_length=200, example="智慧病房护理机器人应用场景"),
        Column("opened_on", "开放日期", ColumnType.DATE, help_zh="场景的开放日期", example="2025-06-01"),
        USCC, ENTERPRISE_NAME,
        Column("product_name", "产品（技术）名称", max_length=200, example="病区配送机器人"),
        Column("state", "状态", ColumnType.CHOICE, choices=scenarios.MATCH_LABELS, example="试用中"),
        Column("applied_on", "报名日期", ColumnType.DATE, example="2025-06-20"),
        Column("talking_on", "对接日期", ColumnType.DATE, required=False, example="2025-07-05"),
        Column("trial_on", "试用日期", ColumnType.DATE, required=False, example="2025-08-01"),
        Column("landed_on", "落地日期", ColumnType.DATE, required=False, example=""),
        Column("declined_on", "未采用日期", ColumnType.DATE, required=False, example=""),
        Column("note", "说明", required=False, max_length=500, help_zh="未采用的须写明理由", example=""),
    )

    # -- checks ---------------------------------------------------------------------------------
    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame = _optional(frame, {"uscc": pl.String, "note": pl.String, **{d: pl.Date for d in DATES}})
        frame = frame.with_columns(pl.col("note").fill_null(""))
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称",
                                          unmatched="error")
        frame = self._scenarios(frame, issues)
        frame = self._stored(frame)
        issues += self._dates(frame)
        frame, judged = self._rules(frame)
        issues += judged
        return frame, issues

    def _scenarios(self, frame: pl.DataFrame, issues: list) -> pl.DataFrame:
        stored = cast_columns(read_frame(
            f"SELECT id AS scenario_id, division_code AS county, name AS scenario_name, opened_on, state AS scenario_state, "
            f"deadline FROM {Scenario._meta.db_table}"),
            {"scenario_id": pl.Int64, "county": pl.String, "scenario_name": pl.String, "opened_on": pl.Date,
             "scenario_state": pl.String, "deadline": pl.Date})
        frame = frame.join(stored, on=["county", "scenario_name", "opened_on"], how="left")
        issues.append(issues_where(
            frame, pl.col("scenario_id").is_null() & pl.col("scenario_name").is_not_null(), "场景名称",
            pl.format("县代码{}下没有{}开放的场景“{}”（先登记或导入该场景）", pl.col("county"),
                      pl.col("opened_on").dt.strftime("%Y-%m-%d"), pl.col("scenario_name"))))
        return frame

    def _stored(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Each row with its stored match (``_id`` and the stored values prefixed ``_s_``)."""
        stored = self._matches().rename(lambda c: c if c in KEY else "_s_" + c)
        return frame.with_columns(pl.col("enterprise_id").cast(pl.Int64)).join(stored, on=KEY, how="left")

    @staticmethod
    def _matches() -> pl.DataFrame:
        return cast_columns(read_frame(
            f"SELECT id, scenario_id, enterprise_id, product_name, state, applied_on, note, {', '.join(DATES)} "
            f"FROM {ScenarioMatch._meta.db_table}"), MATCH_DTYPES)

    def _dates(self, frame: pl.DataFrame) -> list[pl.DataFrame]:
        today = timezone.localdate()
        out = [issues_where(frame, pl.col("applied_on") < pl.col("opened_on"), "报名日期",
                            pl.format("报名日期不能早于场景的开放日期（{}）", pl.col("opened_on").dt.strftime("%Y-%m-%d")))]
        chain = ["applied_on", *DATES[:3]]
        for i, field in enumerate(DATES):
            before = chain[:i + 1] if field != "declined_on" else chain
            prev = pl.max_horizontal([pl.col(c) for c in before])
            out.append(issues_where(frame, pl.col(field) < prev, HEADERS[field],
                                    pl.format(f"{HEADERS[field]}不能早于上一步的日期（{{}}）", prev.dt.strftime("%Y-%m-%d"))))
        for field in ["applied_on", *DATES]:
            out.append(issues_where(frame, pl.col(field) > pl.lit(today), HEADERS[field], f"{HEADERS[field]}不能晚于今天"))
        # a stored match: its recorded dates are repeated as recorded
        for field in ["applied_on", *DATES]:
            stored = pl.col("_s_" + field)
            out.append(issues_where(frame, stored.is_not_null() & pl.col(field).ne_missing(stored), HEADERS[field], pl.format(
                f"已登记的{HEADERS[field]}为{{}}，导入不能修改或删除已办理步骤的日期", stored.dt.strftime("%Y-%m-%d"))))
        return out

    def _rules(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        """The services' rules on each distinct combination of path, stored state and scenario state."""
        on = ["_path", "_done", "_s_state", "scenario_state", "_reason"]
        frame = frame.with_columns(_actions().alias("_path"), _actions("_s_").alias("_done"),
                                   pl.when(pl.col("note").str.strip_chars() != "").then(pl.lit("有")).otherwise(pl.lit(""))
                                   .alias("_reason"))
        combos = frame.filter(pl.col("scenario_id").is_not_null()).select(on).unique()
        judged = [(*row, *_judge(*row)) for row in combos.iter_rows()]
        verdicts = pl.DataFrame(judged, orient="row", schema={
            "_path": pl.String, "_done": pl.String, "_s_state": pl.String, "scenario_state": pl.String, "_reason": pl.String,
            "_reached": pl.String, "_column": pl.String, "_why": pl.String})
        frame = frame.join(verdicts, on=on, how="left", nulls_equal=True)
        label = pl.col("_reached").replace_strict(scenarios.MATCH_LABELS, default=pl.col("_reached"), return_dtype=pl.String)
        new = pl.col("_s_id").is_null() & pl.col("scenario_id").is_not_null()
        out = []
        for column in ("状态", "说明", *HEADERS.values()):
            out.append(issues_where(frame, (pl.col("_column") == column) & (pl.col("_why") != ""), column, pl.col("_why")))
        out.append(issues_where(frame, pl.col("_reached").is_not_null() & (pl.col("state") != pl.col("_reached")), "状态",
                                pl.format("状态与所填日期不符：按所填日期应为“{}”", label)))
        closed_or_late = [
            (new & (pl.col("scenario_state") != scenarios.OPEN), "场景名称", pl.format(
                "场景当前状态为“{}”，不再征集产品，不能新增报名",
                pl.col("scenario_state").replace_strict(scenarios.LABELS, default=pl.col("scenario_state"),
                                                        return_dtype=pl.String))),
            (new & (pl.col("scenario_state") == scenarios.OPEN) & (pl.col("applied_on") > pl.col("deadline")), "报名日期",
             pl.format("场景征集已于 {} 截止，报名日期不能晚于截止日期", pl.col("deadline").dt.strftime("%Y-%m-%d"))),
        ]
        out += [issues_where(frame, where, column, why) for where, column, why in closed_or_late]
        return frame, out

    # -- diff and write ------------------------------------------------------------------------
    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("scenario_id").is_not_null() & pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("scenario_id").cast(pl.Int64),
            pl.format("{} · {}", pl.col("scenario_name"), pl.col("product_name")).alias("_repr"))
        table = diff_table(ScenarioMatch, rows, self._matches().drop("applied_on"), KEY, VALUES,
                           carry=["applied_on", "_path", "_done", "_repr"])
        return KindDiff({"match": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["match"]
        actor_id = getattr(actor, "pk", None)
        insert_rows(ScenarioMatch, table.new.with_columns(applied_by_id=pl.lit(actor_id, dtype=pl.Int64)), batch.pk)
        update_rows(ScenarioMatch, table, batch.pk, actor, repr_column="_repr", batch_note={"import_batch": batch.pk})
        ids = self._matches().select("id", *KEY)
        new = table.new.join(ids, on=KEY, how="left").with_columns(pl.lit("").alias("_done"))
        changed = table.changed.select("id", *KEY, "state", "applied_on", "note", "_path", "_done", *DATES)
        steps = []
        apply = new.select(pl.col("id").alias("match_id"), "scenario_id", pl.lit("apply").alias("action"),
                           pl.lit("").alias("from_state"), pl.lit(scenarios.APPLIED).alias("to_state"),
                           pl.col("applied_on").alias("on"), pl.lit("导入").alias("note"))
        steps.append(apply)
        both = pl.concat([new.select(changed.columns), changed], how="vertical_relaxed")
        previous = pl.lit(scenarios.APPLIED)
        for action, field in scenarios.MATCH_PATH:  # one step per date given that was not recorded before
            taken = pl.col(field).is_not_null() & ~pl.col("_done").str.contains(action)
            note = pl.col("note").str.slice(0, 500) if action == "decline" else pl.lit("导入")
            steps.append(both.filter(taken).select(
                pl.col("id").alias("match_id"), "scenario_id", pl.lit(action).alias("action"),
                previous.alias("from_state"), pl.lit(TARGET[action]).alias("to_state"), pl.col(field).alias("on"),
                note.alias("note")))
            if action != "decline":
                previous = pl.when(pl.col(field).is_not_null()).then(pl.lit(TARGET[action])).otherwise(previous)
        insert_rows(ScenarioStep, pl.concat(steps, how="vertical_relaxed").with_columns(
            actor_id=pl.lit(actor_id, dtype=pl.Int64)), None)

    # -- export --------------------------------------------------------------------------------
    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT s.division_code AS county, s.name AS scenario_name, s.opened_on, e.uscc, e.name AS enterprise_name, "
            f"m.product_name, m.state, m.applied_on, {', '.join('m.' + d for d in DATES)}, m.note "
            f"FROM {ScenarioMatch._meta.db_table} m JOIN {Scenario._meta.db_table} s ON s.id = m.scenario_id "
            f"JOIN enterprises_enterprise e ON e.id = m.enterprise_id "
            f"ORDER BY s.division_code, s.opened_on, s.name, e.uscc, m.product_name")
        return cast_columns(frame, {"opened_on": pl.Date, "applied_on": pl.Date, **{d: pl.Date for d in DATES}})


register(ScenarioApplicationsKind())
