"""The eleven lessons, one module each: its text, its programs, a check per step.

Standard library only. The order of the course is in :mod:`sigtui.lessons.catalog`.
"""
