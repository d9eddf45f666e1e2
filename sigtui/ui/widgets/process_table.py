"""The live process table: draws only the visible rows of a :class:`ProcessView`.

Textual's DataTable renumbers every row on each removal and treats ``str``
cells as markup; this widget renders straight from the view with the line API,
so a refresh costs what is on screen, command text is never interpreted, and
the cursor is tied to a process identity rather than to a row number.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sigtui.processes import ProcessIdentity, ProcessInfo
from sigtui.processes.columns import Align
from sigtui.processes.view import Layout, ProcessView, Row

MARK_GONE = "✗"
"""Gutter mark of a process that exited since the previous refresh."""
MARK_SELF = "●"
"""Gutter mark of sigtui's own process."""
MARK_ANCESTOR = "○"
"""Gutter mark of the processes that started sigtui (its ancestors)."""
MARK_GROUP = "│"
"""Gutter mark of the other members of the selected process's group."""
MARK_DEMO = "◆"
"""Gutter mark of the demo child and its members."""
MARK_TAGGED = "*"
"""Second gutter mark of a tagged process."""
GUTTER = 2
"""Cells taken by the mark column."""


class ProcessTable(ScrollView, can_focus=True):
    """A scrolling table of processes with a fixed header and a process cursor.

    Args:
        view: What to show; the table re-reads it after every change.
        self_pid: sigtui's own pid, marked in the table with its ancestors.
        name: Widget name.
        id: Widget id.
        classes: CSS classes.
    """

    DEFAULT_CSS = """
    ProcessTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
    }
    ProcessTable > .process-table--header {
        background: $panel;
        color: $text;
        text-style: bold;
    }
    ProcessTable > .process-table--sorted {
        background: $panel;
        color: $text-accent;
        text-style: bold;
    }
    ProcessTable > .process-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    ProcessTable:focus > .process-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    ProcessTable > .process-table--group {
        background: $primary 30%;
    }
    ProcessTable > .process-table--self {
        text-style: bold;
    }
    ProcessTable > .process-table--kernel {
        color: $text-muted;
    }
    ProcessTable > .process-table--gone {
        color: $text-disabled;
        text-style: strike;
    }
    ProcessTable > .process-table--tagged {
        color: $text-success;
        text-style: bold;
    }
    ProcessTable > .process-table--mark {
        color: $text-accent;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "process-table--header",
        "process-table--sorted",
        "process-table--cursor",
        "process-table--group",
        "process-table--self",
        "process-table--kernel",
        "process-table--gone",
        "process-table--mark",
        "process-table--tagged",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]
    """Cursor movement; everything else is bound by the app."""

    class Highlighted(Message):
        """The cursor moved to another process (or the table emptied).

        Attributes:
            table: The table.
            info: The process under the cursor, or None.
            gone: Whether that process has exited.
        """

        def __init__(
            self, table: ProcessTable, info: ProcessInfo | None, gone: bool
        ) -> None:
            super().__init__()
            self.table = table
            self.info = info
            self.gone = gone

        @property
        def control(self) -> ProcessTable:
            """The table that sent the message."""
            return self.table

    class SortChanged(Message):
        """The user chose another sort column or direction with the mouse.

        Attributes:
            table: The table.
        """

        def __init__(self, table: ProcessTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ProcessTable:
            """The table that sent the message."""
            return self.table

    def __init__(
        self,
        view: ProcessView,
        *,
        self_pid: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.view = view
        self.self_pid = self_pid
        self.cursor_row = 0
        self.selected: ProcessIdentity | None = None
        self.demo_pids: frozenset[int] = frozenset()
        self._ancestors: frozenset[int] = frozenset()
        self._announced: tuple[ProcessIdentity | None, bool] | None = None
        self._styles: dict[tuple[str, bool, bool], Style] = {}
        # A row's cells as one padded string, by row object (rows of
        # unchanged processes are reused), for the widths they were fitted
        # to: a line redrawn (a filter letter typed and erased, a cursor
        # move, a scroll back) is then not fitted cell by cell again.
        self._texts: dict[int, tuple[Row, str]] = {}
        self._texts_widths: tuple[int, ...] = ()

    # -- data ------------------------------------------------------------------

    def show_layout(self, layout: Layout) -> None:
        """Show a scan already laid out (by a worker); the cursor stays put.

        Args:
            layout: From :meth:`ProcessView.prepare`.
        """
        old_rows, old_look = self.view.rows, self._look()
        self.view.install(layout)
        snapshot = layout.snapshot
        self._ancestors = (
            snapshot.ancestors(self.self_pid) if self.self_pid else frozenset()
        )
        self._follow_rows()
        if self._look() != old_look:
            self.refresh()
            return
        # Same scroll, cursor, widths and marks: repaint only the lines whose
        # row changed. Rows of unchanged processes are the same objects.
        rows = self.view.rows
        top = round(self.scroll_y)
        for y in range(1, self.size.height):
            index = top + y - 1
            old = old_rows[index] if index < len(old_rows) else None
            new = rows[index] if index < len(rows) else None
            if old is not new:
                self.refresh(Region(0, y, self.size.width, 1))

    def rows_changed(self) -> None:
        """Re-read the view after it changed (sort, filter, tree, new data)."""
        self._follow_rows()
        self.refresh()

    def _follow_rows(self) -> None:
        """Keep the cursor on its process after the rows changed."""
        rows = self.view.rows
        index = self.view.index_of(self.selected)
        if index is None:
            index = min(self.cursor_row, len(rows) - 1)
        self._fit_rows(len(rows))
        self._set_cursor(max(index, 0), repaint=False)

    def _fit_rows(self, count: int) -> None:
        """Make the scrolling range fit ``count`` rows below the header.

        Setting the virtual size lays the whole screen out again. A new row
        count needs that only when the scrollbar would come or go (the rows'
        width changes), which with the scrollbar always shown (``overflow-y:
        scroll``) is only before the first layout; otherwise the scrollbar
        and the scroll position are updated here as a layout would, which
        spares a filter letter at 10,000 processes a sixth of its cost.
        """
        size = Size(self.size.width, count + 1)
        if size == self.virtual_size:
            return
        scrolls = size.height > self.container_size.height
        shows = scrolls or self.styles.overflow_y == "scroll"
        if not self.container_size or shows != self.show_vertical_scrollbar:
            self.virtual_size = size
            return
        self.set_reactive(ProcessTable.virtual_size, size)
        self._scroll_update(size)

    def _selected_group(self) -> int | None:
        row = self.current
        return row.info.pgid if row is not None else None

    def _look(self) -> tuple[object, ...]:
        """What every visible line depends on besides its own row."""
        return (
            round(self.scroll_y),
            self.cursor_row,
            self._selected_group(),
            self.size,
            tuple(self.view.column_widths(self.size.width - GUTTER)),
            self._ancestors,
            self.demo_pids,
            frozenset(self.view.tagged),
        )

    @property
    def sigtui_ancestors(self) -> frozenset[int]:
        """The pids of the processes that started sigtui."""
        return self._ancestors

    @property
    def current(self) -> Row | None:
        """The row under the cursor, or None when the table is empty."""
        rows = self.view.rows
        if 0 <= self.cursor_row < len(rows):
            return rows[self.cursor_row]
        return None

    def select(self, identity: ProcessIdentity) -> bool:
        """Put the cursor on a process.

        Args:
            identity: The process.

        Returns:
            Whether it is shown (and is now selected).
        """
        index = self.view.index_of(identity)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    # -- cursor ----------------------------------------------------------------

    def _set_cursor(self, index: int, *, repaint: bool = True) -> None:
        rows = self.view.rows
        old_top, old_cursor = round(self.scroll_y), self.cursor_row
        old_group = self._selected_group()
        self.cursor_row = max(0, min(index, len(rows) - 1)) if rows else 0
        row = self.current
        self.selected = row.info.identity if row else None
        # The view keeps the selected process's row if it exits, so that the
        # cursor is never moved to another process by a refresh.
        self.view.selected = self.selected
        self._scroll_to_cursor()
        top = round(self.scroll_y)
        if not repaint:
            pass
        elif top != old_top or self._selected_group() != old_group:
            # Scrolled, or the group marks moved to other rows.
            self.refresh()
        else:
            # Only the lines the cursor left and reached look different.
            width = self.size.width
            for cursor in {old_cursor, self.cursor_row}:
                self.refresh(Region(0, cursor - top + 1, width, 1))
        state = (self.selected, row.gone if row else False)
        if state != self._announced:
            self._announced = state
            self.post_message(
                self.Highlighted(
                    self, row.info if row else None, row.gone if row else False
                )
            )

    def _page(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_to_cursor(self) -> None:
        page = self._page()
        top = round(self.scroll_y)
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + page:
            top = self.cursor_row - page + 1
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        """Move the cursor up one process."""
        self._set_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor down one process."""
        self._set_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        """Move the cursor up one screen."""
        self._set_cursor(self.cursor_row - self._page())

    def action_page_down(self) -> None:
        """Move the cursor down one screen."""
        self._set_cursor(self.cursor_row + self._page())

    def action_first(self) -> None:
        """Move the cursor to the first process."""
        self._set_cursor(0)

    def action_last(self) -> None:
        """Move the cursor to the last process."""
        self._set_cursor(len(self.view.rows) - 1)

    # -- mouse -----------------------------------------------------------------

    def _column_at(self, x: int) -> int | None:
        offset = GUTTER
        for index, width in enumerate(
            self.view.column_widths(self.size.width - GUTTER)
        ):
            if offset <= x < offset + width + 1:
                return index
            offset += width + 1
        return None

    def on_click(self, event: events.Click) -> None:
        """Sort by a clicked header (again: reverse), or select a clicked row."""
        if event.y == 0:
            index = self._column_at(event.x)
            if index is None:
                return
            reverse = not self.view.reverse if index == self.view.sort_index else False
            self.view.set_sort(index, reverse)
            self.rows_changed()
            self.post_message(self.SortChanged(self))
        else:
            self._set_cursor(round(self.scroll_y) + event.y - 1)

    def on_resize(self, event: events.Resize) -> None:
        """Keep the cursor visible when the table changes size."""
        self.virtual_size = Size(event.size.width, len(self.view.rows) + 1)
        self._scroll_to_cursor()

    # -- drawing ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Draw one line: the header on line 0, then rows from the scroll position.

        Args:
            y: The line within the widget.

        Returns:
            The line's segments.
        """
        width = self.size.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        rows = self.view.rows
        if index >= len(rows):
            return Strip.blank(width, self._base_style())
        return self._row(rows[index], index, width)

    def _style(self, name: str, *, partial: bool = False) -> Style:
        """A component's style, computed once per style change, not per row."""
        # Focus changes the cursor's colour (ProcessTable:focus in the CSS).
        key = (name, partial, self.has_focus)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.get_component_rich_style(
                name, partial=partial
            )
        return style

    def _base_style(self) -> Style:
        """The table's own style (``rich_style`` walks every ancestor: cached)."""
        key = ("", False, False)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.rich_style
        return style

    def notify_style_update(self) -> None:
        """Forget the cached component styles when the CSS or theme changes."""
        self._styles.clear()
        super().notify_style_update()

    def _cells_text(self, row: Row, widths: list[int]) -> str:
        """A row's cells, each fitted to its column, one space between them.

        One string (drawn as one segment) rather than a segment per cell:
        Textual then cuts, joins and writes a line in a few steps, not in
        twenty. Remembered for the lines last drawn (see ``_texts``).
        """
        key = tuple(widths)
        if key != self._texts_widths:
            self._texts.clear()
            self._texts_widths = key
        cached = self._texts.get(id(row))
        if cached is not None and cached[0] is row:
            return cached[1]
        parts = []
        for column, text, cell_width in zip(
            self.view.columns, row.cells, widths, strict=True
        ):
            if column.user_name and cell_len(text) > cell_width:
                text = set_cell_size(text, cell_width - 1) + "+"
            parts.append(_fit(text, cell_width, column.align))
        text = " ".join(parts)
        # Bounded: a few screens' worth, enough for a letter typed and
        # erased or a page down and back up.
        if len(self._texts) >= 8 * max(self.size.height, 1):
            self._texts.clear()
        self._texts[id(row)] = (row, text)
        return text

    def _header(self, width: int) -> Strip:
        header_style = self._style("process-table--header")
        sorted_style = self._style("process-table--sorted")
        view = self.view
        segments = [Segment(" " * GUTTER, header_style)]
        widths = view.column_widths(width - GUTTER)
        for index, (column, cell_width) in enumerate(
            zip(view.columns, widths, strict=True)
        ):
            title = column.header
            style = header_style
            if index == view.sort_index:
                title += " ▼" if view.reverse else " ▲"
                style = sorted_style
            segments.append(Segment(_fit(title, cell_width, column.align), style))
            segments.append(Segment(" ", header_style))
        return Strip(segments).adjust_cell_length(width, header_style)

    def _row(self, row: Row, index: int, width: int) -> Strip:
        info = row.info
        selected = self.current
        group = (
            selected is not None
            and selected.info.pgid > 0
            and info.pgid == selected.info.pgid
        )
        # The group colour is translucent: only the full (non-partial) style
        # has it blended with the table's background.
        style = self._style("process-table--group") if group else self._base_style()
        if info.kernel_thread:
            style += self._style("process-table--kernel", partial=True)
        if info.pid == self.self_pid:
            style += self._style("process-table--self", partial=True)
        tagged = info.identity in self.view.tagged
        if tagged:
            style += self._style("process-table--tagged", partial=True)
        if row.gone:
            style += self._style("process-table--gone", partial=True)
        if index == self.cursor_row:
            style += self._style("process-table--cursor", partial=True)
        mark = " "
        if row.gone:
            mark = MARK_GONE
        elif info.pid == self.self_pid:
            mark = MARK_SELF
        elif info.pid in self.demo_pids:
            mark = MARK_DEMO
        elif info.pid in self._ancestors:
            mark = MARK_ANCESTOR
        elif group:
            mark = MARK_GROUP
        mark_style = style + self._style("process-table--mark", partial=True)
        widths = self.view.column_widths(width - GUTTER)
        text = self._cells_text(row, widths)
        # Every cell was fitted to its width, so the line's length is known:
        # cut or pad the text alone rather than measuring segments.
        room = width - GUTTER
        length = sum(widths) + len(widths) - 1
        marks = Segment(mark + (MARK_TAGGED if tagged else " "), mark_style)
        if room < 0:
            return Strip([marks, Segment(text, style)]).adjust_cell_length(width, style)
        if length > room:
            text = set_cell_size(text, room)
        elif length < room:
            text += " " * (room - length)
        return Strip([marks, Segment(text, style)], width)


def _fit(text: str, width: int, align: Align) -> str:
    """Pad or cut text to exactly ``width`` cells."""
    length = cell_len(text)
    if length >= width:
        return set_cell_size(text, width)
    if align is Align.RIGHT:
        return " " * (width - length) + text
    return text + " " * (width - length)


__all__ = ["ProcessTable"]
