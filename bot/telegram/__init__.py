"""The Telegram front end (python-telegram-bot): Updates in, Bot API calls out."""
