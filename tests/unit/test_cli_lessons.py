"""`sigtui lessons` lists the lessons; `sigtui lesson NAME` checks the name first."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sigtui.cli import main
from sigtui.lessons import LESSONS


def test_lessons_lists_all_ten(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    for lesson in LESSONS:
        assert f"{lesson.number:>2}  {lesson.name}" in out
        assert lesson.title in out
    assert "sigtui lesson NAME" in out
    assert max(len(line) for line in out.splitlines()) <= 79


def test_an_unknown_lesson_exits_2_naming_it_and_the_choices() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sigtui", "lesson", "nosuch"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "nosuch" in done.stderr
    assert "first-kill" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_a_lesson_without_a_terminal_exits_2_before_starting_anything() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sigtui", "lesson", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr
