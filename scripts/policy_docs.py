"""Print the generated tables of docs/policy-rules.md (parameters) and docs/report-once-package.md (fields).

    .venv/bin/python scripts/policy_docs.py parameters   # the "Parameters" table and the unverified list
    .venv/bin/python scripts/policy_docs.py package      # the "Fields" table

Both docs are checked by ``xinzhi/policy/tests/test_params_package_cli.py`` (every parameter, every field).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinzhi.policy.explain import value_text  # noqa: E402
from xinzhi.policy.package import field_table  # noqa: E402
from xinzhi.policy.params import load_parameters  # noqa: E402


def parameters() -> str:
    lines = ["| parameter | meaning | values (from – to: value — citation; ⚠ = unverified) |", "|---|---|---|"]
    unverified = []
    for p in load_parameters():
        values = []
        for v in p.values:
            period = f"{v.start.isoformat()} – {v.end.isoformat() if v.end else ''}"
            values.append(f"{period}: {value_text(p.unit, v.value)}{' ⚠' if v.unverified else ''} — {v.reference}")
        if p.unverified:
            unverified.append(f"- `{p.name}` — {next(v.note for v in p.values if v.unverified)}")
        lines.append(f"| `{p.name}` | {p.description} | {'<br>'.join(values)} |")
    return "\n".join(lines) + "\n\n## Unverified parameters\n\n" + "\n".join(unverified)


def package() -> str:
    lines = ["| field | 中文 | type | unit | notes |", "|---|---|---|---|---|"]
    lines += [f"| `{path}` | {label} | {kind} | {unit} | {notes} |" for path, label, kind, unit, notes in field_table()]
    return "\n".join(lines)


if __name__ == "__main__":
    print({"parameters": parameters, "package": package}[sys.argv[1]]())
