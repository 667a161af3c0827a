"""`python -m benchmarks [--quick] [--only PART] [--json PATH] [--markdown PATH [--from PATH]]`:
ours beside the usual way.

Runs, in this order: in process (network stubbed), growth with many chats stored, start-up,
end to end against the fake Bot API, end to end at Telegram's limit (a round trip on every call,
the limits enforced; polling and by webhook) and at a paid-broadcast budget. Prints a Markdown
table; with --json, writes every row and raw result; with --markdown, writes docs/performance.md
whole from its template (benchmarks/performance.md.in) and this run, or with --from the run a
--json wrote (to reword the template without running again). Progress goes to stderr.
Timings are only compared within one run: the machine may be shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import atlimit, endtoend, explain, growth, inprocess, page
from benchmarks.report import Row, as_json, number, table, times
from bot.config import DEFAULT_REPLY_MODE, REPLY_MODES

Sections = list[tuple[str, list[Row]]]


@dataclass(frozen=True)
class Plan:
    """How much of everything to run."""

    in_process_people: int
    sequential_people: int
    rounds: int
    capacity_people: int
    capacity_seconds: float
    latency_rate: float
    latency_seconds: float
    think_seconds: float
    ours_sizes: tuple[int, ...]
    growth_people: int
    growth_rounds: int
    baseline_sizes: tuple[tuple[int, int], ...]  # (chats stored, people that then come)
    explain_people: int
    limit_sizes: tuple[tuple[int, float], ...]  # (people at once, seconds), the last overloads
    paid_people: int
    paid_seconds: float


FULL = Plan(
    in_process_people=300, sequential_people=60, rounds=5, capacity_people=1000,
    capacity_seconds=30.0, latency_rate=200.0, latency_seconds=20.0, think_seconds=1.0,
    ours_sizes=(1_000, 100_000, 1_000_000), growth_people=1000, growth_rounds=5,
    baseline_sizes=((1_000, 300), (100_000, 10)), explain_people=3000,
    limit_sizes=((1, 20.0), (60, 45.0), (500, 45.0)), paid_people=3000, paid_seconds=30.0,
)
QUICK = Plan(
    in_process_people=50, sequential_people=10, rounds=3, capacity_people=50,
    capacity_seconds=3.0, latency_rate=200.0, latency_seconds=2.0, think_seconds=0.5,
    ours_sizes=(1_000, 100_000), growth_people=100, growth_rounds=3,
    baseline_sizes=((1_000, 100), (10_000, 10)), explain_people=300,
    limit_sizes=((1, 6.0), (20, 8.0), (100, 8.0)), paid_people=300, paid_seconds=6.0,
)
PARTS = ("in-process", "explain", "growth", "end-to-end", "limits", "paid")
KINDS = ("ours", "baseline", "baseline-aiohttp")
"""Ours runs on its own transport (aiohttp); the baseline on PTB's default (httpx) and, so that
the ratio compares dialogue and storage work alone, on ours too."""
E2E_TIMEOUT = 900.0
WORKERS = 64  # chats at once in process: fewer than production allows, so no flattery


_STARTED = time.perf_counter()


def _say(message: str) -> None:
    sys.stderr.write(f"[benchmarks {time.perf_counter() - _STARTED:5.1f} s] {message}\n")
    sys.stderr.flush()


# In process -------------------------------------------------------------------------------------


async def _in_process(plan: Plan, raw: dict[str, Any]) -> list[Row]:
    _say(f"in process: {plan.in_process_people} people, {WORKERS} at once, {plan.rounds} rounds")
    wide = await inprocess.compare(plan.in_process_people, WORKERS, plan.rounds)
    _say(f"in process: {plan.sequential_people} people one at a time")
    narrow = await inprocess.compare(plan.sequential_people, 1, plan.rounds)
    raw["in_process"] = {
        str(s.workers): {k: [asdict(r) for r in runs] for k, runs in s.rounds.items()}
        for s in (wide, narrow)
    }
    ours, base, floor, lean = (wide.runs[kind] for kind in ("ours", "baseline", "floor", "lean"))
    against_floor = wide.ratio("ours", "floor")
    low, high = wide.spread("ours", "floor")
    lean_low, lean_high = wide.spread("ours", "lean")
    seq = narrow.runs

    def cpu(run: inprocess.Run) -> str:
        return number(run.cpu_seconds / run.updates * 1e6)

    return [
        Row(f"µs per update, {WORKERS} chats at once, median of {plan.rounds} rounds"
            " (other: floor)",
            number(ours.us_per_update), number(base.us_per_update), number(floor.us_per_update),
            f"{times(against_floor)} floor (rounds {low:.2f}-{high:.2f}x),"
            f" {times(wide.ratio('ours', 'baseline'))} baseline",
            "≤ 1.5x floor", against_floor <= 1.5),
        Row("the same, against the lean floor (other): what our dialogue and storage add",
            number(ours.us_per_update), other=number(lean.us_per_update),
            ratio=f"{times(wide.ratio('ours', 'lean'))} lean floor (rounds"
            f" {lean_low:.2f}-{lean_high:.2f}x), +{ours.us_per_update - lean.us_per_update:.0f}"
            " µs"),
        Row("updates per second, same run", number(1e6 / ours.us_per_update),
            number(1e6 / base.us_per_update), number(1e6 / floor.us_per_update)),
        Row("CPU µs per update (all threads; other: floor / lean floor)", cpu(ours), cpu(base),
            f"{cpu(floor)} / {cpu(lean)}",
            times(ours.cpu_seconds / ours.updates / (floor.cpu_seconds / floor.updates))
            + " floor"),
        Row("µs per update, one chat at a time (other: floor / lean floor)",
            number(seq["ours"].us_per_update), number(seq["baseline"].us_per_update),
            f"{number(seq['floor'].us_per_update)} / {number(seq['lean'].us_per_update)}",
            times(narrow.ratio("ours", "floor")) + " floor"),
        Row("baseline's flush of those chats (not in its per-update cost)", "none needed",
            f"{base.flush_seconds:.2f} s"),
        _typed_row(wide),
    ]


def _typed_row(wide: inprocess.Summary) -> Row:
    """Return the row of the same walk answered by typing each option's words."""
    typed, ratio = wide.runs["ours-typed"], wide.ratio("ours-typed", "ours")
    low, high = wide.spread("ours-typed", "ours")
    return Row(f"µs per update, answers typed instead of pressed, {WORKERS} chats at once"
               " (other: pressed)", number(typed.us_per_update),
               other=number(wide.runs["ours"].us_per_update),
               ratio=f"{times(ratio)} pressed (rounds {low:.2f}-{high:.2f}x)",
               target="≤ 1.5x pressed", met=ratio <= 1.5)


# Explaining a result -----------------------------------------------------------------------------


def _explaining(plan: Plan, raw: dict[str, Any]) -> list[Row]:
    _say(f"explaining a result: {plan.explain_people} people")
    found = explain.measure(plan.explain_people)
    raw["explain"] = {name: asdict(timing) for name, timing in found.items()}

    def cell(timing: explain.Timing) -> str:
        return f"{timing.p50_us:,.0f} / {timing.p99_us:,.0f} / {timing.max_us:,.0f}"

    what_if, why_not = found["what_if"], found["why_not"]
    return [
        Row(f"“What would change this?”: µs per call, p50 / p99 / max over "
            f"{what_if.calls:,} people (the two smallest changes, exact)", cell(what_if),
            target="< 5 ms (p99)", met=what_if.p99_us < 5000),
        Row(f"“Why not X?”: µs per call over {why_not.calls:,} (person, outcome) pairs"
            " (the smallest change to X, exact)", cell(why_not),
            target="< 5 ms (p99)", met=why_not.p99_us < 5000),
        Row("the result screen (advice, close call, conflicts, formatting): µs per call",
            cell(found["result_screen"])),
    ]


# Growth and start-up ----------------------------------------------------------------------------


async def _growth(plan: Plan, raw: dict[str, Any]) -> tuple[list[Row], list[Row]]:
    base: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        sizes = ", ".join(f"{stored:,}" for stored in plan.ours_sizes)
        _say(f"growth: ours with {sizes} chats stored, {plan.growth_rounds} round(s) each")
        ours = await growth.measure_ours(plan.ours_sizes, plan.growth_people, Path(tmp),
                                         plan.growth_rounds)
        for stored, people in plan.baseline_sizes:
            _say(f"growth: baseline with {stored:,} chats stored")
            base.append(await growth.measure_baseline(stored, people, Path(tmp)))
    raw["growth"] = {"ours": ours, "baseline": base}
    first = ours[0]
    rows = [Row(f"{r['stored']:,} stored: µs per update / peak RSS MB",
                f"{number(r['us_per_update'])} / {number(r['peak_rss_mb'])}") for r in ours]
    cost = ours[-1]["us_per_update"] / first["us_per_update"]
    rss = ours[-1]["peak_rss_mb"] / first["peak_rss_mb"]
    largest = f"{ours[-1]['stored']:,}"
    rows += [
        Row(f"cost per update at {largest} vs {first['stored']:,} stored (each the median"
            f" of {plan.growth_rounds} round{'s' if plan.growth_rounds > 1 else ''})",
            ratio=times(cost),
            target="≤ 1.2x", met=cost <= 1.2),
        Row(f"peak RSS at {largest} vs {first['stored']:,} stored", ratio=times(rss),
            target="flat (≤ 1.1x)", met=rss <= 1.1),
    ]
    rows += [Row(f"{r['stored']:,} stored: flush of {r['changed_chats']} changed chats"
                 " / peak RSS MB", baseline=f"{r['flush_s']:.1f} s / {number(r['peak_rss_mb'])}",
                 other=f"{r['flush_s'] / r['changed_chats']:.2f} s a chat")
             for r in base]
    startup = ours[-1]["load_dialogue_s"] + ours[-1]["open_database_s"]
    start_rows = [
        Row(f"load and validate the dialogue, open the database ({largest} stored)",
            f"{startup:.3f} s", other=f"dialogue {ours[-1]['load_dialogue_s']:.3f} s, database"
            f" {ours[-1]['open_database_s']:.3f} s", target="< 0.5 s", met=startup < 0.5),
        *(Row(f"baseline: load the pickle ({r['stored']:,} stored, {r['file_mb']:.1f} MB)",
              baseline=f"{r['load_pickle_s']:.3f} s") for r in base),
    ]
    return rows, start_rows


# End to end -------------------------------------------------------------------------------------


async def _end_to_end(plan: Plan, raw: dict[str, Any]) -> list[Row]:
    capacity: dict[str, dict[str, Any]] = {}
    latency: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        _say(f"end to end: capacity of {kind}, {plan.capacity_people} people at once")
        capacity[kind] = await endtoend.run(
            kind, "capacity", ["--users", str(plan.capacity_people), "--seconds",
                               str(plan.capacity_seconds)], within=E2E_TIMEOUT)
    for kind in KINDS:
        _say(f"end to end: latency of {kind} at {plan.latency_rate:g} updates/s")
        latency[kind] = await endtoend.run(kind, "latency", [
            "--rate", str(plan.latency_rate), "--seconds", str(plan.latency_seconds),
            "--think", str(plan.think_seconds)], within=E2E_TIMEOUT)
    raw["end_to_end"] = {"capacity": capacity, "latency": latency}
    return _capacity_rows(plan, capacity) + _latency_rows(plan, latency)


def _others(runs: dict[str, dict[str, Any]], show: Any) -> str:
    """Return the cell of the baseline on our transport."""
    return f"baseline + aiohttp: {show(runs['baseline-aiohttp'])}"


def _capacity_rows(plan: Plan, runs: dict[str, dict[str, Any]]) -> list[Row]:
    ours, base = runs["ours"], runs["baseline"]

    def rate(run: dict[str, Any]) -> str:
        return number(run["updates_per_second"])

    def cpu(run: dict[str, Any]) -> str:
        return f"{run['cpu_seconds'] / run['updates'] * 1000:.2f}"

    def stop(run: dict[str, Any]) -> str:
        return f"{run['stop_seconds']:.2f} s"

    ratio = ours["updates_per_second"] / base["updates_per_second"]
    alike = ours["updates_per_second"] / runs["baseline-aiohttp"]["updates_per_second"]
    return [
        Row(f"capacity, {plan.capacity_people:,} people at once: updates/s over at most"
            f" {plan.capacity_seconds:g} s", rate(ours),
            rate(base), _others(runs, rate),
            f"{times(ratio)} baseline, {times(alike)} baseline + aiohttp",
            "≥ 1.5x baseline (both)", min(ratio, alike) >= 1.5),
        _losses("capacity", runs),
        Row("capacity: bot CPU ms per update (whole process, while the load ran)", cpu(ours),
            cpu(base), _others(runs, cpu)),
        Row("stopping after the capacity run (baseline: PicklePersistence's flush)", stop(ours),
            stop(base), _others(runs, stop)),
    ]


def _latency_rows(plan: Plan, runs: dict[str, dict[str, Any]]) -> list[Row]:
    ours, base = runs["ours"], runs["baseline"]

    def spread(run: dict[str, Any]) -> str:
        text = f"{run['p50_ms']:,.0f} / {run['p95_ms']:,.0f} / {run['p99_ms']:,.0f}"
        if run["overloaded_after_s"] is not None:
            text += f" (fell behind after {run['overloaded_after_s']:.1f} s)"
        return text

    return [
        Row(f"latency at {plan.latency_rate:g} updates/s for {plan.latency_seconds:g} s:"
            " p50 / p95 / p99 ms", spread(ours), spread(base), _others(runs, spread),
            target="p99 < 50 ms", met=ours["p99_ms"] < 50 and ours["overloaded_after_s"] is None),
        _losses("latency", runs),
    ]


def _losses(what: str, runs: dict[str, dict[str, Any]]) -> Row:
    def cell(run: dict[str, Any]) -> str:
        return f"{run['lost']} / {run['out_of_order']} of {run['updates']:,}"

    ours, base = runs["ours"], runs["baseline"]
    return Row(f"{what}: updates lost / replies out of order", cell(ours), cell(base),
               _others(runs, cell), target="0 / 0",
               met=ours["lost"] == 0 and ours["out_of_order"] == 0)


# At Telegram's limit -----------------------------------------------------------------------------


OTHER_MODE = next(mode for mode in REPLY_MODES if mode != DEFAULT_REPLY_MODE)
DEPLOYED = ("FLOOD_CONTROL=on", f"REPLY_MODE={DEFAULT_REPLY_MODE}")
LIMIT_CONTENDERS = (
    atlimit.Contender("ours", "ours", DEPLOYED),
    atlimit.Contender("webhook", "ours-webhook", DEPLOYED),
    atlimit.Contender("baseline", "baseline-paced"),
    atlimit.Contender("other", "ours", ("FLOOD_CONTROL=on", f"REPLY_MODE={OTHER_MODE}")),
)
"""Ours as deployed (flood control on, the default reply mode), polling and by webhook, the
baseline, and ours in the other reply mode, which the default is chosen against."""


async def _at_limit(plan: Plan, raw: dict[str, Any]) -> tuple[list[Row], list[Row]]:
    """Return the rows of every size: polling beside the baseline, and by webhook."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    rows: list[Row] = []
    pushed: list[Row] = []
    for people, seconds in plan.limit_sizes:
        runs: dict[str, dict[str, Any]] = {}
        for contender in LIMIT_CONTENDERS:
            _say(f"at the limit: {contender.name}, {people} people for {seconds:g} s")
            runs[contender.name] = await atlimit.run(contender, people, seconds)
        found[str(people)] = runs
        rows += atlimit.rows(people, runs, overload=people == plan.limit_sizes[-1][0])
        pushed += atlimit.webhook_rows(people, runs)
    raw["at_limit"] = found
    return rows, pushed


async def _paid(plan: Plan, raw: dict[str, Any]) -> list[Row]:
    settings = ("FLOOD_CONTROL=on", f"REPLY_MODE={DEFAULT_REPLY_MODE}",
                f"SEND_RATE={atlimit.PAID_BUDGET}")
    ours = atlimit.Contender("ours", "ours", settings)
    _say(f"paid broadcasts: {plan.paid_people} people for {plan.paid_seconds:g} s")
    # Reading for 2 s: no one presses faster than their chat's one message a second.
    run = await atlimit.run(ours, plan.paid_people, plan.paid_seconds, think=2.0,
                            budget=atlimit.PAID_BUDGET)
    raw["paid"] = run
    return atlimit.paid_rows(plan.paid_people, run)


# The run ----------------------------------------------------------------------------------------


async def _run(plan: Plan, parts: tuple[str, ...]) -> tuple[Sections, dict[str, Any]]:
    raw: dict[str, Any] = {}
    sections: Sections = []
    if "in-process" in parts:
        sections.append(("In process, network stubbed", await _in_process(plan, raw)))
    if "explain" in parts:
        sections.append(("The engine: explaining a result", _explaining(plan, raw)))
    if "growth" in parts:
        growth_rows, startup_rows = await _growth(plan, raw)
        sections.append(("Growth: chats already stored (ours: SQLite; baseline: pickle)",
                         growth_rows))
        sections.append(("Start-up", startup_rows))
    if "end-to-end" in parts:
        sections.append(("End to end: the bot polling the fake Bot API in another process",
                         await _end_to_end(plan, raw)))
    if "limits" in parts:
        polled, pushed = await _at_limit(plan, raw)
        sections.append((f"At Telegram's limit: {atlimit.ROUND_TRIP * 1000:g} ms round trip,"
                         f" {atlimit.BUDGET} messages a second; ours: {DEFAULT_REPLY_MODE}"
                         f" replies, other: ours with {OTHER_MODE} replies", polled))
        sections.append(("At Telegram's limit by webhook: the same people and round trip, each"
                         " update posted to the bot half a round trip away; ours: by webhook,"
                         " other: ours polling (above)", pushed))
    if "paid" in parts:
        sections.append((f"Paid broadcasts: {atlimit.PAID_BUDGET:,} messages a second, the"
                         " same round trip", await _paid(plan, raw)))
    return sections, raw


def main() -> None:
    """Run the benchmarks, print the table, and write the JSON and the page when asked."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: three minutes or so")
    parser.add_argument("--only", choices=PARTS, action="append", metavar="PART",
                        help=f"run only this part (again for more): {', '.join(PARTS)}")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results here")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write the performance"
                        " page here (docs/performance.md), from benchmarks/performance.md.in")
    parser.add_argument("--from", dest="saved", type=Path, metavar="PATH", help="with"
                        " --markdown: the run a --json wrote, instead of running again")
    arguments = parser.parse_args()
    template = page.TEMPLATE.read_text(encoding="utf-8") if arguments.markdown else ""
    if arguments.markdown:
        page.check(template)  # before the run, not after fifteen minutes of it
        if arguments.only:
            parser.error("--markdown writes the whole page: run every part")
    if arguments.saved is not None:
        if arguments.markdown is None:
            parser.error("--from only renders a saved run: give --markdown too")
        saved = json.loads(arguments.saved.read_text(encoding="utf-8"))
        fields: dict[str, Any] = {key: tuple(map(_tuple, value)) if isinstance(value, list)
                                  else value for key, value in saved["plan"].items()}
        plan = Plan(**fields)
        run = page.Run(**{**saved["page"], "sizes": _sizes(plan)})
        arguments.markdown.write_text(page.render(template, page.sections_of(saved["rows"]),
                                                  run), encoding="utf-8")
        _say(f"wrote {arguments.markdown} from {arguments.saved}")
        return
    plan = QUICK if arguments.quick else FULL
    began = time.perf_counter()
    sections, raw = asyncio.run(_run(plan, tuple(arguments.only or PARTS)))
    elapsed = time.perf_counter() - began
    mode = "--quick" if arguments.quick else "full"
    sys.stdout.write(f"{table(sections)}\n\n{mode} run, {elapsed:.0f} s, Python "
                     f"{platform.python_version()}, {platform.machine()}\n")
    run = page.Run(
        quick=arguments.quick, seconds=elapsed,
        command=shlex.join(["python", "-m", "benchmarks", *sys.argv[1:]]),
        machine=page.machine(Path(tempfile.gettempdir())), sizes=_sizes(plan),
        day=page.today())
    if arguments.json is not None:
        document = {"mode": mode, "seconds": elapsed, "plan": asdict(plan),
                    "rows": as_json(sections), "raw": raw, "page": asdict(run)}
        arguments.json.write_text(json.dumps(document, indent=2) + "\n")
    if arguments.markdown is not None:
        arguments.markdown.write_text(page.render(template, sections, run), encoding="utf-8")
        _say(f"wrote {arguments.markdown}")


def _sizes(plan: Plan) -> str:
    """Return the plan's sizes in a phrase for the page."""
    people = ", ".join(f"{people:,}" for people, _ in plan.limit_sizes)
    return (f"{plan.in_process_people} people in process over {plan.rounds} rounds,"
            f" {plan.explain_people:,} results explained,"
            f" {plan.capacity_people:,} at once end to end, up to {max(plan.ours_sizes):,}"
            f" chats stored, {people} people at Telegram's limit, {plan.paid_people:,} at a"
            " paid-broadcast budget")


def _tuple(value: Any) -> Any:
    """Return a list read back from JSON as the tuple the plan had."""
    return tuple(value) if isinstance(value, list) else value


if __name__ == "__main__":
    main()
