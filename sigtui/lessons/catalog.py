"""The course: the eleven lessons in order, and finding one by number or name.

Nothing here starts a process: :class:`sigtui.lessons.session.LessonSession`
does that. The texts are read by a class on a projector, so they are short and
concrete, and they name sigtui's keys: ``k`` signals the selected process
(type a signal's name in the picker, ``enter`` sends), ``g`` signals its whole
process group, ``/`` filters the table and ``z`` stops or continues.
"""

from __future__ import annotations

from sigtui.lessons.course import (
    lesson01_first_kill,
    lesson02_handler,
    lesson03_hangup,
    lesson04_uncatchable,
    lesson05_groups,
    lesson06_ping_pong,
    lesson07_graceful,
    lesson08_sigchld,
    lesson09_blocking,
    lesson10_stop_continue,
    lesson11_plain_program,
)
from sigtui.lessons.model import Lesson, LessonError

LESSONS: tuple[Lesson, ...] = (
    lesson01_first_kill.LESSON,
    lesson02_handler.LESSON,
    lesson03_hangup.LESSON,
    lesson04_uncatchable.LESSON,
    lesson05_groups.LESSON,
    lesson06_ping_pong.LESSON,
    lesson07_graceful.LESSON,
    lesson08_sigchld.LESSON,
    lesson09_blocking.LESSON,
    lesson10_stop_continue.LESSON,
    lesson11_plain_program.LESSON,
)
"""The lessons, in order."""


def find_lesson(text: str) -> Lesson:
    """Find a lesson by its number or its name, ignoring case and spaces.

    Args:
        text: ``"3"``, ``"hangup"`` or ``"Hangup"``.

    Returns:
        The lesson.

    Raises:
        LessonError: If no lesson has that number or name.
    """
    key = text.strip().lower()
    for lesson in LESSONS:
        if key in (str(lesson.number), lesson.name):
            return lesson
    names = ", ".join(lesson.name for lesson in LESSONS)
    raise LessonError(f"unknown lesson {text!r}; choose one of: {names}")
