"""``sigtui trace`` end to end, its sentences where it cannot trace, and its instances.

The instance checks look at tracefs through a mount of the test's own, in a
private mount namespace (``unshare``), and only at the instance of the
sigtui the test started: other tests' tracers run at the same time.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.spawn import READY_TIMEOUT, Spawner, wait_until
from tests.tracefs import instances, owned_by

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="tracing needs root")

TRACE = [sys.executable, "-m", "sigtui", "trace"]


def started(process: subprocess.Popen[str]) -> str:
    """Wait for a tracer's first line on standard error; return it."""
    assert process.stderr is not None
    ready, _, _ = select.select([process.stderr], [], [], READY_TIMEOUT)
    assert ready, "sigtui trace did not start"
    return process.stderr.readline()


@pytest.fixture
def tracer_process() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


def start(processes: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*TRACE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    processes.append(process)
    assert "Tracing signals" in started(process)
    return process


def test_trace_json_for_one_pid_end_to_end(
    spawner: Spawner, tracer_process: list[subprocess.Popen[str]]
) -> None:
    sleeper = spawner.command(["sleep", "1000"])
    tracer = start(tracer_process, "--json", "-p", str(sleeper.pid))
    os.kill(sleeper.pid, signal.SIGTERM)
    sleeper.proc.wait(READY_TIMEOUT)
    assert tracer.stdout is not None
    lines = [json.loads(tracer.stdout.readline()) for _ in range(2)]
    tracer.send_signal(signal.SIGINT)
    assert tracer.wait(READY_TIMEOUT) == 0
    sent, exited = lines
    assert sent["type"] == "signal"
    assert (sent["signo"], sent["target_pid"], sent["sender_pid"]) == (
        signal.SIGTERM,
        sleeper.pid,
        os.getpid(),
    )
    assert (sent["fate"], sent["result"], sent["sender"]) == (
        "killed",
        "queued",
        "process",
    )
    assert exited["type"] == "exit"
    assert (exited["pid"], exited["signo"], exited["by"]["id"]) == (
        sleeper.pid,
        signal.SIGTERM,
        sent["id"],
    )


def test_trace_prints_a_line_per_signal(
    spawner: Spawner, tracer_process: list[subprocess.Popen[str]]
) -> None:
    sleeper = spawner.command(["sleep", "1000"])
    tracer = start(tracer_process, "-p", str(sleeper.pid))
    os.kill(sleeper.pid, signal.SIGKILL)
    assert tracer.stdout is not None
    line = tracer.stdout.readline()
    assert line.startswith(f"SIGKILL {os.getpid()} (")
    assert line.rstrip().endswith(
        "kill(); killed it after " + line.split(" after ")[1].strip()
    )
    assert f"→ {sleeper.pid} (sleep)" in line
    assert f"{sleeper.pid} (sleep) killed by SIGKILL from {os.getpid()}" in (
        tracer.stdout.readline()
    )


def test_not_root_says_so_in_one_sentence() -> None:
    # The interpreter starts as root and imports sigtui (nobody may not read
    # this virtualenv), then becomes nobody with no groups and runs it.
    code = (
        "import os, sys\n"
        "from sigtui.cli import build_parser\n"
        "from sigtui.trace.command import run_trace\n"
        "import sigtui.trace.output, sigtui.trace.reader, sigtui.trace.tracefs\n"
        "args = build_parser().parse_args(['trace'])\n"
        "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
        "sys.exit(run_trace(args))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=READY_TIMEOUT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("sigtui trace: Tracing needs root:")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_not_mounted_and_cannot_mount_says_so_in_one_sentence() -> None:
    # Root in a user namespace of its own may make a mount namespace but may
    # not mount tracefs: what a rootless container sees.
    result = subprocess.run(
        ["unshare", "--user", "--map-root-user", *TRACE],
        capture_output=True,
        text=True,
        timeout=READY_TIMEOUT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("sigtui trace: Tracing is off:"), result.stderr
    assert "mount" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_no_instance_is_left_after_a_signal_that_ends_it(
    how: signal.Signals, tracer_process: list[subprocess.Popen[str]]
) -> None:
    tracer = start(tracer_process)
    assert len(owned_by(tracer.pid)) == 1
    tracer.send_signal(how)
    assert tracer.wait(READY_TIMEOUT) == 0
    assert owned_by(tracer.pid) == set()


def test_the_next_start_removes_the_instance_of_a_sigkilled_tracer(
    tracer_process: list[subprocess.Popen[str]],
) -> None:
    killed = start(tracer_process)
    (left,) = owned_by(killed.pid)
    killed.kill()
    killed.wait()
    assert left in instances()  # nobody could remove it
    after = start(tracer_process)
    assert left not in instances()
    assert len(owned_by(after.pid)) == 1


def test_the_feed_removes_its_instance_when_its_owner_is_sigkilled() -> None:
    # A stand-in for the TUI: it starts the feed, says the reader's pid, and
    # is SIGKILLed. The reader sees its lifeline's end and cleans up.
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, threading\n"
            "from sigtui.trace.feed import TraceFeed\n"
            "on = threading.Event()\n"
            "feed = TraceFeed(lambda r: None, lambda s: on.set())\n"
            "feed.start(); on.wait(20)\n"
            "print(feed.pid, flush=True)\n"
            "threading.Event().wait()\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert owner.stdout is not None
        reader = int(owner.stdout.readline())
        assert len(owned_by(reader)) == 1
    finally:
        owner.kill()
        owner.wait()
    wait_until(lambda: not os.path.exists(f"/proc/{reader}"), "the reader to end")
    assert owned_by(reader) == set()


def test_bad_arguments_are_refused_in_one_line() -> None:
    result = subprocess.run(
        [*TRACE, "-p", "abc"], capture_output=True, text=True, timeout=READY_TIMEOUT
    )
    assert result.returncode == 2
    assert "invalid pid 'abc'" in result.stderr
