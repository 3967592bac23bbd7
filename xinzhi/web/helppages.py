"""The help pages: one Markdown file per role in ``web/help/`` (Chinese), rendered safely, and the annual
package field guide built from the package's own field metadata.

City and county staff share ``local.md``: a part between the lines ``<!-- city -->`` and ``<!-- end -->``
is shown to city staff only, one between ``<!-- county -->`` and ``<!-- end -->`` to county staff only.
Raw HTML in the Markdown is escaped (markdown-it with ``html`` off); links with a ``javascript:`` target
are not rendered as links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

from xinzhi.accounts.models import Role

HELP_DIR = Path(__file__).resolve().parent / "help"

#: URL slug → (role, Markdown file)
PAGES: dict[str, tuple[str, str]] = {
    "province": (Role.PROVINCE_STAFF.value, "province.md"),
    "city": (Role.CITY_STAFF.value, "local.md"),
    "county": (Role.COUNTY_STAFF.value, "local.md"),
    "leader": (Role.LEADER.value, "leader.md"),
    "enterprise": (Role.ENTERPRISE.value, "enterprise.md"),
    "expert": (Role.EXPERT.value, "expert.md"),
}
SLUG_OF_ROLE = {role: slug for slug, (role, _) in PAGES.items()}
_PART = re.compile(r"^<!-- (city|county) -->\n(.*?)^<!-- end -->\n", re.S | re.M)


@dataclass(frozen=True)
class HelpPage:
    slug: str
    role: str
    role_label: str
    title: str
    html: str


def _markdown() -> MarkdownIt:
    return MarkdownIt("js-default")  # html off: raw HTML is escaped, not passed through


def select_parts(text: str, slug: str) -> str:
    """Keep the parts marked for ``slug`` (city/county), drop those marked for the other."""
    return _PART.sub(lambda m: m.group(2) if m.group(1) == slug else "", text)


@lru_cache(maxsize=16)
def render(slug: str) -> HelpPage:
    """The help page of the role with URL slug ``slug`` (``KeyError`` for an unknown one)."""
    role, filename = PAGES[slug]
    text = select_parts((HELP_DIR / filename).read_text(encoding="utf-8"), slug)
    title = text.splitlines()[0].lstrip("# ").strip()
    body = text.split("\n", 1)[1] if "\n" in text else ""
    return HelpPage(slug, role, str(Role(role).label), title, _markdown().render(body))


def render_markdown_file(filename: str) -> str:
    return _markdown().render((HELP_DIR / filename).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the package field guide

_CODE_LIST = re.compile(r"[；;]?\s*取值：.*$")
_CODE_PAIR = re.compile(r"[a-z_]+=[^，,；;]*[，,；;]?")


def plain_doc(doc: str, choices: dict[str, str] | None) -> str:
    """A field's note without internal codes: ``audit=查账征收`` lists become the Chinese choices."""
    text = _CODE_LIST.sub("", doc)
    if choices and _CODE_PAIR.search(text):
        text = _CODE_PAIR.sub("", text).strip("，,；; ")
    text = text.replace("false 且", "填“否”且").replace("true", "“是”").replace("false", "“否”")
    if choices and set(choices.values()) != {"是", "否"}:
        listed = "可选：" + "、".join(choices.values())
        text = f"{text}；{listed}" if text else listed
    return text.strip()


_TYPE_WORDS = {"数组<整数>": "年份（可填多个）", "布尔": "是否", "字符串": "文字"}


def field_guide_sections(sections, table) -> list[dict]:
    """The form's sections (``packages.form_sections()``) with each field's type, unit, whether it may be
    left empty (from ``policy.package.field_table()``) and its note in plain Chinese."""
    kinds = {path: kind for path, _label, kind, _unit, _notes in table}
    out = []
    for key, title, fields in sections:
        rows = []
        for f in fields:
            kind = kinds.get(f.path, "")
            rows.append({"path": f.path, "label": f.label, "type": _TYPE_WORDS.get(base := kind.replace("（选填）", ""), base),
                         "unit": "是/否" if f.kind == "bool" else f.unit, "optional": "选填" in kind,
                         "doc": plain_doc(f.doc, f.choices)})
        out.append({"key": key, "title": title, "fields": rows})
    return out
