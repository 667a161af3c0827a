"""The result screen over the fake Bot API: formatting as entities, its buttons, changing one
answer in three taps, "what would change this", "why not", back buttons and ways forward."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.config import DEFAULT_DIALOGUE
from bot.engine import counterfactual
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from bot.engine.screens import summary, whatif_line
from testing.fakebot.server import BotMessage, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import RunningBot, running_bot

DIALOGUE = load_dialogue(DEFAULT_DIALOGUE)
FLYER = {"use": "commute", "hours": "long", "comfort": "none", "isolation": "lot",
         "leak": "yes", "sound": "detail", "budget": "high", "anc": "no", "wireless": "no",
         "mic": "no"}
GAMER = {"use": "gaming", "hours": "short", "comfort": "glasses", "isolation": "none",
         "leak": "yes", "sound": "wide", "budget": "mid", "wireless": "no", "mic": "yes"}
GYM = {"use": "gym", "hours": "short", "comfort": "heat", "isolation": "some", "budget": "mid",
       "anc": "any", "wireless": "yes", "mic": "yes"}


def label(question: str, option: str, dialogue: Dialogue = DIALOGUE) -> str:
    found = dialogue.questions[question].option(option)
    assert found is not None
    return found.label


async def answer_all(bot: RunningBot, user: FakeUser, plan: dict[str, str]) -> BotMessage:
    """Press the plan's answers from /start to the result; return the result's message."""
    await bot.until_handled(user.queue_text("/start"))
    while "📤 Share" not in user.last_buttons:
        asked = next(q for q in bot.dialogue.questions.values()
                     if user.keyboard_message.text.endswith(q.text))
        option = asked.option(plan[asked.id])
        assert option is not None
        await bot.press(user, option.label)
        if asked.multiple and not option.exclusive:  # checked: "Done" answers with it
            await bot.press(user, bot.dialogue.texts.button_done)
    return user.last_message


async def test_change_an_answer_is_three_taps_and_keeps_every_later_answer(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=5001)
        first = await answer_all(bot, user, FLYER)
        taps = 0
        for tap in ("✏️ Change an answer", "Budget: High ($150–400)", "Premium ($400+)"):
            await bot.press(user, tap)
            taps += 1
        assert taps == 3
        result = user.last_message
        assert result.text.startswith(
            "Budget: High ($150–400) → Premium ($400+): still multi-driver IEMs.\n\n")
        assert result.formatted("bold") == ["My pick for you: Multi-driver or hybrid IEMs"]
        assert bot.answers(5001) == list({**FLYER, "budget": "premium"}.items())
        # The first result and its answers stay as they were: the change is a new version.
        rows = bot.rows("SELECT id, status, revises, origin FROM sessions ORDER BY id")
        first_id = rows[0][0]
        assert rows == [(first_id, "finished", None, None),
                        (first_id + 1, "finished", first_id, first_id)]
        assert bot.rows("SELECT question_id, option_id FROM answers WHERE session_id = ?"
                        " ORDER BY position", first_id) == list(FLYER.items())
        assert "📤 Share" in first.labels  # the old result keeps its buttons
        await user.send("/mydata")
        assert f"a new version of session {first_id}" in user.last_text


async def test_what_would_change_it_and_why_not_name_real_answers_and_outcomes(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        for chat, plan in ((5101, FLYER), (5102, GAMER), (5103, GYM)):
            user = fake_api.user(chat_id=chat)
            result = await answer_all(bot, user, plan)
            chosen = dict(bot.answers(chat))

            await bot.press(user, "What would change this?")
            changes = counterfactual.smallest_changes(DIALOGUE, chosen)
            assert len(changes) == 2
            lines = [f"• {whatif_line(DIALOGUE, change)}" for change in changes]
            assert user.last_text.splitlines()[2:] == lines
            for change in changes:
                assert DIALOGUE.outcomes[change.outcome].title in user.last_text
                for question, option in change.changed:
                    chosen_option = DIALOGUE.questions[question].option(option)
                    assert chosen_option is not None
                    assert chosen_option.whatif is not None
                    assert chosen_option.whatif in user.last_text  # the dialogue's own words
            assert user.last_message.formatted("bold") == ["What would change my pick"]

            why = next(b for b in result.labels if b.startswith("Why not "))
            await bot.press(user, why)  # on the result, which keeps its buttons
            runner_up = why.removeprefix("Why not ").removesuffix("?")
            outcome = next(o for o in DIALOGUE.outcomes.values() if o.name == runner_up)
            assert user.last_message.formatted("bold") == [f"Why not {outcome.title}?"]
            assert "What counted against it: " in user.last_text
            nearest = counterfactual.smallest_change(DIALOGUE, chosen, outcome.id)
            assert nearest is not None
            assert whatif_line(DIALOGUE, nearest) in user.last_text


async def test_the_result_is_formatted_by_entities_and_shared_by_a_link(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=5201)
        result = await answer_all(bot, user, FLYER)
    sent = next(c for c in fake_api.calls if c.method == "sendMessage"
                and str(c.params.get("text")).startswith("My pick for you"))
    assert "parse_mode" not in sent.params
    outcome = DIALOGUE.outcomes["iem_multi_driver"]
    assert result.formatted("bold") == [f"My pick for you: {outcome.title}"]
    [details] = result.formatted("expandable_blockquote")
    assert details.startswith(outcome.text)
    assert result.text.endswith(details)
    share = result.button("📤 Share")
    assert share.callback_data is None
    assert share.url is not None
    link = urlsplit(share.url)
    assert (link.scheme, link.netloc, link.path) == ("https", "t.me", "/share/url")
    query = parse_qs(link.query)
    assert query["url"] == ["https://t.me/advisor_test_bot"]
    assert query["text"] == [f"My headphones-or-IEMs pick: {outcome.title}. Find yours:"]


async def test_markup_and_emoji_in_the_dialogue_show_as_written_with_offsets_right(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    title, tag = "<b>Multi</b>-driver *IEMs* _for_ 🎧🎶 you", "🎧 <i>High</i> *$150–400*"
    text = DEFAULT_DIALOGUE.read_text(encoding="utf-8")
    text = text.replace("title: Multi-driver or hybrid IEMs", f'title: "{title}"', 1)
    text = text.replace("label: High ($150–400)", f'label: "{tag}"', 1)
    path = tmp_path / "markup.yaml"
    path.write_text(text, encoding="utf-8")
    async with running_bot(fake_api, tmp_path / "bot.db", dialogue_path=path) as bot:
        user = fake_api.user(chat_id=5301)
        await answer_all(bot, user, FLYER)
        # Changing the budget puts a line with an emoji before the bold heading, which has
        # two: offsets count them as Telegram does, two UTF-16 code units each.
        for tap in ("✏️ Change an answer", f"Budget: {tag}", "Premium ($400+)"):
            await bot.press(user, tap)
        result = user.last_message
    changed = f"Budget: {tag} → Premium ($400+): still multi-driver IEMs."
    assert result.text.startswith(f"{changed}\n\nMy pick for you: {title}\n")
    assert result.formatted("bold") == [f"My pick for you: {title}"]
    bold = next(e for e in result.entities if e["type"] == "bold")
    assert bold["offset"] == len(changed) + 2 + 1  # one emoji before it: one unit more
    assert bold["length"] == len(f"My pick for you: {title}") + 2  # and two in it
    [details] = result.formatted("expandable_blockquote")
    assert details.startswith(DIALOGUE.outcomes["iem_multi_driver"].text)
    assert "parse_mode" not in str([c.params for c in fake_api.calls])
    assert summary(DIALOGUE.outcomes["iem_multi_driver"]) in result.text


async def test_someone_not_sure_of_anything_gets_the_close_call_not_a_pick(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    unsure = {q.id: next(o.id for o in q.options if not any(o.scores.values()))
              for q in DIALOGUE.questions.values()}
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=5401)
        result = await answer_all(bot, user, unsure)
        assert "My pick for you" not in result.text
        assert result.formatted("bold")[0] == (
            "It's a close call: closed-back over-ears or open-back over-ears")
        assert result.labels[0] == "Answer again: Where you listen"
        await bot.press(user, "Answer again: Where you listen")
        assert user.last_text.startswith("Your answer was “Not sure / a mix”. Pick the new one:")
        await bot.press(user, "At home")
        assert user.last_text.startswith(
            "Where you listen: Not sure / a mix → At home: now open-back over-ears instead of "
            "closed-back over-ears.")


async def test_back_buttons_change_at_any_time_and_a_way_forward_after_the_end(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=5501)
        await bot.until_handled(user.queue_text("/start"))
        assert "◀ Back" not in user.last_buttons  # nothing before the first question
        for option in ("commute", "long", "none"):
            await bot.press(user, label(next(q for q in FLYER if q not in dict(
                bot.answers(5501))), option))
        isolation = user.keyboard_message
        await bot.press(user, "◀ Back")
        # Compact replies: the question left becomes the one gone back to, saying so on top.
        assert isolation.text.startswith(
            "How much outside noise do you need to shut out?\n\n◀ Went back\n\n")
        assert isolation.text.endswith("Is there anything that affects your comfort?")
        assert isolation is user.keyboard_message
        assert bot.answers(5501) == [("use", "commute"), ("hours", "long")]

        await bot.until_handled(user.queue_text("/change"))
        assert user.last_text == DIALOGUE.texts.change_prompt
        await bot.press(user, "Where you listen: Commute & travel")
        await bot.press(user, "At the office")
        # The open question comes back, the answer between kept.
        assert "Is there anything that affects your comfort?" in user.last_text
        assert bot.answers(5501) == [("use", "office"), ("hours", "long")]

        for option in ("none", "some", "yes", "detail", "mid", "no", "no", "no"):
            asked = next(q for q in DIALOGUE.questions.values()
                         if user.keyboard_message.text.endswith(q.text))
            await bot.press(user, label(asked.id, option))
        await bot.until_handled(user.queue_text("thanks!"))
        assert user.last_text == DIALOGUE.texts.finished
        assert user.last_buttons == ["🔄 Start over", "✏️ Change an answer"]
        await bot.press(user, "🔄 Start over")
        assert user.last_text.startswith("Question 1 of ")  # no welcome all over again
