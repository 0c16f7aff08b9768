from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digests.schedule import Schedule, parse_schedule
from bot.errors import ScheduleError

SHANGHAI = ZoneInfo("Asia/Shanghai")
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
zones = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("daily 08:00", "daily 08:00"),
        ("Daily 8:05", "daily 08:05"),
        ("每天 08：00", "daily 08:00"),
        ("every 6h", "every 6h"),
        ("every 90m", "every 90m"),
        ("weekly mon 09:00", "weekly mon 09:00"),
        ("weekly 周五 18:30", "weekly fri 18:30"),
        ("off", "off"),
    ],
)
def test_parse_canonical(text: str, spec: str) -> None:
    assert parse_schedule(text).spec == spec
    assert parse_schedule(spec) == parse_schedule(text)  # the spec round-trips


@pytest.mark.parametrize(
    "text", ["", "daily", "daily 25:00", "every 5m", "every 0h", "weekly xyz 09:00", "hourly"]
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_daily_in_chat_time_zone() -> None:
    daily = parse_schedule("daily 08:00")
    after = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai: today's has passed
    assert daily.next_run(after) == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert daily.next_run(after, "UTC") == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_weekly_and_every() -> None:
    after = datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI)  # a Saturday
    weekly = parse_schedule("weekly mon 09:00").next_run(after)
    assert weekly == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    every = parse_schedule("every 6h").next_run(after)
    assert every == datetime(2026, 11, 28, 18, 0, tzinfo=SHANGHAI)
    assert Schedule("off").next_run(after) is None


def test_daily_keeps_wall_clock_across_dst() -> None:
    daily = parse_schedule("daily 08:00")
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 28, 9, 0, tzinfo=berlin)  # DST starts on the 29th
    first = daily.next_run(before, "Europe/Berlin")
    assert first is not None and first.astimezone(berlin).hour == 8
    assert first - before == timedelta(hours=22)  # one hour shorter night


@given(moments, zones, st.sampled_from(["daily 08:00", "weekly sun 23:30", "daily 02:30"]))
def test_clock_runs_are_after_within_a_week_and_on_time(
    after: datetime, tz: str, text: str
) -> None:
    schedule = parse_schedule(text)
    nxt = schedule.next_run(after, tz)
    assert nxt is not None and after < nxt <= after + timedelta(days=7, hours=2)
    local = nxt.astimezone(ZoneInfo(tz))
    assert schedule.at is not None
    # Off by at most the DST gap (02:30 does not exist on spring-forward day).
    wanted = datetime.combine(local.date(), schedule.at)
    assert abs(local.replace(tzinfo=None) - wanted) <= timedelta(hours=1)
    if schedule.weekday is not None:
        assert local.weekday() == schedule.weekday or local.time() < time(1)


@given(moments, zones, st.sampled_from(["every 1h", "every 6h", "every 5h", "every 45m"]))
def test_interval_runs_come_within_one_interval(after: datetime, tz: str, text: str) -> None:
    schedule = parse_schedule(text)
    assert schedule.interval is not None
    nxt = schedule.next_run(after, tz)
    assert nxt is not None and after < nxt <= after + schedule.interval
    again = schedule.next_run(nxt, tz)
    assert again is not None and again > nxt  # a chain of runs always advances
