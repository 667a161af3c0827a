"""A small dialogue built in Python, so engine tests do not depend on the loader."""

from __future__ import annotations

from bot.engine.model import (
    Answered,
    Branch,
    CloseCall,
    Dialogue,
    Extra,
    Not,
    Option,
    Outcome,
    Question,
    Recommended,
    Tip,
)


def sample_dialogue(close_margin: int = 1) -> Dialogue:
    """Return a dialogue with a branch, a skipped question, a "not sure" and three outcomes."""
    questions = [
        Question(
            "where",
            "Where do you listen?",
            (
                Option("home", "At home", ("house", "sofa"), {"open": 3}, "you listen at home"),
                Option("gym", "At the gym", ("workout",), {"iem": 3}, "you train with music"),
                Option("stage", "On stage", (), {"custom": 4}, "you perform", next="fit"),
                Option("not_sure", "Not sure"),
            ),
            next="sound",
            columns=2,
        ),
        Question(
            "fit",
            "Would you get custom molds?",
            (
                Option("yes", "Yes", (), {"custom": 3}, "you would get molds"),
                Option("no", "No", (), {"iem": 2}),
            ),
            next="budget",
        ),
        Question(
            "sound",
            "Wide and open, or isolated?",
            (
                Option("wide", "Wide and open", ("open",), {"open": 2}, "you like a wide stage"),
                Option("isolated", "Isolated", (), {"iem": 2}, "you want isolation"),
                Option("not_sure", "Not sure"),
            ),
            branches=(Branch(Answered("where", frozenset({"gym"})), "budget"),),
            next="leak",
        ),
        Question(
            "leak",
            "Does sound leaking matter?",
            (
                Option("yes", "Yes", (), {"iem": 1}, "others sit close"),
                Option("no", "No", (), {"open": 1}),
            ),
            ask_if=Not(Answered("where", frozenset({"gym"}))),
            next="budget",
        ),
        Question(
            "budget",
            "Your budget?",
            (
                Option("low", "Tight", ("cheap",), {"iem": 1}),
                Option("high", "Premium", ("Élevé",), {"custom": 1, "open": 1}),
            ),
        ),
    ]
    outcomes = [
        Outcome("open", "Open-back headphones", "Big, airy sound."),
        Outcome(
            "iem",
            "In-ear monitors",
            "Small and sealed.",
            (Extra(Answered("where", frozenset({"gym"})), "Pick sweat-proof ones."),),
        ),
        Outcome("custom", "Custom IEMs", "Molded to your ears."),
    ]
    tips = (
        Tip("assess", "Think about where you listen."),
        Tip("try_both", "Try both before buying.", CloseCall()),
        Tip("long_term", "Think long term.", Answered("budget", frozenset({"high"}))),
        Tip("tips", "Try several ear tip sizes.", Recommended(frozenset({"iem"}))),
    )
    return Dialogue(
        id="sample",
        version="1",
        title="Sample",
        start="where",
        questions={q.id: q for q in questions},
        outcomes={o.id: o for o in outcomes},
        tips=tips,
        close_margin=close_margin,
    )
