"""The status line's words: what is shown, how, and what mode the screen is in.

Plain Python (no Textual), so that what the line says can be checked alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from unicodedata import east_asian_width

from sigtui.processes import ProcessSnapshot, display_escape
from sigtui.processes.view import ProcessView

if TYPE_CHECKING:
    from sigtui.lessons.session import LessonSession


@dataclass(frozen=True)
class Status:
    """What the screen is doing, beyond the view.

    Attributes:
        hostname: The host's name.
        paused: Whether refreshing is stopped.
        interval: Seconds between refreshes.
        readonly: Whether sending is off.
        projector: Whether projector mode is on.
        demo: The demo's pid and heartbeat count, while it runs.
        lesson: The lesson in progress, if any.
        ended: How the selected process ended, as traced ("4200 killed by
            SIGTERM from 4120 (bash)"), once it has.
    """

    hostname: str
    paused: bool
    interval: float
    readonly: bool = False
    projector: bool = False
    demo: tuple[int, int] | None = None
    lesson: LessonSession | None = None
    ended: str = ""


Form = tuple[str, int | None]
"""A part's text and the rank at which it gives way (None: never).

Lower ranks give way first: a part's text gives way to its next, shorter
form, and its last form to nothing (the part is dropped).
"""


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide East Asian characters take two)."""
    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


def _fit(parts: list[tuple[Form, ...]], width: int | None) -> str:
    """Join the parts, letting the lowest-ranked forms give way until it fits.

    The order of the parts never changes; a form ranked None stays.

    Args:
        parts: Each part's forms, longest first, their ranks rising.
        width: Cells available; None for no limit.

    Returns:
        The parts' chosen forms joined by `` · ``.
    """
    chosen = [0] * len(parts)  # an index past the forms: dropped

    def line() -> str:
        pairs = zip(parts, chosen, strict=True)
        return " · ".join(forms[at][0] for forms, at in pairs if at < len(forms))

    steps = sorted(
        (rank, index)
        for index, forms in enumerate(parts)
        for _text, rank in forms
        if rank is not None
    )
    for _rank, index in steps:
        if width is None or _cells(line()) <= width:
            break
        chosen[index] += 1
    return line()


def status_line(
    view: ProcessView,
    snapshot: ProcessSnapshot | None,
    status: Status,
    width: int | None = None,
) -> str:
    """The status line: counts, refresh, sort, modes, then the reminders.

    On a narrow screen the less important parts give way, each shortened
    before it is dropped: the reminders' keys and the words "every" and
    "sorted by" first, then the host name, the longer counts, the kernel
    reminder; the mode words (demo, read-only, projector, lesson, paused)
    always stay, and the process count goes last.

    Args:
        view: The table's view (sort, filter, tags, user, kernel threads).
        snapshot: The scan shown, None before the first.
        status: What the screen is doing.
        width: Cells available; None for the whole line.

    Returns:
        The parts, joined by `` · ``.
    """
    host: tuple[Form, ...] = ((status.hostname, 4),)
    parts = [host]
    if snapshot is None:
        parts.append((("scanning processes…", 5), ("scanning…", 12)))
    else:
        total = len(snapshot)
        counted = short = f"{total} processes"
        if view.filter_text or view.user is not None:
            counted = f"{total} processes ({view.shown_count} shown)"
            short = f"{view.shown_count}/{total} processes"
        parts.append(((counted, 5), (short, 13)))
    if status.paused:
        parts.append((("paused", None),))
    else:
        every = f"{status.interval:g} s"
        parts.append(((f"every {every}", 2), (every, 8)))
    column = view.columns[view.sort_index]
    sort = f"{column.header or column.name} {'▼' if view.reverse else '▲'}"
    parts.append(((f"sorted by {sort}", 3), (sort, 9)))
    if view.tagged:
        parts.append(((f"{len(view.tagged)} tagged", 11),))
    if status.demo is not None:
        pid, ticks = status.demo
        demo = f"demo: tick {ticks}"
        parts.append(((f"demo {pid}: tick {ticks}", 7), (demo, 14), ("demo", None)))
    if status.readonly:
        parts.append((("read-only", None),))
    if status.projector:
        parts.append((("projector", None),))
    run = status.lesson
    if run is not None:
        number, total = run.lesson.number, len(run.lesson.steps)
        if run.current is None:
            lesson = f"lesson {number}: all {total} steps done"
            short = f"lesson {number}: done"
        else:
            lesson = f"lesson {number}: step {run.current + 1} of {total}"
            short = f"lesson {number}: {run.current + 1}/{total}"
        parts.append(((lesson, 7), (short, 14), ("lesson", None)))
    if status.ended:
        # Worth a look, but the details panel says it too: it gives way early.
        short = status.ended.split(" from ", 1)[0]
        parts.append(((status.ended, 2), (short, 3)))
    if view.tree:
        parts.append((("tree", 11),))
    if view.filter_text:
        parts.append(((f"filter: {view.filter_text}", 12),))
    # Last: what the user is typing into the filter must not be cut off
    # by the end of a narrow line; these are reminders, not answers.
    if view.user is not None:
        user = f"user: {display_escape(view.user)}"
        parts.append(((f"{user} (u)", 2), (user, 10)))
    hidden = view.kernel_hidden
    if hidden:
        threads = f"{hidden} kernel thread{'s' if hidden != 1 else ''}"
        parts.append(((f"{threads} hidden (K)", 1), (f"{threads} hidden", 6)))
    return _fit(parts, width)
