"""The send flow without a terminal: real signals to processes these tests start.

What a send reports (the log lines, what became of each target, the caption
and why a survivor survived) used to be checked through the app; the flow
gives it as typed reports, so it is checked here directly.
"""

from __future__ import annotations

import os
import signal
import time

from sigtui.delivery import Context, GroupTarget, ProcessTarget, Syscalls
from sigtui.delivery.flow import MAX_WATCH_LINES, Instrumented, SendFlow, Sent
from sigtui.delivery.watch import WATCH_SECONDS, Fate, current_state
from sigtui.processes import ProcessInfo
from sigtui.processes.scan import ProcfsScanner
from sigtui.signals import catalogue
from sigtui.signals.reader import read_state_of
from tests.spawn import (
    Spawner,
    proc_state,
    sleeper,
    stopped,
    traced,
    uninterruptible,
    wait_for_state,
    zombie_parent,
)

TERM = catalogue().by_name("SIGTERM")
USR1 = catalogue().by_name("SIGUSR1")
STOP_TIMEOUT = 20.0

IGNORES_TERM = """
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
ready()
park()
"""

CATCHES_USR1 = """
import signal
signal.signal(signal.SIGUSR1, lambda *_: None)
ready()
park()
"""

GROUP_OF_SIX = """
for _ in range(5):
    fork_member()
ready()
park()
"""


def info_of(pid: int) -> ProcessInfo:
    snapshot = ProcfsScanner().scan()
    assert pid in snapshot.by_pid, f"pid {pid} missing from the scan"
    return snapshot.by_pid[pid]


SURVIVOR_WATCH = 0.5
"""Seconds to watch where the target survives: the answer is the same after
any wait, and an outcome (an exit) ends the watch sooner anyway."""


def flow(watch_seconds: float = SURVIVOR_WATCH) -> SendFlow:
    return SendFlow(Syscalls(), read_state_of, current_state, watch_seconds)


def context() -> Context:
    return Context(os.getpid(), os.getpgrp(), uid=os.geteuid())


class Recorder:
    """Keeps what on_sent was given, and when."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.at: float | None = None

    def __call__(self, sent: Sent) -> None:
        self.sent.append(sent)
        self.at = time.monotonic()


def test_term_ends_a_sleeper_and_says_so(spawner: Spawner) -> None:
    child = sleeper(spawner)
    info = info_of(child.pid)
    on_sent = Recorder()
    report = flow(WATCH_SECONDS).run(
        ProcessTarget(info), TERM, context(), Instrumented(), on_sent
    )
    assert on_sent.sent == [report.sent]  # told once, before the watch
    assert report.sent.ok
    assert not report.sent.reached_demo
    assert report.sent.log_lines == (
        f"SIGTERM → process {child.pid} ({info.comm}): "
        f"SIGTERM delivered to process {child.pid} ({info.comm}).",
    )
    assert [o.fate for o in report.seen] == [Fate.EXITED]
    assert report.outcome_lines == (f"process {child.pid} ({info.comm}): exited",)
    assert "SIGTERM" in report.caption
    assert child.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM


def test_a_survivor_is_explained_by_its_masks(spawner: Spawner) -> None:
    child = spawner.python(IGNORES_TERM)
    wait_for_state(child.pid, "S")
    info = info_of(child.pid)
    report = flow().run(
        ProcessTarget(info), TERM, context(), Instrumented(), Recorder()
    )
    assert [o.fate for o in report.seen] == [Fate.RUNNING]
    [line] = report.outcome_lines
    assert line.startswith(f"process {child.pid} ({info.comm}): still running (")
    assert "ignore" in line
    assert "ignores SIGTERM" in report.caption
    assert child.proc.poll() is None


def test_a_caught_signal_is_explained_by_the_handler(spawner: Spawner) -> None:
    child = spawner.python(CATCHES_USR1)
    wait_for_state(child.pid, "S")
    info = info_of(child.pid)
    report = flow().run(
        ProcessTarget(info), USR1, context(), Instrumented(), Recorder()
    )
    [line] = report.outcome_lines
    assert "handler" in line
    assert "handler ran and it kept running" in report.caption
    assert child.proc.poll() is None


def test_the_demo_is_named_and_its_disposition_explains_the_caption(
    spawner: Spawner,
) -> None:
    # A stand-in for the demo: a process that catches SIGUSR1, as the demo
    # does when set to "catch".
    child = spawner.python(CATCHES_USR1)
    wait_for_state(child.pid, "S")
    info = info_of(child.pid)
    demo = Instrumented(demo_pid=child.pid, demo_pgid=info.pgid, disposition="catch")
    report = flow().run(ProcessTarget(info), USR1, context(), demo, Recorder())
    assert report.sent.reached_demo
    assert f"the demo ({child.pid})" in report.caption
    assert "it logged the signal and kept running" in report.caption


def test_a_process_gone_before_the_send_is_not_watched(spawner: Spawner) -> None:
    child = sleeper(spawner)
    info = info_of(child.pid)
    child.proc.kill()
    child.proc.wait(timeout=STOP_TIMEOUT)
    on_sent = Recorder()
    report = flow().run(ProcessTarget(info), TERM, context(), Instrumented(), on_sent)
    assert not report.sent.ok
    assert report.seen == ()
    assert report.outcome_lines == ()
    assert report.caption.startswith(f"SIGTERM did nothing to process {child.pid}")
    assert len(on_sent.sent) == 1


def test_a_big_group_gets_a_count_after_the_first_lines(spawner: Spawner) -> None:
    leader = spawner.python(GROUP_OF_SIX)
    members = tuple(p for p in ProcfsScanner().scan().processes if p.pgid == leader.pid)
    assert len(members) == 6 > MAX_WATCH_LINES
    report = flow(WATCH_SECONDS).run(
        GroupTarget(leader.pid, members), TERM, context(), Instrumented(), Recorder()
    )
    assert report.sent.ok
    assert len(report.outcome_lines) == MAX_WATCH_LINES + 1
    assert report.outcome_lines[-1] == "group: 6 exited"
    assert leader.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM


# --- why it is still there (was checked through the app, one pilot per state) ---


def comm(pid: int) -> str:
    with open(f"/proc/{pid}/comm") as file:
        return file.read().strip()


def wchan(pid: int) -> str:
    with open(f"/proc/{pid}/wchan") as file:
        text = file.read().strip()
    assert text not in ("", "0"), f"pid {pid} sleeps nowhere"
    return text


def term(pid: int, watch_seconds: float = SURVIVOR_WATCH) -> list[str]:
    """Send SIGTERM through the flow: the outcome lines and the caption."""
    report = flow(watch_seconds).run(
        ProcessTarget(info_of(pid)), TERM, context(), Instrumented(), Recorder()
    )
    return [*report.outcome_lines, report.caption]


def test_a_process_in_d_is_still_there_and_why(spawner: Spawner) -> None:
    victim = int(uninterruptible(spawner).info["victim"])
    line, caption = term(victim)
    assert line == (
        f"process {victim} ({comm(victim)}): still there: it is in "
        f"uninterruptible sleep (D) in {wchan(victim)}, where no signal acts, "
        "not even SIGKILL, until that kernel call returns"
    )
    assert "Uninterruptible sleep (D) in" in caption
    assert proc_state(victim) == "D"


def test_a_stopped_process_waits_for_sigcont(spawner: Spawner) -> None:
    pid = stopped(spawner).pid
    line, caption = term(pid)
    assert line == (
        f"process {pid} ({comm(pid)}): still there: it is stopped (T): SIGTERM "
        "and other signals wait, pending, until SIGCONT; SIGKILL would end it now"
    )
    assert "Stopped (T)" in caption


def test_a_traced_process_names_its_tracer(spawner: Spawner) -> None:
    tracer = traced(spawner)
    pid = int(tracer.info["tracee"])
    line, _ = term(pid)
    assert line.startswith(
        f"process {pid} ({comm(pid)}): still there: it is stopped by its "
        f"tracer {tracer.pid} ({comm(tracer.pid)}) (t): SIGTERM waits until "
        "the tracer lets it run"
    )
    assert proc_state(pid) == "t"


def test_a_zombie_names_its_parent(spawner: Spawner) -> None:
    parent = zombie_parent(spawner)
    pid = int(parent.info["zombie"])
    line, caption = term(pid)
    assert line == (
        f"process {pid} ({comm(pid)}): exited, but its parent {parent.pid} "
        f"({comm(parent.pid)}) has not reaped it (a zombie); signalling it "
        "does nothing"
    )
    assert "Signalling the zombie does nothing" in caption


def test_captions_for_a_default_death_and_an_ignored_signal(
    spawner: Spawner,
) -> None:
    plain = sleeper(spawner)
    ignorer = spawner.python(IGNORES_TERM)
    wait_for_state(ignorer.pid, "S")
    *_, died = term(plain.pid, WATCH_SECONDS)
    assert died.startswith(
        f"SIGTERM asked process {plain.pid} ({comm(plain.pid)}) to terminate."
    )
    assert died.endswith("It had no handler, so the default action happened: it ended.")
    *_, ignored = term(ignorer.pid)
    assert ignored == (
        f"SIGTERM asked process {ignorer.pid} ({comm(ignorer.pid)}) to terminate. "
        "It ignores SIGTERM, so the kernel threw the signal away."
    )
