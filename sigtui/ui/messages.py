"""Messages from the teaching sessions' threads to the UI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from sigtui.demo.session import DemoEvent, DemoSession
    from sigtui.lessons import LessonEvent, LessonSession


class DemoReported(Message):
    """The demo session has news (posted from its threads).

    Attributes:
        session: The session that reported, so news from one already ended
            (or from an earlier demo) is told apart.
        events: The events, in order.
    """

    def __init__(self, session: DemoSession, events: list[DemoEvent]) -> None:
        super().__init__()
        self.session = session
        self.events = events


class LessonReported(Message):
    """A lesson session has news (posted from its threads).

    Attributes:
        session: The session that reported, so news from one already left is
            dropped.
        events: The events, in order.
    """

    def __init__(self, session: LessonSession, events: list[LessonEvent]) -> None:
        super().__init__()
        self.session = session
        self.events = events
