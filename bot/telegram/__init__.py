"""The Telegram front end (python-telegram-bot)."""

import os

# PTB 22 warns on every read of an int `retry_after`; opting in to timedelta periods is the
# documented way to silence that, and delivery.py reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")
