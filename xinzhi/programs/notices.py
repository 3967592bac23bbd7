"""Who is told when a programme moves (站内通知, and by mail where the user chose it; kind 出题与项目办理):
the enterprise whose problem or research need a bureau acted on — with the reason when it is returned or
refused, since the next step is then the enterprise's — an enterprise whose product applied to an
application scenario moves (对接, 试用, 落地, 未采用), a solver invited to a confidential problem (定向对接),
and the enterprise that posed a problem when a solver answers it. Sent inside the step's transaction, so a
refused step tells nobody."""

from __future__ import annotations

from xinzhi.accounts.models import User
from xinzhi.notifications.services import notify

from . import calls, loop, scenarios
from .models import Problem, ResearchNeed, ScenarioMatch, Solver

KIND = "programme"
#: closed-loop steps taken by a bureau that the posing enterprise is told of
STAFF_LOOP_STEPS = ("return", "vet", "publish", "route")


def _users_of(enterprise_ids) -> list[int]:
    return list(User.objects.filter(role="enterprise", enterprise_id__in=list(enterprise_ids), is_active=True)
                .values_list("pk", flat=True))


def _with_reason(text: str, note: str) -> str:
    return f"{text}。理由：{note.strip()}" if note.strip() else f"{text}。"


def problem_stepped(problem: Problem, action: str, note: str = "", invited: list[int] | None = None) -> None:
    """After a closed-loop step on ``problem``: tell the enterprise of a bureau's step or of a new proposal,
    and the invited solvers of a 定向对接."""
    url = f"/programs/problems/{problem.pk}/"
    label = loop.STEPS[action].label
    if action in STAFF_LOOP_STEPS:
        body = ("请修改后重新提交。" if action == "return" else "可在难题页面查看办理记录和下一步。")
        notify(_users_of([problem.enterprise_id]), KIND, f"企业技术难题“{problem.title}”：{label}",
               _with_reason(f"经信部门已办理“{label}”", note) + body, url)
    if action == "route" and invited:
        solvers = Solver.objects.filter(pk__in=invited, enterprise__isnull=False).values_list("enterprise_id", flat=True)
        notify(_users_of(solvers), KIND, f"定向对接邀请：{problem.title}",
               "经信部门邀请贵单位为该企业技术难题提供解题方案，请在难题页面查看要求并提交方案。", url)
    if action == "propose":
        notify(_users_of([problem.enterprise_id]), KIND, f"企业技术难题“{problem.title}”收到新的解题方案",
               "请在难题页面比较方案，与经信部门共同选定并签约。", url)


def need_stepped(need: ResearchNeed, action: str, note: str = "") -> None:
    """After a bureau's step on a research need (county or city vetting, the project): tell the lead enterprise."""
    step = calls.STEPS.get(action)
    if step is None or step.actor == calls.OWNER:
        return
    follow = "请修改后重新提交。" if step.target == calls.RETURNED else ""
    notify(_users_of([need.enterprise_id]), KIND, f"科技攻关需求“{need.title}”：{step.label}",
           _with_reason(f"{calls.ACTOR_LABELS[step.actor]}已办理“{step.label}”", note) + follow,
           f"/programs/needs/{need.pk}/")


def match_stepped(match: ScenarioMatch, action: str, note: str = "") -> None:
    """After a bureau records a product's progress in an application scenario: tell the applying enterprise."""
    label = scenarios.MATCH_STEPS[action].label
    notify(_users_of([match.enterprise_id]), KIND, f"应用场景“{match.scenario.name}”：{match.product_name}{label}",
           _with_reason(f"场景所在地经信部门已办理“{label}”", note), f"/programs/scenarios/{match.scenario_id}/")
