"""Guided lessons: each starts its own instrumented processes and checks steps.

Standard library and psutil only; the UI shows a :class:`LessonRun`'s steps and
events. ``LESSONS`` lists the ten lessons, ``find_lesson`` finds one by number
or name.
"""

from sigtui.lessons.catalog import LESSONS, Lesson, LessonError, Step, find_lesson
from sigtui.lessons.run import LessonEvent, LessonRun

__all__ = [
    "LESSONS",
    "Lesson",
    "LessonError",
    "LessonEvent",
    "LessonRun",
    "Step",
    "find_lesson",
]
