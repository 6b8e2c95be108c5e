"""The README's examples run as written: the added loss certifies, the commands exit 0."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verify.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_readme_loss_example_certifies_in_under_40_lines() -> None:
    """Property: the squared hinge of "Adding a convex loss" is under 40 lines and certifies
    (the example asserts it)."""
    section = README.split("### Adding a convex loss", 1)[1]
    block = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    assert block.split("class SquaredHinge")[1].split("\ninst =")[0].count("\n") < 40
    exec(compile(block, "README.md", "exec"), {})


@pytest.mark.parametrize(
    "command",
    [
        "verify solve --loss ce --encoding smooth:0.1 -K 4 --counts 50,20,20,10",
        "verify sphere solve --loss ntce --tau 0.1 --K 4 --n 10",
    ],
)
def test_the_readme_commands_run(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert command.replace("\n", " ") in " ".join(README.split())
    assert main(command.split()[1:]) == 0
    out = capsys.readouterr().out
    assert "certified" in out or "proved optimum" in out, out
