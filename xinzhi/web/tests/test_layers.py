"""Dependencies point down (docs/architecture.md, Layers): an app imports only apps of lower layers, so
``core`` knows no domain, the register knows nothing of what is built on it, and ``policy`` stays pure.
Function-local imports count too: hiding an upward import inside a function does not make it right."""

from __future__ import annotations

import ast
from pathlib import Path

XINZHI = Path(__file__).resolve().parents[2]

#: the layers, lowest first; an app may import apps of lower layers only
LAYER = {
    "core": 0,
    "regions": 1, "industries": 1, "reports": 1,
    "accounts": 2,
    "enterprises": 3, "policy": 3, "jobs": 3, "notifications": 3,
    "investment": 4, "cultivation": 4, "evaluation": 4, "unicorns": 4,
    "platforms": 5,
    "programs": 6,
    "monitoring": 7,
    "demo": 8, "supervision": 8,
    "web": 9,
}
#: upward imports still to be removed (this list may only shrink): (importing file, imported app)
KNOWN: set[tuple[str, str]] = set()


def _upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in XINZHI.rglob("*.py"):
        parts = path.relative_to(XINZHI).parts
        if len(parts) < 2 or parts[0] not in LAYER or "tests" in parts or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                target = module.split(".")[1] if module.startswith("xinzhi.") and module.count(".") else None
                if target in LAYER and target != app and LAYER[target] >= LAYER[app]:
                    found.add(("/".join(parts), target))
    return found


def test_dependencies_point_down():
    new = _upward_imports() - KNOWN
    assert not new, "imports that point up or sideways (use a signal or a registered panel instead):\n" + \
        "\n".join(f"{f} imports xinzhi.{t}" for f, t in sorted(new))


def test_known_exceptions_are_still_there():
    """When an upward import is removed, take it off ``KNOWN`` so it cannot come back."""
    gone = KNOWN - _upward_imports()
    assert not gone, f"remove from KNOWN: {sorted(gone)}"


def test_policy_imports_no_django():
    offenders = []
    for path in (XINZHI / "policy").rglob("*.py"):
        parts = path.relative_to(XINZHI / "policy").parts
        if parts[0] in ("tests", "migrations", "management", "api.py", "apps.py", "admin.py", "models.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            offenders += [f"{path.relative_to(XINZHI)}: {m}" for m in modules if m.split(".")[0] == "django"]
    assert not offenders, "\n".join(offenders)
