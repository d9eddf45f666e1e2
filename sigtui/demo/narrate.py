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
from typing import Any

_REALTIME_LOW = int(getattr(signal, "SIGRTMIN", 10**6))


@dataclass
class Narrator:
    """Keeps what is needed to explain the demo's reports.

    Args:
        self_pid: sigtui's pid (to recognise its own sends).
        demo_pid: The demo child's pid.
    """

    self_pid: int
    demo_pid: int
    _sent_at: dict[int, deque[int]] = field(default_factory=dict)
    _unanswered: dict[int, int] = field(default_factory=dict)
    dispositions: dict[int, str] = field(default_factory=dict)

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
        return f"sigtui ({self.self_pid}) sent {name} to demo ({self.demo_pid})"

    def received(self, report: dict[str, Any]) -> list[str]:
        """Explain one ``signal`` report from the child.

        Args:
            report: The message.

        Returns:
            One or two log sentences.
        """
        signo = int(report.get("signo", 0))
        name = str(report.get("name", signo))
        si_pid = int(report.get("si_pid", 0))
        sender = f"pid {si_pid}"
        if si_pid == self.self_pid:
            sender += " (sigtui)"
        elif report.get("sender") or report.get("sender_cmd"):
            # The child reads the sender's command when the signal arrives (a
            # short-lived kill may be gone by the time sigtui looks).
            command = str(report.get("sender") or report["sender_cmd"])[:40]
            sender += f" ({command.encode('unicode_escape').decode('ascii')})"
        disposition = str(report.get("disposition", "caught"))
        done = {"catch": "caught", "drained": "caught after being held"}.get(
            disposition, disposition
        )
        text = (
            f"demo ({self.demo_pid}) received {name} from {sender} "
            f"uid {report.get('si_uid', '?')} ({report.get('code', '?')}), {done}"
        )
        lines = [text]
        sends = self._sent_at.get(signo)
        if si_pid == self.self_pid and sends:
            received_at = int(report.get("t_mono_ns", 0))
            latency_ms = (received_at - sends[0]) / 1e6
            if latency_ms >= 0:
                lines[0] += f", {latency_ms:.1f} ms later"
            realtime = signo >= _REALTIME_LOW
            waiting = self._unanswered.get(signo, 0)
            if not realtime and waiting > 1 and disposition == "drained":
                lines.append(
                    f"{waiting} x {name} were sent while one was pending: a "
                    "standard signal is pending at most once, so the kernel "
                    "merged them into this one delivery"
                )
                sends.clear()
                self._unanswered[signo] = 0
            else:
                sends.popleft()
                self._unanswered[signo] = max(0, waiting - 1)
        return lines

    def parent_event(self, event: dict[str, Any]) -> str:
        """Explain what the supervisor saw happen to the child.

        Args:
            event: A ``parent`` message.

        Returns:
            The log sentence.
        """
        kind = event.get("event")
        what = {
            "stopped": f"was stopped by {event.get('signal')}",
            "continued": "was continued (SIGCONT)",
            "killed": f"was killed by {event.get('signal')}",
            "dumped": f"was killed by {event.get('signal')} (core dumped)",
            "exited": f"exited with status {event.get('status')}",
        }.get(str(kind), f"changed ({kind})")
        return f"demo ({self.demo_pid}) {what}"

    def member_event(self, event: dict[str, Any]) -> str:
        """Explain what happened to one of the demo's member processes.

        Args:
            event: A ``member`` message.

        Returns:
            The log sentence.
        """
        how = event.get("how")
        if how == "killed":
            what = f"was killed by {event.get('name', event.get('status'))}"
        elif how == "exited":
            what = f"exited with status {event.get('status')}"
        else:
            what = "is gone"
        return f"demo member ({event.get('pid')}) {what}"

    def disposition(self, ack: dict[str, Any]) -> str:
        """Record and explain a disposition change the child acknowledged.

        Args:
            ack: A ``disposition`` message.

        Returns:
            The log sentence.
        """
        signo = int(ack.get("signo", 0))
        chosen = str(ack.get("disposition", "?"))
        self.dispositions[signo] = chosen
        meaning = {
            "catch": "logged when it arrives",
            "ignore": "discarded by the kernel (SIG_IGN)",
            "default": "its default action really happens (SIG_DFL)",
            "hold": "blocked and left pending until you choose catch",
        }.get(chosen, chosen)
        name = ack.get("name", signo)
        return f"demo ({self.demo_pid}): {name} is now {chosen}: {meaning}"
