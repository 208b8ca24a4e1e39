"""The README's generated sections match the code (regenerate: python -m allocsim.readme)."""

from __future__ import annotations

from pathlib import Path

from allocsim.readme import SECTIONS, generated

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_generated_sections_are_current() -> None:
    for command in SECTIONS:
        assert generated(command) in README, (
            f"README out of date: python -m allocsim.readme ({command})"
        )


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
