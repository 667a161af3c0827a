"""What the operator's commands read from the bot's database, and never write.

Each report opens its own read-only connection (`mode=ro`) and reads one snapshot, so it can run
beside the bot while the bot writes: `stats` and `export` (usage.py, finished.py), the `backup`
copy (backup.py) and the database line of `check` (health.py). The computing and the printing
stay with the commands.
"""

from __future__ import annotations

from bot.storage.reports.readonly import connect_read_only

__all__ = ["connect_read_only"]
