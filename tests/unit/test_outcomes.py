"""What a send says became of its targets must match their state (issue 16).

Each test sends real signals, through :class:`SendFlow`, to processes it
started, and checks the outcome lines against what the kernel did: an
outcome compares the state before the send with the state after, and the
pending masks are read before the send.
"""

from __future__ import annotations

import os
import signal

import pytest

from sigtui.delivery import GroupTarget, ProcessTarget
from sigtui.delivery.flow import Instrumented, Sent
from sigtui.delivery.watch import WATCH_SECONDS, Fate
from sigtui.processes.scan import ProcfsScanner
from sigtui.signals import SignalSpec, catalogue
from tests.spawn import Spawner, proc_state, sleeper, wait_for_state
from tests.unit.test_send_flow import (
    IGNORES_TERM,
    SURVIVOR_WATCH,
    context,
    flow,
    info_of,
)

CONT = catalogue().by_name("SIGCONT")
STOP = catalogue().by_name("SIGSTOP")
TERM = catalogue().by_name("SIGTERM")
USR1 = catalogue().by_name("SIGUSR1")

BLOCKS_USR1 = """
import signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
ready()
park()
"""

TWO_MEMBERS = """
member = fork_member()
ready(member=member)
park()
"""

CONTINUES_ITS_CHILD = """
import threading
child = fork_member()

def resume():
    # What tmux does for its pane's process: continue it as soon as it stops.
    while True:
        try:
            _, status = os.waitpid(child, os.WUNTRACED)
        except ChildProcessError:
            return
        if not os.WIFSTOPPED(status):
            return
        os.kill(child, signal.SIGCONT)

threading.Thread(target=resume, daemon=True).start()
ready(child=child)
park()
"""


def ignore(_: Sent) -> None:
    pass


def send(
    pid: int,
    sig: SignalSpec,
    instrumented: Instrumented | None = None,
    watch_seconds: float = SURVIVOR_WATCH,
) -> list[str]:
    report = flow(watch_seconds).run(
        ProcessTarget(info_of(pid)),
        sig,
        context(),
        instrumented or Instrumented(),
        ignore,
    )
    return list(report.outcome_lines)


def stop(pid: int) -> None:
    os.kill(pid, signal.SIGSTOP)
    wait_for_state(pid, "T")


# --- bug 9a: SIGCONT continues only what was stopped ---------------------------


def test_sigcont_to_a_running_process_does_not_say_continued(
    spawner: Spawner,
) -> None:
    child = sleeper(spawner)
    [line] = send(child.pid, CONT)
    assert "continued" not in line
    assert line.endswith("still running (nothing (not stopped))")
    assert proc_state(child.pid) == "S"


def test_group_sigcont_continues_only_the_stopped_member(spawner: Spawner) -> None:
    leader = spawner.python(TWO_MEMBERS)
    member = int(leader.info["member"])
    wait_for_state(leader.pid, "S")
    stop(member)
    members = tuple(p for p in ProcfsScanner().scan().processes if p.pgid == leader.pid)
    report = flow(WATCH_SECONDS).run(
        GroupTarget(leader.pid, members), CONT, context(), Instrumented(), ignore
    )
    fates = {o.info.pid: o.fate for o in report.seen}
    assert fates == {leader.pid: Fate.RUNNING, member: Fate.CONTINUED}
    [continued] = [line for line in report.outcome_lines if line.endswith("continued")]
    assert continued.startswith(f"process {member} ")


# --- bug 9b: a stopped process stays stopped ------------------------------------


def test_an_ignored_signal_to_a_stopped_process_says_it_is_stopped(
    spawner: Spawner,
) -> None:
    child = spawner.python(IGNORES_TERM)
    wait_for_state(child.pid, "S")
    stop(child.pid)
    [line] = send(child.pid, TERM)
    assert "still running" not in line
    assert line.endswith("still stopped (ignored)")
    assert proc_state(child.pid) == "T"


# --- bug 9c: stopped, then continued by someone else ----------------------------


def test_a_stop_undone_at_once_by_another_process_says_so(spawner: Spawner) -> None:
    parent = spawner.python(CONTINUES_ITS_CHILD)
    child = int(parent.info["child"])
    wait_for_state(child, "S")
    [line] = send(child, STOP)
    assert "still running" not in line
    assert line.endswith("stopped, then continued by another process")
    wait_for_state(child, "S")


# --- bug 9d: pending is read before the send ------------------------------------


def test_the_first_blocked_signal_stays_pending_the_second_merges(
    spawner: Spawner,
) -> None:
    child = spawner.python(BLOCKS_USR1)
    wait_for_state(child.pid, "S")
    [first] = send(child.pid, USR1)
    assert first.endswith("still running (blocked: stays pending)")
    [second] = send(child.pid, USR1)
    assert second.endswith("still running (blocked: merges with pending)")


# --- bug 4: the demo's reported dispositions, not its masks ---------------------


@pytest.mark.parametrize(
    ("disposition", "outcome", "caption"),
    [
        ("catch", "caught by its handler", "it logged the signal and kept running"),
        ("hold", "blocked: stays pending", "the signal waits, pending"),
    ],
)
def test_the_demo_is_explained_by_its_disposition_not_its_masks(
    spawner: Spawner, disposition: str, outcome: str, caption: str
) -> None:
    # Like the demo: every signal blocked, dequeued by sigtimedwait when it
    # catches, so the masks say "blocked" either way.
    child = spawner.python(BLOCKS_USR1)
    wait_for_state(child.pid, "S")
    info = info_of(child.pid)
    demo = Instrumented(child.pid, info.pgid, disposition)
    report = flow().run(ProcessTarget(info), USR1, context(), demo, ignore)
    [line] = report.outcome_lines
    assert line.endswith(f"still running ({outcome})")
    assert caption in report.caption
