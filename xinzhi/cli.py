"""The ``xinzhi`` command: the platform's management commands under one name.

``xinzhi serve``, ``xinzhi demo``, ``xinzhi import``, ``xinzhi export``, ``xinzhi template``,
``xinzhi load-reference`` and every Django management command (``xinzhi migrate``, …).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"load-reference": "load_reference", "create-demo-users": "create_demo_users"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["xinzhi", *args])


if __name__ == "__main__":
    main()
