"""The tracer's fast paths say exactly what the general ones say.

``events.parse_lines`` (one regular expression for the common shapes) against
``events.parse_line`` (the general parser); ``records.to_json`` (one ``%``
format) against ``json.dumps`` of ``_signal_dict`` as it was written before;
``records.from_json`` (positional, for complete records) against the
general ``**fields`` way, kept here as the reference; and the reader's and the
feed's batch decoding against lines cut anywhere.

Hypothesis's example database is off (``database=None``) and so are
deadlines (timing assertions are flaky).
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from dataclasses import asdict, fields
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sigtui.trace.events import Deliver, Generate, parse_line, parse_lines
from sigtui.trace.feed import FeedState, TraceFeed
from sigtui.trace.pairing import Pairer
from sigtui.trace.reader import _drain, read_records
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

BASE = settings(database=None, deadline=None)

GENERATE = (
    "          python-3744    (   3744) [001] d..1. 20715.238101: signal_generate: "
    "sig=34 errno=0 code=0 comm=python pid=3743 grp=1 res=0"
)
DELIVER = (
    "           <...>-3743    (-------) [000] d..1. 20715.238135: signal_deliver: "
    "sig=34 errno=0 code=0 sa_handler=7ff0500d4d00 sa_flags=c000000"
)

LINES = [
    GENERATE,
    GENERATE + "\n",
    DELIVER,
    DELIVER + "\n",
    # Interrupt context, a kworker, the kernel's code, a negative code.
    "   kworker/u4:1-88      (     88) [000] d.h1. 5.5: signal_generate: sig=2 "
    "errno=0 code=128 comm=bash pid=12 grp=1 res=0",
    "  x-1 (   1) [000] d.s1. 5.5: signal_generate: sig=2 errno=0 code=-6 "
    "comm=a b pid=12 grp=0 res=2",
    "  x-1 (   1) [000] dNH1. 5.5: signal_generate: sig=2 errno=0 code=-6 "
    "comm=a pid=1 grp=0 res=1 pid=12 grp=0 res=4",
    # Names with spaces, dashes, digits and parentheses.
    "  my server-2-77 (     77) [001] d..1. 1.000001: signal_generate: sig=15 "
    "errno=0 code=0 comm=job: 1 pid=78 grp=1 res=0",
    "  (sd-pam)-9 (      9) [001] d..1. 1.5: signal_deliver: sig=15 errno=0 "
    "code=0 sa_handler=0 sa_flags=0",
    "  a-1 (2) [3]-4 (      4) [001] d..1. 1.5: signal_deliver: sig=1 errno=0 "
    "code=0 sa_handler=1 sa_flags=0",
    "  -5 (      5) [001] d..1. 1.5: signal_deliver: sig=1 errno=0 code=0 "
    "sa_handler=1 sa_flags=0",
    # ": signal_" inside the sender's name: the general parser cuts there.
    "  a: signal_x-5 (      5) [001] d..1. 1.5: signal_deliver: sig=1 errno=0 "
    "code=0 sa_handler=1 sa_flags=0",
    # Four-letter flags (older kernels), no thread group recorded.
    "  sh-5 (-------) [001] d..1 1.5: signal_generate: sig=17 errno=0 code=1 "
    "comm=sh pid=4 grp=1 res=1",
    # Other whitespace and digits: the general parser decides.
    "\tsh-5 (      5) [001] d..1. 1.5: signal_generate: sig=17 errno=0 code=1 "
    "comm=sh pid=4 grp=1 res=1",
    "  sh-5 (      5) [001] d..1. 1.5: signal_generate: sig=17 errno=0 code=1 "
    "comm=sh pid=4 grp=1 res=1\r",
    "  sh-5 (      5) [001] d..1. 1.5: signal_deliver: sig=17 errno=0 code=1 "
    "sa_handler=0 sa_flags=0\r",
    "  sh-\u0665 (      5) [001] d..1. 1.5: signal_deliver: sig=17 errno=0 "
    "code=1 sa_handler=0 sa_flags=0",
    "  sh-5 (      5) [001] d..1. 1.5: signal_deliver: sig=\u0661\u0667 errno=0 "
    "code=1 sa_handler=0 sa_flags=0",
    "  sh-5 (  5  ) [001] d..1. 1.5: signal_deliver: sig=17 errno=0 code=1 "
    "sa_handler=0 sa_flags=0",
    "  sh-5 (      5) [001] d..1. 1.5: signal_deliver: sig=17 errno=x code=1 "
    "sa_handler=0 sa_flags=0",
    "\xa0sh-5 (      5) [001] d..1. 1.5: signal_deliver: sig=17 errno=0 code=1 "
    "sa_handler=0 sa_flags=0",
    # Cut short, other events, losses, exits.
    GENERATE[:60],
    GENERATE[:-6],
    DELIVER[:-12],
    "CPU:1 [LOST 12 EVENTS]",
    "  sh-5 (      5) [001] ..... 1.5: sched_process_exit: comm=sh pid=5 "
    "prio=120 group_dead=true",
    "  sh-5 (      5) [001] ..... 1.5: sched_process_exit: comm=sh pid=5 "
    "prio=120 group_dead=false",
    "  sh-5 (      5) [001] ..... 1.5: sched_switch: prev_comm=sh",
    "",
    "\n",
    "# tracer: nop",
]


def test_parse_lines_is_parse_line_on_every_shape() -> None:
    expected = [event for event in map(parse_line, LINES) if event is not None]
    assert parse_lines(LINES) == expected
    # The common shapes really take the fast path and give real events.
    assert isinstance(parse_lines([GENERATE])[0], Generate)
    assert isinstance(parse_lines([DELIVER])[0], Deliver)
    deliver = parse_lines([DELIVER])[0]
    assert isinstance(deliver, Deliver)
    assert deliver.head.tgid == 0


NAME = st.text(alphabet=st.characters(exclude_characters="\n"), max_size=15)


@BASE
@given(
    sender=NAME,
    target=NAME,
    tid=st.integers(0, 4_194_304),
    tgid=st.one_of(st.integers(0, 4_194_304), st.just(-1)),
    flags=st.sampled_from(["d..1.", "d.h1.", "dNs2.", "....", "d..1"]),
    stamp=st.floats(0, 1e6, allow_nan=False).map(lambda t: f"{t:.6f}"),
    sig=st.integers(0, 64),
    code=st.integers(-7, 200),
    grp=st.integers(0, 2),
    res=st.integers(0, 9),
    handler=st.sampled_from(["0", "1", "55d0c0ffee00", "x y"]),
)
@example(
    sender="a-1 (2) [3] x",
    target="p pid=1 grp=1",
    tid=1,
    tgid=1,
    flags="d..1.",
    stamp="1.0",
    sig=1,
    code=0,
    grp=1,
    res=0,
    handler="0",
)
def test_parse_lines_is_parse_line_for_any_names(
    sender: str,
    target: str,
    tid: int,
    tgid: int,
    flags: str,
    stamp: str,
    sig: int,
    code: int,
    grp: int,
    res: int,
    handler: str,
) -> None:
    group = "-------" if tgid < 0 else f"{tgid:7d}"
    head = f"{sender:>16}-{tid:<7d}({group}) [001] {flags} {stamp}"
    lines = [
        f"{head}: signal_generate: sig={sig} errno=0 code={code} comm={target} "
        f"pid={tid} grp={grp} res={res}",
        f"{head}: signal_deliver: sig={sig} errno=0 code={code} "
        f"sa_handler={handler} sa_flags=0",
    ]
    for line in lines:
        for text in (line, line + "\n"):
            assert parse_lines([text]) == [
                e for e in [parse_line(text)] if e is not None
            ], text


# -- to_json and from_json -------------------------------------------------------


def reference_dict(record: TracedSignal) -> dict[str, object]:
    """_signal_dict as it was before the fast path."""
    data = asdict(record)
    data["sender"] = record.sender.value
    data["result"] = record.result.value
    data["fate"] = record.fate.value
    return data


def reference_to_json(record: Record) -> str:
    if isinstance(record, TracedSignal):
        return json.dumps({"type": "signal", **reference_dict(record)})
    if isinstance(record, Exited):
        return json.dumps(
            {
                "type": "exit",
                "time": record.time,
                "pid": record.pid,
                "name": record.name,
                "signo": record.signo,
                "status": record.status,
                "by": reference_dict(record.by) if record.by else None,
            }
        )
    return json.dumps({"type": "lost", "time": record.time, "count": record.count})


def reference_signal_from(data: dict[str, object]) -> TracedSignal:
    """_signal_from as it was before the fast path."""
    found = {k: v for k, v in data.items() if k != "type"}
    found["sender"] = Sender(found["sender"])
    found["result"] = Result(found["result"])
    found["fate"] = Fate(found["fate"])
    return TracedSignal(**found)  # type: ignore[arg-type]


INT = st.integers(-(2**63), 2**63)
TIME = st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text(max_size=20)

SIGNALS = st.builds(
    TracedSignal,
    id=INT,
    time=TIME,
    signo=st.integers(1, 64),
    code=INT,
    sender=st.sampled_from(Sender),
    sender_pid=INT,
    sender_tid=INT,
    sender_name=TEXT,
    target_pid=INT,
    target_tid=INT,
    target_name=TEXT,
    process_directed=st.booleans(),
    result=st.sampled_from(Result),
    fate=st.sampled_from(Fate),
    taken=st.none() | TIME,
    handler=TEXT,
    burst=INT,
    burst_size=INT,
    pgid=INT,
    late=st.booleans(),
)


@BASE
@given(SIGNALS)
def test_to_json_writes_what_json_dumps_wrote(record: TracedSignal) -> None:
    line = to_json(record)
    assert line == reference_to_json(record)
    assert from_json(line) == record
    assert from_json(line.encode()) == record
    assert reference_signal_from(json.loads(line)) == record


@BASE
@given(SIGNALS, st.none() | st.integers(0, 255))
def test_exits_and_losses_are_unchanged(
    record: TracedSignal, status: int | None
) -> None:
    for other in (
        Exited(record.time, 5, "sh", signo=record.signo, by=record),
        Exited(1.5, 5, "sh\u00e9", status=status),
        Lost(2.5, 7),
    ):
        line = to_json(other)
        assert line == reference_to_json(other)
        assert from_json(line) == other


@pytest.mark.parametrize(
    "change",
    [
        {"time": math.nan},
        {"time": math.inf},
        {"taken": -math.inf},
        {"id": 1.5},  # %d would write 1
        {"time": 7},  # an int where a float belongs: json.dumps writes 7 too
        {"pgid": True},
        {"late": 1},
        {"target_name": 5},
        {"handler": None},
    ],
)
def test_to_json_leaves_unusual_fields_to_json_dumps(change: dict[str, object]) -> None:
    record = TracedSignal(
        1, 2.5, 10, 0, Sender.PROCESS, 3, 3, "a", 4, 4, "b", True,
        Result.QUEUED, Fate.CAUGHT,
    )  # fmt: skip
    for name, value in change.items():
        object.__setattr__(record, name, value)
    assert to_json(record) == reference_to_json(record)


def test_from_json_keeps_defaults_and_errors_of_the_general_way() -> None:
    record = TracedSignal(
        1, 2.5, 10, 0, Sender.KERNEL, 0, 0, "", 4, 4, "b", True,
        Result.MERGED, Fate.MERGED,
    )  # fmt: skip
    full = json.loads(to_json(record))
    # Missing fields that have defaults: the general way fills them in.
    short = {k: v for k, v in full.items() if k not in ("late", "pgid")}
    assert from_json(json.dumps(short)) == reference_signal_from(short) == record
    # As many fields, one unknown instead of a known one: not a record.
    swapped = {**short, "pgid": 0, "colour": "red"}
    with pytest.raises(ValueError, match="not a trace record"):
        from_json(json.dumps(swapped))
    with pytest.raises(ValueError, match="not a trace record"):
        from_json(json.dumps({**full, "extra": 1}))
    with pytest.raises(ValueError, match="'eaten' is not a valid Fate"):
        from_json(json.dumps({**full, "fate": "eaten"}))
    with pytest.raises(ValueError, match="is not a valid Sender"):
        from_json(json.dumps({**full, "sender": ["process"]}))
    # Values are taken as they are, as before (no conversions).
    odd = {**full, "id": "7"}
    assert from_json(json.dumps(odd)) == reference_signal_from(odd)
    assert len(full) == len(fields(TracedSignal)) + 1


# -- the reader's and the feed's batches -----------------------------------------


def unknowing() -> Pairer:
    """A pairer that asks /proc nothing (these pids are made up), and holds on.

    A hold longer than the trace's times are old (monotonic now is hours past
    them): nothing is given out as pending between two cut reads.
    """
    return Pairer(hold=1e6, exit_status=lambda pid: None, pending=lambda p, t: None)


def test_reader_parses_lines_cut_anywhere(tmp_path: Path) -> None:
    """Lines written in pieces through a FIFO give the same records as whole."""
    # tgkill() (code -6): never a burst, whose size would depend on where
    # the batches happen to be cut (and on /proc for the group).
    tgkill = GENERATE.replace("code=0", "code=-6")
    text = "\n".join([tgkill, DELIVER, "CPU:0 [LOST 3 EVENTS]", "junk"]) + "\n"
    data = ("\n".join([text.rstrip("\n")] * 5) + "\n").encode()
    fifo = tmp_path / "trace_pipe"
    os.mkfifo(fifo)
    got: list[Record] = []
    done = threading.Event()

    def write() -> None:
        with open(fifo, "wb", buffering=0) as pipe:
            for at in range(0, len(data), 37):  # cuts lines anywhere
                pipe.write(data[at : at + 37])
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        read_records(fd, got.extend, batch=0.0, pairer=unknowing())
    finally:
        os.close(fd)
    writer.join()
    pairer = unknowing()
    lines = data.decode().split("\n")[:-1]
    events = [e for e in map(parse_line, lines) if e is not None]
    expected = pairer.feed(events, 0.0) + pairer.flush(0.0)
    key = [(type(r).__name__, getattr(r, "id", None)) for r in got]
    assert sorted(key, key=str) == sorted(
        [(type(r).__name__, getattr(r, "id", None)) for r in expected], key=str
    )
    assert [to_json(r) for r in got if isinstance(r, TracedSignal)] == [
        to_json(r) for r in expected if isinstance(r, TracedSignal)
    ]
    assert sum(r.count for r in got if isinstance(r, Lost)) == 15


def test_feed_decodes_lines_cut_anywhere(tmp_path: Path) -> None:
    record = TracedSignal(
        1, 2.5, 10, 0, Sender.PROCESS, 3, 3, "caf\u00e9", 4, 4, "b", True,
        Result.QUEUED, Fate.CAUGHT, 2.6, "7f00",
    )  # fmt: skip
    lines = [
        '{"type": "ready", "instance": "sigtui-1-2"}',
        to_json(record),
        "not json",
        to_json(Lost(3.0, 4)),
        to_json(record),
    ]
    script = tmp_path / "writer.py"
    script.write_text(
        "import sys, time\n"
        f"data = {chr(10).join(lines) + chr(10)!r}.encode()\n"
        "for at in range(0, len(data), 29):\n"
        "    sys.stdout.buffer.write(data[at : at + 29])\n"
        "    sys.stdout.buffer.flush()\n"
        "    time.sleep(0.001)\n",
        encoding="utf-8",
    )
    got: list[Record] = []
    states: list[FeedState] = []
    feed = TraceFeed(got.extend, states.append, command=[sys.executable, str(script)])
    feed.start()
    # Let the writer finish (the feed then says it is off): stop() ends a
    # reader that is still running after 2 s, which a busy machine can take.
    deadline = time.monotonic() + 60
    while len(states) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    feed.stop()
    assert got == [record, Lost(3.0, 4), record]
    assert states[0].on
    assert states[0].instance == "sigtui-1-2"


def test_drain_stops_at_its_limit_and_says_there_may_be_more() -> None:
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(read_end, False)
        os.write(write_end, b"x" * 3000)
        data, closed, more = _drain(read_end, limit=1000, chunk=700)
        assert (len(data), closed, more) == (1400, False, True)
        data, closed, more = _drain(read_end, limit=10_000, chunk=700)
        assert (len(data), closed, more) == (1600, False, False)
        os.close(write_end)
        write_end = -1
        assert _drain(read_end) == (b"", True, False)
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
