"""The CPU benchmark measures sigtui and top under tmux and leaves nothing behind."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from benchmarks.cpu import SIZE, _poll, _Tmux, measure_cpu
from sigtui.processes.scan import read_stat


def running(pid: int, start_ticks: int) -> bool:
    """Whether this very process (same start time) still has a live thread."""
    stat = read_stat(pid)
    if stat is None or stat.start_ticks != start_ticks:
        return False  # gone, or the pid now belongs to another process
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return False
    threads = [read_stat(int(tid), root=f"/proc/{pid}/task") for tid in tids]
    # A zombie main thread does not mean the end while other threads run.
    return any(t is not None and t.state not in ("Z", "X") for t in threads)


def test_measure_cpu_side_by_side_and_cleans_up() -> None:
    results = measure_cpu(duration=2, windows=2, warmup=1, tools=("sigtui", "top"))

    assert [r.tool for r in results] == ["sigtui", "top"]
    cores = len(os.sched_getaffinity(0))
    for r in results:
        assert r.note is None, r
        assert len(r.percent) == 2, r
        # A process cannot use more than every core it may run on.
        assert all(0 <= p < 100 * max(2, cores) for p in r.percent), r
        assert r.pid is not None, r
        assert r.start_ticks is not None, r
        # Gone, reused by another process, or a zombie nobody reaps.
        assert not running(r.pid, r.start_ticks), f"{r.tool} survived: {r}"
    sigtui = results[0]
    assert sigtui.rss_kib is not None, sigtui
    assert sigtui.rss_kib > 10_000, sigtui  # a Python + Textual app


def test_a_control_mode_client_captures_as_the_tmux_command_does(
    tmp_path: Path,
) -> None:
    tmux = _Tmux(f"sigtui-test-control-{os.getpid()}", tmp_path)
    lines = ["plain line", "PID ▲  COMMAND · ünïcode", "%end looks like a block end"]
    script = "printf '%s\\n' " + " ".join(shlex.quote(line) for line in lines)
    socket = None
    try:
        pane, _ = tmux.start(True, "text", ["sh", "-c", script + "; exec cat"])
        socket = Path(tmux.run("display-message", "-p", "#{socket_path}").strip())
        with tmux.control() as control:

            def shown() -> bool:
                return lines[-1] in tmux.capture(pane)

            assert _poll(shown, 10.0)
            assert control.capture(pane) == tmux.capture(pane)
            with pytest.raises(RuntimeError, match="capture-pane"):
                control.capture("%999")
            # Still in step after an error, and the window kept its size.
            assert control.command("display-message", "-p", "#{pane_id}") == pane + "\n"
            assert tmux.pane_size(pane) == f"{SIZE[0]}x{SIZE[1]}"
    finally:
        tmux.run("kill-server", check=False)
        if socket is not None:
            socket.unlink(missing_ok=True)
