"""The status line's words: what is shown, how, and what mode the screen is in.

Plain Python (no Textual), so that what the line says can be checked alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigtui.lessons.session import LessonSession
from sigtui.processes import ProcessSnapshot, display_escape
from sigtui.processes.view import ProcessView


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
    """

    hostname: str
    paused: bool
    interval: float
    readonly: bool = False
    projector: bool = False
    demo: tuple[int, int] | None = None
    lesson: LessonSession | None = None


def status_line(
    view: ProcessView, snapshot: ProcessSnapshot | None, status: Status
) -> str:
    """The status line: counts, refresh, sort, modes, then the reminders.

    Args:
        view: The table's view (sort, filter, tags, user, kernel threads).
        snapshot: The scan shown, None before the first.
        status: What the screen is doing.

    Returns:
        The parts, joined by `` · ``.
    """
    parts = [status.hostname]
    if snapshot is None:
        parts.append("scanning processes…")
    else:
        narrowed = bool(view.filter_text) or view.user is not None
        shown = f" ({view.shown_count} shown)" if narrowed else ""
        parts.append(f"{len(snapshot)} processes{shown}")
    parts.append("paused" if status.paused else f"every {status.interval:g} s")
    column = view.columns[view.sort_index]
    arrow = "▼" if view.reverse else "▲"
    parts.append(f"sorted by {column.header or column.name} {arrow}")
    if view.tagged:
        parts.append(f"{len(view.tagged)} tagged")
    if status.demo is not None:
        pid, ticks = status.demo
        parts.append(f"demo {pid}: tick {ticks}")
    if status.readonly:
        parts.append("read-only")
    if status.projector:
        parts.append("projector")
    run = status.lesson
    if run is not None:
        number, total = run.lesson.number, len(run.lesson.steps)
        if run.current is None:
            parts.append(f"lesson {number}: all {total} steps done")
        else:
            parts.append(f"lesson {number}: step {run.current + 1} of {total}")
    if view.tree:
        parts.append("tree")
    if view.filter_text:
        parts.append(f"filter: {view.filter_text}")
    # Last: what the user is typing into the filter must not be cut off
    # by the end of a narrow line; these are reminders, not answers.
    if view.user is not None:
        parts.append(f"user: {display_escape(view.user)} (u)")
    hidden = view.kernel_hidden
    if hidden:
        parts.append(f"{hidden} kernel thread{'s' if hidden != 1 else ''} hidden (K)")
    return " · ".join(parts)
