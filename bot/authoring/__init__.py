"""Tools for people who write dialogues: test stories, coverage, a JSON Schema, a starter.

Pure like the engine they drive: they return data and text, and the commands in bot/cli
print it.
"""
