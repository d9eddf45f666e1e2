"""The filter and the search: which rows contain the text typed.

Matching is on each row's haystack (pid, user, command and name, made once
per process by :mod:`sigtui.processes.layout`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sigtui.processes.layout import Layout, Row, longest, rows_of
from sigtui.processes.model import ProcessIdentity


@dataclass(frozen=True, slots=True)
class Filtered:
    """The rows that pass the filter, with what drawing them needs.

    Attributes:
        rows: The rows shown, in order.
        index: Row number by process identity.
        widths: The longest cell per column over these rows.
        gone_count: How many of them are gone.
        needle: The filter they passed (empty: none).
        widths_for: Column widths by available width (asked for once per
            drawn line, so kept).
    """

    rows: Sequence[Row]
    index: dict[ProcessIdentity, int]
    widths: tuple[int, ...]
    gone_count: int
    needle: str = ""
    widths_for: dict[int, list[int]] = field(default_factory=dict)


def needle_of(text: str) -> str:
    """The filter text as rows are matched against it.

    Args:
        text: What was typed.

    Returns:
        It without NULs and surrounding spaces, lower-cased.
    """
    # NULs out first, so that the spaces they hid are stripped too.
    return text.replace("\0", "").strip().lower()


def filtered(
    layout: Layout,
    needle: str,
    selected: ProcessIdentity | None,
    last: Filtered | None,
) -> Filtered:
    """The layout's rows that pass the filter.

    The selected row leaves only when the user moves the cursor or changes
    the filter (and not even then once it has exited): not because a refresh
    made it stop matching (a zombie has no command line). Otherwise the
    cursor would jump to another process.

    Args:
        layout: Every row, in order.
        needle: The filter as :func:`needle_of` made it (empty: none).
        selected: The process under the cursor.
        last: What the filter showed before this layout.

    Returns:
        The rows shown.
    """
    if not needle:
        return Filtered(layout.rows, layout.index, layout.widths, layout.gone_count)
    cache = layout.cache
    held = (
        selected is not None
        and last is not None
        and last.needle == needle
        and selected in last.index
    )
    rows = tuple(
        row
        for row in layout.rows
        if needle in cache[row.info.identity].haystack
        or (row.info.identity == selected and (row.gone or held))
    )
    if layout.order.tree:
        # The tree of the matches alone: prefixes depend on who is shown.
        rows = rows_of(
            [row.info for row in rows],
            layout.snapshot,
            layout.previous,
            {p.identity for p in layout.gone},
            cache,
            layout.order,
            layout.columns,
        )
    return Filtered(
        rows,
        {row.info.identity: i for i, row in enumerate(rows)},
        longest(rows, layout.columns),
        sum(1 for row in rows if row.gone),
        needle,
    )
