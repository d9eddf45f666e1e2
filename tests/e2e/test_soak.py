"""The soak benchmark: a short run passes and says so; its screen reading works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.soak import Notification, classify, notifications

ROOT = Path(__file__).resolve().parents[2]
SIGNAL_ROW = re.compile(r"^\| (SIG\S+) \| ([^|]+) \| (\d+) \| (\d+) \|$", re.MULTILINE)


@pytest.mark.slow
def test_short_soak_passes() -> None:
    """18 s with sends every 2 s and resizes every 3 s: a clean report, status 0."""
    argv = [sys.executable, "-m", "benchmarks.soak", "--minutes", "0.3"]
    argv += ["--send-every", "2", "--resize-every", "3"]
    done = subprocess.run(
        argv,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = done.stdout
    assert done.returncode == 0, f"{report}\n--- stderr ---\n{done.stderr}"
    assert "**Verdict: PASS**" in report, report
    assert "Errors seen: none" in report, report
    assert "Left behind: none" in report, report
    assert "sigtui's exit status: 0." in report, report
    rows = {m.group(1): m.groups()[1:] for m in SIGNAL_ROW.finditer(report)}
    assert rows.keys() == {"SIGUSR1", "SIGUSR2", "SIGRTMIN"}, report
    for name, (sender, sent, received) in rows.items():
        assert int(sent) >= 2, f"{name} from {sender}: only {sent} sent\n{report}"
        assert int(received) >= int(sent), f"{name} from {sender}\n{report}"
    assert re.search(r"Resizes: [1-9]", report), report
    # Sends that worked are said in the log, not in pop-ups (issue 16).
    assert "Notifications read on screen (once per sample while shown): none" in (
        report
    ), report


def _toast(edge: tuple[int, int, int], text: str) -> str:
    """A screen line with a toast drawn over its right end, as tmux -e gives it."""
    r, g, b = edge
    return (
        "\x1b[48;2;30;30;30m01:02:03  some log line"
        f"\x1b[38;2;{r};{g};{b}m\x1b[48;2;52;63;73m▌\x1b[39m \x1b[1m{text}\x1b[0m"
    )


def test_notifications_by_edge_colour() -> None:
    screen = "\n".join(
        [
            "\x1b[38;2;1;120;212m▌ not a toast: another background",
            _toast((78, 191, 113), ""),
            _toast((78, 191, 113), "SIGUSR1 sent"),
            _toast((78, 191, 113), ""),
            "plain line",
            _toast((185, 60, 91), "Could not read processes: gone"),
            _toast((255, 166, 43), "No process selected."),
        ]
    )
    assert notifications(screen) == [
        Notification("information", "SIGUSR1 sent"),
        Notification("error", "Could not read processes: gone"),
        Notification("warning", "No process selected."),
    ]


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("Signal log. k: signal the selected process", "opening line"),
        ("sigtui (10) sent SIGUSR1 to demo (12)", "sent to the demo"),
        (
            "demo (12) received SIGUSR2 from pid 9 (python) uid 0 (SI_USER)",
            "received by the demo",
        ),
        ("SIGUSR1 → process 12 (python3): SIGUSR1 delivered", "send result"),
        ("process 12 (python3): still running (blocked: stays pending)", "outcome"),
        ("something new", "other"),
    ],
)
def test_log_kinds(entry: str, kind: str) -> None:
    assert classify(entry) == kind
