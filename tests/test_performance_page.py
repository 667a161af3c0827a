"""docs/performance.md is its template with one benchmark run in place, never edited by hand.

These tests render the page from made-up rows; they measure nothing (benchmarks never run here).
"""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks import page
from benchmarks.report import Row
from bot.config import PROJECT_ROOT

PAGE = PROJECT_ROOT / "docs" / "performance.md"
RUN = page.Run(quick=True, seconds=42.4, command="python -m benchmarks --quick --markdown x.md",
               machine="Linux on 2 CPUs, Python 3.11.7", sizes="50 people", day="2024-05-01")
SECTIONS = [("In process", [
    Row("µs per update", "183", "395", "385", "0.47x floor", "≤ 1.5x floor", met=True),
    Row("updates per second", "5,464", "2,534"),
    Row("p99 ms", "262", target="p99 < 50 ms", met=False),
])]


def test_the_page_is_the_template_with_a_run_in_place_of_the_placeholder() -> None:
    template = page.TEMPLATE.read_text(encoding="utf-8")
    head, tail = template.split(page.PLACEHOLDER)
    text = PAGE.read_text(encoding="utf-8")
    assert text.startswith(head), (
        "docs/performance.md's prose differs from benchmarks/performance.md.in: edit the"
        " template, then run `python -m benchmarks --markdown docs/performance.md`"
    )
    assert text.endswith(tail), "the same, after the results"
    results = text[len(head): len(text) - len(tail)]
    assert "| Measure | Ours | Baseline |" in results
    assert "Command: `python -m benchmarks" in results
    assert "Machine: " in results


def test_render_puts_the_table_machine_command_and_targets_where_the_placeholder_was() -> None:
    template = f"# Performance\n\n{page.PLACEHOLDER}\n\n## Noise\n"
    text = page.render(template, SECTIONS, RUN)
    assert text.startswith("# Performance\n\nA quick run (`--quick`: 50 people).")
    assert text.endswith("\n\n## Noise\n")
    assert "It took 42 s on 2024-05-01." in text
    assert "Machine: Linux on 2 CPUs, Python 3.11.7." in text
    assert "Command: `python -m benchmarks --quick --markdown x.md`" in text
    assert "| µs per update | 183 | 395 | 385 | 0.47x floor | ≤ 1.5x floor | yes |" in text
    assert "| p99 ms | 262 |  |  |  | p99 < 50 ms | **no** |" in text
    assert "1 of 2 targets met in this run; missed:\n\n- p99 ms: 262 (target p99 < 50 ms)" in text
    assert page.PLACEHOLDER not in text


def test_a_full_run_says_so_and_a_run_that_meets_every_target_says_that() -> None:
    full = dataclasses.replace(RUN, quick=False)
    met = [("In process", SECTIONS[0][1][:2])]
    text = page.render(page.PLACEHOLDER, met, full)
    assert text.startswith("A full run (50 people).")
    assert "Every target is met in this run (1 of 1)." in text


@pytest.mark.parametrize("template", ["# Performance\n", f"{page.PLACEHOLDER}\n" * 2])
def test_a_template_without_exactly_one_placeholder_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="exactly once"):
        page.render(template, SECTIONS, RUN)


def test_the_machine_line_names_what_timings_depend_on() -> None:
    line = page.machine(PROJECT_ROOT)
    for part in ("CPUs", "Python", "python-telegram-bot", "aiohttp", "aiosqlite", "SQLite"):
        assert part in line
