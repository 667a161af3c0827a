"""`python -m bot validate PATH` as an operator runs it: a summary, or every problem and exit 1."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
INVALID = sorted(path.relative_to(ROOT) for path in (ROOT / "tests/data/invalid").glob("*.yaml"))
EXPECT = re.compile(r"# expect: (\d+): (.+)")


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "validate", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def expectations(path: Path) -> list[tuple[int, str]]:
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    found = [match.groups() for line in lines if (match := EXPECT.fullmatch(line))]
    return [(int(number), text) for number, text in found]


@pytest.mark.parametrize("path", INVALID, ids=[path.stem for path in INVALID])
def test_a_broken_file_exits_non_zero_naming_file_and_line(path: Path) -> None:
    result = validate(path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    for line, text in expectations(path):
        assert f"{path}:{line}: " in result.stderr
        assert text in result.stderr


def test_every_broken_file_is_reported_in_one_run() -> None:
    result = validate(*INVALID)
    assert result.returncode == 1
    heading = result.stderr.splitlines()[0]
    total = sum(len(expectations(path)) for path in INVALID)
    assert heading == f"{total} problems in the dialogue:"
    for path in INVALID:
        for line, _ in expectations(path):
            assert f"\n{path}:{line}: " in result.stderr


def test_a_valid_file_prints_its_one_line_summary() -> None:
    result = validate(Path("tests/data/valid/small.yaml"))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "small_advisor v2: 3 questions, 3 outcomes, 3 tips, 9 paths "
        "(tests/data/valid/small.yaml)\n"
    )


def test_a_folder_prints_a_summary_per_dialogue() -> None:
    result = validate(Path("tests/data/valid"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "routes v1: 6 questions, 5 outcomes, 0 tips, 192 paths (tests/data/valid/routes.yaml)",
        "small_advisor v2: 3 questions, 3 outcomes, 3 tips, 9 paths (tests/data/valid/small.yaml)",
    ]
