"""The navigation: each entry declares the capability it needs (as NetBox menu items declare permissions),
so a user is offered exactly what ``accounts.permissions.can`` allows — never a link to a bare 403.

To add a page to the menu: add a :class:`MenuItem` here with its capability from the table in
``xinzhi/accounts/permissions.py``; the template tag ``web_menu`` renders it for the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinzhi.accounts.permissions import can, roles_with


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    capability: str
    #: the entry is hidden from users who have this capability (e.g. the enterprise's own profile link is
    #: not shown to staff, who reach profiles through the register)
    unless: str | None = None
    #: path prefixes under which the entry is marked active, besides its own URL
    active: tuple[str, ...] = ()
    #: URL arguments from the user (the enterprise's own profile)
    args: Callable | None = None
    #: shown only to Django-admin users (``is_staff``) as well
    admin_only: bool = False
    #: the sub-menu (a key of :data:`MENU_GROUPS`) the entry sits in; ``None``: in the bar itself
    group: str | None = None

    def url(self, user) -> str:
        if self.url_name.startswith("/"):
            return self.url_name
        return reverse(self.url_name, args=self.args(user) if self.args else ())

    def visible(self, user) -> bool:
        """Offered when the user may use it and it is meant for the user's role: a superuser's blanket right
        does not put an expert's task list in the province's menu."""
        if self.admin_only and not user.is_staff:
            return False
        if self.unless and _for_role(user, self.unless):
            return False
        return _for_role(user, self.capability)

    def is_active(self, path: str, user) -> bool:
        return path == self.url(user) or any(path.startswith(p) for p in self.active)


def _for_role(user, key: str) -> bool:
    return bool(can(user, key)) and user.role in roles_with(key)


#: the main menu's sub-menus (dropdowns), so the bar fits one line at 1280 px for every role. A group is
#: shown only if one of its entries is visible; a group with one visible entry shows that entry itself.
MENU_GROUPS: dict[str, str] = {
    "platforms": _("平台与评价"),
    "projects": _("项目与培育"),
    "work": _("工作管理"),
}

MAIN_MENU: tuple[MenuItem, ...] = (
    MenuItem(_("驾驶舱"), "monitoring:cockpit", "monitoring.view",
             active=("/monitoring/indicators/", "/monitoring/targets/")),
    MenuItem(_("专题地图"), "monitoring:map", "monitoring.view", active=("/monitoring/map/",)),
    MenuItem(_("企业库"), "enterprises:list", "register.view", active=("/enterprises/",)),
    MenuItem(_("企业培育"), "cultivation:unclaimed", "cultivation.view", active=("/cultivation/",)),
    MenuItem(_("研发机构与平台"), "platforms:register", "platforms.overview", active=("/platforms/",),
             group="platforms"),
    MenuItem(_("认定与评价"), "evaluation:rounds", "evaluation.round.view",
             active=("/evaluation/rounds/", "/evaluation/submissions/"), group="platforms"),
    MenuItem(_("研发机构申报"), "evaluation:calls", "evaluation.calls", group="platforms"),
    MenuItem(_("我的评审任务"), "evaluation:my_assignments", "evaluation.review", active=("/evaluation/my/",),
             group="platforms"),
    MenuItem(_("本企业画像"), "enterprises:detail", "enterprise.profile.view", unless="register.view",
             args=lambda user: (user.enterprise_id,), active=("/enterprises/",)),
    MenuItem(_("年度数据包"), "cultivation:package_latest", "cultivation.package.edit", unless="register.view",
             args=lambda user: (user.enterprise_id,), active=("/cultivation/package/",)),
    MenuItem(_("投资项目"), "investment:list", "investment.view", active=("/investment/",), group="projects"),
    MenuItem(_("独角兽培育"), "unicorns:list", "unicorns.view", active=("/unicorns/",), group="projects"),
    MenuItem(_("企业出题与创新项目"), "programs:problems", "programs.view", active=("/programs/",),
             group="projects"),
    MenuItem(_("科技攻关需求征集"), "programs:calls", "programs.view", active=("/programs/calls/", "/programs/needs/"),
             group="projects"),
    MenuItem(_("应用场景"), "programs:scenarios", "programs.view", active=("/programs/scenarios/",), group="projects"),
    MenuItem(_("简报与报告"), "monitoring:reports", "monitoring.view", active=("/monitoring/reports/",),
             group="work"),
    MenuItem(_("工作督办"), "supervision:ledger", "supervision.view", active=("/supervision/",), group="work"),
    MenuItem(_("数据导入"), "imports:home", "imports.run", active=("/imports/",), group="work"),
    MenuItem(_("数据接口"), "/api/v1/docs", "api.tokens", active=("/api/",), group="work"),
    MenuItem(_("系统管理"), "admin:index", "admin.site", admin_only=True, active=("/admin/",), group="work"),
)

CULTIVATION_MENU: tuple[MenuItem, ...] = (
    MenuItem(_("应享尽享名单"), "cultivation:unclaimed", "cultivation.view"),
    MenuItem(_("培育库"), "cultivation:pool", "cultivation.view"),
    MenuItem(_("先进制造业企业名单"), "cultivation:am_list", "cultivation.view"),
    MenuItem(_("实地核查抽样"), "cultivation:sampling", "cultivation.sampling.view"),
    MenuItem(_("政策参数模拟"), "cultivation:what_if", "cultivation.what_if"),
    MenuItem(_("政策参数"), "cultivation:parameters", "cultivation.view"),
)

PLATFORMS_MENU: tuple[MenuItem, ...] = (
    MenuItem(_("机构与平台名录"), "platforms:register", "platforms.overview"),
    MenuItem(_("覆盖率与目标"), "platforms:coverage", "platforms.overview"),
    MenuItem(_("创新平台网络"), "platforms:network", "platforms.overview"),
    MenuItem(_("培育链路"), "platforms:chain", "platforms.overview"),
    MenuItem(_("国家级称号监测"), "platforms:national", "platforms.overview"),
    MenuItem(_("中试平台方案"), "platforms:pilot_scheme", "platforms.overview"),
    MenuItem(_("认定与评价批次"), "evaluation:rounds", "evaluation.round.view"),
)

#: which second-level menu a path shows (first match wins)
SUB_MENUS: tuple[tuple[tuple[str, ...], tuple[MenuItem, ...]], ...] = (
    (("/cultivation/",), CULTIVATION_MENU),
    (("/platforms/", "/evaluation/rounds/", "/evaluation/submissions/"), PLATFORMS_MENU),
)


def entries(items: tuple[MenuItem, ...], user, path: str) -> list[dict]:
    """The visible entries for ``user`` with their URL and whether the page at ``path`` is theirs."""
    out = []
    for item in items:
        if item.visible(user):
            out.append({"label": item.label, "url": item.url(user), "active": item.is_active(path, user)})
    return out


def grouped(items: tuple[MenuItem, ...], user, path: str) -> list[dict]:
    """The visible entries arranged for the bar: plain entries, and groups (``{"group": label, "entries":
    [...], "active": bool}``) where the page's own group is marked active; in the order of first appearance."""
    out: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        if not item.visible(user):
            continue
        entry = {"label": item.label, "url": item.url(user), "active": item.is_active(path, user)}
        if item.group is None:
            out.append(entry)
        elif item.group in groups:
            groups[item.group]["entries"].append(entry)
        else:
            groups[item.group] = {"group": MENU_GROUPS[item.group], "key": item.group, "entries": [entry]}
            out.append(groups[item.group])
    for i, node in enumerate(out):
        if "group" in node:
            if len(node["entries"]) == 1:
                out[i] = node["entries"][0]  # a group of one is that entry
            else:
                node["active"] = any(e["active"] for e in node["entries"])
    return out


def sub_menu(path: str) -> tuple[MenuItem, ...]:
    for prefixes, items in SUB_MENUS:
        if any(path.startswith(p) for p in prefixes):
            return items
    return ()
