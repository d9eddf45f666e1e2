"""The TUI's memory of the trace: bounds, scopes, SIGCHLD hiding, flood collapse."""

from __future__ import annotations

import signal
from dataclasses import replace

from sigtui.trace.history import (
    Counted,
    OwnSends,
    Scope,
    ScopeView,
    TraceHistory,
    collapse,
    in_scope,
    recent_words,
    same_thing,
    scope_words,
    select,
    sigchld_hidden,
)
from sigtui.trace.records import (
    Exited,
    Fate,
    Lost,
    Record,
    Result,
    Sender,
    TracedSignal,
)


def traced(
    sender: int = 4120,
    target: int = 4200,
    signo: int = signal.SIGTERM,
    fate: Fate = Fate.KILLED,
    *,
    id: int = 1,
    time: float = 100.0,
    pgid: int = 0,
) -> TracedSignal:
    return TracedSignal(
        id=id,
        time=time,
        signo=signo,
        code=0,
        sender=Sender.PROCESS if sender else Sender.KERNEL,
        sender_pid=sender,
        sender_tid=sender,
        sender_name="bash" if sender else "",
        target_pid=target,
        target_tid=target,
        target_name="sleep",
        process_directed=True,
        result=Result.QUEUED,
        fate=fate,
        pgid=pgid,
    )


GROUPS = {4120: 4120, 4200: 4200, 4201: 4200, 4300: 4300}


def view(scope: Scope, **fields: object) -> ScopeView:
    base = ScopeView(scope, pid=4200, pgid=4200, pgid_of=GROUPS.get)
    return replace(base, **fields)  # type: ignore[arg-type]


def test_scopes_cycle_process_group_tagged_machine() -> None:
    order = [Scope.SELECTED]
    for _ in range(4):
        order.append(order[-1].next())
    assert order == [
        Scope.SELECTED,
        Scope.GROUP,
        Scope.TAGGED,
        Scope.MACHINE,
        Scope.SELECTED,
    ]


def test_the_selected_scope_has_what_the_process_sent_and_received() -> None:
    selected = view(Scope.SELECTED)
    assert in_scope(traced(4120, 4200), selected)
    assert in_scope(traced(4200, 4300), selected)
    assert not in_scope(traced(4120, 4300), selected)
    assert not in_scope(traced(4120, 4200), view(Scope.SELECTED, pid=None))


def test_the_group_scope_uses_the_scan_s_groups_and_a_group_send_s_pgid() -> None:
    group = view(Scope.GROUP)
    assert in_scope(traced(4120, 4201), group)  # another member of 4200
    assert not in_scope(traced(4120, 4300), group)
    # A member that exited before any scan listed it, reached by a group send.
    assert in_scope(traced(4120, 9999, pgid=4200), group)
    assert not in_scope(traced(4120, 4201), view(Scope.GROUP, pgid=0))


def test_the_tagged_scope_and_the_machine() -> None:
    tagged = view(Scope.TAGGED, tagged=frozenset({4300}))
    assert in_scope(traced(4120, 4300), tagged)
    assert not in_scope(traced(4120, 4200), tagged)
    assert in_scope(traced(1, 2), view(Scope.MACHINE))


def test_exits_are_in_the_scope_of_their_process_and_losses_in_every_scope() -> None:
    gone = Exited(101.0, 4200, "sleep", signo=signal.SIGTERM)
    assert in_scope(gone, view(Scope.SELECTED))
    assert not in_scope(replace(gone, pid=4300), view(Scope.SELECTED))
    assert in_scope(Lost(101.0, 7), view(Scope.SELECTED, pid=None))


def test_sigchld_is_hidden_on_the_machine_unless_chosen_otherwise() -> None:
    assert sigchld_hidden(Scope.MACHINE, None)
    assert not sigchld_hidden(Scope.SELECTED, None)
    assert sigchld_hidden(Scope.SELECTED, True)
    assert not sigchld_hidden(Scope.MACHINE, False)
    child = traced(4201, 4200, signal.SIGCHLD, Fate.IGNORED)
    assert in_scope(child, view(Scope.SELECTED))
    assert not in_scope(child, view(Scope.SELECTED, hide_sigchld=True))
    assert in_scope(traced(), view(Scope.SELECTED, hide_sigchld=True))
    # A plain exit goes with it; one a signal caused stays.
    plain = Exited(101.0, 4200, "sleep", status=0)
    assert not in_scope(plain, view(Scope.SELECTED, hide_sigchld=True))
    killed = Exited(101.0, 4200, "sleep", signo=signal.SIGTERM)
    assert in_scope(killed, view(Scope.SELECTED, hide_sigchld=True))


def test_scope_words() -> None:
    assert scope_words(Scope.SELECTED, pid=4200, name="sleep") == "pid 4200 (sleep)"
    assert scope_words(Scope.GROUP, pid=4200, pgid=4200) == "group 4200"
    assert scope_words(Scope.TAGGED, tagged=3) == "3 tagged"
    assert scope_words(Scope.MACHINE) == "the whole machine"
    assert scope_words(Scope.SELECTED) == "no process selected"


def test_a_flood_collapses_into_one_counted_entry() -> None:
    flood = [traced(4120, 4200, signal.SIGUSR1, Fate.CAUGHT, id=n) for n in range(5)]
    other = traced(4120, 4300, signal.SIGUSR1, Fate.CAUGHT, id=9)
    entries = collapse([*flood, other, *flood[:2]])
    assert [entry.count for entry in entries] == [5, 1, 2]
    assert entries[0].record is flood[-1]
    assert same_thing(flood[0], flood[1])
    assert not same_thing(flood[0], replace(flood[1], fate=Fate.MERGED))


def test_losses_in_a_row_add_up() -> None:
    assert collapse([Lost(1.0, 3), Lost(1.1, 4)]) == [Counted(Lost(1.1, 4), 7)]


def test_the_history_keeps_sent_and_received_per_process() -> None:
    history = TraceHistory()
    kill = traced(4120, 4200, id=1, time=100.0)
    reply = traced(4200, 4120, signal.SIGUSR1, Fate.CAUGHT, id=2, time=100.5)
    history.add([kill, reply, Lost(101.0, 3), Lost(101.1, 2)])
    assert history.sent(4120) == [kill]
    assert history.received(4200) == [kill]
    assert history.received(4120) == [reply]
    assert history.recent(4200, 5) == [(reply, True), (kill, False)]
    assert history.recent(4200, 1) == [(reply, True)]
    assert history.recent(1, 5) == []
    assert history.lost == 5
    assert history.signals == 2


def test_a_signal_to_itself_is_listed_once() -> None:
    history = TraceHistory()
    own = traced(4200, 4200, signal.SIGUSR1, Fate.CAUGHT)
    history.add([own])
    assert history.recent(4200, 5) == [(own, False)]
    assert history.sent(4200) == [own]


def test_a_late_fate_replaces_the_pending_record() -> None:
    history = TraceHistory()
    pending = traced(4120, 4200, signal.SIGUSR1, Fate.PENDING, id=7)
    history.add([pending])
    taken = replace(pending, fate=Fate.CAUGHT, late=True, taken=103.0)
    history.add([taken])
    assert history.received(4200) == [taken]
    assert history.sent(4120) == [taken]


def test_the_history_is_bounded() -> None:
    history = TraceHistory(per_pid=3, max_pids=10, max_exits=4)
    history.add(traced(1, 100 + n % 20, id=n, time=float(n)) for n in range(1000))
    assert len(history) == 10  # the sender and the nine busiest of late
    assert len(history.sent(1)) == 3
    assert [r.id for r in history.sent(1)] == [997, 998, 999]
    assert history.received(100) == []  # forgotten: least recently busy
    history.add(Exited(float(n), 5000 + n, "sh") for n in range(10))
    assert sorted(history.exits()) == [5006, 5007, 5008, 5009]


def test_the_latest_exit_of_a_pid_counts() -> None:
    history = TraceHistory()
    first = Exited(1.0, 4200, "sleep", signo=signal.SIGTERM)
    again = Exited(2.0, 4200, "true", status=0)
    history.add([first, again])
    assert history.exit_of(4200) is again
    assert history.exit_of(4300) is None


def test_a_send_by_sigtui_is_paired_with_its_traced_fate() -> None:
    sends = OwnSends({4120})
    sends.expect(7, [4200], signal.SIGTERM, now=100.0)
    assert sends.pair(traced(4999, 4200), 100.1) is None  # another sender
    assert sends.pair(traced(4120, 4300), 100.1) is None  # another target
    killed = replace(traced(4120, 4200), taken=100.0002)
    assert sends.pair(killed, 100.1) == (7, "traced: killed it after 200 µs")
    assert sends.pair(killed, 100.2) is None  # paired once
    assert len(sends) == 0


def test_a_pending_fate_waits_for_the_late_one() -> None:
    sends = OwnSends({4120})
    sends.expect(3, [4200, 4201], signal.SIGUSR1, now=100.0)
    pending = traced(4120, 4201, signal.SIGUSR1, Fate.PENDING)
    entry, words = sends.pair(pending, 101.0) or (0, "")
    assert (entry, words.split(":")[0]) == (3, "traced for 4201")
    late = replace(pending, fate=Fate.CAUGHT, late=True)
    assert sends.pair(late, 102.0) == (
        3,
        "traced for 4201: caught by a handler (taken late)",
    )


def test_the_demo_s_pending_fate_is_not_said_and_old_sends_are_forgotten() -> None:
    sends = OwnSends({4120}, keep=10.0)
    sends.expect(3, [4242], signal.SIGUSR1, now=100.0, quiet_pending=True)
    pending = traced(4120, 4242, signal.SIGUSR1, Fate.PENDING)
    assert sends.pair(pending, 101.0) == (3, "")
    assert sends.pair(pending, 111.0) is None  # waited too long
    sends.expect(4, [4200], signal.SIGTERM, now=100.0)
    assert sends.waits_for(4)
    assert not sends.forget_old(105.0)
    assert sends.forget_old(200.0)
    assert not sends.waits_for(4)
    assert len(sends) == 0


def test_recent_words() -> None:
    kill = traced(4120, 4200, time=99.7)
    assert recent_words(kill, False, 100.0) == (
        "0.3 s ago: SIGTERM from 4120 (bash), killed it"
    )
    assert recent_words(kill, True, 100.0) == (
        "0.3 s ago: sent SIGTERM to 4200 (sleep), killed it"
    )
    own = traced(4200, 4200, signal.SIGUSR1, Fate.CAUGHT, time=99.0)
    assert recent_words(own, False, 100.0) == (
        "1.0 s ago: SIGUSR1 from itself, caught by a handler"
    )
    tick = traced(0, 4200, signal.SIGALRM, Fate.CAUGHT, time=99.0)
    assert recent_words(tick, False, 100.0) == (
        "1.0 s ago: SIGALRM from the kernel, caught by a handler"
    )


def test_select_is_in_scope_for_a_whole_batch() -> None:
    batch: list[Record] = [
        traced(4120, 4200),
        traced(4200, 4300, signal.SIGUSR1),
        traced(4201, 4200, signal.SIGCHLD, Fate.IGNORED),
        traced(4120, 4300),
        traced(4120, 4201),
        traced(0, 4300, signal.SIGALRM),
        Exited(101.0, 4200, "sleep", signo=signal.SIGTERM),
        Exited(101.0, 4300, "sleep", status=0),
        Lost(101.0, 4),
    ]
    tagged = frozenset({4300})
    for scope in Scope:
        for hide in (False, True):
            for pid in (4200, None):
                seen = view(scope, pid=pid, tagged=tagged, hide_sigchld=hide)
                assert select(batch, seen) == [r for r in batch if in_scope(r, seen)]


def test_collapse_keeps_apart_what_differs() -> None:
    base = traced(4120, 4200, signal.SIGUSR1, Fate.CAUGHT)
    variants: list[Record] = [
        replace(base, sender_pid=1),
        replace(base, target_pid=1),
        replace(base, signo=signal.SIGUSR2),
        replace(base, fate=Fate.IGNORED),
        replace(base, sender=Sender.CPU),
        replace(base, late=True),
        Exited(1.0, 4200, "sleep", signo=signal.SIGUSR1),
    ]
    for other in variants:
        assert [c.count for c in collapse([base, other, base])] == [1, 1, 1]
    assert [c.count for c in collapse([base, replace(base, id=2)])] == [2]
    gone = Exited(1.0, 4200, "sleep", status=0)
    assert [c.count for c in collapse([gone, gone])] == [2]
