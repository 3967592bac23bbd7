"""Cron expressions (``minute hour day-of-month month day-of-week``) for the schedule kept as data —
pure: no Django. Fields take ``*``, numbers, lists ``1,15``, ranges ``1-5`` and steps ``*/15``/``1-31/2``;
day of week 0–6 with 0 (or 7) Sunday. As in cron, when both day fields are restricted a day matching
either runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
NAMES = ("分钟", "小时", "日", "月", "星期")


class CronError(ValueError):
    """A Chinese sentence naming the field that is wrong."""


def _field(text: str, index: int) -> frozenset[int]:
    low, high = RANGES[index]
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise CronError(f"“{NAMES[index]}”的步长“{step_text}”不是正整数")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            if not (a.isdigit() and b.isdigit()):
                raise CronError(f"“{NAMES[index]}”的范围“{part}”不是数字")
            start, end = int(a), int(b)
        elif part.isdigit():
            start = end = int(part)
            if step > 1:
                end = high
        else:
            raise CronError(f"“{NAMES[index]}”的取值“{part}”无法识别")
        if not (low <= start <= end <= high):
            raise CronError(f"“{NAMES[index]}”的取值“{part}”超出范围 {low}–{high}")
        values.update(range(start, end + 1, step))
    if index == 4 and 7 in values:
        values.discard(7)
        values.add(0)
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return dom or dow
        return dom and dow

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute strictly after ``moment`` (in ``moment``'s time zone, naive or aware)."""
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self.day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day = day + timedelta(days=1)
        raise CronError("五年内没有符合该表达式的时间")


def parse(expression: str) -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise CronError("时间表须为5项（分 时 日 月 星期），以空格分隔，如“0 8 * * *”")
    fields = [_field(p, i) for i, p in enumerate(parts)]
    return Cron(*fields, days_restricted=parts[2] != "*", weekdays_restricted=parts[4] != "*")
