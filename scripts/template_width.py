"""Template width check run by `make lint` (and by xinzhi/web/tests/test_template_width.py in CI).

Every line of every Django template under xinzhi/ must be at most MAX_WIDTH characters. Django's
``{% %}``, ``{{ }}`` and ``{# #}`` cannot span lines: break between tags, or between an HTML element's
attributes, instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

MAX_WIDTH = 160
ROOT = Path(__file__).resolve().parent.parent


def long_lines(root: Path = ROOT / "xinzhi", width: int = MAX_WIDTH) -> list[str]:
    """``file:line: N characters`` for every template line longer than ``width``."""
    found = []
    for path in sorted(root.rglob("templates/**/*.html")) + sorted(root.rglob("templates/**/*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if len(line) > width:
                found.append(f"{path.relative_to(root.parent)}:{number}: {len(line)} characters (at most {width})")
    return found


def main() -> int:
    found = long_lines()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} template lines longer than {MAX_WIDTH} characters", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
