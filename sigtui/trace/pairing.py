"""Pair generated signals with their fates, and exits with what caused them.

Standard library only, no I/O but an optional read of a zombie's exit status.
A :class:`Pairer` takes raw events in trace order (:mod:`sigtui.trace.events`)
and gives back records (:mod:`sigtui.trace.records`) once their fate is known:

- a ``signal_generate`` whose result already says it all (ignored, merged,
  dropped) is settled at once;
- a queued one waits for the ``signal_deliver`` of the same signal in the
  target: a handler caught it, it was ignored, or the default action ran.
  A fatal signal is often taken as SIGKILL (the kernel converts it when it
  is generated), so a SIGKILL taken with nothing of its own pending settles
  the newest terminating signal pending for that process;
- signals taken with sigwaitinfo or signalfd have no delivery event: one
  waiting that ``/proc`` no longer shows pending, and whose delivery did not
  turn up in the next batch either (it would be there by then), was waited
  for;
- one still waiting after :attr:`Pairer.hold` seconds is given out as
  pending (blocked) and kept a while longer: if it is taken later, it is
  given out again with the same id and ``late`` set;
- when a process's last thread exits, what is still pending for it has
  "exited first", and an :class:`~sigtui.trace.records.Exited` says whether
  a traced signal killed it.

Consecutive sends of the same signal by the same thread with ``kill()`` are a
burst (a group send, ``kill -- -PGID``, makes one event per member and
nothing says "group"); their records share the burst's id and size.
"""

from __future__ import annotations

import signal
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from sigtui.processes.readers import read_file, status_masks
from sigtui.procfs import process_group, read_stat_fields
from sigtui.signals.catalog import Action, catalogue
from sigtui.trace.events import Deliver, Event, Generate, Head, LostEvents, ProcessExit
from sigtui.trace.records import (
    RESULTS,
    Exited,
    Fate,
    Lost,
    Record,
    Result,
    Sender,
    TracedSignal,
)
from sigtui.trace.words import FAULT_SIGNALS

SI_KERNEL = 128
SI_TIMER = -2
BURST_GAP = 0.002
"""Seconds between two sends of one burst, at most (a group send's are µs apart)."""

HOLD = 1.0
"""Seconds a queued signal waits for its delivery before it is given out as pending."""

LATE_KEEP = 300.0
"""Seconds a pending signal given out is kept, to pair a late delivery."""

MAX_WAITING = 20_000
"""Signals kept waiting at most; the oldest is given out as pending beyond it."""

MAX_REMEMBERED = 4096
"""Processes whose fatal signal, thread group and group are remembered."""

_SIGKILL = int(signal.SIGKILL)
_SIGCONT = int(signal.SIGCONT)
_FATE_OF_IGNORED = {
    # SIGCONT continues a stopped process even when reported ignored.
    _SIGCONT: Fate.CONTINUED,
    # Nothing can ignore these: "ignored" means the target was already exiting.
    _SIGKILL: Fate.EXITED_FIRST,
    int(signal.SIGSTOP): Fate.EXITED_FIRST,
}


_ACTIONS = {spec.number: spec.action for spec in catalogue() if spec.action}
"""Default actions by number; one missing (glibc's own 32 and 33) terminates."""
_FATE_OF_DEFAULT = {
    Action.TERMINATE: Fate.KILLED,
    Action.CORE: Fate.KILLED,
    Action.STOP: Fate.STOPPED,
    Action.CONTINUE: Fate.CONTINUED,
    Action.IGNORE: Fate.IGNORED,
}


QUIET_AFTER = 0.02
"""Seconds a queued signal waits before /proc is asked whether it is still pending."""


def read_pending(pid: int, tid: int | None) -> int | None:
    """Read the signals pending for a process (``ShdPnd``) or one thread (``SigPnd``).

    Args:
        pid: The process.
        tid: The thread, for signals directed at it; None for the process.

    Returns:
        The mask (bit ``n - 1`` for signal ``n``), or None if it is gone.
    """
    path = f"/proc/{pid}/status" if tid is None else f"/proc/{pid}/task/{tid}/status"
    try:
        shared, own, *_ = status_masks(read_file(path))
    except (OSError, ValueError):
        return None
    return shared if tid is None else own


def read_exit_status(pid: int) -> int | None:
    """Read a zombie's exit status from ``/proc/PID/stat`` (field 52), if still there.

    Args:
        pid: The process that just exited.

    Returns:
        The status it passed to exit(), or None if it is gone (reaped) or was
        killed by a signal.
    """
    fields = read_stat_fields(pid)
    if fields is None or len(fields) < 50 or fields[0] != b"Z":
        return None
    status = int(fields[49])
    return None if status & 0x7F else (status >> 8) & 0xFF


class _Bounded(OrderedDict[int, object]):
    """A dict that forgets its oldest entries beyond a size."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: int, value: object) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)


@dataclass(slots=True)
class _Burst:
    first: TracedSignal
    sender_tid: int
    signo: int
    last_time: float
    members: list[TracedSignal]
    targets: set[int]


class Pairer:
    """Turn raw trace events into records, pairing sends with their fates.

    Args:
        hold: Seconds a queued signal waits for its delivery before it is
            given out as pending.
        exit_status: Reads the exit status of a process that just ended (by
            default from its zombie's stat); None when it cannot be known.
        pending: Reads the signals pending for a process or thread (by
            default :func:`read_pending`).
    """

    def __init__(
        self,
        hold: float = HOLD,
        exit_status: Callable[[int], int | None] = read_exit_status,
        pending: Callable[[int, int | None], int | None] = read_pending,
    ) -> None:
        self.hold = hold
        self._exit_status = exit_status
        self._pending = pending
        self._quiet: set[int] = set()
        self._next_id = 1
        self._waiting: dict[tuple[int, int], deque[TracedSignal]] = {}
        self._order: deque[TracedSignal] = deque()
        self._given_pending: dict[tuple[int, int], deque[TracedSignal]] = {}
        self._given_order: deque[TracedSignal] = deque()
        self._tgid = _Bounded(MAX_REMEMBERED)
        self._fatal = _Bounded(MAX_REMEMBERED)
        self._burst: _Burst | None = None
        self.lost = 0
        """Events lost so far, as the kernel reported them."""

    def feed(self, events: list[Event], now: float) -> list[Record]:
        """Pair a batch of events, in trace order.

        Args:
            events: The batch.
            now: ``time.monotonic()`` now, to give out what waited too long.

        Returns:
            The records whose fate became known, then those that waited too long.
        """
        out: list[Record] = []
        for event in events:
            if isinstance(event, Generate):
                self._generate(event, out)
            elif isinstance(event, Deliver):
                self._deliver(event, out)
            elif isinstance(event, ProcessExit):
                self._exit(event.head, out)
            elif isinstance(event, LostEvents):
                self.lost += event.count
                out.append(Lost(now, event.count))
        self._burst_done(now)
        self._waited_for(now, out)
        self._expire(now, out)
        return out

    def flush(self, now: float) -> list[Record]:
        """Give out everything still waiting, as pending (at the end of a trace)."""
        out: list[Record] = []
        self._burst_done(float("inf"))
        self._settle_quiet(out)
        self._expire(float("inf"), out)
        return out

    # -- generate -------------------------------------------------------------

    def _learn(self, head: Head) -> None:
        if head.tgid and head.tgid != head.tid:
            self._tgid.put(head.tid, head.tgid)

    def _generate(self, event: Generate, out: list[Record]) -> None:
        head = event.head
        self._learn(head)
        signo, code = event.signo, event.code
        if (
            signo in FAULT_SIGNALS
            and 0 < code < SI_KERNEL
            and not event.process_directed
        ):
            sender = Sender.CPU
        elif code in (SI_KERNEL, SI_TIMER) or head.irq:
            sender = Sender.KERNEL
        else:
            sender = Sender.PROCESS
        target_tid = event.target_tid
        tgid = self._tgid.get(target_tid, target_tid)
        result = (
            RESULTS[event.result] if 0 <= event.result < len(RESULTS) else Result.QUEUED
        )
        record = TracedSignal(
            id=self._next_id,
            time=head.time,
            signo=signo,
            code=code,
            sender=sender,
            sender_pid=0 if sender is Sender.KERNEL else (head.tgid or head.tid),
            sender_tid=0 if sender is Sender.KERNEL else head.tid,
            sender_name="" if sender is Sender.KERNEL else _known_name(head),
            target_pid=tgid if isinstance(tgid, int) else target_tid,
            target_tid=target_tid,
            target_name=event.target_comm,
            process_directed=event.process_directed,
            result=result,
            fate=Fate.PENDING,
        )
        self._next_id += 1
        if sender is Sender.PROCESS and code == 0:
            self._join_burst(record)
        if result is Result.IGNORED:
            record.fate = _FATE_OF_IGNORED.get(signo, Fate.IGNORED)
        elif result is Result.MERGED:
            record.fate = Fate.MERGED
        elif result is Result.DROPPED:
            record.fate = Fate.DROPPED
        if record.fate.settled:
            out.append(record)
            return
        key = (record.target_pid if record.process_directed else target_tid, signo)
        self._waiting.setdefault(key, deque()).append(record)
        order = self._order
        order.append(record)
        if len(order) > MAX_WAITING:
            # Settled records wait in front until _expire; the oldest still
            # waiting is given out and leaves the order, at the front of its
            # queue: O(1).
            while order[0].fate.settled:
                order.popleft()
            if len(order) > MAX_WAITING:
                self._give_out_pending(order.popleft(), out)

    def _join_burst(self, record: TracedSignal) -> None:
        """Add a kill() to the burst it continues, or start a burst with it.

        A group send reaches each member once, µs apart: the same sender,
        signal and gap, and a target not in the burst yet. The same target
        again is a new send (a flood of one process is not a group).
        """
        burst = self._burst
        if (
            burst is not None
            and burst.sender_tid == record.sender_tid
            and burst.signo == record.signo
            and record.time - burst.last_time <= BURST_GAP
            and record.target_pid not in burst.targets
        ):
            burst.members.append(record)
            burst.targets.add(record.target_pid)
            burst.last_time = record.time
            burst.first.burst = record.burst = burst.first.id
            return
        self._burst_done(record.time, force=True)
        self._burst = _Burst(
            record,
            record.sender_tid,
            record.signo,
            record.time,
            [record],
            {record.target_pid},
        )

    def _burst_done(self, now: float, *, force: bool = False) -> None:
        """Close the burst if it is over: its size, and its group if all share one."""
        burst = self._burst
        if burst is None or (not force and now - burst.last_time <= BURST_GAP):
            return
        self._burst = None
        size = len(burst.members)
        if size < 2:
            return
        # One /proc read per member at most, and none after a second group.
        group = process_group(burst.members[0].target_pid)
        members = burst.members[1:]
        if group is None or any(process_group(m.target_pid) != group for m in members):
            group = 0
        for member in burst.members:
            member.burst_size = size
            member.pgid = group

    # -- deliver --------------------------------------------------------------

    def _take(self, key: tuple[int, int]) -> TracedSignal | None:
        queue = self._waiting.get(key)
        if not queue:
            return None
        record = queue.popleft()
        if not queue:
            del self._waiting[key]
        return record

    def _deliver(self, event: Deliver, out: list[Record]) -> None:
        head = event.head
        self._learn(head)
        tgid = head.tgid or head.tid
        signo = event.signo
        late = False
        record = self._take((head.tid, signo)) or self._take((tgid, signo))
        if record is None and signo == _SIGKILL:
            if tgid in self._fatal:
                return  # the rest of a dying process's threads taking its SIGKILL
            record = self._converted(tgid)
        if record is None:
            record = self._late((head.tid, signo)) or self._late((tgid, signo))
            late = record is not None
        if record is None:
            return  # taken without a traced send: sigtui started after it was sent
        record.taken = head.time
        record.target_pid = tgid
        if event.handler == "1":
            record.fate = Fate.IGNORED
        elif event.handler == "0":
            record.fate = _FATE_OF_DEFAULT[_ACTIONS.get(signo, Action.TERMINATE)]
        else:
            record.fate = Fate.CAUGHT
            record.handler = event.handler
        if record.fate is Fate.KILLED:
            self._fatal.put(tgid, record)
        if late:
            record.late = True
        out.append(record)

    def _converted(self, tgid: int) -> TracedSignal | None:
        """The newest terminating signal waiting for a process that took SIGKILL."""
        best: tuple[int, int] | None = None
        newest = -1.0
        for key, queue in self._waiting.items():
            record = queue[0]
            action = _ACTIONS.get(record.signo, Action.TERMINATE)
            terminates = action is Action.TERMINATE
            if terminates and record.target_pid == tgid and record.time > newest:
                best, newest = key, record.time
        return self._take(best) if best is not None else None

    def _late(self, key: tuple[int, int]) -> TracedSignal | None:
        queue = self._given_pending.get(key)
        if not queue:
            return None
        record = queue.popleft()
        if not queue:
            del self._given_pending[key]
        return record

    # -- exit -----------------------------------------------------------------

    def _exit(self, head: Head, out: list[Record]) -> None:
        tgid = head.tgid or head.tid
        for key in [
            key for key, queue in self._waiting.items() if queue[0].target_pid == tgid
        ]:
            for record in self._waiting.pop(key):
                record.fate = Fate.EXITED_FIRST
                out.append(record)
        for key in [
            k for k, q in self._given_pending.items() if q[0].target_pid == tgid
        ]:
            del self._given_pending[key]
        fatal = self._fatal.pop(tgid, None)
        if isinstance(fatal, TracedSignal):
            out.append(Exited(head.time, tgid, head.comm, signo=fatal.signo, by=fatal))
        else:
            out.append(
                Exited(head.time, tgid, head.comm, status=self._exit_status(tgid))
            )
        self._tgid.pop(tgid, None)

    # -- taken without a delivery event ------------------------------------

    def _waited_for(self, now: float, out: list[Record]) -> None:
        """Settle what was taken with sigwait; find what may have been."""
        self._settle_quiet(out)
        masks: dict[tuple[int, int | None], int | None] = {}
        for queue in self._waiting.values():
            record = queue[0]
            if now - record.time < QUIET_AFTER:
                continue
            thread = None if record.process_directed else record.target_tid
            where = (record.target_pid, thread)
            if where not in masks:
                masks[where] = self._pending(*where)
            mask = masks[where]
            if mask is not None and not mask >> (record.signo - 1) & 1:
                # Settled at the next batch unless its delivery turns up there.
                self._quiet.update(r.id for r in queue)

    def _settle_quiet(self, out: list[Record]) -> None:
        if self._quiet:
            for key in list(self._waiting):
                for record in list(self._waiting[key]):
                    if record.id in self._quiet:
                        _remove(self._waiting[key], record)
                        record.fate = Fate.WAITED
                        out.append(record)
                if not self._waiting[key]:
                    del self._waiting[key]
        self._quiet = set()

    # -- waiting too long -----------------------------------------------------

    def _give_out_pending(self, record: TracedSignal, out: list[Record]) -> None:
        key = (
            record.target_pid if record.process_directed else record.target_tid,
            record.signo,
        )
        queue = self._waiting.get(key)
        if queue is None or not _remove(queue, record):
            return
        if not queue:
            del self._waiting[key]
        out.append(record)
        self._given_pending.setdefault(key, deque()).append(record)
        self._given_order.append(record)

    def _expire(self, now: float, out: list[Record]) -> None:
        order = self._order
        while order and (order[0].fate.settled or now - order[0].time >= self.hold):
            if order[0].id in self._quiet:
                break  # settled at the next batch
            record = order.popleft()
            if not record.fate.settled:
                self._give_out_pending(record, out)
        given = self._given_order
        while given and (
            given[0].fate.settled
            or now - given[0].time >= LATE_KEEP
            or len(given) > MAX_WAITING
        ):
            record = given.popleft()
            self._late_forget(record)

    def _late_forget(self, record: TracedSignal) -> None:
        key = (
            record.target_pid if record.process_directed else record.target_tid,
            record.signo,
        )
        queue = self._given_pending.get(key)
        if queue and _remove(queue, record) and not queue:
            del self._given_pending[key]


def _remove(queue: deque[TracedSignal], record: TracedSignal) -> bool:
    """Take this very record out of a queue; False if it is not there.

    By identity: ``in`` and ``remove`` compare every field of every record,
    20,000 deep in a flood. It is nearly always the oldest, at the front.
    """
    if queue[0] is record:
        queue.popleft()
        return True
    for at, member in enumerate(queue):
        if member is record:
            del queue[at]
            return True
    return False


def _known_name(head: Head) -> str:
    """The running task's name; ``<...>`` (the kernel forgot it) read from /proc."""
    if head.comm != "<...>":
        return head.comm
    try:
        with open(f"/proc/{head.tgid or head.tid}/comm", "rb") as comm:
            return comm.read(64).rstrip(b"\n").decode(errors="replace")
    except OSError:
        return head.comm
