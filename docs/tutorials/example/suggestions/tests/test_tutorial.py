"""The tutorial shows the example's real code: every code block of
docs/tutorials/new-module.md that starts with ``# suggestions/<file>`` (or ``{# … #}`` for a
template) is found, as written, in that file of the example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1]
TUTORIAL = EXAMPLE.parents[1] / "new-module.md"
BLOCK = re.compile(r"```(?:python|html\+django|django)\n(.*?)```", re.DOTALL)
HEADER = re.compile(r"^(?:# |\{# )suggestions/(\S+?)(?: #\})?(?: \(excerpt\))?\n")


def shown_blocks() -> list[tuple[str, str]]:
    found = []
    for block in BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")):
        header = HEADER.match(block)
        if header:
            found.append((header.group(1), block[header.end() :]))
    return found


def test_the_tutorial_shows_the_example_s_files():
    assert len({path for path, _code in shown_blocks()}) >= 10


@pytest.mark.parametrize(("path", "code"), shown_blocks(), ids=lambda value: str(value)[:40])
def test_each_block_is_the_example_s_code(path, code):
    source = (EXAMPLE / path).read_text(encoding="utf-8")
    pieces = [piece for piece in code.split("# ...\n")]
    for piece in pieces:
        assert piece.strip("\n") in source, f"{path}: not in the example:\n{piece}"
