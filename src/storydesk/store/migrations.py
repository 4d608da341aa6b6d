"""Versioned schema: each migration runs once, in order, recorded in PRAGMA user_version.

Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: articles, their full-text index, stories, assignments, stage state
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        outlet TEXT, title TEXT, url TEXT, published TEXT, language TEXT, author TEXT,
        raw_text TEXT NOT NULL, text TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]', provenance TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE INDEX articles_published ON articles(published);
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='seq');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TABLE article_story (
        article_id TEXT PRIMARY KEY REFERENCES articles(id),
        story_id TEXT NOT NULL,
        syndicated_from TEXT
    );
    CREATE INDEX article_story_story ON article_story(story_id);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY, title TEXT NOT NULL,
        first_seen TEXT, last_seen TEXT,
        article_count INTEGER NOT NULL DEFAULT 0, outlet_count INTEGER NOT NULL DEFAULT 0,
        outlets TEXT NOT NULL DEFAULT '[]',
        data TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_last_seen ON stories(last_seen);
    CREATE INDEX stories_first_seen ON stories(first_seen);
    CREATE VIRTUAL TABLE stories_fts USING fts5(story_id UNINDEXED, title, body);
    CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB, updated_at TEXT NOT NULL);
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; return the version now in force."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        # executescript commits first; the version bump is in the same script so a crash
        # mid-migration leaves user_version at the old value and the migration reruns.
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        version = number
    return version


SCHEMA_VERSION = len(MIGRATIONS)
