"""Measurements of the bot against the usual ConversationHandler way; never run as tests."""
