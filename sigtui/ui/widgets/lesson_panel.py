"""The lesson panel: the running lesson's steps beside the process table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from sigtui.ui.widgets.process_table import MARK_DEMO

if TYPE_CHECKING:
    # The lessons are imported when one starts (see sigtui.ui.screens.main).
    from sigtui.lessons import Lesson

MARK_DONE = "✓"
"""A step the class has done."""
MARK_NOW = "▶"
"""The step to do now."""
MARK_LATER = "○"
"""A step still to come."""


def steps_text(
    lesson: Lesson,
    done: Sequence[bool],
    note: str = "",
    processes: Mapping[int, str] | None = None,
) -> Text:
    """The panel's text: heading, processes, steps with a mark each, note, summary.

    Marks are symbols, not colours, so a washed-out projector or a
    colour-blind student loses nothing: ✓ done, ▶ now, ○ later.

    Args:
        lesson: The lesson.
        done: Whether each step is done.
        note: What the last finished step showed, if any.
        processes: The lesson's live processes, pid to name. A narrow table
            cuts their long command lines before the name; here it shows.

    Returns:
        The text.
    """
    from sigtui.lessons import LESSONS

    text = Text()
    text.append(f"Lesson {lesson.number} of {len(LESSONS)}: {lesson.title}\n", "bold")
    if processes:
        listed = ", ".join(f"{name} {pid}" for pid, name in sorted(processes.items()))
        # Marked as their rows are in the table.
        text.append(f"{MARK_DEMO} {listed}\n")
    current = next((i for i, d in enumerate(done) if not d), None)
    for index, step in enumerate(lesson.steps):
        finished = index < len(done) and done[index]
        mark = MARK_DONE if finished else MARK_NOW if index == current else MARK_LATER
        style = "bold" if index == current else "dim" if finished else ""
        text.append(f"{mark} {index + 1}. ", "bold")
        text.append(f"{step.text}\n", style)
    if note:
        text.append(f"\n{note}\n", "italic")
    if current is None:
        text.append(
            "\n✓ Lesson complete. L picks another; leaving ends its processes.\n",
            "bold",
        )
    else:
        text.append("\nL: lessons (or leave this one)\n", "dim")
    # The steps come first: on a short screen they are what must show.
    text.append(f"\n{lesson.summary}")
    return text


class LessonPanel(VerticalScroll):
    """Shows the lesson in progress and ticks off its steps.

    Args:
        id: Widget id.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static(id="lesson-steps", markup=False)
        self.lesson: Lesson | None = None

    def compose(self) -> Iterable[Static]:
        """The one block of text."""
        yield self._body

    def show(
        self,
        lesson: Lesson,
        done: Sequence[bool],
        note: str = "",
        processes: Mapping[int, str] | None = None,
    ) -> None:
        """Show a lesson's progress.

        Args:
            lesson: The lesson.
            done: Whether each step is done.
            note: What the last finished step showed.
            processes: The lesson's live processes, pid to name.
        """
        self.lesson = lesson
        self._body.update(steps_text(lesson, done, note, processes))
