"""The trace layer without the kernel: parsing trace_pipe lines, pairing, words.

The lines are the kernel's own text, copied from a real trace on this kind of
machine (research/tracing.md) and then varied: names with spaces and dashes,
``<...>`` for a name the kernel forgot, interrupt context, lost events.
"""

from __future__ import annotations

import json
import os
import signal

import pytest

from sigtui.procfs import process_group
from sigtui.trace.events import (
    Deliver,
    Event,
    Generate,
    LostEvents,
    ProcessExit,
    parse_line,
)
from sigtui.trace.pairing import Pairer
from sigtui.trace.records import (
    Exited,
    Fate,
    Lost,
    Record,
    Result,
    Sender,
    TracedSignal,
    from_json,
    to_json,
)
from sigtui.trace.words import exit_words, record_line, signal_line
from tests.spawn import Spawner


def gen(
    t: float,
    sender: str,
    tid: int,
    sig: int,
    target: str,
    pid: int,
    *,
    tgid: int | None = None,
    code: int = 0,
    grp: int = 1,
    res: int = 0,
    flags: str = "d..1.",
) -> str:
    """A signal_generate line as the kernel prints it with record-tgid on."""
    return (
        f"{sender:>16}-{tid:<7} ({tgid or tid:>7}) [001] {flags} {t:.6f}: "
        f"signal_generate: sig={sig} errno=0 code={code} comm={target} "
        f"pid={pid} grp={grp} res={res}"
    )


def dlv(
    t: float, comm: str, tid: int, sig: int, handler: str, *, tgid: int | None = None
) -> str:
    """A signal_deliver line."""
    return (
        f"{comm:>16}-{tid:<7} ({tgid or tid:>7}) [000] d..1. {t:.6f}: "
        f"signal_deliver: sig={sig} errno=0 code=0 sa_handler={handler} sa_flags=0"
    )


def gone(t: float, comm: str, tid: int, *, tgid: int | None = None) -> str:
    """A sched_process_exit line of a process's last thread."""
    return (
        f"{comm:>16}-{tid:<7} ({tgid or tid:>7}) [000] ..... {t:.6f}: "
        f"sched_process_exit: comm={comm} pid={tid} prio=120 group_dead=true"
    )


def parsed(*lines: str) -> list[Event]:
    """The events of some lines (lines that are none are left out)."""
    return [event for line in lines if (event := parse_line(line)) is not None]


def pair(*lines: str, now: float = 100.0, status: int | None = None) -> list[Record]:
    """Parse and pair lines in one batch; exit statuses read as ``status``."""
    return unknowing(status).feed(parsed(*lines), now)


def unknowing(status: int | None = None) -> Pairer:
    """A pairer that reads nothing from /proc: the pids here are made up."""
    return Pairer(exit_status=lambda pid: status, pending=lambda pid, tid: None)


def signals(records: list[Record]) -> list[TracedSignal]:
    return [r for r in records if isinstance(r, TracedSignal)]


# -- parsing -------------------------------------------------------------------


def test_a_generate_line_is_parsed_with_names_that_hold_spaces_and_dashes() -> None:
    line = gen(5.25, "tmux: server", 4120, 15, "my-prog -x", 4200, tgid=4119)
    event = parse_line(line)
    assert isinstance(event, Generate)
    assert (event.head.comm, event.head.tid, event.head.tgid) == (
        "tmux: server",
        4120,
        4119,
    )
    assert event.head.time == pytest.approx(5.25)
    assert (event.signo, event.code, event.target_comm) == (15, 0, "my-prog -x")
    assert (event.target_tid, event.process_directed, event.result) == (4200, True, 0)
    assert not event.head.irq


def test_a_deliver_line_an_exit_line_and_a_loss_are_parsed() -> None:
    deliver = parse_line(dlv(1.0, "sleep", 7, 9, "0"))
    assert isinstance(deliver, Deliver)
    assert (deliver.signo, deliver.handler, deliver.head.tid) == (9, "0", 7)
    exit_ = parse_line(gone(2.0, "sleep", 7))
    assert isinstance(exit_, ProcessExit)
    assert exit_.head.tgid == 7
    lost = parse_line("CPU:1 [LOST 1234 EVENTS]")
    assert isinstance(lost, LostEvents)
    assert lost.count == 1234


def test_unknown_tgid_irq_context_and_forgotten_names() -> None:
    line = gen(1.0, "<...>", 33, 2, "cat", 40, flags="d.h1.").replace(
        "(     33)", "(-------)"
    )
    event = parse_line(line)
    assert isinstance(event, Generate)
    assert (event.head.comm, event.head.tgid, event.head.irq) == ("<...>", 0, True)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "# tracer: nop",
        "   bash-1 (1) [000] d..1. 1.0: signal_generate: sig=x errno=0",
        "   bash-1 (1) [000] d..1. 1.0: sched_process_exit: comm=a pid=1 prio=1 "
        "group_dead=false",
    ],
)
def test_lines_that_are_not_sigtuis_events_give_none(line: str) -> None:
    assert parse_line(line) is None


# -- pairing -------------------------------------------------------------------


def test_a_kill_paired_with_its_default_action_and_the_exit_says_who() -> None:
    records = pair(
        gen(10.0, "bash", 4120, 15, "sleep", 4200),
        dlv(10.0001, "sleep", 4200, 15, "0"),
        gone(10.0002, "sleep", 4200),
    )
    sent, exited = records
    assert isinstance(sent, TracedSignal)
    assert (sent.sender_pid, sent.sender_name, sent.target_pid) == (4120, "bash", 4200)
    assert sent.fate is Fate.KILLED
    assert sent.taken == pytest.approx(10.0001)
    assert isinstance(exited, Exited)
    assert (exited.pid, exited.signo, exited.by) == (4200, 15, sent)
    assert exit_words(exited, now=10.2002) == (
        "killed by SIGTERM from 4120 (bash) 0.2 s ago"
    )


def test_a_fatal_signal_taken_as_sigkill_is_paired_with_the_signal_sent() -> None:
    # The kernel turns SIGTERM with no handler into SIGKILL when it is generated.
    records = pair(
        gen(1.0, "bash", 50, 15, "sleep", 60),
        dlv(1.00002, "sleep", 60, 9, "0"),
        dlv(1.00003, "sleep", 61, 9, "0", tgid=60),  # another thread of it
        gone(1.00004, "sleep", 60),
    )
    sent = signals(records)
    assert len(sent) == 1
    assert (sent[0].signo, sent[0].fate) == (15, Fate.KILLED)
    exited = records[-1]
    assert isinstance(exited, Exited)
    assert exited.signo == 15


def test_ignored_merged_and_caught() -> None:
    records = pair(
        gen(1.0, "sh", 5, 10, "a", 6, res=1),
        gen(1.1, "sh", 5, 10, "b", 7),
        gen(1.2, "sh", 5, 10, "b", 7, res=2),
        gen(1.3, "sh", 5, 10, "b", 7, res=2),
        dlv(1.4, "b", 7, 10, "55ffe8502e40"),
    )
    fates = [(r.target_pid, r.result, r.fate) for r in signals(records)]
    assert fates == [
        (6, Result.IGNORED, Fate.IGNORED),
        (7, Result.MERGED, Fate.MERGED),
        (7, Result.MERGED, Fate.MERGED),
        (7, Result.QUEUED, Fate.CAUGHT),
    ]
    assert signals(records)[-1].handler == "55ffe8502e40"


def test_sigcont_reported_as_ignored_still_continues() -> None:
    (record,) = signals(pair(gen(1.0, "sh", 5, int(signal.SIGCONT), "job", 6, res=1)))
    assert record.fate is Fate.CONTINUED


def test_a_stop_signal_taken_with_the_default_action_stopped_it() -> None:
    records = pair(gen(1.0, "sh", 5, 19, "job", 6), dlv(1.1, "job", 6, 19, "0"))
    assert signals(records)[0].fate is Fate.STOPPED


def test_a_fault_is_raised_by_the_cpu_in_the_victim_itself() -> None:
    records = pair(
        gen(1.0, "python3", 9, 11, "python3", 9, code=1, grp=0),
        dlv(1.00001, "python3", 9, 11, "0"),
        gone(1.00002, "python3", 9),
    )
    (sent,) = signals(records)
    assert sent.sender is Sender.CPU
    assert not sent.process_directed
    exited = records[-1]
    assert isinstance(exited, Exited)
    assert exit_words(exited) == "SIGSEGV (address not mapped)"
    assert "the CPU" in signal_line(sent)


def test_the_kernel_sends_with_si_kernel_and_from_interrupts() -> None:
    records = pair(
        gen(1.0, "kworker/0:1", 3, 2, "cat", 40, code=128),
        gen(1.1, "swapper/0", 0, 14, "cat", 40, flags="d.h1.", res=1),
    )
    assert [r.sender for r in signals(records)] == [Sender.KERNEL, Sender.KERNEL]
    assert signals(records)[0].sender_pid == 0


def test_a_blocked_signal_is_given_out_pending_then_again_when_taken_late() -> None:
    pairer = unknowing()
    first = pairer.feed(parsed(gen(1.0, "sh", 5, 10, "b", 7)), now=1.1)
    assert first == []
    waited = pairer.feed([], now=2.5)
    assert [r.fate for r in signals(waited)] == [Fate.PENDING]
    late = pairer.feed(parsed(dlv(3.0, "b", 7, 10, "abc")), now=3.1)
    (record,) = signals(late)
    (pending,) = signals(waited)
    assert (record.id, record.fate, record.late) == (pending.id, Fate.CAUGHT, True)


def test_what_is_pending_when_the_target_exits_was_not_taken() -> None:
    records = pair(
        gen(1.0, "sh", 5, 10, "b", 7),
        gone(1.5, "b", 7),
        status=3,
    )
    sent, exited = records
    assert isinstance(sent, TracedSignal)
    assert sent.fate is Fate.EXITED_FIRST
    assert exited == Exited(1.5, 7, "b", status=3)
    assert exit_words(exited) == "exited 3"


def test_a_group_send_is_one_burst() -> None:
    records = pair(
        gen(1.0, "bash", 5, 15, "sleep", 70),
        gen(1.00001, "bash", 5, 15, "sleep", 71),
        gen(1.00002, "bash", 5, 15, "sleep", 72),
        gen(1.5, "bash", 5, 15, "sleep", 73),  # later: a send of its own
    )
    sent = signals(records)
    bursts = [(r.target_pid, r.burst, r.burst_size) for r in sent if r.burst]
    first = sent[0].id
    assert bursts == [(70, first, 3), (71, first, 3), (72, first, 3)]


def test_a_thread_directed_signal_is_taken_by_that_thread_only() -> None:
    records = pair(
        gen(1.0, "app", 5, 10, "app", 9, tgid=5, grp=0, code=-6),
        dlv(1.1, "app", 9, 10, "abc", tgid=5),
    )
    (record,) = signals(records)
    assert (record.fate, record.target_pid, record.target_tid) == (Fate.CAUGHT, 5, 9)
    assert "tgkill()" in signal_line(record)


def test_losses_are_counted() -> None:
    pairer = unknowing()
    records = pairer.feed([LostEvents(10), LostEvents(5)], now=1.0)
    assert pairer.lost == 15
    assert records == [Lost(1.0, 10), Lost(1.0, 5)]
    assert "5 events lost" in record_line(records[1])


def test_records_round_trip_through_json() -> None:
    records = [
        *pair(
            gen(10.0, "bash", 4120, 15, "sleep", 4200),
            dlv(10.0001, "sleep", 4200, 15, "0"),
            gone(10.0002, "sleep", 4200),
        ),
        Lost(3.0, 7),
    ]
    for record in records:
        line = to_json(record)
        assert json.loads(line)["type"] in ("signal", "exit", "lost")
        assert from_json(line) == record
    with pytest.raises(ValueError, match="not a trace record"):
        from_json('{"type": "nonsense"}')


def test_a_sender_name_the_kernel_forgot_is_read_from_proc() -> None:
    me = os.getpid()
    line = gen(1.0, "<...>", me, 10, "b", 7, res=1)
    (record,) = signals(pair(line))
    with open(f"/proc/{me}/comm") as comm:
        assert record.sender_name == comm.read().strip()


def test_a_signal_no_longer_pending_without_a_delivery_was_waited_for() -> None:
    # sigwaitinfo and signalfd take a signal without a delivery event; /proc
    # shows it is no longer pending. Judged a batch later, in case its
    # delivery was still on its way.
    masks = {7: 0}
    pairer = Pairer(exit_status=lambda pid: None, pending=lambda pid, tid: masks[pid])
    assert pairer.feed(parsed(gen(1.0, "sh", 5, 10, "b", 7)), now=1.05) == []
    (record,) = signals(pairer.feed([], now=1.15))
    assert record.fate is Fate.WAITED
    assert "sigwait" in signal_line(record)


def test_a_delivery_in_the_next_batch_wins_over_the_pending_check() -> None:
    pairer = Pairer(exit_status=lambda pid: None, pending=lambda pid, tid: 0)
    assert pairer.feed(parsed(gen(1.0, "sh", 5, 10, "b", 7)), now=1.05) == []
    (record,) = signals(pairer.feed(parsed(dlv(1.04, "b", 7, 10, "abc")), now=1.15))
    assert record.fate is Fate.CAUGHT


def test_a_blocked_signal_still_pending_stays_pending() -> None:
    pairer = Pairer(
        exit_status=lambda pid: None, pending=lambda pid, tid: 1 << (10 - 1)
    )
    assert pairer.feed(parsed(gen(1.0, "sh", 5, 10, "b", 7)), now=1.05) == []
    assert pairer.feed([], now=1.15) == []
    (record,) = signals(pairer.feed([], now=2.5))
    assert record.fate is Fate.PENDING


def test_sigkill_reported_ignored_means_the_target_was_already_exiting() -> None:
    (record,) = signals(pair(gen(1.0, "sh", 5, int(signal.SIGKILL), "x", 6, res=1)))
    assert record.fate is Fate.EXITED_FIRST


def test_a_flood_to_one_process_is_not_a_burst() -> None:
    lines = [gen(1.0 + i * 1e-5, "bash", 5, 10, "b", 7, res=1) for i in range(50)]
    assert {(r.burst, r.burst_size) for r in signals(pair(*lines))} == {(0, 1)}


def test_process_group_is_read_from_proc(spawner: Spawner) -> None:
    child = spawner.command(["sleep", "1000"])  # leads a new session and group
    assert process_group(child.pid) == child.pid
    assert process_group(os.getpid()) == os.getpgid(0)
    child.proc.kill()
    child.proc.wait()
    assert process_group(child.pid) is None
