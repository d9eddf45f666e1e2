"""The confirmation: exactly what will be hit, why it asks, and what is predicted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from sigtui.delivery import member_line
from sigtui.processes import ProcessInfo


class ConfirmSend(ModalScreen[bool]):
    """Asks before a send the safety rules flag.

    Args:
        question: The send as a question ("Send SIGKILL to process 4151?").
        reasons: Why confirmation is needed.
        members: Every process that will be hit.
        prediction: What is predicted to happen.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes, send", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
    ]
    """y or enter confirms; n or escape cancels."""

    def __init__(
        self,
        question: str,
        reasons: Sequence[str],
        members: Sequence[ProcessInfo],
        prediction: str,
    ) -> None:
        super().__init__()
        self.question = question
        self.reasons = tuple(reasons)
        self.members = tuple(members)
        self.prediction = prediction

    def compose(self) -> ComposeResult:
        """The question, the reasons, the processes and the prediction."""
        with Vertical(id="confirm-body"):
            yield Static(Text(self.question, style="bold"), id="confirm-question")
            yield Static(
                Text("\n".join(f"• {reason}" for reason in self.reasons)),
                id="confirm-reasons",
            )
            header = f"{'PID':>7} {'TTY':<8} {'USER':<10} COMMAND"
            lines = [header, *(member_line(m) for m in self.members)]
            with VerticalScroll(id="confirm-members"):
                yield Static(Text("\n".join(lines)), id="confirm-member-list")
            if self.prediction:
                yield Static(
                    Text(f"Predicted: {self.prediction}"), id="confirm-prediction"
                )
            yield Static("y / enter: send      n / escape: cancel", id="confirm-hint")

    def action_answer(self, answer: bool) -> None:
        """Close with the answer.

        Args:
            answer: True to send.
        """
        self.dismiss(answer)
