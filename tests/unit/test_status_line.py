"""The status line's words, without a terminal."""

from __future__ import annotations

from sigtui.processes import parse_columns
from sigtui.processes.sample import sample_snapshot
from sigtui.processes.view import ProcessView
from sigtui.ui.status import Status, status_line


def view_of_sample() -> tuple[ProcessView, int]:
    view = ProcessView(tuple(parse_columns("pid,stat,args")))
    snapshot = sample_snapshot()
    view.install(view.prepare(snapshot))
    return view, len(snapshot)


def test_counts_refresh_and_sort_first() -> None:
    view, total = view_of_sample()
    line = status_line(view, view.snapshot, Status("box", paused=False, interval=2))
    assert line.startswith(f"box · {total} processes · every 2 s · sorted by PID ▲")


def test_before_the_first_scan_and_paused() -> None:
    view, _ = view_of_sample()
    line = status_line(view, None, Status("box", paused=True, interval=1))
    assert line.startswith("box · scanning processes… · paused · ")


def test_modes_then_the_filter_last_but_the_reminders() -> None:
    view, _ = view_of_sample()
    view.set_filter("sleep")
    status = Status(
        "box", paused=False, interval=1, readonly=True, projector=True, demo=(42, 7)
    )
    parts = status_line(view, view.snapshot, status).split(" · ")
    assert "demo 42: tick 7" in parts
    assert parts.index("read-only") < parts.index("projector")
    assert f"({view.shown_count} shown)" in parts[1]
    assert "filter: sleep" in parts
    hidden = [p for p in parts if p.endswith("hidden (K)")]
    assert parts[-1] == (hidden[0] if hidden else "filter: sleep")


def test_how_the_selected_process_ended_gives_way_early() -> None:
    view, total = view_of_sample()
    ended = "4152 killed by SIGTERM from 3022 (bash)"
    status = Status("box", paused=False, interval=1, ended=ended)
    assert ended in status_line(view, view.snapshot, status).split(" · ")
    full = status_line(view, view.snapshot, status)
    # Before the counts shorten, it does; the "every" and the kernel threads'
    # reminder give way before it.
    width = len(full) - len(" from 3022 (bash)") - len("every ") - len(" (K)")
    shorter = status_line(view, view.snapshot, status, width=width)
    assert "4152 killed by SIGTERM" in shorter.split(" · ")
    assert f"{total} processes" in shorter
    narrow = status_line(view, view.snapshot, status, width=50)
    assert "killed" not in narrow
