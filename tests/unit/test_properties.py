"""Property-based tests of everything that parses user input (issue 7).

Signal names and numbers, ``-o`` column lists, ``-p``/``-g`` id lists,
``--interval``/``--grace``, the filter text and the demo child's report lines:
for any input, never an exception other than the parser's own error, and
always either the right result or a one-line error that names the bad value.

Each property is checked against an independent statement of what the result
must be (a reference filter, the protocol's own encoder, the catalogue's own
numbers), so a wrong result fails as surely as an exception.

Hypothesis's example database is off (``database=None``) so that running the
tests leaves no ``.hypothesis`` directory in the work tree, and deadlines are
off: a deadline is a timing assertion, and timing assertions are flaky.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import signal
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sigtui import cli, config, listing
from sigtui.demo import protocol
from sigtui.demo.protocol import LineReader, encode
from sigtui.processes.columns import COLUMNS, ColumnError, parse_columns
from sigtui.processes.format import command_text
from sigtui.processes.model import ProcessInfo, ProcessSnapshot
from sigtui.processes.view import ProcessView
from sigtui.signals import PROBE, SignalError, SignalSpec, catalogue
from tests.spawn import make_info

BASE = settings(database=None, deadline=None)
"""No example database (no .hypothesis/ in the work tree), no deadlines."""

WITH_CAPSYS = settings(
    BASE, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
"""For tests that use capsys: each example reads it empty before it starts."""

# --- strategies shared by several parsers -----------------------------------------

TRICKY = "\0\t\n\r\x0b\x0c\x1c\x1f\x7f \u00a0\u2028\u3000\u0130\u0131\u017f\u212a\ufeff"
"""Characters that trip parsers: NUL, controls, Unicode spaces and case oddities."""

ANY_CHAR = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates: not in st.characters()
    st.sampled_from(TRICKY),
)
ANY_TEXT = st.text(ANY_CHAR)
HUGE_TEXT: st.SearchStrategy[str] = st.builds(
    lambda piece, count: piece * count,
    st.text(ANY_CHAR, min_size=1, max_size=3),
    st.integers(1000, 20000),
)
"""Long texts, built cheaply: Hypothesis itself rarely draws past a few hundred."""

LONG_DIGITS: st.SearchStrategy[str] = st.builds(
    lambda zeros, digits, count: "0" * zeros + digits * count,
    st.integers(0, 5000),
    st.text("0123456789", min_size=1, max_size=3),
    st.integers(1, 2000),
)
"""Digit strings of up to thousands of digits: ``int()`` refuses more than 4300."""


def one_line(err: str) -> None:
    """Assert ``err`` is one line of argparse-style error, not a traceback."""
    assert err.endswith("\n"), err
    assert err.count("\n") == 1, err
    assert err.startswith("sigtui"), err
    assert "error:" in err
    assert "Traceback" not in err


def usage_error(capsys: pytest.CaptureFixture[str], run: Callable[[], object]) -> str:
    """Run ``run``, which must exit 2 printing only one line on stderr; return it."""
    capsys.readouterr()  # drop what an earlier example left
    with pytest.raises(SystemExit) as exit_:
        run()
    assert exit_.value.code == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""
    one_line(err)
    return err


# --- signals: sigtui.signals.catalogue().parse --------------------------------------

CAT = catalogue()
OFFERED = {spec.number for spec in CAT}
RESERVED = set(range(1, signal.NSIG)) - OFFERED
"""Numbers the kernel has but the C library keeps (32 and 33 with glibc)."""
HIGHEST = max(OFFERED)
SPECS = st.sampled_from(CAT.signals)
SIGNAL_TEXT = st.one_of(
    ANY_TEXT,
    HUGE_TEXT,
    LONG_DIGITS,
    st.from_regex(r"\s*[+-]?\d{1,12}\s*", fullmatch=True),
    st.from_regex(
        r"\s*(SIG|sig|Sig)?[A-Za-z]{2,9}([+-][0-9]{1,4})?\s*", fullmatch=True
    ),
    st.builds(lambda spec, junk: spec.name + junk, SPECS, ANY_TEXT),
    st.builds(lambda junk, spec: junk + spec.short, ANY_TEXT, SPECS),
)


def mixed_case(draw: st.DrawFn, text: str) -> str:
    """The same ASCII text with each letter's case drawn at random."""
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.swapcase() if f else c for c, f in zip(text, flips, strict=True))


ASCII_SPACE = st.text(" \t\n\r\x0b\x0c", max_size=3)


@st.composite
def written_names(draw: st.DrawFn) -> tuple[SignalSpec, str]:
    """A signal and one way a person could write it: any case, SIG or not, padded."""
    spec = draw(SPECS)
    name = draw(st.sampled_from([spec.name, *spec.aliases]))
    if draw(st.booleans()):
        name = name.removeprefix("SIG")
    return spec, draw(ASCII_SPACE) + mixed_case(draw, name) + draw(ASCII_SPACE)


def check_signal_error(err: SignalError, value: object) -> None:
    message = str(err)
    assert "\n" not in message
    if isinstance(value, str) and not value.strip():
        assert "empty signal" in message
    elif isinstance(value, str):
        assert repr(value) in message, (value, message)
    else:
        assert "signal" in message


@settings(BASE, max_examples=600)
@given(text=SIGNAL_TEXT, allow_probe=st.booleans())
def test_signal_text_parses_to_an_offered_signal_or_a_named_error(
    text: str, allow_probe: bool
) -> None:
    """Any text: an offered signal, the probe only when asked, or a SignalError
    whose one-line message quotes the text (or says it is empty)."""
    try:
        spec = CAT.parse(text, allow_probe=allow_probe)
    except SignalError as err:
        check_signal_error(err, text)
        return
    if spec is PROBE:
        assert allow_probe
        assert text.strip().lstrip("0") == ""
    else:
        assert spec.number in OFFERED
        assert CAT.get(spec.number) is spec
        # What was accepted is really this signal: its name or its number.
        key = text.strip().upper().removeprefix("SIG")
        names = {n.removeprefix("SIG") for n in (spec.name, *spec.aliases)}
        if key.isdigit():  # (int() refuses more than 4300 digits, zeros included)
            assert int(key.lstrip("0")) == spec.number
        elif not key.startswith("RTM"):
            assert key in names


@settings(BASE, max_examples=300)
@given(
    value=st.one_of(
        st.integers(),
        st.integers(-100, 100),
        st.sampled_from(sorted(RESERVED | {0, HIGHEST + 1, signal.NSIG, 2**31})),
    ),
    allow_probe=st.booleans(),
)
def test_signal_numbers_are_accepted_exactly_when_offered(
    value: int, allow_probe: bool
) -> None:
    """Ints and their decimal text: accepted iff offered (0 only as the probe);
    never negatives, reserved numbers or numbers above the highest signal."""
    for given_as in (value, str(value), f" {value}\t"):
        try:
            spec = CAT.parse(given_as, allow_probe=allow_probe)
        except SignalError as err:
            assert value not in OFFERED
            assert not (value == 0 and allow_probe)
            check_signal_error(err, given_as)
        else:
            assert spec.number == value
            assert value in OFFERED or (value == 0 and allow_probe and spec is PROBE)
            assert 0 <= value <= HIGHEST
            assert value not in RESERVED


@settings(BASE, max_examples=300)
@given(named=written_names())
def test_signal_names_round_trip_in_any_case_with_or_without_sig(
    named: tuple[SignalSpec, str],
) -> None:
    spec, written = named
    assert CAT.parse(written) == spec
    assert CAT.parse(spec.name) is spec
    assert CAT.parse(spec.short.lower()) is spec
    assert CAT.parse(str(spec.number)) is spec
    assert CAT.parse("0" * 3 + str(spec.number)) is spec
    assert CAT.parse(spec.number) is spec


@settings(BASE, max_examples=300)
@given(
    base=st.sampled_from(["RTMIN", "RTMAX"]),
    sign=st.sampled_from("+-"),
    offset=st.integers(0, 200),
    prefix=st.sampled_from(["", "SIG", "sig"]),
)
def test_realtime_offsets_are_in_range_or_refused(
    base: str, sign: str, offset: int, prefix: str
) -> None:
    assert CAT.realtime is not None  # Linux
    low, high = CAT.realtime
    number = (low if base == "RTMIN" else high) + (offset if sign == "+" else -offset)
    text = f"{prefix}{base}{sign}{offset}"
    if low <= number <= high:
        assert CAT.parse(text).number == number
        assert CAT.parse(text.lower()).number == number
    else:
        with pytest.raises(SignalError) as err:
            CAT.parse(text)
        check_signal_error(err.value, text)


@settings(BASE, max_examples=100)
@given(
    value=st.one_of(
        st.floats(),
        st.binary(),
        st.none(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.complex_numbers(),
    )
)
def test_signal_values_of_other_types_are_signal_errors(value: object) -> None:
    with pytest.raises(SignalError, match="invalid signal"):
        CAT.parse(value)


# --- -o column lists: parse_columns -------------------------------------------------

SEPARATORS = st.text(", \t", min_size=1, max_size=3)
HEADER_CHARS = st.characters(exclude_characters=", \t")
"""A header ends at the next comma, space or tab; anything else belongs to it."""


@st.composite
def column_lists(
    draw: st.DrawFn,
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """``-o`` arguments built from known names, and the (name, header) asked for."""
    wanted = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(COLUMNS)),
                st.none() | st.text(HEADER_CHARS, max_size=12),
            ),
            min_size=1,
            max_size=8,
        )
    )
    words = [
        mixed_case(draw, name) + ("" if header is None else "=" + header)
        for name, header in wanted
    ]
    # Spread the words over one to three -o arguments, separated in any way.
    cuts = sorted(draw(st.lists(st.integers(0, len(words)), max_size=2)))
    specs = []
    for start, end in zip([0, *cuts], [*cuts, len(words)], strict=True):
        spec = "".join(draw(SEPARATORS) + word for word in words[start:end])
        if draw(st.booleans()):
            spec = spec.lstrip(", \t")  # usually nothing before the first name
        specs.append(spec + draw(st.sampled_from(["", ",", " ", ", "])))
    return specs, wanted


@settings(BASE, max_examples=300)
@given(built=column_lists())
def test_known_column_lists_parse_to_their_fields_and_headers(
    built: tuple[list[str], list[tuple[str, str | None]]],
) -> None:
    specs, wanted = built
    columns = parse_columns(specs)
    assert len(columns) == len(wanted)
    for column, (name, header) in zip(columns, wanted, strict=True):
        known = COLUMNS[name]
        assert (column.name, column.field, column.align) == (
            known.name,
            known.field,
            known.align,
        )
        if header is None:
            assert column == known
        else:
            assert column.header == header
            assert column.width == max(known.width, len(header))
    if len(specs) == 1:
        assert parse_columns(specs[0]) == columns  # a str is one -o argument


def named_part(message: str) -> str:
    """The part of the input a ColumnError names (quoted with repr())."""
    if message.startswith("bad width "):
        # "bad width 'W' in 'NAME:W'", perhaps then ": 1 to N": NAME:W is named.
        quoted = re.sub(r": 1 to \d+$", "", message).rpartition(" in ")[2]
    else:
        prefixes = ("unknown column ", "no column name in ")
        prefix = next((p for p in prefixes if message.startswith(p)), None)
        if prefix is None:
            raise AssertionError(f"unexpected column error {message!r}")
        quoted = message.removeprefix(prefix)
    value = ast.literal_eval(quoted)
    assert isinstance(value, str)
    return value


@st.composite
def unknown_words(draw: st.DrawFn) -> str:
    word = draw(
        # ":" starts a width (ps's name:WIDTH), "=" a header.
        st.text(st.characters(exclude_characters=", \t=:"), min_size=1, max_size=10)
    )
    assume(word.strip() and word.strip().lower() not in COLUMNS)
    return word.strip()


@settings(BASE, max_examples=300)
@given(name=st.sampled_from(sorted(COLUMNS)), width=st.text(max_size=6))
def test_a_width_is_a_number_from_1_to_1024_or_a_named_error(
    name: str, width: str
) -> None:
    assume("," not in width and "=" not in width and not set(width) & set(" \t"))
    spec = f"{name}:{width}"
    if width.isascii() and width.isdigit() and 1 <= int(width) <= 1024:
        (column,) = parse_columns(spec)
        assert column.width == int(width)
    else:
        with pytest.raises(ColumnError) as err:
            parse_columns(spec)
        assert str(err.value).startswith(f"bad width {width!r} in {spec!r}")


@settings(BASE, max_examples=200)
@given(built=column_lists(), bad=unknown_words(), data=st.data())
def test_an_unknown_name_among_known_ones_is_named(
    built: tuple[list[str], list[tuple[str, str | None]]],
    bad: str,
    data: st.DataObject,
) -> None:
    specs, _ = built
    index = data.draw(st.integers(0, len(specs) - 1))
    rename = data.draw(st.sampled_from(["", "=", "=X"]))
    specs[index] = f"{specs[index]},{bad}{rename},pid"
    with pytest.raises(ColumnError) as err:
        parse_columns(specs)
    assert str(err.value) == f"unknown column {bad!r}"


COLUMN_TEXT = st.one_of(
    ANY_TEXT,
    st.lists(st.sampled_from([*", \t=\n\0x\u212a", "pid", "comm", "PID"])).map("".join),
    st.builds(lambda a, b: a + b, st.sampled_from(sorted(COLUMNS)), ANY_TEXT),
    HUGE_TEXT,
)


@settings(BASE, max_examples=500)
@given(specs=st.one_of(COLUMN_TEXT, st.lists(COLUMN_TEXT, max_size=3)))
@example(specs="%CPU:")  # a bad width: found by a CI run
def test_any_column_text_parses_or_names_the_bad_part(specs: str | list[str]) -> None:
    """Only ColumnError, with a one-line message that quotes a non-empty part of
    the input (or says the list is empty, when it holds only separators)."""
    texts = [specs] if isinstance(specs, str) else specs
    try:
        columns = parse_columns(specs)
    except ColumnError as err:
        message = str(err)
        assert "\n" not in message
        if message == "empty column list":
            assert all(not t.strip(", \t") for t in texts)
        elif message.startswith("bad width "):
            # name:WIDTH with a width that is not 1 to MAX_WIDTH digits: the
            # message quotes the width and the whole item, both from the input.
            width, head = message.removeprefix("bad width ").split(" in ", 1)
            head = head.split(": ", 1)[0]
            assert ast.literal_eval(head).partition(":")[2].partition("=")[0] == (
                ast.literal_eval(width)
            ), message
            assert any(ast.literal_eval(head) in t for t in texts), message
        else:
            part = named_part(message)
            assert part, message
            assert any(part in t for t in texts), message
            assert part.strip().lower() not in COLUMNS
    else:
        assert columns
        assert all(c.field is COLUMNS[c.name].field for c in columns)
        assert len(columns) <= sum(len(t) for t in texts)


# --- command line: -p / -g id lists, --interval, --grace, -o ------------------------

PID = listing.id_list("pid")
PGID = listing.id_list("pgid")
PID_MAX = 2**31 - 1
IDS = st.lists(st.integers(1, PID_MAX), min_size=1, max_size=6)


@st.composite
def id_lists(draw: st.DrawFn) -> tuple[str, list[int]]:
    """Ids written as a person would: commas and/or spaces, maybe leading zeros."""
    ids = draw(IDS)
    parts = [draw(st.sampled_from(["", "0", "000"])) + str(i) for i in ids]
    seps = [draw(st.sampled_from([",", " ", ", ", " ,", ",,", "\t"])) for _ in ids]
    text = "".join(p + s for p, s in zip(parts, seps, strict=True))
    return draw(st.sampled_from(["", " ", ","])) + text, ids


@settings(BASE, max_examples=200)
@given(written=id_lists())
def test_valid_id_lists_round_trip(written: tuple[str, list[int]]) -> None:
    text, ids = written
    assert PID(text) == ids
    assert PGID(text) == ids
    args = cli.build_parser().parse_args(["ps", "-p", text, "-g", text, "-p", "1"])
    assert args.pids == [ids, [1]]
    assert args.pgids == [ids]


ID_TEXT = st.one_of(
    ANY_TEXT,
    LONG_DIGITS,
    st.from_regex(r"[ ,]*[+-]?\d{1,12}([ ,]+[+-]?\d{1,12})*[ ,]*", fullmatch=True),
    st.builds(str, st.integers()),
    st.sampled_from(["0", "2147483647", "2147483648", "-1", "1.5", "1e3", "0x10"]),
)


def check_id_result(text: str, kind: str, parse: Callable[[str], list[int]]) -> None:
    try:
        values = parse(text)
    except argparse.ArgumentTypeError as err:
        message = str(err)
        assert "\n" not in message
        items = text.replace(",", " ").split()
        if not items:
            assert message == f"empty {kind} list"
        else:
            assert message.startswith(f"invalid {kind} ")
            assert any(message == f"invalid {kind} {item!r}" for item in items)
    else:
        assert values
        assert all(0 < v <= PID_MAX for v in values)
        # Every item was plain ASCII digits for exactly that value.
        items = text.replace(",", " ").split()
        assert [int(i.lstrip("0") or "0") for i in items] == values
        assert all(i.isascii() and i.isdigit() for i in items)


@settings(BASE, max_examples=250)
@given(text=ID_TEXT)
def test_any_id_list_text_gives_ids_or_an_argument_error(text: str) -> None:
    """Only ArgumentTypeError, naming the bad item, never another exception."""
    check_id_result(text, "pid", PID)
    check_id_result(text, "pgid", PGID)


@settings(WITH_CAPSYS, max_examples=100)
@given(text=ID_TEXT, option=st.sampled_from(["-p", "-g"]))
def test_bad_id_lists_exit_2_with_one_line_naming_the_value(
    capsys: pytest.CaptureFixture[str], text: str, option: str
) -> None:
    assume(not text.startswith("-"))  # argparse would take it for an option
    try:
        PID(text)
    except argparse.ArgumentTypeError:
        pass
    else:
        assume(False)  # valid: main() would go on to scan /proc
    err = usage_error(capsys, lambda: cli.main(["ps", option, text]))
    items = text.replace(",", " ").split()
    assert "empty" in err if not items else any(repr(i) in err for i in items)


def interval_text() -> st.SearchStrategy[str]:
    return st.one_of(
        ANY_TEXT,
        LONG_DIGITS,
        st.builds(repr, st.floats()),
        st.builds(str, st.floats(-1, 4000)),
        st.from_regex(
            r"\s*[+-]?\d{0,5}(\.\d{0,5})?([eE][+-]?\d{1,3})?\s*", fullmatch=True
        ),
        st.sampled_from(
            ["nan", "inf", "-inf", "1e309", "0.1", "0.0999", "3600", "3600.0001", "1_0"]
        ),
    )


@settings(BASE, max_examples=400)
@given(text=interval_text())
def test_any_interval_text_gives_seconds_in_range_or_an_argument_error(
    text: str,
) -> None:
    for parse, minimum, what in (
        (cli._interval, config.MIN_INTERVAL, "interval"),
        (cli._seconds("grace period", 0.0), 0.0, "grace period"),
    ):
        try:
            value = parse(text)
        except argparse.ArgumentTypeError as err:
            message = str(err)
            assert message.startswith(f"invalid {what} {text!r}: ")
            assert "\n" not in message
        else:
            assert math.isfinite(value)
            assert minimum <= value <= config.MAX_INTERVAL
            assert value == float(text)


@settings(BASE, max_examples=100)
@given(seconds=st.floats(config.MIN_INTERVAL, config.MAX_INTERVAL))
def test_intervals_in_range_round_trip(seconds: float) -> None:
    for written in (repr(seconds), f"{seconds:.17g}", f" {seconds!r}\n"):
        assert cli._interval(written) == seconds
        args = cli.build_parser().parse_args([f"--interval={written}"])
        assert args.interval == seconds
    for limit in (config.MIN_INTERVAL, config.MAX_INTERVAL):
        assert cli._interval(repr(limit)) == limit


@settings(BASE, max_examples=200)
@given(
    seconds=st.one_of(
        st.floats(max_value=config.MIN_INTERVAL, exclude_max=True),
        st.floats(min_value=config.MAX_INTERVAL, exclude_min=True),
    )
)
def test_intervals_out_of_range_are_refused(seconds: float) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="invalid interval"):
        cli._interval(repr(seconds))


@settings(WITH_CAPSYS, max_examples=100)
@given(text=interval_text())
def test_bad_intervals_exit_2_with_one_line_naming_the_value(
    capsys: pytest.CaptureFixture[str], text: str
) -> None:
    try:
        cli._interval(text)
    except argparse.ArgumentTypeError:
        pass
    else:
        assume(False)  # valid: main() would go on to start the TUI
    err = usage_error(capsys, lambda: cli.main([f"--interval={text}"]))
    assert repr(text) in err
    err = usage_error(
        capsys, lambda: cli.main([f"--grace={text}", f"--interval={text}"])
    )
    assert repr(text) in err


@settings(WITH_CAPSYS, max_examples=100)
@given(text=COLUMN_TEXT)
def test_bad_column_lists_exit_2_with_one_line_naming_the_part(
    capsys: pytest.CaptureFixture[str], text: str
) -> None:
    assume(not text.startswith("-"))
    try:
        parse_columns(text)
    except ColumnError as error:
        expected = str(error)
    else:
        assume(False)  # valid: main() would go on to scan /proc
    err = usage_error(capsys, lambda: cli.main(["ps", "-o", text]))
    assert err == f"sigtui: error: {expected}\n"


# --- the filter: ProcessView.set_filter, .rows, .matches -----------------------------

FIXED = [
    make_info(1, user="root", comm="systemd", cmdline=("/sbin/init", "splash")),
    make_info(42, user="Alice", comm="bash", cmdline=("-bash",)),
    make_info(420, user=None, comm="kworker/0:1", cmdline=()),
    make_info(4242, user="bob", comm="python3", cmdline=("python3", "-c", "A\nB")),
    make_info(
        7, user="\u00d8ystein", comm="vim", cmdline=("vim", "R\u00c9SUM\u00c9.txt")
    ),
    make_info(8, user="\u0391\u03a3", comm="zombie", cmdline=(), state="Z"),
    make_info(9, user="1000", comm="x\x1by", cmdline=None),
    make_info(10, user="nul", comm="tab\tname", cmdline=("a\0b", "\u212aelvin")),
]
"""Made-up processes: odd users, escapes, Unicode, no command line, NULs."""


def haystacks(info: ProcessInfo) -> list[str]:
    """What the filter searches, field by field, as the user sees it."""
    return [str(info.pid), info.user or "", command_text(info), info.comm]


def reference_filter(processes: Sequence[ProcessInfo], text: str) -> set[int]:
    """The pids the filter must keep: a field contains the text, ignoring case,
    surrounding whitespace and NULs (no real field holds a NUL)."""
    needle = text.replace("\0", "").strip().lower()
    return {
        p.pid
        for p in processes
        if not needle or any(needle in h.lower() for h in haystacks(p))
    }


@st.composite
def needles(draw: st.DrawFn, processes: Sequence[ProcessInfo]) -> str:
    """Filter texts: arbitrary, or a piece of some field in another case, padded."""
    kind = draw(st.sampled_from(["any", "piece", "huge"]))
    if kind == "any":
        return draw(ANY_TEXT)
    if kind == "huge":
        return draw(HUGE_TEXT)
    field = draw(st.sampled_from([h for p in processes for h in haystacks(p)]))
    start = draw(st.integers(0, len(field)))
    end = draw(st.integers(start, len(field)))
    piece = "".join(
        c.swapcase() if draw(st.booleans()) and c.isascii() else c
        for c in field[start:end]
    )
    pad = st.text(" \t\0", max_size=2)
    return draw(pad) + piece + draw(pad)


PROCESSES = st.lists(
    st.builds(
        make_info,
        pid=st.integers(1, 99999),
        user=st.none() | ANY_TEXT,
        comm=st.text(ANY_CHAR, max_size=15),
        cmdline=st.none() | st.lists(ANY_TEXT, max_size=3).map(tuple),
    ),
    max_size=6,
    unique_by=lambda p: p.pid,
)


def check_filter(
    processes: list[ProcessInfo], text: str, tree: bool, gone: int
) -> None:
    view = ProcessView(parse_columns("pid,user,comm,args"), tree=tree)
    # The last `gone` processes exit before the second scan: shown once as gone.
    view.update(ProcessSnapshot.of(processes, 5000.0))
    view.update(ProcessSnapshot.of(processes[: len(processes) - gone], 5001.0))
    everything = list(view.rows)
    assert {r.info.pid for r in everything} == {p.pid for p in processes}
    view.set_filter(text)
    expected = reference_filter(processes, text)
    shown = [r.info.pid for r in view.rows]
    assert sorted(shown) == sorted(expected)  # each kept process exactly once
    assert all(view.matches(p) == (p.pid in expected) for p in processes)
    running = {p.pid for p in processes[: len(processes) - gone]}
    assert view.shown_count == len(expected & running)
    if not tree:  # the flat view keeps the sort order of the full list
        assert shown == [r.info.pid for r in everything if r.info.pid in expected]
    view.set_filter("")
    assert list(view.rows) == everything


@settings(BASE, max_examples=300)
@given(
    text=needles(FIXED),
    tree=st.booleans(),
    gone=st.integers(0, 2),
)
def test_filter_keeps_exactly_the_matching_processes(
    text: str, tree: bool, gone: int
) -> None:
    check_filter(FIXED, text, tree, gone)


@settings(BASE, max_examples=150)
@given(data=st.data(), processes=PROCESSES, tree=st.booleans())
def test_filter_on_made_up_processes_of_any_text(
    data: st.DataObject, processes: list[ProcessInfo], tree: bool
) -> None:
    text = data.draw(needles(processes)) if processes else data.draw(ANY_TEXT)
    gone = data.draw(st.integers(0, len(processes)))
    check_filter(processes, text, tree, gone)


# --- the demo child's report lines: LineReader ---------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | ANY_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = st.text(ANY_CHAR, max_size=8).filter(lambda k: k not in ("v", "type", "cmd"))


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    """A valid message (reports have a type, controls a cmd), without its "v"."""
    message = draw(st.dictionaries(KEYS, JSON_VALUES, max_size=4))
    message[draw(st.sampled_from(["type", "cmd"]))] = draw(ANY_TEXT)
    return message


def json_bytes(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@st.composite
def bad_lines(draw: st.DrawFn) -> bytes:
    """A non-blank line (no newline) that is not a valid message."""
    kind = draw(
        st.sampled_from(
            [
                "noise",
                "not object",
                "wrong version",
                "no type",
                "cut short",
                "bad utf-8",
                "utf-16",
                "nested",
            ]
        )
    )
    message = draw(messages())
    if kind == "noise":
        noise = draw(st.binary(max_size=40)).replace(b"\n", b"")
        return draw(st.sampled_from([b"#", b"x", b"\x00", b"{{"])) + noise
    if kind == "not object":
        return json_bytes(draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict))))
    if kind == "wrong version":
        version = draw(
            st.one_of(
                st.integers().filter(lambda v: v != protocol.VERSION),
                st.sampled_from([True, 1.0, "1", None, [1]]),
            )
        )
        if draw(st.booleans()):
            return json_bytes({**message, "v": version})
        return json_bytes(message)  # no "v" at all
    if kind == "no type":
        message.pop("type", None)
        message.pop("cmd", None)
        junk = draw(JSON_VALUES.filter(lambda v: not isinstance(v, str)))
        if draw(st.booleans()):
            message[draw(st.sampled_from(["type", "cmd"]))] = junk
        return json_bytes({"v": protocol.VERSION, **message})
    if kind == "cut short":
        line = encode(message)[:-1]
        return line[: draw(st.integers(1, len(line) - 1))]
    if kind == "bad utf-8":
        line = encode(message)[:-1]
        at = draw(st.integers(1, len(line) - 1))
        return (
            line[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
            + line[at:]
        )
    if kind == "utf-16":
        text = json.dumps({"v": protocol.VERSION, **message})
        return text.encode(draw(st.sampled_from(["utf-16-le", "utf-16-be", "utf-32"])))
    return b"[" * draw(st.sampled_from([1, 2, 10_000, 200_000]))


BLANK = st.text(" \t\r\x0b\x0c", max_size=3).map(str.encode)

LINES = st.one_of(
    messages().map(lambda m: ("good", m)),
    bad_lines().map(lambda b: ("bad", b)),
    BLANK.map(lambda b: ("blank", b)),
)


def chunked(data: bytes, draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[bytes]:
    """``data`` cut at arbitrary points (some chunks empty)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def feed_all(chunks: Sequence[bytes]) -> tuple[list[dict[str, Any]], int]:
    reader = LineReader()
    got: list[dict[str, Any]] = []
    for chunk in chunks:
        got += reader.feed(chunk)
        assert len(reader._buffer) <= protocol.MAX_LINE
    return got, reader.bad_lines


@settings(BASE, max_examples=200)
@given(lines=st.lists(LINES, max_size=10), partial=messages(), data=st.data())
def test_reader_yields_exactly_the_valid_messages_in_any_chunking(
    lines: list[tuple[str, Any]], partial: dict[str, Any], data: st.DataObject
) -> None:
    """Valid lines come out intact and in order, bad ones are counted, blank ones
    ignored; an unfinished last line waits for its newline."""
    stream = b"".join(
        (encode(item) if kind == "good" else item + b"\n") for kind, item in lines
    )
    tail = encode(partial)[:-1]
    reader = LineReader()
    got: list[dict[str, Any]] = []
    for chunk in chunked(stream + tail, data.draw):
        got += reader.feed(chunk)
    expected = [{"v": protocol.VERSION, **m} for kind, m in lines if kind == "good"]
    assert got == expected
    assert reader.bad_lines == sum(1 for kind, _ in lines if kind == "bad")
    assert reader.feed(b"\n") == [{"v": protocol.VERSION, **partial}]


@settings(BASE, max_examples=200)
@given(
    pieces=st.lists(
        st.one_of(st.binary(max_size=30), messages().map(encode), st.just(b"\n")),
        max_size=12,
    ),
    data=st.data(),
)
def test_reader_result_does_not_depend_on_the_chunking(
    pieces: list[bytes], data: st.DataObject
) -> None:
    """Any bytes at all: never an exception, same messages and count however cut."""
    stream = b"".join(pieces)
    assert feed_all(chunked(stream, data.draw)) == feed_all([stream])
    assert feed_all(chunked(stream, data.draw)) == feed_all(
        [stream[i : i + 1] for i in range(len(stream))]
    )


@settings(BASE, max_examples=12)
@given(
    filler=st.sampled_from([b"x", b" ", b"[", b'{"v":1,"type":"']),
    extra=st.integers(1, 3000),
    tail=messages(),
    after=messages(),
    data=st.data(),
)
def test_an_overlong_line_is_one_bad_line_however_it_arrives(
    filler: bytes,
    extra: int,
    tail: dict[str, Any],
    after: dict[str, Any],
    data: st.DataObject,
) -> None:
    """A line longer than the bound is skipped whole, even when its end is a
    valid message, and what follows it comes out intact."""
    long_line = filler * (protocol.MAX_LINE // len(filler) + 1) + b" " * extra
    stream = long_line + encode(tail) + encode(after)
    # Cuts anywhere, and cuts where they matter: past the bound, in the long line.
    near_end = st.integers(protocol.MAX_LINE - 2, len(long_line) + len(encode(tail)))
    anywhere = st.integers(0, len(stream))
    cuts = sorted(data.draw(st.lists(near_end | anywhere, max_size=4)))
    chunks = [
        stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)
    ]
    assert feed_all(chunks) == ([{"v": protocol.VERSION, **after}], 1)


@settings(BASE, max_examples=8)
@given(size=st.integers(1 << 14, 1 << 19), count=st.integers(8, 16))
def test_an_endless_line_keeps_the_buffer_bounded(size: int, count: int) -> None:
    reader = LineReader()
    for _ in range(count):
        assert reader.feed(b"y" * size) == []
        assert len(reader._buffer) <= protocol.MAX_LINE
    assert reader.bad_lines == (1 if size * count > protocol.MAX_LINE else 0)
    good = {"type": "bye", "reason": "quit"}
    assert reader.feed(b"\n" + encode(good)) == [{"v": protocol.VERSION, **good}]


# --- regressions: the smallest failing examples these properties found -------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("=", "no column name in '='"),
        ("pid,=Name", "no column name in '=Name'"),
        ("pid,\n,comm", "no column name in '\\n'"),
    ],
)
def test_regression_a_missing_column_name_is_named(spec: str, message: str) -> None:
    # Was "unknown column ''": it named nothing the user could find.
    with pytest.raises(ColumnError) as err:
        parse_columns(spec)
    assert str(err.value) == message


def test_regression_ids_of_thousands_of_digits() -> None:
    # Was a ValueError from int() (more than 4300 digits), not an argument error.
    assert PID("0" * 4301 + "5") == [5]
    with pytest.raises(argparse.ArgumentTypeError, match="invalid pid '1111"):
        PID("1" * 5000)


def test_regression_spaces_after_a_nul_in_the_filter_are_stripped() -> None:
    # Was: the NUL kept the space from being stripped, so "\0 bash" looked for
    # " bash" and "\0 \0" (a blank filter) for " ".
    view = ProcessView(parse_columns("pid,user,args"))
    view.update(ProcessSnapshot.of(FIXED, 5000.0))
    view.set_filter("\0 \0")
    assert len(view.rows) == len(FIXED)
    view.set_filter("\0 bash")
    assert [r.info.pid for r in view.rows] == [42]


@pytest.mark.parametrize(
    "line",
    [
        '{"v":1,"type":"tick"}'.encode("utf-16-le"),  # json.loads(bytes) took it
        '{"v":1,"type":"tick"}'.encode("utf-32"),
        b'{"v":1,"type":"\xed\xa0\x80"}',  # an encoded surrogate: not UTF-8
        b'{"v":true,"type":"tick"}',  # true == 1 in Python
        b'{"v":1.0,"type":"tick"}',
    ],
)
def test_regression_lines_that_are_not_the_protocol_are_bad(line: bytes) -> None:
    reader = LineReader()
    assert reader.feed(line + b"\n") == []
    assert reader.bad_lines == 1


def test_regression_the_end_of_an_overlong_line_is_not_a_message() -> None:
    # Was: once the first MAX_LINE bytes were dropped, the rest of the same
    # line was read as a line of its own, here a valid message.
    reader = LineReader()
    assert reader.feed(b"x" * (protocol.MAX_LINE + 1)) == []
    assert reader.feed(b"x" * (protocol.MAX_LINE + 1)) == []  # still one line
    assert reader.feed(encode({"type": "tick"})) == []
    assert reader.bad_lines == 1
    # And whole, in one read, it is bad too (it was parsed, and spaces + JSON passed).
    assert reader.feed(b" " * protocol.MAX_LINE + encode({"type": "tick"})) == []
    assert reader.bad_lines == 2
