"""What `coverage` says: the figures as plain data (for `--json`) and as a table for people."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.authoring.coverage import Coverage

SHOWN = 5
"""How many questions, options and close calls the table lists (JSON has them all)."""


def figures(found: Coverage, stories: Counter[str] | None = None) -> dict[str, Any]:
    """Return every figure, shares as fractions of the answer sets (or samples)."""
    dialogue, tally = found.dialogue, found.tally
    outcomes = list(dialogue.outcomes)
    return {
        "dialogue": dialogue.id,
        "version": dialogue.version,
        "file": dialogue.source,
        "method": "exact" if found.exact else "sampled",
        "answer_sets": found.answer_sets,
        "samples": None if found.exact else tally.total,
        "ways_through": sum(tally.ways) if found.exact else None,
        "seconds": round(found.seconds, 3),
        "outcomes": [
            {
                "id": outcome,
                "title": dialogue.outcomes[outcome].title,
                "wins": found.share(tally.wins[index]),
                "ways_through": tally.ways[index] if found.exact else None,
                "wins_on_a_tie": found.share(tally.tie_wins[index]),
                "stories": None if stories is None else stories[outcome],
            }
            for index, outcome in enumerate(outcomes)
        ],
        "only_on_ties": [
            outcome for index, outcome in enumerate(outcomes)
            if tally.wins[index] and tally.wins[index] == tally.tie_wins[index]
        ],
        "questions": _questions(found),
        "options": _options(found),
        "close_calls": {
            "margin": dialogue.close_margin,
            "share": found.share(sum(tally.close.values())),
            "pairs": [
                {"winner": outcomes[best], "runner_up": outcomes[second], "share": found.share(n)}
                for (best, second), n in tally.close.most_common()
            ],
        },
    }


def _questions(found: Coverage) -> list[dict[str, Any]]:
    """Return each question's effect, least first: how often another answer changes the
    outcome, of all answer sets and of those that ask it."""
    tally = found.tally
    rows = [
        {
            "id": qid,
            "asked": found.share(tally.asked[index]),
            "changes_outcome": found.share(tally.swings[index]),
            "changes_outcome_when_asked": tally.swings[index] / tally.asked[index]
            if tally.asked[index] else 0.0,
        }
        for index, qid in enumerate(found.questions)
    ]
    return sorted(rows, key=lambda row: (row["changes_outcome"], row["id"]))


def _options(found: Coverage) -> list[dict[str, Any]]:
    """Return, for each option with points, how often taking its points away would change the
    outcome, among the answer sets that ask its question and pick it; least first."""
    tally, questions = found.tally, found.dialogue.questions
    asked = dict(zip(found.questions, tally.asked, strict=True))
    rows = []
    for qid, question in questions.items():
        picked = asked[qid] / len(question.choices)
        for option in question.choices:  # at a multiple question, each set it takes
            if any(option.scores.values()):
                changed = tally.points.get((qid, option.id), 0)
                rows.append({
                    "question": qid,
                    "option": option.id,
                    "label": option.label,
                    "points_change_outcome": changed / picked if picked else 0.0,
                })
    return sorted(rows, key=lambda row: (row["points_change_outcome"], row["question"]))


def table(data: dict[str, Any]) -> str:
    """Return the figures as text for people."""
    lines = [f"Coverage of {data['dialogue']} v{data['version']} ({data['file']})", _method(data)]
    lines += ["", *_outcome_table(data)]
    only = ", ".join(data["only_on_ties"]) or "none"
    lines += ["", f"Outcomes that win only on ties (by being written first): {only}"]
    never = [f"{o['question']}: {o['option']}" for o in data["options"]
             if o["points_change_outcome"] == 0]
    lines.append(f"Options whose points never change the outcome: {', '.join(never) or 'none'}")
    lines += ["", "Questions that change the outcome least (another answer, the rest kept):"]
    lines += [
        f"  {q['id']:<28}{_pct(q['changes_outcome']):>7} of answer sets, "
        f"{_pct(q['changes_outcome_when_asked'])} of those that ask it"
        for q in data["questions"][:SHOWN]
    ]
    lines += ["", "Options whose points change the outcome least (of the answer sets picking it):"]
    lines += [
        f"  {o['question'] + ': ' + o['option']:<28}{_pct(o['points_change_outcome']):>7}"
        for o in data["options"][:SHOWN]
    ]
    close = data["close_calls"]
    lines += ["", f"Closest calls (top two within {close['margin']} points): "
                  f"{_pct(close['share'])} of answer sets"]
    lines += [f"  {p['winner'] + ' over ' + p['runner_up']:<40}{_pct(p['share']):>7}"
              for p in close["pairs"][:SHOWN]]
    return "\n".join(lines) + "\n"


def _method(data: dict[str, Any]) -> str:
    seconds = f"in {data['seconds']:.1f} s"
    if data["method"] == "exact":
        return (f"Every answer set counted ({data['answer_sets']:,}, each option of every "
                f"question equally likely; {data['ways_through']:,} ways through), {seconds}.")
    return (f"SAMPLED: {data['samples']:,} of {data['answer_sets']:,} answer sets drawn at "
            f"random (too many to walk), {seconds}; the figures are estimates.")


def _outcome_table(data: dict[str, Any]) -> list[str]:
    stories = data["outcomes"][0]["stories"] is not None
    head = f"{'outcome':<20}{'wins':>8}{'ways through':>15}{'on a tie':>10}"
    rows = [head + ("  stories" if stories else "")]
    for outcome in data["outcomes"]:
        ways = "" if outcome["ways_through"] is None else f"{outcome['ways_through']:,}"
        row = (f"{outcome['id']:<20}{_pct(outcome['wins']):>8}{ways:>15}"
               f"{_pct(outcome['wins_on_a_tie']):>10}")
        rows.append(row + (f"{outcome['stories']:>9}" if stories else ""))
    return rows


def _pct(share: float) -> str:
    return "<0.1%" if 0 < share < 0.0005 else f"{share:.1%}"
