"""LessonSession facts the app used to be the only one to check (pilot before).

The cursor's first place, the processes by role, and the events' kinds: the
app only renders them now.
"""

from __future__ import annotations

import pytest

from sigtui.lessons import Kind, LessonEvent, LessonSession, find_lesson
from tests.spawn import Recorder, wait_until


@pytest.mark.parametrize(
    ("name", "role"),
    [("handler", "ticker"), ("groups", "sleep"), ("ping-pong", "pong")],
)
def test_the_cursor_starts_on_the_lessons_process(name: str, role: str) -> None:
    """Nobody scrolls to find the lesson's processes (lesson 5: beside sh)."""
    events: Recorder[LessonEvent] = Recorder()
    session = LessonSession(find_lesson(name), events, tick=0.1)
    session.start()
    try:
        # Lesson 5's sleeps are known a moment after its start.
        pid = wait_until(lambda: session.start_on, f"the {role} to be known")
        assert session.processes[pid] == role
        assert pid in session.by_role(role)
        # Being next to sh is not selecting it: lesson 5's first step waits.
        assert session.current == 0
        started = [e for e in events.snapshot() if e.kind is Kind.STARTED]
        assert {e.pid for e in started} <= set(session.processes)
    finally:
        session.stop()
    assert session.processes == {}


def test_finding_the_process_is_the_first_step_of_lesson_1() -> None:
    events: Recorder[LessonEvent] = Recorder()
    session = LessonSession(find_lesson("first-kill"), events, tick=0.1)
    session.start()
    try:
        assert session.start_on is None
        (ticker,) = session.by_role("ticker")
        session.selected(ticker)
        step = events.wait_for(lambda e: e.kind is Kind.STEP)
        assert step.step == 0
        assert step.text.startswith("✓ step 1 of 2 done: Every process has a number")
        assert session.done == (True, False)
    finally:
        session.stop()
