"""Headphones or IEMs? A Telegram advisor bot on a YAML dialogue engine."""

__version__ = "0.2.0"
