"""The lesson picker: the ten guided lessons, and a way out of the current one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sigtui.lessons import LESSONS, Lesson

LEAVE = "leave"
"""The option id (and the result) for leaving the lesson in progress."""


class LessonPicker(ModalScreen[Lesson | str | None]):
    """Lists the lessons; a typed number picks one, enter starts it, escape closes.

    Digits typed one after another make one number while it is a lesson's
    (``1`` then ``0`` is lesson 10); a digit that would make none starts a new
    number.

    Dismissed with the chosen :class:`Lesson`, with :data:`LEAVE` to end the
    lesson in progress, or with None.

    Args:
        current: The lesson in progress, if any (offered to leave).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, current: Lesson | None = None) -> None:
        super().__init__()
        self.current = current
        self.typed = ""

    def compose(self) -> ComposeResult:
        """A title, one option per lesson, and a hint."""
        options: list[Option] = []
        if self.current is not None:
            options.append(
                Option(
                    Text.assemble(
                        ("✗ Leave ", "bold"),
                        f"lesson {self.current.number}, {self.current.title}: "
                        "ends all its processes",
                    ),
                    id=LEAVE,
                )
            )
        for lesson in LESSONS:
            mark = "▶" if lesson == self.current else " "
            options.append(
                Option(
                    Text.assemble(
                        (f"{mark}{lesson.number:>2}. {lesson.title}", "bold"),
                        f"  ({lesson.name})\n     {lesson.summary}",
                    ),
                    id=lesson.name,
                )
            )
        with Vertical(id="lessons-body"):
            yield Static(Text("Guided lessons", style="bold"), id="lessons-title")
            yield OptionList(*options, id="lessons-list")
            yield Static(
                "1-10: pick   enter: start (it starts its own processes)   "
                "escape: close",
                id="lessons-hint",
            )

    def on_mount(self) -> None:
        """Put the highlight on the next lesson to do."""
        options = self.query_one(OptionList)
        options.focus()
        if self.current is not None:
            after = min(self.current.number, len(LESSONS) - 1)
            options.highlighted = after + 1  # +1: the "leave" option first
        else:
            options.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        """Highlight the lesson whose number is typed.

        Args:
            event: The key; anything but a digit is left to the list.
        """
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        event.prevent_default()
        by_number = {str(lesson.number): lesson for lesson in LESSONS}
        number = self.typed + event.character
        if number not in by_number:
            number = event.character
        self.typed = number if number in by_number else ""
        if self.typed:
            options = self.query_one(OptionList)
            options.highlighted = options.get_option_index(by_number[number].name)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Start the chosen lesson (or leave the current one)."""
        chosen = event.option.id
        if chosen == LEAVE:
            self.dismiss(LEAVE)
            return
        self.dismiss(next(lesson for lesson in LESSONS if lesson.name == chosen))

    def action_close(self) -> None:
        """Close without a choice."""
        self.dismiss(None)
