"""The log's words for what happens in a lesson (a lesson may add its own).

Standard library only. Reports are the programs' own (``sigtui.lessons.programs``);
changes are what the supervisor saw happen to a process.
"""

from __future__ import annotations

import signal
from typing import Any

from sigtui.children import Change, Continued, Exited, Gone, Killed, Stopped
from sigtui.lessons.model import Kind, Observation
from sigtui.procfs import signal_name


def plural(n: Any, word: str) -> str:
    """``1 time``, ``5 times``.

    Args:
        n: The count.
        word: The word, singular.

    Returns:
        Both, the word plural unless the count is 1.
    """
    return f"{n} {word}{'' if n == 1 else 's'}"


def _counts(counts: Any) -> str:
    if not isinstance(counts, dict):
        return "nothing"
    return ", ".join(f"{name} {plural(n, 'time')}" for name, n in counts.items())


def _name(signo: Any) -> str:
    return signal_name(signo) if type(signo) is int else str(signo)


def _reaped(data: Any) -> str:
    how = data.get("how")
    if how == "exited":
        return f"{how} with status {data.get('status')}"
    return f"{how} by {_name(data.get('status'))}"


def _zombies(obs: Observation) -> str:
    data = obs.data
    if data.get("all"):
        text = (
            f"{obs.label}: all five children have ended; they are zombies "
            "(Z) until it reaps them"
        )
    else:
        text = f"{obs.label}: not all of its children ended in time"
    if data.get("pending"):
        text += f". Pending for it, blocked: {', '.join(data['pending'])}"
    return text


def report_text(obs: Observation) -> str | None:
    """The log line for a program's report.

    Args:
        obs: The report, observed.

    Returns:
        The line, or None for a report that is not logged.
    """
    who, sig, data = obs.label, obs.signal, obs.data
    match obs.kind:
        case Kind.STARTED:
            return f"{who} started: {data.get('about', '')}".rstrip(": ")
        case Kind.TICK:
            return f"{who}: tick {data.get('n')}"
        case Kind.SAID:
            return f"{who} caught {sig} in its handler and said: {data.get('words')}"
        case Kind.REFUSED:
            return (
                f"{who} asked to catch {sig}; the kernel refused "
                f"({data.get('error')}): {sig} can never be caught"
            )
        case Kind.HIT:
            return (
                f"{who} → {sig} → group {data.get('group')}: round {data.get('round')}"
            )
        case Kind.OVER:
            return f"{who}: rally over: {data.get('rounds')} rounds"
        case Kind.QUIT:
            return (
                f"{who} caught SIGQUIT and left the game (by default SIGQUIT "
                "would end it with a core dump)"
            )
        case Kind.FORWARDED:
            child = data.get("child")
            return f"{who} caught SIGTERM and sent SIGTERM to its child ({child})"
        case Kind.CLEANED:
            return (
                f"{who} caught SIGTERM, removed its temporary file "
                f"{data.get('file')} and exits with status 0"
            )
        case Kind.REAPED:
            return f"{who} reaped its child {data.get('child')}: {_reaped(data)}"
        case Kind.GO:
            return f"{who} told its five children to exit, all at once"
        case Kind.ZOMBIES:
            return _zombies(obs)
        case Kind.SUMMARY:
            children, sigchld = data.get("children"), data.get("sigchld")
            return (
                f"{who}: {children} children ended, {plural(sigchld, 'SIGCHLD')} "
                f"arrived; a waitpid(-1, WNOHANG) loop reaped all {children}"
            )
        case Kind.PENDING:
            listed = ", ".join(data.get("signals") or []) or "nothing"
            return f"{who} asked to count. Pending now: {listed}"
        case Kind.RECEIVED:
            return f"{who} received {sig} from pid {data.get('si_pid')}"
        case Kind.COUNTED:
            return f"{who} took what was pending: {_counts(data.get('counts'))}"
        case Kind.ERROR:
            return f"{who}: {data.get('message')}"
    return None


def observed(change: Change, name: str) -> tuple[Observation, str]:
    """What the supervisor saw happen to a process, as an observation and its line.

    Args:
        change: What happened.
        name: The process's role.

    Returns:
        The observation and its log line.
    """
    match change:
        case Exited(pid=pid, status=status):
            obs = Observation(Kind.EXITED, pid, name)
            return obs, f"{obs.label} exited with status {status}"
        case Killed(pid=pid, signo=signo, core=core):
            obs = Observation(Kind.KILLED, pid, name, signal_name(signo))
            if signo == signal.SIGKILL:
                text = f"{obs.label} was killed by SIGKILL: it could not catch it"
            else:
                text = (
                    f"{obs.label} was ended by {obs.signal}, the signal's "
                    "default action"
                )
            return obs, text + (" (core dumped)" if core else "")
        case Stopped(pid=pid, signo=signo):
            obs = Observation(Kind.STOPPED, pid, name, signal_name(signo))
            return obs, f"{obs.label} was stopped by {obs.signal}: STAT shows T"
        case Continued(pid=pid):
            obs = Observation(Kind.CONTINUED, pid, name, "SIGCONT")
            return obs, f"{obs.label} was continued by SIGCONT"
        case Gone(pid=pid):
            obs = Observation(Kind.EXITED, pid, name)
            return obs, f"{obs.label} has ended"
