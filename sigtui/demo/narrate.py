"""Turn the demo's reports into log sentences that pair both sides of a delivery.

"sigtui (4200) sent SIGUSR1 to demo (4242)" is written when sigtui sends;
"demo (4242) received SIGUSR1 from pid 4200 (sigtui) uid 0 (SI_USER), caught,
0.3 ms later" when the child reports it. Standard signals sent while one is
already pending merge into one delivery; the narrator counts the sends and says
so in plain words.
"""

from __future__ import annotations

import signal
from collections import deque
from dataclasses import dataclass, field

from sigtui.children import Change, Continued, Exited, Gone, Killed, Stopped
from sigtui.demo.naming import CHILD_NAME, member_name
from sigtui.demo.protocol import DispositionAck, MemberEnded, SignalReport
from sigtui.procfs import signal_name

_REALTIME_LOW = int(getattr(signal, "SIGRTMIN", 10**6))

MEANINGS = {
    "catch": "logged when it arrives",
    "ignore": "discarded by the kernel (SIG_IGN)",
    "default": "its default action really happens (SIG_DFL)",
    "hold": "blocked and left pending until you choose catch",
}
"""What each disposition means, for the log."""


@dataclass
class Narrator:
    """Keeps what is needed to explain the demo's reports.

    Args:
        self_pid: sigtui's pid (to recognise its own sends).
        demo_pid: The demo child's pid.
        members: Its members' pids, in order (once it is ready).
    """

    self_pid: int
    demo_pid: int
    members: tuple[int, ...] = ()
    _sent_at: dict[int, deque[int]] = field(default_factory=dict)
    _unanswered: dict[int, int] = field(default_factory=dict)

    def sent(self, signo: int, name: str, t_mono_ns: int) -> str:
        """Record a send by sigtui to the demo child.

        Args:
            signo: The signal number.
            name: Its name.
            t_mono_ns: ``time.monotonic_ns()`` just before the send.

        Returns:
            The log sentence for the sending side.
        """
        self._sent_at.setdefault(signo, deque(maxlen=100_000)).append(t_mono_ns)
        self._unanswered[signo] = self._unanswered.get(signo, 0) + 1
        return f"sigtui ({self.self_pid}) sent {name} to {CHILD_NAME} ({self.demo_pid})"

    def withdraw(self, signo: int) -> None:
        """Forget the last send recorded for ``signo``: it did not reach the demo.

        Args:
            signo: The signal number.
        """
        sends = self._sent_at.get(signo)
        if sends:
            sends.pop()
            self._unanswered[signo] = max(0, self._unanswered.get(signo, 0) - 1)

    def received(self, report: SignalReport) -> list[str]:
        """Explain one signal the child received.

        Args:
            report: The report.

        Returns:
            One or two log sentences.
        """
        sender = f"pid {report.si_pid}"
        if report.si_pid == self.self_pid:
            sender += " (sigtui)"
        elif report.sender:
            # The child reads the sender's command when the signal arrives (a
            # short-lived kill may be gone by the time sigtui looks).
            command = report.sender[:40]
            sender += f" ({command.encode('unicode_escape').decode('ascii')})"
        done = {"catch": "caught", "drained": "caught after being held"}.get(
            report.disposition, report.disposition
        )
        lines = [
            f"{CHILD_NAME} ({self.demo_pid}) received {report.name} from {sender} "
            f"uid {report.si_uid} ({report.code}), {done}"
        ]
        signo = report.signo
        sends = self._sent_at.get(signo)
        if report.si_pid == self.self_pid and sends:
            latency_ms = (report.t_mono_ns - sends[0]) / 1e6
            if latency_ms >= 0:
                lines[0] += f", {latency_ms:.1f} ms later"
            realtime = signo >= _REALTIME_LOW
            waiting = self._unanswered.get(signo, 0)
            if not realtime and waiting > 1 and report.disposition == "drained":
                lines.append(
                    f"{waiting} x {report.name} were sent while one was pending: a "
                    "standard signal is pending at most once, so the kernel "
                    "merged them into this one delivery"
                )
                sends.clear()
                self._unanswered[signo] = 0
            else:
                sends.popleft()
                self._unanswered[signo] = max(0, waiting - 1)
        return lines

    def changed(self, change: Change) -> str:
        """Explain what the supervisor saw happen to the child.

        Args:
            change: What happened.

        Returns:
            The log sentence.
        """
        match change:
            case Stopped(signo=signo):
                what = f"was stopped by {signal_name(signo)}"
            case Continued():
                what = "was continued (SIGCONT)"
            case Killed(signo=signo, core=core):
                dumped = " (core dumped)" if core else ""
                what = f"was killed by {signal_name(signo)}{dumped}"
            case Exited(status=status):
                what = f"exited with status {status}"
            case Gone():
                what = "is gone"
        return f"{CHILD_NAME} ({self.demo_pid}) {what}"

    def member(self, report: MemberEnded) -> str:
        """Explain what happened to one of the demo's member processes.

        Args:
            report: The child's report.

        Returns:
            The log sentence.
        """
        if report.how == "killed":
            what = f"was killed by {report.name or report.status}"
        elif report.how == "exited":
            what = f"exited with status {report.status}"
        else:
            what = "is gone"
        if report.pid in self.members:
            name = member_name(self.members.index(report.pid) + 1)
        else:
            name = f"{CHILD_NAME} member"
        return f"{name} ({report.pid}) {what}"

    def disposition(self, ack: DispositionAck) -> str:
        """Explain a disposition change the child acknowledged.

        Args:
            ack: The acknowledgement.

        Returns:
            The log sentence.
        """
        meaning = MEANINGS.get(ack.disposition, ack.disposition)
        state = f"{ack.name} is now {ack.disposition}"
        return f"{CHILD_NAME} ({self.demo_pid}): {state}: {meaning}"
