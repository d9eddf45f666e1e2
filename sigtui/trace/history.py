"""What the TUI remembers of the trace, and which records a view of it shows.

Standard library only (no Textual), so that the bounds, the scope rules and
the collapsing of floods can be tested alone. :class:`TraceHistory` keeps the
recent signals each process sent and received, how each traced process ended
and how many events were lost, within fixed bounds however many signals
flow; :func:`in_scope` says whether a record belongs to what the log shows
(the selected process, its group, the tagged ones or the whole machine);
:func:`collapse` turns a flood into counted entries.
"""

from __future__ import annotations

import signal
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from sigtui.procfs import signal_name
from sigtui.trace.records import Exited, Fate, Lost, Record, Sender, TracedSignal
from sigtui.trace.words import ago, fate_words, sender_words, target_words

PER_PID = 20
"""Signals remembered per process, sent and received each."""

MAX_PIDS = 4096
"""Processes whose signals are remembered; the least recently busy go first."""

MAX_EXITS = 4096
"""Exits remembered; the oldest go first."""

SIGCHLD = int(signal.SIGCHLD)


class Scope(Enum):
    """Whose traced signals the log shows."""

    SELECTED = "selected"
    """Sent or received by the selected process."""
    GROUP = "group"
    """Sent or received by a member of the selected process's group."""
    TAGGED = "tagged"
    """Sent or received by a tagged process."""
    MACHINE = "machine"
    """Every signal on the machine."""

    def next(self) -> Scope:
        """The scope after this one: process, group, tagged, machine, process..."""
        order = list(Scope)
        return order[(order.index(self) + 1) % len(order)]


@dataclass(frozen=True)
class ScopeView:
    """What a scope needs to know to choose records.

    Attributes:
        scope: The scope.
        pid: The selected process, if any.
        pgid: Its process group, if known.
        tagged: The tagged processes.
        pgid_of: The process group of a pid, from the latest scan (None
            when the pid is not listed).
        hide_sigchld: Whether SIGCHLD is left out, and with it the exits
            that no signal caused (every ended child sends its parent one).
    """

    scope: Scope
    pid: int | None = None
    pgid: int | None = None
    tagged: frozenset[int] = frozenset()
    pgid_of: Callable[[int], int | None] = field(default=lambda _pid: None)
    hide_sigchld: bool = False


def sigchld_hidden(scope: Scope, choice: bool | None) -> bool:
    """Whether SIGCHLD is hidden: the user's choice, else only on the whole machine.

    Every process that ends sends its parent a SIGCHLD: on the whole machine
    they drown the rest; for one process they say its children ended.

    Args:
        scope: The scope shown.
        choice: What the user chose (None: not chosen).

    Returns:
        True to leave SIGCHLD out.
    """
    return scope is Scope.MACHINE if choice is None else choice


def _in_group(pid: int, view: ScopeView) -> bool:
    return pid > 0 and view.pgid_of(pid) == view.pgid


def in_scope(record: Record, view: ScopeView) -> bool:
    """Whether the log shows a record in a scope.

    Lost events are in every scope: nobody knows whose they were.

    Args:
        record: A traced record.
        view: The scope and what it needs.

    Returns:
        True if the record belongs to the scope.
    """
    if isinstance(record, Lost):
        return True
    if isinstance(record, TracedSignal):
        if view.hide_sigchld and record.signo == SIGCHLD:
            return False
        pids: tuple[int, ...] = (record.sender_pid, record.target_pid)
    else:
        if view.hide_sigchld and not record.signo:
            return False  # a plain exit: the other half of a SIGCHLD's news
        pids = (record.pid,)
    scope = view.scope
    if scope is Scope.MACHINE:
        return True
    if scope is Scope.SELECTED:
        return view.pid is not None and view.pid in pids
    if scope is Scope.TAGGED:
        return any(pid in view.tagged for pid in pids)
    if view.pgid is None or view.pgid <= 0:
        return False
    if isinstance(record, TracedSignal) and record.pgid == view.pgid:
        return True  # a group send to a group whose members have all gone
    return any(_in_group(pid, view) for pid in pids)


def select(records: Iterable[Record], view: ScopeView) -> list[Record]:
    """The records a scope shows, in order: :func:`in_scope` for a whole batch.

    The common scopes take a loop of their own, without a call per record:
    at 10,000 signals a second this runs for each of them.

    Args:
        records: Records in trace order.
        view: The scope and what it needs.

    Returns:
        Those in scope.
    """
    scope, hide = view.scope, view.hide_sigchld
    if scope is Scope.SELECTED and view.pid is not None:
        pid = view.pid
        return [
            record
            for record in records
            if (
                type(record) is TracedSignal
                and (record.target_pid == pid or record.sender_pid == pid)
                and not (hide and record.signo == SIGCHLD)
            )
            or (type(record) is not TracedSignal and in_scope(record, view))
        ]
    if scope is Scope.MACHINE and not hide:
        return list(records)
    if scope is Scope.MACHINE:
        return [
            record
            for record in records
            if (type(record) is TracedSignal and record.signo != SIGCHLD)
            or (type(record) is not TracedSignal and in_scope(record, view))
        ]
    return [record for record in records if in_scope(record, view)]


def scope_words(
    scope: Scope,
    *,
    pid: int | None = None,
    name: str = "",
    pgid: int | None = None,
    tagged: int = 0,
) -> str:
    """Name a scope for the log's title: "pid 4200 (sleep)", "group 4200"...

    Args:
        scope: The scope.
        pid: The selected process.
        name: Its command name (escaped for the screen).
        pgid: Its process group.
        tagged: How many processes are tagged.

    Returns:
        The scope in words.
    """
    if scope is Scope.MACHINE:
        return "the whole machine"
    if scope is Scope.TAGGED:
        return f"{tagged} tagged"
    if pid is None:
        return "no process selected"
    if scope is Scope.GROUP:
        return f"group {pgid}" if pgid and pgid > 0 else f"pid {pid} (no group)"
    return f"pid {pid} ({name})" if name else f"pid {pid}"


def record_key(record: Record) -> tuple[object, ...]:
    """What two records must share to say the same thing.

    Args:
        record: A record.

    Returns:
        Its sender, target, signal and fate (for an exit: its pid and how).
    """
    if isinstance(record, TracedSignal):
        return (
            "signal",
            record.sender,
            record.sender_pid,
            record.target_pid,
            record.signo,
            record.fate,
            record.late,
        )
    if isinstance(record, Lost):
        return ("lost",)
    return ("exit", record.pid, record.signo, record.status)


def same_thing(first: Record, second: Record) -> bool:
    """Whether two records say the same: same sender, target, signal and fate.

    Args:
        first: A record.
        second: Another.

    Returns:
        True if one counted entry can stand for both.
    """
    return record_key(first) == record_key(second)


@dataclass(frozen=True, slots=True)
class Counted:
    """Consecutive records that say the same thing, as one entry.

    Attributes:
        record: The newest of them.
        count: How many (for lost events: how many events were lost).
    """

    record: Record
    count: int


def collapse(records: Iterable[Record]) -> list[Counted]:
    """Collapse runs of records that say the same thing into counted entries.

    A flood (a loop of ``kill``) becomes one entry counted 5000 times; lost
    events in a run add up their counts.

    Args:
        records: Records in trace order.

    Returns:
        The counted entries, in order.
    """
    out: list[Counted] = []
    last: Record | None = None
    count = 0
    for record in records:
        # Compared field by field, not by record_key (a tuple for each): a
        # flood of 10,000 a second passes here.
        if type(record) is TracedSignal:
            if (
                type(last) is TracedSignal
                and record.signo == last.signo
                and record.target_pid == last.target_pid
                and record.sender_pid == last.sender_pid
                and record.fate is last.fate
                and record.sender is last.sender
                and record.late == last.late
            ):
                count += 1
                last = record
                continue
            weight = 1
        else:
            weight = record.count if isinstance(record, Lost) else 1
            if last is not None and record_key(record) == record_key(last):
                count += weight
                last = record
                continue
        if last is not None:
            out.append(Counted(last, count))
        count, last = weight, record
    if last is not None:
        out.append(Counted(last, count))
    return out


@dataclass(slots=True)
class _Signals:
    sent: deque[TracedSignal]
    received: deque[TracedSignal]


class TraceHistory:
    """The recent traced signals of each process, their exits and the losses.

    Bounded: :data:`PER_PID` signals sent and received per process, at most
    :data:`MAX_PIDS` processes (the least recently busy are forgotten first)
    and :data:`MAX_EXITS` exits, whatever the rate.

    Args:
        per_pid: Signals kept per process and direction.
        max_pids: Processes kept.
        max_exits: Exits kept.
    """

    def __init__(
        self,
        per_pid: int = PER_PID,
        max_pids: int = MAX_PIDS,
        max_exits: int = MAX_EXITS,
    ) -> None:
        self._per_pid = per_pid
        self._max_pids = max_pids
        self._max_exits = max_exits
        self._signals: OrderedDict[int, _Signals] = OrderedDict()
        self._exits: OrderedDict[int, Exited] = OrderedDict()
        self.lost = 0
        """Events lost so far, as the kernel reported them."""
        self.signals = 0
        """Signal records taken so far (a late fate counts again)."""

    def __len__(self) -> int:
        """How many processes have signals remembered."""
        return len(self._signals)

    def _of(self, pid: int) -> _Signals:
        signals = self._signals.get(pid)
        if signals is None:
            size = self._per_pid
            signals = _Signals(deque(maxlen=size), deque(maxlen=size))
            self._signals[pid] = signals
            if len(self._signals) > self._max_pids:
                self._signals.popitem(last=False)
        else:
            self._signals.move_to_end(pid)
        return signals

    @staticmethod
    def _put(queue: deque[TracedSignal], record: TracedSignal) -> None:
        """Add a late fate: it repeats its record's id, and replaces it."""
        for index, old in enumerate(queue):
            if old.id == record.id:
                queue[index] = record
                return
        queue.append(record)

    def add(self, records: Iterable[Record]) -> None:
        """Take a batch of records.

        Args:
            records: Records in trace order.
        """
        of, put = self._of, self._put
        known = self._signals
        to_end = known.move_to_end
        for record in records:
            if type(record) is TracedSignal:
                self.signals += 1
                sender, target = record.sender_pid, record.target_pid
                if record.late:
                    if sender > 0:
                        put(of(sender).sent, record)
                    put(of(target).received, record)
                    continue
                # Known processes inline, not through of() and put(): 10,000
                # records a second come this way.
                if sender > 0:
                    if sender in known:
                        to_end(sender)
                        known[sender].sent.append(record)
                    else:
                        of(sender).sent.append(record)
                if target in known:
                    to_end(target)
                    known[target].received.append(record)
                else:
                    of(target).received.append(record)
            elif type(record) is Exited:
                self._exits[record.pid] = record
                self._exits.move_to_end(record.pid)
                if len(self._exits) > self._max_exits:
                    self._exits.popitem(last=False)
            elif isinstance(record, Lost):
                self.lost += record.count

    def sent(self, pid: int) -> list[TracedSignal]:
        """The signals a process sent recently, oldest first."""
        signals = self._signals.get(pid)
        return list(signals.sent) if signals else []

    def received(self, pid: int) -> list[TracedSignal]:
        """The signals a process received recently, oldest first."""
        signals = self._signals.get(pid)
        return list(signals.received) if signals else []

    def recent(self, pid: int, count: int) -> list[tuple[TracedSignal, bool]]:
        """A process's newest signals, sent and received, newest first.

        Args:
            pid: The process.
            count: How many at most.

        Returns:
            Pairs of a signal and True if the process sent it (False: it
            received it; a signal to itself is listed once, as received).
        """
        signals = self._signals.get(pid)
        if signals is None:
            return []
        received = {id(record) for record in signals.received}
        both = [(r, False) for r in signals.received] + [
            (r, True) for r in signals.sent if id(r) not in received
        ]
        both.sort(key=lambda pair: pair[0].time, reverse=True)
        return both[:count]

    def marker(self, pid: int) -> tuple[int, int, int]:
        """Something that changes when a process's signals or exit change.

        Args:
            pid: The process.

        Returns:
            The identities of its newest records: compare two to see whether
            a batch concerned it, without looking at the batch.
        """
        signals = self._signals.get(pid)
        sent = signals.sent[-1] if signals and signals.sent else None
        received = signals.received[-1] if signals and signals.received else None
        return id(sent), id(received), id(self._exits.get(pid))

    def exit_of(self, pid: int) -> Exited | None:
        """How a process ended, if the trace saw it (the latest, for a reused pid)."""
        return self._exits.get(pid)

    def exits(self) -> Mapping[int, Exited]:
        """Every exit remembered, by pid."""
        return self._exits


OWN_SEND_KEEP = 60.0
"""Seconds a send by sigtui waits for its traced fate (a late one included)."""


@dataclass(slots=True)
class _Expected:
    entry: int
    until: float
    several: bool
    quiet_pending: bool


class OwnSends:
    """The sends sigtui made, each waiting for the trace to say what became of it.

    The trace sees sigtui's own sends like any other (sigtui is their
    sender); rather than a second entry, the send's own log entry is
    completed with the traced fate.

    Args:
        own_pids: sigtui's own pid(s): a traced sender among them is sigtui.
        keep: Seconds a send waits for its fate.
    """

    def __init__(self, own_pids: Iterable[int], keep: float = OWN_SEND_KEEP) -> None:
        self.own_pids = frozenset(own_pids)
        self._keep = keep
        self._expected: dict[tuple[int, int], _Expected] = {}

    def __len__(self) -> int:
        """How many (process, signal) pairs are waiting."""
        return len(self._expected)

    def expect(
        self,
        entry: int,
        pids: Iterable[int],
        signo: int,
        now: float,
        *,
        quiet_pending: bool = False,
    ) -> None:
        """Note a send, to pair with what the trace says of it.

        Args:
            entry: The send's log entry.
            pids: The processes it goes to.
            signo: The signal.
            now: ``time.monotonic()`` now.
            quiet_pending: Say nothing of a pending fate (the demo takes its
                signals with sigtimedwait, which leaves no trace, and says
                itself what it did).
        """
        targets = list(pids)
        for pid in targets:
            self._expected[(pid, signo)] = _Expected(
                entry, now + self._keep, len(targets) > 1, quiet_pending
            )

    def pair(self, record: TracedSignal, now: float) -> tuple[int, str] | None:
        """Pair a traced signal with a send sigtui made, if it is one.

        Args:
            record: A traced signal.
            now: ``time.monotonic()`` now, to forget sends that waited too long.

        Returns:
            None if it is not one of sigtui's sends; else the send's entry and
            what to add to it ("" to add nothing).
        """
        if record.sender_pid not in self.own_pids:
            return None
        key = (record.target_pid, record.signo)
        expected = self._expected.get(key)
        if expected is None:
            return None
        if expected.until < now:
            del self._expected[key]
            return None
        if record.fate is not Fate.PENDING:
            del self._expected[key]  # else a late fate may follow
        elif expected.quiet_pending:
            return expected.entry, ""
        who = f" for {record.target_pid}" if expected.several else ""
        return expected.entry, f"traced{who}: {fate_words(record)}"

    def waits_for(self, entry: int) -> bool:
        """Whether a send's entry still waits for a traced fate."""
        return any(e.entry == entry for e in self._expected.values())

    def forget_old(self, now: float) -> bool:
        """Forget the sends that waited too long for their fate.

        Returns:
            True if any was forgotten.
        """
        old = [k for k, e in self._expected.items() if e.until < now]
        for key in old:
            del self._expected[key]
        return bool(old)


def recent_words(record: TracedSignal, sent: bool, now: float) -> str:
    """One line of a process's recent signals, for the details panel.

    Args:
        record: The signal.
        sent: True if the process sent it, False if it received it.
        now: ``time.monotonic()`` now.

    Returns:
        "0.3 s ago: SIGTERM from 4120 (bash), killed it" or
        "1.2 s ago: sent SIGUSR1 to 4300 (sleep), caught by a handler".
    """
    name = signal_name(record.signo)
    when = ago(now - record.time)
    if sent and record.target_pid != record.sender_pid:
        return f"{when}: sent {name} to {target_words(record)}, {fate_words(record)}"
    source = "itself" if record.sender_pid == record.target_pid else None
    if source is None or record.sender is not Sender.PROCESS:
        source = sender_words(record)
    return f"{when}: {name} from {source}, {fate_words(record)}"
