"""The README gets a new user from nothing to sigtui, and back to it later."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def text() -> str:
    return README.read_text(encoding="utf-8")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return "#" + slug.replace(" ", "-")


def test_the_contents_list_every_section() -> None:
    readme = text()
    headings = re.findall(r"^## (.+)$", readme, re.M)
    contents = readme.split("## Contents", 1)
    assert len(contents) == 2, "no Contents section"
    listed = re.findall(r"\]\((#[^)]+)\)", contents[1].split("\n## ", 1)[0])
    wanted = [anchor(h) for h in headings if h != "Contents"]
    assert listed == wanted


def test_install_starts_with_clone_and_cd_and_says_how_to_start_again() -> None:
    readme = text()
    install = readme.split("## Install and run", 1)[1].split("\n## ", 1)[0]
    clone = install.find("git clone")
    cd = install.find("cd sigtui")
    venv = install.find("python3 -m venv")
    assert -1 < clone < cd < venv, install
    assert ". .venv/bin/activate && sigtui" in install.split("python3 -m venv", 1)[1]


def test_the_hero_screenshot_shows_a_realistic_interval() -> None:
    svg = (README.parent / "screenshots" / "main.svg").read_text(encoding="utf-8")
    assert "every&#160;3600&#160;s" not in svg
    assert "every 3600 s" not in svg
    assert re.search(r"every(&#160;| )[0-9.]+(&#160;| )s", svg)
