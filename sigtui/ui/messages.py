"""App-wide messages (widget messages live on their widgets)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class DemoReported(Message):
    """The demo child (or its supervisor) reported something.

    Attributes:
        messages: The protocol messages, in order.
    """

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        super().__init__()
        self.messages = messages
