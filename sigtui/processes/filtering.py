"""The filter and the search: which rows contain the text typed.

Matching is on each row's haystack (pid, user, command and name, made once
per process by :mod:`sigtui.processes.layout`). The filter walks a list of
the haystacks in row order (:class:`Haystacks`, made once per layout, by the
scan worker while a filter is on) rather than looking each one up: a letter
typed at 10,000 processes costs about 1 ms of the UI thread, not 3-5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sigtui.processes.layout import Layout, Row, RowIndex, longest, rows_of
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
    index: RowIndex
    widths: tuple[int, ...]
    gone_count: int
    needle: str = ""
    widths_for: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Haystacks:
    """Every row's haystack of one layout, in row order.

    Looking each row's haystack up by process identity, as the rows are
    walked, took three times as long as the search itself; a list of
    them is made once per layout (by the scan worker while a filter is on).

    Attributes:
        layout: The layout whose rows these are.
        texts: Their haystacks, one per row.
    """

    layout: Layout
    texts: list[str]

    @classmethod
    def of(cls, layout: Layout) -> Haystacks:
        """List a layout's haystacks (O(N)).

        Args:
            layout: The layout.

        Returns:
            Its haystacks.
        """
        cache = layout.cache
        return cls(layout, [cache[row.info.identity].haystack for row in layout.rows])

    def matching(self, needle: str) -> list[int]:
        """The numbers of the rows whose haystack contains a needle, in order.

        Args:
            needle: What to look for.

        Returns:
            Row numbers in the layout.
        """
        return [i for i, text in enumerate(self.texts) if needle in text]


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
    haystacks: Haystacks | None = None,
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
        haystacks: The layout's, if made already (else they are made here).

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
    if haystacks is None or haystacks.layout is not layout:
        haystacks = Haystacks.of(layout)
    numbers = haystacks.matching(needle)
    at = layout.index.get(selected) if selected is not None else None
    if at is not None and (layout.rows[at].gone or held):
        # Kept whether it matches or not (see above).
        numbers = sorted({*numbers, at})
    all_rows = layout.rows
    if len(numbers) == len(all_rows) and not layout.order.tree:
        # Everything matches (a first letter often does): the layout's own
        # rows, index and widths serve, and nothing is copied.
        return Filtered(
            all_rows, layout.index, layout.widths, layout.gone_count, needle
        )
    rows = tuple(all_rows[i] for i in numbers)
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
        RowIndex(rows),
        longest(rows, layout.columns),
        sum(1 for row in rows if row.gone),
        needle,
    )
