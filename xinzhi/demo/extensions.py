"""Apps add their own demo data: a ``demo_data`` module in the app with ``load(scale, seed, log)`` returning
counts by name, and ``clear()`` (called, in reverse order, before ``--force`` deletes the register)."""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps


def demo_extensions() -> list:
    """Apps add their own demo data in a ``demo_data`` module with ``load(scale, seed, log)`` and
    ``clear()`` (called, in reverse order, before ``--force`` deletes the register)."""
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo_data"
        if config.name.startswith("xinzhi.") and importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules
