"""The churn test's looks: a capture taken mid-repaint is taken again."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.e2e.test_churn_tmux import whole_frame

HEADER = "  PID ▲  PGID TT       STAT %CPU   RSS     TIME COMMAND"
GENERATOR = " 30001 30001 pts/1    S     0.0  1000 00:00:00 churn e2echurn"
CHILD = "   120 30001 pts/1    S     0.0  1000 00:00:00 churn e2echurn child"


def captures(*screens: str) -> tuple[Callable[[], str], Iterator[int]]:
    taken = iter(range(1, len(screens) + 1))
    shots = iter(screens)
    return (lambda: next(shots)), taken


def test_a_torn_frame_is_captured_again() -> None:
    torn = "\n".join([HEADER, CHILD])  # the generator's line not written yet
    whole = "\n".join([HEADER, CHILD, GENERATOR])
    shots = iter([torn, whole])
    assert whole_frame(lambda: next(shots), 30001) == whole


def test_a_row_really_missing_stays_missing() -> None:
    torn = "\n".join([HEADER, CHILD])
    calls = 0

    def capture() -> str:
        nonlocal calls
        calls += 1
        return torn

    assert whole_frame(capture, 30001) == torn
    assert calls == 5
