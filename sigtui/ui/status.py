"""The status line's words: what is shown, how, and what mode the screen is in.

Plain Python (no Textual), so that what the line says can be checked alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from unicodedata import east_asian_width

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


@dataclass(frozen=True)
class _Part:
    """One part of the status line and how it gives way to a narrow screen.

    Attributes:
        forms: The part's text, longest first; an empty form drops it.
        rank: Lower ranks give way first.
    """

    forms: tuple[str, ...]
    rank: int


MODE = 99
"""The rank of a mode word (demo, lesson, read-only, projector, paused): kept."""


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide East Asian characters take two)."""
    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


def _fit(parts: list[_Part], width: int | None) -> str:
    """Join the parts, shortening then dropping the least important to fit.

    Every part first steps to its next shorter form, least important first,
    before any steps further, so that a shortened line loses detail evenly;
    the order of the parts never changes.

    Args:
        parts: The parts, in the order shown.
        width: Cells available; None for no limit.

    Returns:
        The parts' chosen forms joined by `` · ``.
    """
    chosen = [0] * len(parts)

    def line() -> str:
        texts = (part.forms[form] for part, form in zip(parts, chosen, strict=True))
        return " · ".join(text for text in texts if text)

    if width is None:
        return line()
    by_rank = sorted(range(len(parts)), key=lambda index: parts[index].rank)
    for step in range(1, max(len(part.forms) for part in parts)):
        for index in by_rank:
            if _cells(line()) <= width:
                return line()
            if step < len(parts[index].forms):
                chosen[index] = step
    return line()


def status_line(
    view: ProcessView,
    snapshot: ProcessSnapshot | None,
    status: Status,
    width: int | None = None,
) -> str:
    """The status line: counts, refresh, sort, modes, then the reminders.

    On a narrow screen the less important parts are shortened, then dropped
    (the host name and the kernel-thread reminder first); the mode words
    (demo, read-only, projector, lesson, paused) always stay.

    Args:
        view: The table's view (sort, filter, tags, user, kernel threads).
        snapshot: The scan shown, None before the first.
        status: What the screen is doing.
        width: Cells available; None for the whole line.

    Returns:
        The parts, joined by `` · ``.
    """
    parts = [_Part((status.hostname, ""), 1)]
    if snapshot is None:
        parts.append(_Part(("scanning processes…", "scanning…"), 5))
    else:
        total = len(snapshot)
        counted = short = f"{total} processes"  # the line's first answer: kept
        if view.filter_text or view.user is not None:
            counted = f"{total} processes ({view.shown_count} shown)"
            short = f"{view.shown_count}/{total} processes"
        parts.append(_Part((counted, short, ""), 5))
    if status.paused:
        parts.append(_Part(("paused",), MODE))
    else:
        every = f"{status.interval:g} s"
        parts.append(_Part((f"every {every}", every, ""), 2))
    column = view.columns[view.sort_index]
    sort = f"{column.header or column.name} {'▼' if view.reverse else '▲'}"
    parts.append(_Part((f"sorted by {sort}", sort, ""), 3))
    if view.tagged:
        parts.append(_Part((f"{len(view.tagged)} tagged", ""), 7))
    if status.demo is not None:
        pid, ticks = status.demo
        demo = (f"demo {pid}: tick {ticks}", f"demo: tick {ticks}", "demo")
        parts.append(_Part(demo, MODE))
    if status.readonly:
        parts.append(_Part(("read-only",), MODE))
    if status.projector:
        parts.append(_Part(("projector",), MODE))
    run = status.lesson
    if run is not None:
        number, total = run.lesson.number, len(run.lesson.steps)
        if run.current is None:
            lesson = f"lesson {number}: all {total} steps done"
            short = f"lesson {number}: done"
        else:
            lesson = f"lesson {number}: step {run.current + 1} of {total}"
            short = f"lesson {number}: {run.current + 1}/{total}"
        parts.append(_Part((lesson, short, "lesson"), MODE))
    if view.tree:
        parts.append(_Part(("tree", ""), 6))
    if view.filter_text:
        parts.append(_Part((f"filter: {view.filter_text}", ""), 8))
    # Last: what the user is typing into the filter must not be cut off
    # by the end of a narrow line; these are reminders, not answers.
    if view.user is not None:
        user = f"user: {display_escape(view.user)}"
        parts.append(_Part((f"{user} (u)", user, ""), 4))
    hidden = view.kernel_hidden
    if hidden:
        threads = f"{hidden} kernel thread{'s' if hidden != 1 else ''}"
        parts.append(_Part((f"{threads} hidden (K)", f"{threads} hidden", ""), 0))
    return _fit(parts, width)
