"""App-wide messages (widget messages live on their widgets)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from sigtui.lessons import LessonEvent, LessonRun


class DemoReported(Message):
    """The demo child (or its supervisor) reported something.

    Attributes:
        messages: The protocol messages, in order.
    """

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        super().__init__()
        self.messages = messages


class LessonReported(Message):
    """A lesson's processes (or its run) reported something.

    Attributes:
        run: The run that reported, so news from one already left is dropped.
        events: The events, in order.
    """

    def __init__(self, run: LessonRun, events: list[LessonEvent]) -> None:
        super().__init__()
        self.run = run
        self.events = events
