"""The files `new` writes: a small dialogue that uses each part of the format, and its stories.

Small enough to read in a minute, valid, and with stories that pass, so an author starts from
something that works and changes it a step at a time.
"""

from __future__ import annotations

import re

from bot.authoring.json_schema import FORMATS, rendered, schema_file
from bot.authoring.story_format import SUFFIX

DIALOGUE = """\
# yaml-language-server: $schema=dialogue.schema.json
# A starter dialogue: three questions, one asked only in the evening, three outcomes, tips.
# Change it a step at a time; after each change run `validate` and `test`.
# The format: docs/dialogue-format.md in the advisor bot's repository.

id: {id}
version: 1
title: Tea or coffee?
start: time
close_margin: 1          # top two outcomes within 1 point: a close call (see the tips)

texts:                   # any sentence the bot says; the rest keep their defaults
  welcome: Hi! Three quick questions and I'll suggest a drink.
  result_heading: "Try this: {{title}}"

questions:
  time:
    text: When is the drink for?
    next: taste
    branches:            # the first that holds decides where to go next
      - if: {{time: evening}}
        next: sleep
    options:
      - id: morning
        label: In the morning
        synonyms: [breakfast, early, to wake up]
        scores: {{coffee: 2, tea: 1}}
        reason: it's for the morning
      - id: evening
        label: In the evening
        synonyms: [night, late, after dinner]
        scores: {{herbal: 2, tea: 1}}
        reason: it's for the evening

  sleep:
    text: Does caffeine keep you awake at night?
    next: taste
    options:
      - id: "yes"
        label: "Yes"
        means: "yes"
        scores: {{herbal: 3, coffee: -3, tea: -1}}
        reason: caffeine keeps you awake
      - id: "no"
        label: "No"
        means: "no"

  taste:
    text: Which taste do you like?
    options:
      - id: strong
        label: Strong and bitter
        synonyms: [bitter, intense, bold]
        scores: {{coffee: 3}}
        reason: you like a strong taste
      - id: mild
        label: Mild and fragrant
        synonyms: [light, delicate, floral]
        scores: {{tea: 2, herbal: 1}}
        reason: you like a mild taste
      - id: unsure
        label: Not sure
        means: unsure

outcomes:                # ties go to the outcome written first
  tea:
    title: A pot of tea
    text: Black or green tea has some caffeine and a gentle taste.
    extras:
      - if: {{taste: strong}}
        text: For more strength, try a strong black tea such as Assam.
  coffee:
    title: A cup of coffee
    text: Coffee has the most caffeine and a strong, bitter taste.
  herbal:
    title: A herbal tea
    text: Herbal teas such as mint or camomile have no caffeine at all.

tips:
  - id: water
    text: Fresh water, just off the boil, makes a better cup.
  - id: try_both
    if: {{close_call: true}}
    text: It's a close call, so try both and see which you like.
"""

STORIES = """\
# yaml-language-server: $schema=stories.schema.json
# Test stories for {file}: answers by option id (pressed) or in words (typed), and what
# the advice must then say. Run them with `test`.

stories:
  - name: early riser who likes it strong
    answers:
      time: morning
      taste: strong
    outcome: coffee
    reasons: [taste, time]
    tips: [water]
    no_tips: [try_both]

  - name: evening drinker who sleeps badly
    answers:
      time: evening
      sleep: "yes"
      taste: not sure
    outcome: herbal
    runner_up: tea
    reasons: [sleep, time]
    no_text: [Assam]

  - name: morning tea lover who types
    answers:
      time: breakfast
      taste: light and delicate
    outcome: tea
    tips: [water, try_both]
"""


def dialogue_id(name: str) -> str:
    """Return the dialogue id for a file called `name`: a-z, 0-9 and _ only ("" if none)."""
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")


def starter_files(name: str) -> dict[str, str]:
    """Return the files to write for a new dialogue called `name`, by file name."""
    dialogue = f"{name}.yaml"
    files = {
        dialogue: DIALOGUE.format(id=dialogue_id(name)),
        f"{name}{SUFFIX}.yaml": STORIES.format(file=dialogue),
    }
    return files | {schema_file(kind): rendered(kind) for kind in FORMATS}
