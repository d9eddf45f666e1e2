"""Print processes as a ps-style text table (``sigtui ps``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

from sigtui.processes.columns import Align, Column, MaskStyle
from sigtui.processes.format import ps_escape
from sigtui.processes.model import ProcessInfo, ProcessSnapshot


def _fit(column: Column, text: str, last: bool) -> str:
    """Cut a value the way ps does when it is not the last column."""
    if last or len(text) <= column.width:
        return text
    if column.user_name:
        return text[: column.width - 1] + "+"
    if column.unlimited:
        return text[: column.width]
    return text


def format_line(
    columns: Sequence[Column], values: Sequence[str], *, cut: bool = True
) -> str:
    """Lay out one line of values under the given columns, as ps does.

    Columns are separated by one space, padded to their width and aligned; a
    value wider than its column pushes the rest of the line right, and later
    right-aligned columns give back their padding to catch up.

    Args:
        columns: The columns.
        values: One escaped value per column.
        cut: Cut values to their column as ps does; ps never cuts a header
            (``-o comm:4`` still says ``COMMAND``).

    Returns:
        The line. Like ps, it never pads the last column, but keeps what the
        value itself ends with (an argument ending in a space) and the
        separator before an empty last value (``-o pid,comm=``).
    """
    parts: list[str] = []
    overflow = 0
    last_index = len(columns) - 1
    for index, (column, raw) in enumerate(zip(columns, values, strict=True)):
        value = _fit(column, raw, index == last_index) if cut else raw
        pad = max(0, column.width - len(value))
        if column.align is Align.RIGHT:
            absorbed = min(pad, overflow)
            overflow -= absorbed
            parts.append(" " * (pad - absorbed) + value)
        else:
            parts.append(value if index == last_index else value + " " * pad)
        overflow += max(0, len(value) - column.width)
    return " ".join(parts)


_OUTBUF_SIZE = 2 * 64 * 1024
"""procps's line buffer: its screen width when printing to a pipe or file."""


def with_wide_masks(
    columns: Sequence[Column], screen_width: int | None
) -> tuple[Column, ...]:
    """Widen signal mask columns to 16 digits when ps would (the line has room).

    As procps's ``check_header_width``: the line's width (fixed columns, one
    space between, 3 for a last unlimited one) plus 7 per mask column must
    fit in the smallest multiple of the screen width that holds the line.

    Args:
        columns: The columns.
        screen_width: The output's width; None when printing to a pipe or
            file without ``COLUMNS``.

    Returns:
        The columns, mask columns 16 wide with all their digits if they fit.
    """
    masks = sum(1 for c in columns if c.mask)
    if not masks:
        return tuple(columns)
    screen = _OUTBUF_SIZE if screen_width is None else screen_width
    last = len(columns) - 1
    total = (
        sum(3 if c.unlimited and i == last else c.width for i, c in enumerate(columns))
        + last
    )
    active = screen
    while active < total and active < _OUTBUF_SIZE // 2:
        active += screen
    if total + masks * 7 > active:
        return tuple(columns)
    return tuple(
        replace(c, masks=MaskStyle.WIDE_HEX, width=max(16, c.width)) if c.mask else c
        for c in columns
    )


def header_line(columns: Sequence[Column]) -> str | None:
    """The header line, or None when every header is empty (``-o pid=``), as in ps.

    Args:
        columns: The columns.

    Returns:
        The line, never cut (``-o comm:4`` still says ``COMMAND``).
    """
    if not any(c.header for c in columns):
        return None
    return format_line(columns, [c.header for c in columns], cut=False)


def format_table(
    snapshot: ProcessSnapshot,
    processes: Iterable[ProcessInfo],
    columns: Sequence[Column],
    *,
    headers: bool = True,
) -> Iterator[str]:
    """Yield the lines of a ps-style table.

    Args:
        snapshot: The scan the processes come from.
        processes: The rows, in order.
        columns: The columns.
        headers: Whether to print the header line. As in ps, it is also left
            out when every header is empty (``-o pid=``).

    Yields:
        Lines without newlines.
    """
    header = header_line(columns) if headers else None
    if header is not None:
        yield header
    line = line_maker(columns)
    for info in processes:
        yield line([ps_escape(c.text(info, snapshot)) for c in columns])


def line_maker(columns: Sequence[Column]) -> Callable[[Sequence[str]], str]:
    """:func:`format_line` for many lines under the same columns, faster.

    When every value but the last is no wider than its column, nothing is
    cut and nothing overflows: :func:`format_line` only pads, right-aligned
    values on the left and the others on the right, the last one only if it
    is right-aligned. One ``str.format`` does that in a fifth of the time;
    lines with a wider value take :func:`format_line` itself.

    Args:
        columns: The columns.

    Returns:
        A function of one line's escaped values, one per column, to the line.
    """
    last = len(columns) - 1
    template = " ".join(
        f"{{:>{c.width}}}"
        if c.align is Align.RIGHT
        else ("{}" if index == last else f"{{:<{c.width}}}")
        for index, c in enumerate(columns)
    )
    widths = [c.width for c in columns[:last]]
    all_fit = template.format

    def line(values: Sequence[str]) -> str:
        # C-level: no Python call per value (map stops before the last).
        if len(values) == len(columns) and all(
            map(int.__le__, map(len, values), widths)
        ):
            return all_fit(*values)
        return format_line(columns, values)

    return line
