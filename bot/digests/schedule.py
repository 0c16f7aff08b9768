"""Digest schedules: ``daily 08:00``, ``every 6h``, ``weekly mon 09:00``, ``off``.

A :class:`Schedule` is parsed once from what an admin typed and stored by its canonical
:attr:`Schedule.spec`. Times are wall-clock times in the chat's time zone, so a daily digest
stays at 08:00 across DST changes; :meth:`Schedule.next_run` returns an aware UTC datetime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ScheduleError

DEFAULT_TZ = "Asia/Shanghai"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_ALIASES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name: i for i, name in enumerate(("周一", "周二", "周三", "周四", "周五", "周六", "周日"))},
    "周天": 6,
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
_INTERVAL = re.compile(r"^(\d{1,3})\s*(h|m|小时|分钟)$")
MIN_INTERVAL = timedelta(minutes=15)
MAX_INTERVAL = timedelta(days=7)
DAY = timedelta(days=1)
Kind = Literal["off", "daily", "every", "weekly"]


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: Kind
    at: time | None = None
    interval: timedelta | None = None
    weekday: int | None = None  # 0 = Monday

    @property
    def spec(self) -> str:
        if self.kind == "daily":
            return f"daily {self._hhmm()}"
        if self.kind == "weekly":
            assert self.weekday is not None
            return f"weekly {WEEKDAYS[self.weekday]} {self._hhmm()}"
        if self.kind == "every":
            assert self.interval is not None
            minutes = int(self.interval.total_seconds() // 60)
            return f"every {minutes // 60}h" if minutes % 60 == 0 else f"every {minutes}m"
        return "off"

    def _hhmm(self) -> str:
        assert self.at is not None
        return f"{self.at.hour:02d}:{self.at.minute:02d}"

    def next_run(self, after: datetime, tz: str | ZoneInfo = DEFAULT_TZ) -> datetime | None:
        """The first run strictly after ``after`` (aware), in UTC; ``None`` when off."""
        if after.tzinfo is None:
            raise ValueError("after must be timezone-aware")
        zone = tz if isinstance(tz, ZoneInfo) else zone_for(tz)
        if self.kind == "off":
            return None
        if self.kind == "every":
            return self._next_interval(after, zone)
        assert self.at is not None
        local = after.astimezone(zone)
        day = local.date()
        for offset in range(9):  # at most a week plus a DST-shifted day ahead
            candidate_day = day + timedelta(days=offset)
            if self.kind == "weekly" and candidate_day.weekday() != self.weekday:
                continue
            candidate = _wall_clock(datetime.combine(candidate_day, self.at), zone)
            if candidate > after:
                return candidate
        raise AssertionError("unreachable: a week always contains the weekday")

    def _next_interval(self, after: datetime, zone: ZoneInfo) -> datetime:
        assert self.interval is not None
        step = self.interval
        if DAY % step == timedelta(0):
            # Intervals that divide a day run at fixed local times (every 6h: 00, 06, 12, 18).
            local = after.astimezone(zone)
            midnight = _wall_clock(datetime.combine(local.date(), time(0)), zone)
            passed = (after - midnight) // step
            candidate = midnight + step * (passed + 1)
            return candidate.astimezone(UTC)
        epoch = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday
        return epoch + step * ((after - epoch) // step + 1)


def _wall_clock(naive: datetime, zone: ZoneInfo) -> datetime:
    """``naive`` local time as aware UTC; a time skipped by DST moves forward (fold=0)."""
    aware = naive.replace(tzinfo=zone).astimezone(UTC)
    return aware


def zone_for(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown time zone {name!r} (e.g. Asia/Shanghai)") from exc


HELP = "daily 08:00 | every 6h | weekly mon 09:00 | off"


def parse_schedule(text: str) -> Schedule:
    words = text.strip().lower().split()
    if words in (["off"], ["关闭"], ["停止"]):
        return Schedule("off")
    if len(words) == 2 and words[0] in ("daily", "每天"):
        return Schedule("daily", at=_parse_time(words[1]))
    if len(words) == 3 and words[0] in ("weekly", "每周"):
        if words[1] not in _WEEKDAY_ALIASES:
            raise ScheduleError(f"unknown weekday {words[1]!r}; use mon…sun")
        return Schedule("weekly", at=_parse_time(words[2]), weekday=_WEEKDAY_ALIASES[words[1]])
    if words and words[0] in ("every", "每"):
        match = _INTERVAL.match("".join(words[1:]))
        if match:
            amount, unit = int(match[1]), match[2]
            interval = (
                timedelta(hours=amount) if unit in ("h", "小时") else timedelta(minutes=amount)
            )
            if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
                raise ScheduleError("interval must be between 15m and 168h")
            return Schedule("every", interval=interval)
    raise ScheduleError(f"not a schedule: {text!r}; use {HELP}")


def _parse_time(word: str) -> time:
    match = _TIME.match(word)
    if not match:
        raise ScheduleError(f"not a time of day: {word!r}; use HH:MM, e.g. 08:00")
    return time(int(match[1]), int(match[2]))
