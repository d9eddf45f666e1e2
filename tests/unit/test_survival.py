"""Why a process is still there: real processes in each state, read from /proc.

Every process here is started by the test (tests/spawn.py) in its own session
and process group, and reaped at teardown.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from sigtui.delivery.explain import outcome_line, why
from sigtui.delivery.watch import (
    Ending,
    Fate,
    Observation,
    end_gracefully,
    held_after,
)
from sigtui.processes.model import ProcessInfo
from sigtui.processes.scan import CLOCK_TICKS, read_stat
from sigtui.signals.catalog import PROBE, catalogue
from sigtui.signals.predict import predict
from sigtui.signals.state import SignalState, read_signal_state
from sigtui.signals.survival import (
    Circumstances,
    Hold,
    Peer,
    after_kill,
    holds,
    parse_tracer_pid,
    parse_wchan,
    read_circumstances,
    why_still_there,
)
from tests.spawn import (
    Spawner,
    make_info,
    proc_state,
    sleeper,
    stopped,
    traced,
    uninterruptible,
    wait_for_state,
    wait_until,
    zombie_parent,
)

TERM = catalogue().by_name("SIGTERM")
KILL = catalogue().by_name("SIGKILL")
USR1 = catalogue().by_name("SIGUSR1")
CHLD = catalogue().by_name("SIGCHLD")


def live_info(pid: int) -> ProcessInfo:
    """The process as a scan would list it (pid, state, start time)."""
    stat = read_stat(pid)
    assert stat is not None, f"pid {pid} is gone"
    return make_info(
        pid,
        ppid=stat.ppid,
        pgid=stat.pgid,
        sid=stat.sid,
        state=stat.state,
        num_threads=stat.num_threads,
        start_time=stat.start_ticks / CLOCK_TICKS,
        comm=stat.comm,
    )


def circumstances(pid: int) -> Circumstances:
    c = read_circumstances(live_info(pid))
    assert c is not None
    return c


def comm(pid: int) -> str:
    with open(f"/proc/{pid}/comm") as file:
        return file.read().strip()


def wchan(pid: int) -> str:
    with open(f"/proc/{pid}/wchan") as file:
        return file.read().strip()


def kill_pending(pid: int) -> bool:
    return signal.SIGKILL in read_signal_state(pid).pending


# -- parsing ------------------------------------------------------------------


def test_wchan_zero_or_empty_means_none() -> None:
    assert parse_wchan(b"0") is None
    assert parse_wchan(b"") is None
    assert parse_wchan(b"anon_pipe_write") == "anon_pipe_write"
    assert parse_wchan(b"do\x1b[2J") == "do\\x1b[2J"  # escapes stay visible


def test_tracer_pid_is_read_from_status() -> None:
    assert parse_tracer_pid(b"Name:\tx\nTracerPid:\t4242\nUid:\t0\n") == 4242
    assert parse_tracer_pid(b"Name:\tx\nTracerPid:\t0\n") == 0
    assert parse_tracer_pid(b"Name:\tx\n") == 0


# -- real processes -----------------------------------------------------------


def test_an_ordinary_sleeper_has_nothing_holding_it(spawner: Spawner) -> None:
    child = sleeper(spawner)
    c = circumstances(child.pid)
    assert c.state == "S"
    assert c.tracer is None
    assert holds(c) == ()
    assert why_still_there(c, TERM) is None


def test_uninterruptible_sleep_names_its_wchan_and_outlives_sigkill(
    spawner: Spawner,
) -> None:
    victim = int(uninterruptible(spawner).info["victim"])
    c = circumstances(victim)
    assert c.state == "D"
    assert c.wchan is not None
    assert c.wchan == wchan(victim)
    (reason,) = holds(c)
    assert reason.hold is Hold.UNINTERRUPTIBLE
    assert f"in {c.wchan}" in reason.explanation
    assert "not even SIGKILL" in reason.explanation
    # The kernel's side of the claim: SIGKILL arrives (pending) and acts not.
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: kill_pending(victim), "SIGKILL pending in the victim")
    assert proc_state(victim) == "D"
    after = circumstances(victim)
    killed = why_still_there(after, KILL)
    assert killed is not None
    assert killed.hold is Hold.UNINTERRUPTIBLE
    said = after_kill(after)
    assert f"uninterruptible sleep (D) in {after.wchan}" in said
    assert "until that kernel call returns" in said


def test_a_zombie_names_the_parent_that_has_not_reaped_it(
    spawner: Spawner,
) -> None:
    parent = zombie_parent(spawner)
    zombie = int(parent.info["zombie"])
    c = circumstances(zombie)
    assert c.state == "Z"
    assert c.parent == Peer(parent.pid, comm(parent.pid))
    (reason,) = holds(c)
    assert reason.hold is Hold.ZOMBIE
    assert f"its parent {parent.pid} ({comm(parent.pid)})" in reason.explanation
    assert "already exited" in reason.explanation
    assert "wait()" in reason.explanation
    assert f"sending {parent.pid} SIGCHLD" in reason.explanation
    assert "ending the parent lets init adopt and reap" in reason.explanation
    # Whatever the signal, the answer is the same: it is dead already.
    for sig in (TERM, KILL):
        after = why_still_there(c, sig)
        assert after is not None
        assert after.hold is Hold.ZOMBIE
        assert "signalling it does nothing" in after.summary


def test_a_stopped_process_waits_for_sigcont_but_not_for_sigkill(
    spawner: Spawner,
) -> None:
    child = stopped(spawner)
    c = circumstances(child.pid)
    (reason,) = holds(c)
    assert reason.hold is Hold.STOPPED
    assert "wait, pending, until it gets SIGCONT" in reason.explanation
    assert "SIGKILL ends it at once" in reason.explanation
    os.kill(child.pid, signal.SIGUSR1)
    wait_until(
        lambda: signal.SIGUSR1 in read_signal_state(child.pid).pending,
        "SIGUSR1 pending in the stopped child",
    )
    state = read_signal_state(child.pid)
    after = why_still_there(
        circumstances(child.pid), USR1, predict(live_info(child.pid), state, USR1)
    )
    assert after is not None
    assert after.hold is Hold.STOPPED
    assert "SIGUSR1 and other signals wait, pending, until SIGCONT" in after.summary
    # A signal it discards even while stopped is explained by its masks.
    chld = predict(live_info(child.pid), state, CHLD)
    assert why_still_there(circumstances(child.pid), CHLD, chld) is None


def test_a_traced_process_names_its_tracer(spawner: Spawner) -> None:
    tracer = traced(spawner)
    tracee = int(tracer.info["tracee"])
    c = circumstances(tracee)
    assert c.state == "t"
    assert c.tracer == Peer(tracer.pid, comm(tracer.pid))
    (reason,) = holds(c)
    assert reason.hold is Hold.TRACED
    assert f"its tracer {tracer.pid} ({comm(tracer.pid)})" in reason.explanation
    after = why_still_there(c, TERM)
    assert after is not None
    assert f"stopped by its tracer {tracer.pid}" in after.summary
    assert why_still_there(c, KILL) is None


def test_a_gone_process_has_no_circumstances(spawner: Spawner) -> None:
    child = sleeper(spawner)
    info = live_info(child.pid)
    child.proc.kill()
    child.proc.wait()
    assert read_circumstances(info) is None


def test_after_kill_without_a_reading_says_so() -> None:
    assert after_kill(None) == "its state could not be read"
    assert "state R" in after_kill(Circumstances(pid=5, state="R"))


def test_probe_never_has_a_reason() -> None:
    zombie = Circumstances(pid=5, state="Z", parent=Peer(4, "sh"))
    assert why_still_there(zombie, PROBE) is None


def test_end_gracefully_says_why_sigkill_did_not_end_it(spawner: Spawner) -> None:
    victim = int(uninterruptible(spawner).info["victim"])
    info = live_info(victim)
    result = end_gracefully(info, 0.05)
    assert result.ending is Ending.SURVIVED
    where = wchan(victim)
    assert where not in ("", "0")
    assert result.message.startswith(f"process {victim} (")
    assert (
        f"is still there after SIGKILL: it is in uninterruptible sleep (D) in {where}"
        in result.message
    )
    assert "until that kernel call returns" in result.message
    assert proc_state(victim) == "D"


VFORK_C = r"""
#include <signal.h>
#include <unistd.h>
int main(void) {
    /* The parent waits in vfork (state D) until the child execs or exits;
       the child stops itself instead, so the parent waits on. */
    if (vfork() == 0) {
        raise(SIGSTOP);
        _exit(0);
    }
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_a_vfork_parent_is_d_yet_sigkill_ends_it(
    spawner: Spawner, tmp_path: Path
) -> None:
    # Why the words say "a few such waits, like a vfork parent's, do let
    # SIGKILL through": /proc shows D for this killable wait too.
    source = tmp_path / "vfork.c"
    source.write_text(VFORK_C)
    binary = tmp_path / "vfork"
    subprocess.run(["gcc", "-o", str(binary), str(source)], check=True)
    parent = spawner.command([str(binary)])
    try:
        wait_for_state(parent.pid, "D")
        (reason,) = holds(circumstances(parent.pid))
        assert reason.hold is Hold.UNINTERRUPTIBLE
        assert "like a vfork parent's, do let SIGKILL through" in reason.explanation
        os.kill(parent.pid, signal.SIGKILL)
        assert parent.proc.wait(timeout=20) == -signal.SIGKILL
    finally:
        # The stopped vfork child is still in the group the test created.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)


# -- the words after a send (pure) ---------------------------------------------

STOPPED_HERE = Circumstances(pid=100, state="T", parent=Peer(1, "init"))
ZOMBIE_HERE = Circumstances(pid=100, state="Z", parent=Peer(42, "bash"))


def test_outcome_line_says_still_there_and_why() -> None:
    info = make_info(100, state="T")
    reason = why_still_there(STOPPED_HERE, TERM)
    seen = Observation(info, Fate.RUNNING, "T")
    assert outcome_line(seen, reason, "waits for SIGCONT (stopped)") == (
        "still there: it is stopped (T): SIGTERM and other signals wait, "
        "pending, until SIGCONT; SIGKILL would end it now"
    )
    # Held by nothing but its masks: the words stay as they were.
    running = Observation(make_info(100, state="S"), Fate.RUNNING, "S")
    assert outcome_line(running, None, "caught by its handler") == (
        "still running (caught by its handler)"
    )
    assert outcome_line(Observation(info, Fate.EXITED, ""), None) == "exited"


def test_outcome_line_names_a_zombies_parent() -> None:
    reason = why_still_there(ZOMBIE_HERE, TERM)
    seen = Observation(make_info(100, state="Z"), Fate.EXITED, "Z")
    assert outcome_line(seen, reason) == (
        "exited, but its parent 42 (bash) has not reaped it (a zombie); "
        "signalling it does nothing"
    )


def test_the_caption_explains_an_old_zombie_but_not_a_fresh_one() -> None:
    reason = why_still_there(ZOMBIE_HERE, TERM)
    was_zombie = predict(make_info(100, state="Z"), None, TERM)
    text = why(TERM, Fate.EXITED, was_zombie, held=reason)
    assert text.startswith("A zombie: it has already exited")
    assert "its parent 42 (bash)" in text
    # The signal ended it just now; that its parent has yet to reap it is
    # not why the signal "did nothing".
    was_alive = predict(make_info(100), SignalState(), TERM)
    text = why(TERM, Fate.EXITED, was_alive, held=reason)
    assert text == "It had no handler, so the default action happened: it ended."


def test_a_running_tracee_is_explained_by_its_tracer_only_when_masks_are_not() -> None:
    c = Circumstances(pid=100, state="S", tracer=Peer(7, "strace"))
    info = make_info(100)
    default = predict(info, SignalState(), TERM)
    reason = why_still_there(c, TERM, default)
    assert reason is not None
    assert reason.summary == (
        "it is traced by its tracer 7 (strace), which sees SIGTERM first and may "
        "discard it"
    )
    caught = predict(info, SignalState(caught=frozenset({15})), TERM)
    assert why_still_there(c, TERM, caught) is None


def test_a_zombie_of_init_says_init_reaps_it() -> None:
    c = Circumstances(pid=100, state="Z", parent=Peer(1, "systemd"))
    (reason,) = holds(c)
    assert reason.summary.startswith(
        "exited, but its parent init 1 (systemd) has not reaped it (a zombie)"
    )
    assert "init normally reaps zombies at once" in reason.explanation


def test_held_after_explains_an_old_zombie_but_not_one_the_signal_made() -> None:
    def read(info: ProcessInfo) -> Circumstances:
        return ZOMBIE_HERE

    old = Observation(make_info(100, state="Z"), Fate.EXITED, "Z")
    fresh = Observation(make_info(100, state="S"), Fate.EXITED, "Z")
    held = held_after([old], TERM, {}, read=read)
    assert held[old.info.identity].hold is Hold.ZOMBIE
    assert held_after([fresh], TERM, {}, read=read) == {}
