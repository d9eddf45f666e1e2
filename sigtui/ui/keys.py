"""The main screen's keys: one table, read by the screen, the help and the palette.

The order is the footer's: what fits is shown whole from the start, so the
most needed keys come first (at 80 columns: quit, help, signal, end, filter,
tree, details, group; at 120 all of them).
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_KEYS: list[BindingType] = [
    # The app's own keys again, so that the footer and the help list them
    # first, as the most needed; the app keeps them for the dialogs.
    Binding("q,f10", "app.quit", "Quit", tooltip="Leave sigtui"),
    Binding("question_mark,f1", "app.help", "Help", tooltip="Keys and marks"),
    Binding("k,f9", "pick_signal", "Signal", tooltip="Send a signal to the process"),
    Binding("x", "end_gracefully", "End", tooltip="SIGTERM, then SIGKILL"),
    Binding(
        "z", "stop_continue", "Stop/cont", tooltip="SIGSTOP or SIGCONT", show=False
    ),
    Binding("slash,f4", "filter", "Filter", tooltip="Filter by pid, user or command"),
    Binding("t,f5", "toggle_tree", "Tree", tooltip="Show children under parents"),
    Binding("i", "toggle_details", "Details", tooltip="Show the process's details"),
    Binding("g", "pick_group_signal", "Group", tooltip="Signal its group"),
    Binding("space", "toggle_tag", "Tag", tooltip="Tag or untag the process"),
    Binding("d", "toggle_demo", "Demo", tooltip="Start or stop the demo child"),
    Binding(
        "D",
        "dispositions",
        "Dispositions",
        tooltip="What the demo does per signal",
        show=False,
    ),
    Binding(
        "s,greater_than_sign",
        "sort_next",
        "Sort",
        tooltip="Sort by the next column",
        show=False,
    ),
    Binding(
        "less_than_sign",
        "sort_previous",
        "Sort back",
        tooltip="Sort by the previous column",
        show=False,
    ),
    Binding(
        "S,I",
        "sort_reverse",
        "Reverse",
        tooltip="Reverse the sort order",
        show=False,
    ),
    Binding(
        "P",
        "sort_by('cpu')",
        "Sort by CPU",
        tooltip="Sort by %CPU, highest first",
        show=False,
    ),
    Binding(
        "M",
        "sort_by('memory')",
        "Sort by memory",
        tooltip="Sort by memory use, highest first",
        show=False,
    ),
    Binding(
        "T",
        "sort_by('time')",
        "Sort by time",
        tooltip="Sort by CPU time, highest first",
        show=False,
    ),
    Binding("N", "sort_by('pid')", "Sort by PID", tooltip="Sort by PID", show=False),
    Binding(
        "u",
        "choose_user",
        "User",
        tooltip="Show one user's processes",
        show=False,
    ),
    Binding(
        "K",
        "toggle_kernel_threads",
        "Kernel threads",
        tooltip="Show or hide kernel threads",
        show=False,
    ),
    Binding(
        "f2",
        "choose_columns",
        "Columns",
        tooltip="Choose, add and order the columns",
        show=False,
    ),
    Binding(
        "p,Z",
        "toggle_pause",
        "Pause",
        tooltip="Stop or restart refreshing",
        show=False,
    ),
    Binding(
        "w",
        "cycle_trace_scope",
        "Traced",
        tooltip="Traced: process, group, tagged, all",
        # The footer has no room left at 120 columns; the log's title says
        # "w: scope · c: SIGCHLD" where the traced signals are.
        show=False,
    ),
    Binding(
        "c",
        "toggle_sigchld",
        "SIGCHLD",
        tooltip="Show or hide traced SIGCHLD",
        show=False,
    ),
    Binding("J", "toggle_projector", "Projector", tooltip="High contrast for a class"),
    Binding("L", "lessons", "Lessons", tooltip="Guided lessons for a class"),
    Binding(
        "f6",
        "choose_sort",
        "Sort by",
        tooltip="Choose the sort column from a list",
        # Textual's footer cuts what does not fit, and at 120 to 130
        # columns that left a bare "f6": help and the palette list it.
        show=False,
    ),
    Binding(
        "f3",
        "search",
        "Search",
        tooltip="Jump to the next match, hiding nothing",
        show=False,
    ),
    Binding(
        "escape",
        "clear_filter",
        "Clear filter",
        tooltip="Stop a countdown, else close the search, else clear the filter",
        show=False,
    ),
]
"""Keys of the main screen; the table adds cursor movement."""

SORT_KEYS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "cpu": ("CPU", ("%cpu", "pcpu"), True),
    "memory": ("memory", ("%mem", "pmem", "rss", "rssize", "rsz"), True),
    "time": ("CPU time", ("time", "cputime"), True),
    "pid": ("PID", ("pid", "tgid"), False),
}
"""htop's P, M, T and N: what they sort by (ps names, first preferred), and
whether descending (the biggest consumers first, as in htop)."""
