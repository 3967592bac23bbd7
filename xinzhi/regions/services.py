"""Loading and querying the division tree."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Division


def divisions_file() -> Path:
    return Path(settings.XINZHI_DATA_DIR) / "zhejiang_divisions.csv"


@transaction.atomic
def load_divisions(path: Path | None = None) -> int:
    """(Re)load divisions from the CSV (``code,name,level,parent_code,type_cn``); idempotent."""
    path = path or divisions_file()
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: ("province", "city", "county").index(r["level"]))
    for row in rows:
        Division.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent_id": row["parent_code"] or None,
                "type_cn": row.get("type_cn", ""),
            },
        )
    return len(rows)


def county_codes() -> list[str]:
    return list(Division.objects.filter(level=Division.Level.COUNTY).values_list("code", flat=True))


def city_of(county_code: str) -> str:
    """The city a county belongs to, derived from the code (never stored twice)."""
    return county_code[:4] + "00"
