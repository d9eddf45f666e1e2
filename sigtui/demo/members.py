"""The demo child's members: forked into its group, they die with it.

Standard library only, like the child. A member has default dispositions and
an empty mask, like a ``sleep`` started by a shell script, so a group send
reaches a receiver that really takes the default action.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Iterable
from typing import Any

from sigtui.demo.naming import member_name, set_name
from sigtui.procfs import process_state, signal_name


def catchable_signals() -> frozenset[int]:
    """Every signal this process can block and catch here.

    Returns:
        ``signal.valid_signals()`` without SIGKILL and SIGSTOP.
    """
    valid = {int(s) for s in signal.valid_signals()}
    return frozenset(valid - {int(signal.SIGKILL), int(signal.SIGSTOP)})


def close_quietly(fd: int) -> None:
    """Close a file descriptor that may be closed already.

    Args:
        fd: The descriptor.
    """
    with contextlib.suppress(OSError):
        os.close(fd)


def _parent_is_stopped(pid: int) -> bool:
    return process_state(pid) in ("T", "t")


def _member_main(
    number: int,
    wait_fd: int,
    lifeline_fd: int | None,
    ready_fd: int,
    close_fds: Iterable[int],
) -> None:
    """Run a member: default signal handling, wait for an end of file, exit."""
    parent = os.getppid()
    set_name(member_name(number))
    for fd in close_fds:
        close_quietly(fd)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in {0, 1, 2} - {wait_fd, lifeline_fd, ready_fd}:
        os.dup2(null, fd)
    if null > 2:
        os.close(null)
    for signo in catchable_signals():
        with contextlib.suppress(OSError, ValueError):
            signal.signal(signo, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, ())
    os.close(ready_fd)  # set up: the child may say "ready" once all have
    watched = [wait_fd] if lifeline_fd is None else [wait_fd, lifeline_fd]
    while True:
        readable, _, _ = select.select(watched, [], [])
        for fd in readable:
            if os.read(fd, 512):
                continue
            # The child stopped cannot see the lifeline end: wake it first.
            # Its pid is still ours to signal while it is our parent.
            woken = fd == lifeline_fd and os.getppid() == parent
            if woken and _parent_is_stopped(parent):
                os.kill(parent, signal.SIGCONT)
            return


def fork_member(
    number: int,
    wait_fd: int,
    lifeline_fd: int | None,
    ready_fd: int,
    close_fds: Iterable[int],
) -> int:
    """Fork one member process.

    Args:
        number: Its number from 1, in its name (``demo member 1``).
        wait_fd: The read end of the pipe only the child writes to.
        lifeline_fd: The lifeline, which the member watches too.
        ready_fd: A pipe's write end the member closes once its signal
            handling is set up.
        close_fds: Fds the member must not keep open (the report pipe, the
            write end of ``wait_fd``'s pipe...).

    Returns:
        The member's pid (in the child; the member never returns).
    """
    pid = os.fork()
    if pid:
        return pid
    try:
        _member_main(number, wait_fd, lifeline_fd, ready_fd, close_fds)
    finally:
        os._exit(0)


def member_message(pid: int, status: int | None) -> dict[str, Any]:
    """Describe a reaped member as a ``member`` message.

    Args:
        pid: The member.
        status: Its wait status, or None if the kernel reaped it.

    Returns:
        The message.
    """
    message: dict[str, Any] = {
        "type": "member",
        "pid": pid,
        "how": "gone",
        "status": None,
        "name": None,
        "core": False,
    }
    if status is not None and os.WIFSIGNALED(status):
        signo = os.WTERMSIG(status)
        message.update(how="killed", status=signo, name=signal_name(signo))
        message["core"] = os.WCOREDUMP(status)
    elif status is not None:
        message.update(how="exited", status=os.waitstatus_to_exitcode(status))
    return message
