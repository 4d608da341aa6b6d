"""The embedded store: one SQLite file (WAL, FTS5) under the data directory.

`open_store(data_dir)` returns a `Store`; `store/base.py` states the protocol the rest of
storydesk relies on, so another backend can stand behind the same calls.
"""

from storydesk.store.base import Store
from storydesk.store.ranking import Ranking, parse_day
from storydesk.store.sqlite import SqliteStore, open_store, store_exists

__all__ = ["Ranking", "SqliteStore", "Store", "open_store", "parse_day", "store_exists"]
