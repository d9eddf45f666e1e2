"""The README's screenshots: the script still runs and draws what they promise."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sigtui.ui.screenshots import SHOTS

# What each picture must show, as text on screen.
EXPECTED = {
    "main": ["PID ▲", "PGID", "STAT", "%CPU", "RSS", "COMMAND", "make -j4 all"],
    "busiest": ["%CPU ▼", "sorted by %CPU ▼"],
    "columns": ["Columns", "[x] %CPU", "[x] RSS", "[ ] PPID", "also rssize"],
    "picker": ["This target", "SIGHUP", "ignored"],
    "picker-group": ["SIGTERM"],
    "confirm-group": [
        "Send SIGTERM to process group 4150 (3 processes)?",
        "cc1 -O2 main.c",
        "Predicted:",
    ],
    "demo": ["received SIGUSR1", "demo (4242)"],
    "who-killed-it": [
        "killed by SIGTERM from 3022 (bash) 0.2 s",
        "SIGTERM 3022 (bash) → 4152 (sleep): kill(); killed it",
        "4152 (sleep) killed by SIGTERM from 3022 (bash)",
        "Traced: pid 4152 (sleep)",
    ],
    "projector": [
        "· projector",
        "What just happened: SIGHUP asked process 4152 (sleep) to terminate.",
        "It ignores SIGHUP",
    ],
    "lesson": [
        "Lesson 5 of 11: Process groups",
        "✓ 1.",
        "▶ 2.",
        "sleep 600",
        "lesson 5: step 2 of 2",
    ],
    "help": ["Keys", "Marks"],
}


def screen_text(svg: Path) -> str:
    text = re.sub(r"<[^>]+>", "", svg.read_text(encoding="utf-8"))
    return html.unescape(text).replace("\xa0", " ")


@pytest.mark.slow
def test_the_script_writes_every_screenshot(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sigtui.ui.screenshots", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.stem for p in tmp_path.glob("*.svg"))
    assert written == sorted(SHOTS)
    assert set(EXPECTED) <= set(SHOTS)
    for name, needles in EXPECTED.items():
        text = screen_text(tmp_path / f"{name}.svg")
        missing = [needle for needle in needles if needle not in text]
        assert not missing, f"{name}.svg lacks {missing}"


def test_the_committed_screenshots_are_the_scripts() -> None:
    # Every picture the README shows exists (the script made them all).
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"screenshots/([a-z-]+)\.svg", readme))
    assert shown <= set(SHOTS), shown - set(SHOTS)
    folder = Path(__file__).parents[2] / "screenshots"
    assert {p.stem for p in folder.glob("*.svg")} == set(SHOTS)
