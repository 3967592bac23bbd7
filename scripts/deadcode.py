"""Dead-code check run by `make lint`: vulture, configured by [tool.vulture] in pyproject.toml.

vulture cannot see a Django model field or a django-ninja schema field being read: the ORM, the
templates, forms and serialisers reach them by name (``filter(published_at=...)``, ``{{ obj.goal }}``).
This script asks Django for every model field and every ninja ``Schema`` field and drops vulture's
findings with those names; everything else it reports is either dead (delete it) or used only from
outside Python (add it to scripts/vulture_whitelist.py with a comment saying who uses it).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def field_names() -> set[str]:
    """Names of all model fields (and their ``_id`` attributes) and of all ninja schema fields."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from ninja import Schema

    names: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            names.add(field.name)
            if getattr(field, "attname", None):
                names.add(field.attname)
    import xinzhi

    for info in pkgutil.walk_packages(xinzhi.__path__, "xinzhi."):
        if info.name.rsplit(".", 1)[-1] in ("api", "schemas", "schema"):
            importlib.import_module(info.name)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    for schema in walk(Schema):
        if schema.__module__.startswith("xinzhi."):
            names.update(schema.model_fields)
    return names


def main() -> int:
    from vulture import core

    with open(ROOT / "pyproject.toml", "rb") as toml:
        config = tomllib.load(toml)["tool"]["vulture"]
    finder = core.Vulture(ignore_names=config["ignore_names"], ignore_decorators=config["ignore_decorators"])
    finder.scavenge([str(ROOT / path) for path in config["paths"]], exclude=config["exclude"])
    fields = field_names()
    found = [
        item
        for item in finder.get_unused_code(min_confidence=config["min_confidence"])
        if not (item.typ in ("variable", "attribute", "property") and item.name in fields)
    ]
    for item in found:
        print(item.get_report())
    if found:
        print(f"{len(found)} unused names: delete them, or whitelist them in scripts/vulture_whitelist.py", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
