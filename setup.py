"""Ship dialogues/ inside the installed package as bot/dialogues.

Everything else is in pyproject.toml; only this mapping of a top-level folder into a package
cannot be written there. An installed `advisor-bot` finds its dialogue through it
(bot.config.DIALOGUES); a source checkout reads dialogues/ where it is.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot", "bot.*"]), "bot.dialogues"],
    package_dir={"bot.dialogues": "dialogues"},
    package_data={
        "bot": ["py.typed"],
        "bot.dialogues": ["*.yaml", "*.json"],  # with the schemas their first lines name
        # the shared words for typed answers, and what the bot says by default, per language
        "bot.engine": ["vocabularies/*.yaml", "texts/*.yaml"],
    },
)
