"""The signal picker: every signal, what it does, and what *this* target will do."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from sigtui.processes import ProcessIdentity, ProcessInfo, command_text, display_escape
from sigtui.signals import (
    Action,
    Catalogue,
    SignalSpec,
    SignalState,
    predict,
    summarize,
)
from sigtui.signals.predict import as_reported

StateReader = Callable[[ProcessInfo], SignalState]
"""Reads a process's signal state (may raise ProcessLookupError/PermissionError)."""

_ACTION_CLASSES = {
    Action.TERMINATE: "signal-picker--terminate",
    Action.CORE: "signal-picker--core",
    Action.STOP: "signal-picker--stop",
    Action.CONTINUE: "signal-picker--continue",
    Action.IGNORE: "signal-picker--ignore",
}


@dataclass(frozen=True)
class PickedSignal:
    """What the user chose in the picker.

    Attributes:
        signal: The signal.
        group: Whether it is for the whole process group.
        target: The process it was opened on.
        tagged: The tagged processes it is for, if any (then not ``target``).
        prediction: What the picker predicted for the target.
    """

    signal: SignalSpec
    group: bool
    target: ProcessInfo
    tagged: tuple[ProcessInfo, ...] = ()
    prediction: str = ""


def matches(spec: SignalSpec, text: str) -> bool:
    """Whether a signal matches what was typed: name, alias or number.

    Args:
        spec: The signal.
        text: The filter (``9``, ``kill``, ``usr``, ``RTMIN+3``); case is
            ignored and a ``SIG`` prefix is optional.

    Returns:
        True when it matches.
    """
    needle = text.strip().upper().removeprefix("SIG")
    if not needle:
        return True
    if needle.isdigit():
        return str(spec.number) == needle
    return any(
        needle in name.removeprefix("SIG") for name in (spec.name, *spec.aliases)
    )


class SignalPicker(ModalScreen[PickedSignal | None]):
    """Choose a signal for a process or its process group.

    Args:
        target: The selected process.
        members: Every process in its group (for the group mode).
        signals: The catalogue.
        read_state: How to read a process's signal masks (runs in a thread).
        group: Start in group mode.
        tagged: Tagged processes: the picker is then for them, not the target.
        dispositions: By pid, for the processes sigtui started and that
            report what they do with each signal (the demo): those
            dispositions (``catch``, ``ignore``, ``default``, ``hold``; a
            signal not listed is caught), which predict better than their
            masks.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "choose", "Choose", priority=True),
        Binding("tab", "switch_target", "Process/group", priority=True),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("pageup", "move(-10)", "Page up", show=False, priority=True),
        Binding("pagedown", "move(10)", "Page down", show=False, priority=True),
    ]
    """Typing goes to the filter box; these keys drive the list."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "signal-picker--terminate",
        "signal-picker--core",
        "signal-picker--stop",
        "signal-picker--continue",
        "signal-picker--ignore",
        "signal-picker--uncatchable",
    }

    def __init__(
        self,
        target: ProcessInfo,
        members: Sequence[ProcessInfo],
        signals: Catalogue,
        read_state: StateReader,
        *,
        group: bool = False,
        tagged: Sequence[ProcessInfo] = (),
        dispositions: Mapping[int, Mapping[int, str]] | None = None,
    ) -> None:
        super().__init__()
        self.dispositions = dict(dispositions or {})
        self.tagged = tuple(tagged)
        self.target = target
        self.members = tuple(members) or (target,)
        self.signals = signals
        self._read_state = read_state
        self.group = group and target.pgid > 0 and not self.tagged
        self.states: dict[ProcessIdentity, SignalState | None] = {}
        self.shown: list[SignalSpec] = []
        self._loaded = False

    def compose(self) -> ComposeResult:
        """Title, filter box, the signal table and a hint line."""
        with Vertical(id="picker-body"):
            yield Static(id="picker-title", markup=False)
            yield Input(
                placeholder="type a name, alias or number: 9, kill, usr1",
                id="picker-filter",
            )
            table: DataTable[Text | str] = DataTable(
                id="picker-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static(id="picker-explain", markup=False)
            yield Static(
                "enter choose · tab process/group · escape cancel", id="picker-hint"
            )

    def on_mount(self) -> None:
        """Fill the table and read the target's masks in the background."""
        table = self.query_one("#picker-table", DataTable)
        table.add_column("#", key="number")
        table.add_column("Signal", key="name")
        table.add_column("Default action", key="action")
        table.add_column("This target", key="target")
        table.add_column("Meaning", key="meaning")
        self._update_title()
        self._fill("")
        self.query_one("#picker-filter", Input).focus()
        self._load_states()

    # -- data ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="picker-states")
    def _load_states(self) -> None:
        """Read the masks of the target and its group members (touches /proc)."""
        states: dict[ProcessIdentity, SignalState | None] = {}
        for info in {self.target, *self.members, *self.tagged}:
            try:
                state: SignalState | None = self._read_state(info)
            except (ProcessLookupError, PermissionError, OSError, ValueError):
                state = None
            reported = self.dispositions.get(info.pid)
            if reported is not None:
                state = as_reported(state, reported, others="catch")
            states[info.identity] = state
        self.app.call_from_thread(self._states_loaded, states)

    def _states_loaded(self, states: dict[ProcessIdentity, SignalState | None]) -> None:
        self.states = states
        self._loaded = True
        self._refresh_predictions()

    def prediction_text(self, spec: SignalSpec) -> str:
        """The "this target" cell for a signal.

        Args:
            spec: The signal.

        Returns:
            The prediction for the process, or summarised for the group.
        """
        if not self._loaded:
            return "…"
        if self.tagged:
            return summarize(
                [predict(m, self.states.get(m.identity), spec) for m in self.tagged]
            )
        if self.group:
            return summarize(
                [predict(m, self.states.get(m.identity), spec) for m in self.members]
            )
        return predict(self.target, self.states.get(self.target.identity), spec).summary

    # -- table -----------------------------------------------------------------

    def _action_cell(self, spec: SignalSpec) -> Text:
        if spec.action is None:
            return Text("?")
        style = self.get_component_rich_style(
            _ACTION_CLASSES[spec.action], partial=True
        )
        return Text(spec.action.value, style=style)

    def _name_cell(self, spec: SignalSpec) -> Text:
        text = Text(spec.name)
        if spec.aliases:
            text.append(f" ({', '.join(a.removeprefix('SIG') for a in spec.aliases)})")
        if not spec.catchable:
            style = self.get_component_rich_style(
                "signal-picker--uncatchable", partial=True
            )
            text.stylize(style)
            text.append(" ⚠ cannot be caught")
        return text

    def _fill(self, text: str) -> None:
        table = self.query_one("#picker-table", DataTable)
        chosen = self.current
        table.clear()
        self.shown = [spec for spec in self.signals if matches(spec, text)]
        for spec in self.shown:
            table.add_row(
                Text(str(spec.number), justify="right"),
                self._name_cell(spec),
                self._action_cell(spec),
                Text(self.prediction_text(spec)),
                Text(spec.meaning),
                key=str(spec.number),
            )
        preferred = chosen if chosen in self.shown else None
        if preferred is None and not text.strip():
            preferred = next((s for s in self.shown if s.name == "SIGTERM"), None)
        if preferred is not None:
            table.move_cursor(row=self.shown.index(preferred), animate=False)
        self._explain()

    def _refresh_predictions(self) -> None:
        # Rebuilding the rows (62 at most) lets the table size the column to
        # the new texts, which updating cells in place does not.
        self._fill(self.query_one("#picker-filter", Input).value)

    @property
    def current(self) -> SignalSpec | None:
        """The signal under the cursor, if any."""
        if not self.is_mounted:
            return None
        table = self.query_one("#picker-table", DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _explain(self) -> None:
        spec = self.current
        box = self.query_one("#picker-explain", Static)
        if spec is None:
            box.update("No signal matches.")
            return
        if self.group or self.tagged or not self._loaded:
            box.update(f"{spec.name}: {spec.meaning}.")
            return
        prediction = predict(self.target, self.states.get(self.target.identity), spec)
        box.update(f"{spec.name}: {prediction.explanation}")

    def _update_title(self) -> None:
        target = self.target
        if self.tagged:
            title = f"Send a signal to {len(self.tagged)} tagged processes"
        elif self.group:
            title = (
                f"Send a signal to process group {target.pgid} "
                f"({len(self.members)} process{'es' if len(self.members) != 1 else ''})"
            )
        else:
            command = display_escape(command_text(target))
            title = f"Send a signal to process {target.pid}: {command}"
        self.query_one("#picker-title", Static).update(title)

    # -- events and actions ------------------------------------------------------

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(DataTable.RowHighlighted, "#picker-table")
    def _highlighted(self) -> None:
        self._explain()

    @on(DataTable.RowSelected, "#picker-table")
    def _clicked(self) -> None:
        self.action_choose()

    def action_move(self, step: int) -> None:
        """Move the cursor in the signal list.

        Args:
            step: Rows to move (negative: up).
        """
        table = self.query_one("#picker-table", DataTable)
        if self.shown:
            row = max(0, min(len(self.shown) - 1, table.cursor_row + step))
            table.move_cursor(row=row, animate=False)

    def action_switch_target(self) -> None:
        """Switch between the process and its process group."""
        if self.tagged:
            self.notify("Untag the processes (space) to choose a single one.")
            return
        if self.target.pgid <= 0:
            self.notify(
                "This process has no process group to signal.", severity="warning"
            )
            return
        self.group = not self.group
        self._update_title()
        self._refresh_predictions()

    def action_choose(self) -> None:
        """Close the picker with the signal under the cursor."""
        spec = self.current
        if spec is not None:
            self.dismiss(
                PickedSignal(
                    spec,
                    self.group,
                    self.target,
                    self.tagged,
                    self.prediction_text(spec),
                )
            )

    def action_cancel(self) -> None:
        """Close the picker without choosing."""
        self.dismiss(None)
