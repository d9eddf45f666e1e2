"""``sigtui serve``'s arguments and errors (the server itself: tests/e2e)."""

from __future__ import annotations

import socket
import sys

import pytest

from sigtui.cli import main
from sigtui.ui import serve


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the command line; return its status and what it wrote to stderr."""
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    return status, capsys.readouterr().err


FULLWIDTH_80 = "\uff18\uff10"


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1", FULLWIDTH_80])
def test_a_bad_port_is_one_line_naming_it(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(["serve", "--port", port], capsys)
    assert status == 2
    assert err.count("\n") == 1
    assert f"invalid port {port!r}" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--readonly", "serve"], "TUI options go after 'serve --'"),
        (["serve", "--", "ps"], "only TUI options may follow '--'"),
        (["serve", "--", "--interval", "0"], "invalid interval '0'"),
        (["serve", "--public-url", "example.org"], "invalid public URL"),
    ],
)
def test_bad_arguments_exit_2_before_serving(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(argv, capsys)
    assert status == 2
    assert says in err
    assert "Warning" not in err


def test_without_the_web_extra_it_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails
    status, err = run(["serve", "--", "--readonly"], capsys)
    assert status == 2
    assert err == (
        "sigtui serve needs the web extra: pip install 'sigtui[web]' "
        "(in a checkout: pip install '.[web]')\n"
    )


def test_a_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, err = run(["serve", "--port", str(port)], capsys)
    assert status == 1
    assert err == (
        f"sigtui serve: error: cannot listen on 127.0.0.1:{port}: Address already "
        "in use (another program is using it; try another --port)\n"
    )


def test_the_warning_says_who_can_do_what() -> None:
    local = serve.warning("127.0.0.1", 8000, loopback=True, readonly=False)
    assert "anyone who can open http://127.0.0.1:8000" in local
    assert "send them signals as user" in local
    assert "--host 0.0.0.0 exposes it" in local
    wide = serve.warning("0.0.0.0", 8000, loopback=False, readonly=False)
    assert wide.startswith("WARNING")
    assert "anyone on your network" in wide
    # 0.0.0.0 is not an address to type in a browser: this machine's name is.
    assert f"http://{socket.gethostname()}:8000" in wide
    looking = serve.warning("::1", 8000, loopback=True, readonly=True)
    assert "http://[::1]:8000" in looking
    assert "sending is off" in looking
    assert "send them signals" not in looking


def test_the_served_command_is_this_python_running_sigtui() -> None:
    assert serve.tui_command(["--interval", "2", "--readonly"]) == [
        sys.executable,
        "-m",
        "sigtui",
        "--interval",
        "2",
        "--readonly",
    ]


def test_help_documents_the_forwarding(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--host HOST", "--port PORT", "--public-url URL"):
        assert option in out
    assert "sigtui serve --port 8080 -- --readonly --interval 2" in out
