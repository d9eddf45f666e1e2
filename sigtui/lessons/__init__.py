"""Guided lessons: each starts its own processes and checks steps as they happen.

Standard library and psutil only; the UI shows a :class:`LessonSession`'s
steps and events; a lesson with a plain program checks its steps from the
kernel's trace. ``LESSONS`` lists the eleven lessons (one module each under
``course/``), ``find_lesson`` finds one by number or name.
"""

from sigtui.lessons.catalog import LESSONS, find_lesson
from sigtui.lessons.model import Kind, Lesson, LessonError, LessonEvent, Step
from sigtui.lessons.session import LessonSession

__all__ = [
    "LESSONS",
    "Kind",
    "Lesson",
    "LessonError",
    "LessonEvent",
    "LessonSession",
    "Step",
    "find_lesson",
]
