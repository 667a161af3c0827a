"""The dialogue covers what the headphones-vs-IEMs article compares, and fits Telegram's limits.

Each dimension test states one claim of the article and checks that the answer about it moves
the scores the way the article says.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from bot.engine import callback_data, rules
from bot.engine.advice import Advice, advice_for
from bot.engine.loader import load_dialogue
from bot.engine.matching import understand
from bot.engine.model import (
    END,
    ROW_LIMIT,
    TEXT_LIMIT,
    Dialogue,
    Texts,
)
from bot.engine.option_words import read
from bot.engine.routes import witness
from bot.engine.wording import worst_explanations, worst_results

DIALOGUE = Path(__file__).resolve().parents[1] / "dialogues" / "headphones_vs_iems.yaml"
ARTICLE = Path("/work/shared/seed/headphones-vs-iems.txt")

IEMS = ("iem", "iem_wireless", "iem_multi_driver", "iem_custom")
OVER_EARS = ("open_back", "closed_back", "closed_back_anc")
PROFESSIONS = ("studio", "dj", "stage")


@pytest.fixture(scope="module")
def dialogue() -> Dialogue:
    """Return the real dialogue file, loaded and validated."""
    return load_dialogue(DIALOGUE)


def weights(dialogue: Dialogue, question: str, option: str) -> dict[str, int]:
    """Return the points one answer gives every outcome (0 where it gives none)."""
    chosen = dialogue.questions[question].option(option)
    assert chosen is not None, f"{question}:{option} does not exist"
    return {outcome: chosen.scores.get(outcome, 0) for outcome in dialogue.outcomes}


def favourites(points: Mapping[str, int]) -> set[str]:
    """Return the outcomes an answer favours most."""
    top = max(points.values())
    return {outcome for outcome, value in points.items() if value == top}


def random_answers(dialogue: Dialogue, rng: random.Random) -> dict[str, str]:
    """Return a complete, randomly chosen set of answers along a real path."""
    chosen: dict[str, str] = {}
    target = rules.asked(dialogue, dialogue.start, chosen)
    while target != END:
        question = dialogue.questions[target]
        option = rng.choice(question.options)
        chosen[target] = option.id
        target = rules.asked(dialogue, rules.route(question, chosen, option), chosen)
    return chosen


@pytest.fixture(scope="module")
def sample(dialogue: Dialogue) -> list[tuple[dict[str, str], Advice]]:
    """Return 3000 random complete answer sets with their advice (seeded, so repeatable)."""
    rng = random.Random(20240611)
    answers = [random_answers(dialogue, rng) for _ in range(3000)]
    return [(chosen, advice_for(dialogue, chosen)) for chosen in answers]


def tip_ids(advice: Advice) -> set[str]:
    return {tip.id for tip in advice.tips}


# The dimensions the article compares ---------------------------------------------------------


def test_sound_wide_soundstage_favours_open_back(dialogue: Dialogue) -> None:
    assert favourites(weights(dialogue, "sound", "wide")) == {"open_back"}


def test_sound_detail_favours_multi_driver_iems_over_entry_ones(dialogue: Dialogue) -> None:
    detail = weights(dialogue, "sound", "detail")
    assert favourites(detail) == {"iem_multi_driver"}
    assert detail["iem_multi_driver"] > detail["iem"] > detail["open_back"]


def test_isolation_iems_seal_open_backs_do_not(dialogue: Dialogue) -> None:
    lot = weights(dialogue, "isolation", "lot")
    assert min(lot, key=lambda outcome: lot[outcome]) == "open_back"
    assert all(lot[iem] > 0 for iem in IEMS)
    assert lot["closed_back"] > lot["open_back"]
    assert favourites(weights(dialogue, "isolation", "none")) == {"open_back"}


def test_comfort_over_ears_for_long_sessions_on_ears_tire(dialogue: Dialogue) -> None:
    long_days = weights(dialogue, "hours", "long")
    assert long_days["open_back"] > 0
    assert long_days["closed_back"] > 0
    assert long_days["on_ear"] < 0
    assert favourites(weights(dialogue, "hours", "short")) == {"on_ear"}


def test_comfort_iems_depend_on_how_ears_take_tips(dialogue: Dialogue) -> None:
    sensitive = weights(dialogue, "comfort", "ears")
    assert all(sensitive[iem] < 0 for iem in IEMS)
    assert all(sensitive[over_ear] > 0 for over_ear in OVER_EARS)


@pytest.mark.parametrize("on_the_go", ["commute", "gym"])
def test_portability_compact_iems_for_travel_and_workouts(
    dialogue: Dialogue, on_the_go: str
) -> None:
    points = weights(dialogue, "use", on_the_go)
    assert favourites(points) <= set(IEMS)
    assert points["open_back"] < 0
    assert points["closed_back"] < 0


def test_price_iems_are_good_value_customs_cost_most(dialogue: Dialogue) -> None:
    tight = weights(dialogue, "budget", "tight")
    assert "iem" in favourites(tight)
    assert min(tight, key=lambda outcome: tight[outcome]) == "iem_custom"
    assert "iem_custom" in favourites(weights(dialogue, "budget", "premium"))


def test_leakage_open_back_leaks_closed_little_iems_none(dialogue: Dialogue) -> None:
    private = weights(dialogue, "leak", "yes")
    assert min(private, key=lambda outcome: private[outcome]) == "open_back"
    assert private["closed_back"] > 0
    assert all(private[iem] >= private["closed_back"] for iem in IEMS)
    assert favourites(weights(dialogue, "leak", "no")) == {"open_back"}


def test_features_noise_cancelling_and_wireless_have_their_outcomes(dialogue: Dialogue) -> None:
    assert favourites(weights(dialogue, "anc", "yes")) == {"closed_back_anc"}
    assert favourites(weights(dialogue, "wireless", "yes")) == {"iem_wireless"}


def test_features_every_outcome_says_what_to_do_about_a_microphone(dialogue: Dialogue) -> None:
    for outcome in dialogue.outcomes.values():
        mentions = [
            extra
            for extra in outcome.extras
            if rules.holds(extra.when, {"mic": "yes"}, outcome=outcome.id)
            and not rules.holds(extra.when, {"mic": "no"}, outcome=outcome.id)
        ]
        assert mentions, f"{outcome.id} says nothing to someone who takes calls"


def test_features_high_end_iems_name_drivers_and_custom_molds(dialogue: Dialogue) -> None:
    multi = dialogue.outcomes["iem_multi_driver"].text
    assert "balanced armature" in multi
    assert "hybrid" in multi
    assert "impressions of your own ear" in dialogue.outcomes["iem_custom"].text


# Usage scenarios -----------------------------------------------------------------------------


def test_usage_question_offers_every_scenario_the_article_names(dialogue: Dialogue) -> None:
    offered = {option.id for option in dialogue.questions["use"].options}
    scenarios = {"home", "office", "commute", "gym", "gaming", "studio", "dj", "stage"}
    assert scenarios <= offered


@pytest.mark.parametrize("profession", PROFESSIONS)
def test_professionals_get_a_question_about_their_work(
    dialogue: Dialogue, profession: str
) -> None:
    use = dialogue.questions["use"]
    option = use.option(profession)
    chosen = {"use": profession}
    assert rules.asked(dialogue, rules.route(use, chosen, option), chosen) == "work"
    home = {"use": "home"}
    assert rules.asked(dialogue, rules.route(use, home, use.option("home")), home) != "work"


def test_stage_performers_are_pointed_at_in_ear_monitors(dialogue: Dialogue) -> None:
    assert favourites(weights(dialogue, "use", "stage")) == {"iem_custom"}
    assert favourites(weights(dialogue, "work", "fit")) == {"iem_custom"}


def test_dj_and_gaming_lean_to_headphones(dialogue: Dialogue) -> None:
    assert favourites(weights(dialogue, "use", "dj")) == {"closed_back"}
    assert favourites(weights(dialogue, "use", "gaming")) <= set(OVER_EARS)


# The article's three tips --------------------------------------------------------------------


def test_assess_your_needs_is_given_to_those_who_could_not_say_where_they_listen(
    sample: list[tuple[dict[str, str], Advice]],
) -> None:
    # Everyone else has just told us their routine: repeating "start from it" would be noise.
    for chosen, advice in sample:
        assert ("assess_needs" in tip_ids(advice)) == (chosen["use"] == "unsure"), chosen
    assert any(chosen["use"] == "unsure" for chosen, _ in sample)


def test_try_both_appears_exactly_on_close_calls(
    dialogue: Dialogue, sample: list[tuple[dict[str, str], Advice]]
) -> None:
    close = 0
    for chosen, advice in sample:
        best, second = sorted(rules.scores(dialogue, chosen).values(), reverse=True)[:2]
        is_close = best - second <= dialogue.close_margin
        close += is_close
        assert ("try_both" in tip_ids(advice)) == is_close, chosen
    assert 0 < close < len(sample), "the sample needs both close and clear results"


def test_long_term_appears_for_big_spends_or_long_daily_use(
    dialogue: Dialogue, sample: list[tuple[dict[str, str], Advice]]
) -> None:
    for chosen, advice in sample:
        investing = chosen["budget"] in {"high", "premium"} or chosen["hours"] == "long"
        assert ("long_term" in tip_ids(advice)) == investing, chosen


def test_ear_tip_advice_comes_with_universal_iems_only(
    sample: list[tuple[dict[str, str], Advice]],
) -> None:
    for _, advice in sample:
        universal_iem = advice.outcome.id in {"iem", "iem_wireless", "iem_multi_driver"}
        assert ("ear_tips" in tip_ids(advice)) == universal_iem


# Every outcome can win -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome",
    [
        "open_back",
        "closed_back",
        "closed_back_anc",
        "on_ear",
        "iem",
        "iem_wireless",
        "iem_multi_driver",
        "iem_custom",
    ],
)
def test_every_outcome_can_win(dialogue: Dialogue, outcome: str) -> None:
    answers = witness(dialogue, outcome)
    assert answers is not None, f"no answers make {outcome} win"
    assert advice_for(dialogue, answers).outcome.id == outcome


# Form: every question can be skipped, reasons read well -------------------------------------


def test_every_question_has_an_answer_that_weighs_nothing(dialogue: Dialogue) -> None:
    for question in dialogue.questions.values():
        assert any(not option.scores for option in question.options), question.id


def test_every_typed_label_or_synonym_picks_its_own_option(dialogue: Dialogue) -> None:
    for question in dialogue.questions.values():
        for option in question.options:
            for name in (option.label, *option.synonyms):
                verdict = understand(dialogue, question, read(dialogue, name))
                assert verdict.options == (option,), f"typing {name!r} at {question.id}: {verdict}"


def test_weighted_options_have_reasons_that_follow_because(dialogue: Dialogue) -> None:
    for question in dialogue.questions.values():
        for option in question.options:
            if not any(weight > 0 for weight in option.scores.values()):
                continue
            where = f"{question.id}:{option.id}"
            assert option.reason, f"{where} weighs for an outcome but has no reason"
            assert option.reason[0].islower(), where
            assert not option.reason.endswith((".", "!", "?")), where


# Telegram's limits and plain text -----------------------------------------------------------


def test_callback_data_fits_with_room_for_the_session(dialogue: Dialogue) -> None:
    room = callback_data.ROOM
    for question in dialogue.questions.values():
        for option in question.options:
            data = f"{question.id}:{option.id}"
            assert len(data.encode()) < room, data


def test_buttons_fit_in_rows(dialogue: Dialogue) -> None:
    for question in dialogue.questions.values():
        assert 1 <= question.columns <= ROW_LIMIT, question.id
        assert len(question.options) <= 100, question.id
        if question.columns > 1:
            too_long = [o.label for o in question.options if len(o.label) > 24]
            assert not too_long, f"{question.id}: labels too long to share a row: {too_long}"


def test_questions_fit_in_a_message(dialogue: Dialogue) -> None:
    progress = dialogue.texts.progress.format(number=99, total=99)
    for question in dialogue.questions.values():
        assert len(f"{progress}\n\n{question.text}") <= TEXT_LIMIT, question.id
        for option in question.options:
            chosen = dialogue.texts.chosen.format(question=question.text, label=option.label)
            assert len(chosen) <= TEXT_LIMIT, f"{question.id}:{option.id}"


def test_the_longest_possible_messages_fit(dialogue: Dialogue) -> None:
    for outcome in dialogue.outcomes.values():
        for how, reply in worst_results(dialogue, outcome).items():
            assert len(reply.text) <= TEXT_LIMIT, (outcome.id, how)
    for how, reply in worst_explanations(dialogue).items():
        assert len(reply.text) <= TEXT_LIMIT, how


def test_short_notices_fit_where_telegram_shows_them(dialogue: Dialogue) -> None:
    texts = dialogue.texts
    assert len(texts.stale) <= 200, "the stale-button notice is a callback answer (200 max)"
    for name in ("command_start", "command_back", "command_result", "command_help"):
        assert 1 <= len(getattr(texts, name)) <= 256, f"texts.{name} is a command description"


def test_every_bot_sentence_is_written_for_this_advisor(dialogue: Dialogue) -> None:
    written = yaml.safe_load(DIALOGUE.read_text(encoding="utf-8"))["texts"]
    assert set(written) == {field.name for field in fields(Texts)}
    defaults = Texts.defaults("en")
    for name in written:
        mine = {p[1] for p in string.Formatter().parse(getattr(dialogue.texts, name)) if p[1]}
        default = {p[1] for p in string.Formatter().parse(getattr(defaults, name)) if p[1]}
        assert mine == default, f"texts.{name} must keep the placeholders {sorted(default)}"


def all_texts(dialogue: Dialogue) -> list[str]:
    """Return every sentence a user can see, from questions to tips."""
    texts = [getattr(dialogue.texts, field.name) for field in fields(Texts)]
    for question in dialogue.questions.values():
        texts += [question.text, question.name, *(o.label for o in question.options)]
        texts += [o.reason for o in question.options if o.reason]
        texts += [o.whatif for o in question.options if o.whatif]
    for outcome in dialogue.outcomes.values():
        texts += [outcome.title, outcome.name, outcome.text, outcome.summary or ""]
        texts += [extra.text for extra in outcome.extras]
    texts += [tip.text for tip in dialogue.tips]
    texts += [conflict.text for conflict in dialogue.conflicts]
    return texts


def test_texts_are_plain_without_markup(dialogue: Dialogue) -> None:
    markup = re.compile(r"<[a-zA-Z/]|\*\*|__|`|\[[^\]]*\]\(")
    for text in all_texts(dialogue):
        assert not markup.search(text), text


def shingles(text: str, size: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not ARTICLE.exists(), reason="the source article is not on this machine")
def test_no_sentence_is_copied_from_the_article(dialogue: Dialogue) -> None:
    article = shingles(ARTICLE.read_text(encoding="utf-8"))
    for text in all_texts(dialogue):
        copied = shingles(text) & article
        assert not copied, f"copied from the article: {' '.join(sorted(copied)[0])!r}"


# Every message leads somewhere ------------------------------------------------------------

ALONE = ("help", "no_result", "finished", "unknown_command", "unsupported", "error",
         "mydata_empty", "forgotten", "forget_cancelled")
"""Texts sent as a message of their own, with no question or button beside them (`finished`
also has buttons, but a person may read it on a client that shows none). The others come with
buttons (`idle`, `forget_confirm`), above the question the chat stands at (`nothing_to_undo`,
`no_result_yet`, `change_none`, `restored`, `dialogue_changed`; tests/test_advisor*.py), or
on the pressed button while its question is on screen (`stale`)."""


@pytest.mark.parametrize("name", ALONE)
def test_a_message_on_its_own_names_a_command_to_go_on_with(
    dialogue: Dialogue, name: str
) -> None:
    text = getattr(dialogue.texts, name)
    assert re.search(r"/(start|help|result|back|change|mydata)\b", text), (name, text)
